/**
 * The schema of a cluster definition (`clusters/<name>.ts`): its shape, the form of every value, and
 * the rules between fields. The types `defineCluster` takes and the generators read are inferred
 * from it (clusterDefinition.ts), so the compiler and validation cannot disagree. Objects are strict:
 * an unknown (usually misspelt) key is an error, never silently ignored.
 */
import * as z from 'zod';
import { DEFAULT_MIGRATION_SETTINGS } from './clusterSchemaDefaults.js';
import * as field from './clusterSchemaFields.js';
import { fieldInfo } from './clusterSchemaFields.js';
import { argoCdProjectName, stageName } from './fleetConfigSchema.js';
import { kubevirtSettingsSchema } from './clusterSchemaKubevirt.js';
import { kubeOvnInstallSchema, kubeOvnSubnetsSchema } from './clusterSchemaKubeOvn.js';
import { labelMapSchema } from './clusterSchemaLabels.js';
import { argoCdRules, migrationRules, nodePoolsRules, nodeSelectorRules, onceValid } from './clusterSchemaRules.js';
import {
  launcherRules,
  launcherSchema,
  plannedStepSchema,
  RETIRED_CLUSTER_FIELDS,
  RETIRED_IMAGE_FIELDS,
  RETIRED_POOL_FIELDS,
  retiredFields,
} from './clusterSchemaLauncher.js';
import { acceptedKnownIssuesSchema, argoCdVersion, clusterVersionRules } from './clusterSchemaVersions.js';
import { alertSettingsSchema } from './clusterSchemaAlerts.js';

const machineTypeList = (kind: string) =>
  z
    .array(field.machineTypeName)
    .readonly()
    .register(fieldInfo, { expected: `a list of machine types to ${kind}`, fix: `write ${kind}: ['pc-q35-…']` });

export const machineTypeOverridesSchema = z
  .strictObject({
    /** Types this pool's launcher offers beyond the catalogue, at every step. */
    add: machineTypeList('add').optional(),
    /** Types of the catalogue this pool's launcher does not offer, at every step. */
    remove: machineTypeList('remove').optional(),
    /** Types to treat as deprecated although the catalogue does not. */
    deprecate: machineTypeList('deprecate').optional(),
  })
  .readonly()
  .register(fieldInfo, { expected: 'machine-type overrides', fix: "write { add?: ['…'], remove?: ['…'], deprecate?: ['…'] }" });

const nodeSelectorSchema = labelMapSchema(
  { expected: 'a map of node labels', fix: 'write the labels that identify the pool\'s nodes, e.g. { "node.example.com/os": "rhel-9.6" }' },
  nodeSelectorRules,
);

const nodePoolFields = z.strictObject({
  /** DNS label of at most 41 characters (it is part of the labeller's names); shown on nodes as `kvfleet.io/pool`. */
  name: field.poolName,
  /** Labels that identify this pool's nodes (equality only, as a nodeSelector). Pools may not overlap. */
  nodeSelector: nodeSelectorSchema,
  /**
   * The nodes' CPU architecture (`kubernetes.io/arch`): it picks the launcher's machine-type list
   * (q35/pc on amd64, virt on arm64, s390-ccw-virtio on s390x). Pools of different architectures are
   * where nodes of one cluster really differ in machine types.
   * @default 'amd64'
   */
  architecture: field.architecture.optional(),
  /**
   * The nodes' OS release, e.g. `rhel-9.6`. It decides no machine type (the launcher image does); it
   * is where a `node-os-upgrade` step starts from, and `plan` shows it.
   */
  os: field.osRelease.optional(),
  /** Corrections to the catalogue's list for this pool, applied at every step. */
  machineTypes: machineTypeOverridesSchema.optional(),
  /**
   * Informational: how many nodes the pool has. Nothing is generated from it; it is carried into
   * the `kvfleet-machine-types` ConfigMap for readers of the matrix.
   */
  nodeCount: field.nodeCount.optional(),
});
/** A pool as its own fields vouch for it, before the rules between them; what poolRules reads. */
export type NodePoolFields = z.output<typeof nodePoolFields>;

retiredFields.add(nodePoolFields, RETIRED_POOL_FIELDS);

export const nodePoolSchema = nodePoolFields
  .readonly()
  .register(fieldInfo, { expected: 'a node pool', fix: 'write { name, nodeSelector } (and optionally architecture, os, machineTypes, nodeCount)' });

export const kubeOvnSettingsSchema = z
  .strictObject({
    /** Kube-OVN release, "X.Y.Z"; older releases get warnings about migration downtime. */
    version: field.kubeOvnVersion,
    /**
     * What the VM policy does with masquerade (or another non-migratable binding) on the pod network,
     * which changes the VM's IP on migration.
     * @default 'warn'
     */
    podNetworkMasquerade: z.enum(['warn', 'deny']).optional().register(fieldInfo, { expected: "'warn' or 'deny'", fix: "use 'warn' (the default) or 'deny'" }),
    /**
     * How the cluster installs Kube-OVN, which decides the form of its migration settings: a Helm
     * chart gets a values file `dist/<cluster>/values/kube-ovn.yaml` (delivered with the chart by
     * Argo CD); `'external'` (install.sh, an operator, another repository) gets a check only.
     * @default 'external'
     */
    install: kubeOvnInstallSchema.optional(),
    /** Kube-OVN Subnets for VM networks, generated as `kubeovn.io/v1` Subnets. */
    subnets: kubeOvnSubnetsSchema.optional(),
  })
  .readonly();

/**
 * Where Argo CD delivers this cluster's `dist/` folder. Used by delivery (issue 12); checked now so
 * a definition written today stays valid then.
 */
const argoCdFields = z.strictObject({
  /** The destination cluster's API server URL (https). Exactly one of `server` and `name`. */
  server: field.argoCdServer.optional(),
  /** The destination cluster's name as registered in Argo CD. */
  name: field.argoCdClusterName.optional(),
  /**
   * The AppProject of the cluster's Applications; kvfleet writes it (dist/_argocd/), restricted to
   * what it delivers to its clusters, so it may not be Argo CD's shared `default`.
   * @default the fleet's `argocd.project` (kvfleet.config.ts), 'kvfleet' unless set there
   */
  project: argoCdProjectName.optional(),
  /**
   * The rollout stage (kvfleet.config.ts `stages`): a change reaches this cluster only once every
   * cluster of the earlier stages is Healthy.
   * @default the last stage of kvfleet.config.ts
   */
  stage: stageName.optional(),
  /** The Argo CD release that delivers to this cluster, e.g. `3.4.2`; checked by the version lint. */
  version: argoCdVersion.optional(),
});
export type ArgoCdFields = z.output<typeof argoCdFields>;

export const argoCdDestinationSchema = argoCdFields
  .superRefine(argoCdRules, onceValid('server', 'name'))
  .readonly()
  .register(fieldInfo, { expected: 'an Argo CD destination', fix: "write argocd: { server: 'https://…' } or argocd: { name: 'in-cluster' }" });

const d = DEFAULT_MIGRATION_SETTINGS;
const migrationFields = z.strictObject({
  /** Fallback VMIMs the controller may create per VMI within `attemptWindowSeconds`. @default 3 */
  fallbackAttempts: field.wholeNumber(0, 10, d.fallbackAttempts).optional(),
  /** @default 3600 */
  attemptWindowSeconds: field.wholeNumber(60, 7 * 24 * 3600, d.attemptWindowSeconds).optional(),
  /** First backoff between fallbacks; doubles per attempt. @default 10 */
  backoffBaseSeconds: field.wholeNumber(1, 3600, d.backoffBaseSeconds).optional(),
  /**
   * `kubevirt.io/migrationUnschedulablePodTimeoutSeconds` defaulted on every VMIM; KubeVirt's own
   * default is 300 s, too long to sit on a node that can never host the VM.
   * @default 120
   */
  unschedulableTimeoutSeconds: field.wholeNumber(10, 3600, d.unschedulableTimeoutSeconds).optional(),
  /** The shorter timeout put on kvfleet's own fallback VMIMs, whose target is chosen; at most `unschedulableTimeoutSeconds`. @default 60 */
  fallbackUnschedulableTimeoutSeconds: field.wholeNumber(10, 3600, d.fallbackUnschedulableTimeoutSeconds).optional(),
  /** How long finished kvfleet-created VMIMs are kept before the controller deletes them. @default 3600 */
  finishedMigrationTtlSeconds: field.wholeNumber(60, 30 * 24 * 3600, d.finishedMigrationTtlSeconds).optional(),
});
export type MigrationFields = z.output<typeof migrationFields>;

export const migrationSettingsSchema = migrationFields
  .superRefine(
    migrationRules,
    onceValid('fallbackAttempts', 'attemptWindowSeconds', 'backoffBaseSeconds', 'unschedulableTimeoutSeconds', 'fallbackUnschedulableTimeoutSeconds'),
  )
  .readonly()
  .register(fieldInfo, { expected: 'migration settings', fix: 'leave migration out for the defaults, or set only the fields you change, e.g. { fallbackAttempts: 2 }' });

const clusterImagesFields = z.strictObject({
  /** @default `ghcr.io/kvfleet/node-labeller:<kvfleet version>@sha256:…`, the image `npm run images` built (generators/imageDigests.generated.json) */
  nodeLabeller: field.imageReference.optional(),
  /** @default `ghcr.io/kvfleet/migration-controller:<kvfleet version>@sha256:…`, the image `npm run images` built (generators/imageDigests.generated.json) */
  migrationController: field.imageReference.optional(),
});
retiredFields.add(clusterImagesFields, RETIRED_IMAGE_FIELDS);

export const clusterImagesSchema = clusterImagesFields.readonly().register(fieldInfo, {
  expected: 'image settings',
  fix: 'leave images out for the defaults, or set { nodeLabeller?, migrationController? } to image references',
});

const clusterFields = z.strictObject({
  /** DNS label, equal to the file name: `clusters/<name>.ts` → `dist/<name>/`. */
  name: field.clusterName,
  /** Kubernetes minor, e.g. `1.33` (at least 1.30). */
  kubernetesVersion: field.kubernetesVersion,
  /**
   * KubeVirt version, e.g. `1.5.2`. With `launcher` it names the catalogue entry whose QEMU decides
   * the cluster's machine types; it also decides between `addedNodeSelector` (≥ 1.6) and target-pod steering.
   */
  kubevirtVersion: field.kubevirtVersion,
  /**
   * The virt-launcher the cluster runs: its build and image.
   * @default { build: 'centos-stream-9' } with the upstream image of kubevirtVersion
   */
  launcher: launcherSchema.optional(),
  /**
   * What is planned, in order: KubeVirt upgrades, launcher build switches and node OS upgrades.
   * `plan`, admission warnings and the version lint judge every VM at each.
   */
  plannedSteps: z
    .array(plannedStepSchema)
    .readonly()
    .optional()
    .register(fieldInfo, { expected: 'a list of planned steps', fix: "write plannedSteps: [{ kind: 'kubevirt-upgrade', to: '1.8.0' }, …]" }),
  /** KubeVirt migration settings: the cluster's migration configuration and MigrationPolicies. */
  kubevirt: kubevirtSettingsSchema.optional(),
  /** `'none'`, or the Kube-OVN release the cluster runs and how to treat masquerade on the pod network. */
  kubeOvn: z
    .union([z.literal('none'), kubeOvnSettingsSchema])
    .register(fieldInfo, { expected: "'none' or Kube-OVN settings", fix: "write kubeOvn: 'none' or kubeOvn: { version: '1.15.14' }" }),
  /** Argo CD destination; used by delivery (issue 12). */
  argocd: argoCdDestinationSchema,
  /** At least one pool; every node belongs to at most one. */
  nodePools: z
    .array(nodePoolSchema)
    .superRefine(
      (pools, ctx) => {
        if (pools.length === 0) field.report(ctx, { problem: 'the cluster has no node pools ([])', fix: 'add at least one pool with a name and a nodeSelector' });
      },
      { when: (p) => Array.isArray(p.value) },
    )
    .superRefine(nodePoolsRules, onceValid('*.name', '*.nodeSelector'))
    .readonly()
    .register(fieldInfo, { expected: 'a list of node pools', fix: 'write nodePools: [{ name, nodeSelector }, …]' }),
  /** Optional; see each field for its default. */
  migration: migrationSettingsSchema.optional(),
  images: clusterImagesSchema.optional(),
  /**
   * The namespace kvfleet's workloads run in (Pod Security `restricted`); never a system namespace.
   * @default 'kvfleet-system'
   */
  namespace: field.namespaceName.optional(),
  /**
   * Known version issues (fleet/knownVersionIssues.ts) the cluster runs with for now, by id,
   * each with the reason: an accepted error is reported as a warning instead of stopping synthesis.
   */
  acceptedKnownIssues: acceptedKnownIssuesSchema.optional(),
  /**
   * Thresholds of kvfleet's alerts and the labels its Prometheus selects rules and monitors by;
   * every field and its default: fleet/clusterSchemaAlerts.ts (runbooks: docs/runbooks.md).
   */
  alerts: alertSettingsSchema.optional(),
});
retiredFields.add(clusterFields, RETIRED_CLUSTER_FIELDS);

export const clusterSchema = clusterFields
  .superRefine(clusterVersionRules, onceValid('kubevirtVersion', 'plannedSteps', 'kubeOvn', 'kubevirt'))
  .superRefine(launcherRules, onceValid('kubevirtVersion', 'launcher', 'plannedSteps', 'nodePools'))
  .readonly()
  .register(fieldInfo, { expected: 'a cluster definition', fix: 'end the file with `export default defineCluster({ ... })`' });
