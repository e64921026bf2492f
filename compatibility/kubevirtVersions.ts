/**
 * The KubeVirt (and Kubernetes) versions at which kvfleet changes what it generates. Every version
 * threshold lives here; the generators, the controller's settings and validation ask these
 * functions instead of comparing versions themselves. (Known defects of releases, which change
 * nothing that is generated, are the version lint's data: fleet/knownVersionIssues.ts.)
 */
import { coerce, gte, lt } from 'semver';

/**
 * The oldest KubeVirt kvfleet models: the launcher catalogue (launcherCatalogue.ts) starts at 1.4, and
 * a release without a catalogue entry has no machine types to derive anything from.
 */
export const MIN_KUBEVIRT_VERSION = '1.4.0';

/**
 * virt-handler labels nodes `machine-type.node.kubevirt.io/<type>` and virt-controller puts a
 * nodeSelector for the VMI's `status.machine.type` on launcher and migration target pods
 * (kubevirt/kubevirt#13690, first in v1.6.0 and backported to v1.5.1; `services/template.go`).
 */
export const NATIVE_MACHINE_TYPE_SELECTOR_SINCE = '1.5.1';

/** VMIM `spec.addedNodeSelector` (kubevirt/kubevirt#12725, v1.6.0). */
export const ADDED_NODE_SELECTOR_SINCE = '1.6.0';

/**
 * MigrationPolicy (`migrations.kubevirt.io/v1alpha1`) spec fields newer than kvfleet's oldest
 * supported KubeVirt, with the release that added each (`MigrationPolicySpec` in
 * `staging/src/kubevirt.io/api/migrations/v1alpha1/types.go` at the tags: v1.5.0 added
 * `allowWorkloadDisruption`, v1.9.0 `maxDowntimeMs` and `experimental`). `selectors`,
 * `allowAutoConverge`, `bandwidthPerMigration`, `completionTimeoutPerGiB` and `allowPostCopy` exist
 * in every supported release. The API server prunes (or, strict, rejects) a field its CRD lacks.
 */
export const MIGRATION_POLICY_FIELDS_SINCE = {
  allowWorkloadDisruption: '1.5.0',
  maxDowntimeMs: '1.9.0',
  experimental: '1.9.0',
} as const;
export type VersionedMigrationPolicyField = keyof typeof MIGRATION_POLICY_FIELDS_SINCE;

/** Whether the MigrationPolicy CRD of KubeVirt `kubevirtVersion` has `field`. */
export function hasMigrationPolicyField(kubevirtVersion: string, field: VersionedMigrationPolicyField): boolean {
  const v = at(kubevirtVersion);
  return v !== undefined && gte(v, MIGRATION_POLICY_FIELDS_SINCE[field]);
}

/** Kubernetes minors kvfleet's manifests are written for (policies.kyverno.io needs ≥ 1.30's CEL). */
export const MIN_KUBERNETES_MINOR = 30;
/**
 * The newest Kubernetes minor released when this was written: k8s.io/api v0.37.2 (Kubernetes 1.37)
 * was the newest the Go module proxy served on 2026-12-01. A definition naming a newer minor is a
 * typo far more often than a cluster ahead of every release (`1.320`); raise it with each release.
 */
export const MAX_KUBERNETES_MINOR = 37;

/**
 * Whose machine-type labels the scheduler checks for a migration target on this cluster:
 * `kubevirt` when KubeVirt puts its own selector on the target pod (then kvfleet adds none, so two
 * labellers can never disagree inside one scheduling decision), `kvfleet` before that.
 */
export type MachineTypeLabeller = 'kubevirt' | 'kvfleet';

/**
 * How a fallback migration pins its target node: `addedNodeSelector` on the VMIM where it exists,
 * else the `kvfleet.io/target-node` annotation that the target-pod policy turns into a nodeSelector.
 */
export type PinMode = 'addedNodeSelector' | 'targetNodeAnnotation';

/** What a KubeVirt release does for migration placement, and so what kvfleet must add. */
export interface SchedulingContract {
  readonly machineTypeLabeller: MachineTypeLabeller;
  readonly pinMode: PinMode;
}

const at = (version: string) => coerce(version)?.version;

/** `undefined` for a string no version can be read from (validation reports those first). */
export function schedulingContract(kubevirtVersion: string): SchedulingContract | undefined {
  const v = at(kubevirtVersion);
  if (v === undefined) return undefined;
  return {
    machineTypeLabeller: gte(v, NATIVE_MACHINE_TYPE_SELECTOR_SINCE) ? 'kubevirt' : 'kvfleet',
    pinMode: gte(v, ADDED_NODE_SELECTOR_SINCE) ? 'addedNodeSelector' : 'targetNodeAnnotation',
  };
}

/** As `schedulingContract`, for a validated version; throws with the value otherwise. */
export function schedulingContractOf(kubevirtVersion: string): SchedulingContract {
  const contract = schedulingContract(kubevirtVersion);
  if (!contract) throw new Error(`kubevirtVersion ${JSON.stringify(kubevirtVersion)} is not a version (validate the fleet first)`);
  return contract;
}

export function isKubevirtOlderThanSupported(kubevirtVersion: string): boolean {
  const v = at(kubevirtVersion);
  return v !== undefined && lt(v, MIN_KUBEVIRT_VERSION);
}
