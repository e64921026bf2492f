/**
 * The KubeVirt migration settings of a cluster definition (`kubevirt`): the cluster-wide migration
 * configuration (`spec.configuration.migrations` of the KubeVirt CR, or HCO's
 * `spec.liveMigrationConfig`) and MigrationPolicies for groups of VMs. Only the fields a definition
 * sets are generated; KubeVirt's defaults (`pkg/virt-config/virt-config.go`) apply to the rest.
 */
import * as z from 'zod';
import * as field from './clusterSchemaFields.js';
import { labelMapSchema } from './clusterSchemaLabels.js';
import { fieldInfo, report } from './clusterSchemaFields.js';
import { isRecord } from '../compatibility/guards.js';
import { onceValid } from './clusterSchemaRules.js';
import { formatValue } from './definitionValue.js';

type Ctx = z.core.$RefinementCtx;

/**
 * KubeVirt's own defaults for what `kubevirt.migrations` may set (`pkg/virt-config/virt-config.go`,
 * unchanged v1.4.0 … v1.9.0; completionTimeoutPerGiB was 800 before v1.4.0, kubevirt PR #12848).
 * HCO writes its own defaults into the KubeVirt CR instead (`spec.liveMigrationConfig`).
 */
export const KUBEVIRT_MIGRATION_DEFAULTS = {
  parallelMigrationsPerCluster: 5,
  parallelOutboundMigrationsPerNode: 2,
  bandwidthPerMigration: '0Mi (no limit)',
  completionTimeoutPerGiB: 150,
  progressTimeout: 150,
  allowAutoConverge: false,
  allowPostCopy: false,
  network: 'none: migrations use the pod network',
} as const;
const d = KUBEVIRT_MIGRATION_DEFAULTS;

const flag = (name: string) => z.boolean().register(fieldInfo, { expected: 'true or false', fix: `write ${name}: true or ${name}: false, or leave it out` });

/** Bytes per second as a Kubernetes quantity; both CRDs take it as int-or-string, HCO only as a string. */
export const bandwidthQuantity = field.checkedString(
  { expected: 'a bandwidth quantity', fix: 'write bytes per second as a quantity, e.g. "64Mi" or "1Gi"; "0" means no limit' },
  (v) => (/^(0|[1-9]\d*)(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.test(v) ? undefined : 'it is not a non-negative quantity such as "64Mi"'),
);

const nadName = field.checkedString(
  {
    expected: 'a NetworkAttachmentDefinition name',
    fix: 'name the NetworkAttachmentDefinition in KubeVirt\'s namespace that carries migrations (a DNS label), e.g. "migration-net"',
  },
  field.dnsLabelWhy,
);

/** The migration fields both the KubeVirt CR and HCO's `liveMigrationConfig` have. */
const migrationConfigurationFields = z.strictObject({
  /** Concurrent migrations in the cluster. @default 5 */
  parallelMigrationsPerCluster: field.wholeNumber(1, 1000, d.parallelMigrationsPerCluster).optional(),
  /** Concurrent outgoing migrations per node. @default 2 */
  parallelOutboundMigrationsPerNode: field.wholeNumber(1, 100, d.parallelOutboundMigrationsPerNode).optional(),
  /** Bandwidth limit per migration, bytes per second (`"1Gi"`). @default "0Mi", no limit */
  bandwidthPerMigration: bandwidthQuantity.optional(),
  /** Seconds per GiB of guest memory (and migrated disk) before a migration is cancelled or switched to post-copy. @default 150 */
  completionTimeoutPerGiB: field.wholeNumber(1, 100_000, d.completionTimeoutPerGiB).optional(),
  /** Seconds a migration may transfer nothing before it is cancelled. @default 150 */
  progressTimeout: field.wholeNumber(1, 100_000, d.progressTimeout).optional(),
  /** Let QEMU throttle the guest's vCPUs until the migration converges. @default false */
  allowAutoConverge: flag('allowAutoConverge').optional(),
  /** Switch to post-copy at the completion timeout (a network failure then loses the VM). @default false */
  allowPostCopy: flag('allowPostCopy').optional(),
  /**
   * A dedicated migration network: the name of a NetworkAttachmentDefinition in KubeVirt's namespace
   * (the cluster's to create). @default the pod network
   */
  network: nadName.optional(),
});
export type KubevirtMigrationConfiguration = z.output<typeof migrationConfigurationFields>;

const labelMap = (what: string) =>
  labelMapSchema({ expected: `a map of ${what} labels`, fix: `write the ${what} labels to match, e.g. { "workload.example.com/size": "large" }` });

const policySelectors = z
  .strictObject({
    /** Labels of the VMI's namespace. */
    namespaceSelector: labelMap('namespace').optional(),
    /** Labels of the VMI. */
    virtualMachineInstanceSelector: labelMap('VMI').optional(),
  })
  .readonly()
  .register(fieldInfo, { expected: 'MigrationPolicy selectors', fix: 'write { namespaceSelector?: {…}, virtualMachineInstanceSelector?: {…} }' });

const policyFields = z.strictObject({
  /** The policy's name; the object is `kvfleet-<name>`. */
  name: field.checkedString(
    { expected: 'a policy name (a DNS label of at most 55 characters)', fix: 'use lower-case letters, digits and "-", e.g. "large-vms"' },
    (v) => field.dnsLabelWhy(v) ?? (v.length > 55 ? 'the object name kvfleet-<name> would be longer than 63 characters' : undefined),
  ),
  /** Which VMIs the policy applies to; KubeVirt picks, per VMI, the matching policy with the most matching labels. */
  selectors: policySelectors,
  allowAutoConverge: flag('allowAutoConverge').optional(),
  bandwidthPerMigration: bandwidthQuantity.optional(),
  completionTimeoutPerGiB: field.wholeNumber(1, 100_000).optional(),
  allowPostCopy: flag('allowPostCopy').optional(),
  /** Pause the VM (or switch to post-copy) instead of cancelling at the completion timeout. KubeVirt ≥ 1.5. */
  allowWorkloadDisruption: flag('allowWorkloadDisruption').optional(),
  /** Longest tolerable pause at switch-over, in ms. KubeVirt ≥ 1.9. @default 900 (KubeVirt's) */
  maxDowntimeMs: field.wholeNumber(1, 2_000_000, 900).optional(),
  /** Alpha options, which KubeVirt says it will remove. KubeVirt ≥ 1.9. */
  experimental: z
    .strictObject({
      /** Compression of the migration stream. @default 'none' */
      compression: z.enum(['none', 'zstd']).register(fieldInfo, { expected: "'none' or 'zstd'", fix: "write compression: 'zstd' or leave it out" }).optional(),
    })
    .readonly()
    .register(fieldInfo, { expected: 'experimental migration options', fix: "write experimental: { compression: 'zstd' }" })
    .optional(),
});
export type MigrationPolicyFields = z.output<typeof policyFields>;

/** The settings a policy may carry besides its name and selectors. */
export const MIGRATION_POLICY_SETTINGS = [
  'allowAutoConverge',
  'bandwidthPerMigration',
  'completionTimeoutPerGiB',
  'allowPostCopy',
  'allowWorkloadDisruption',
  'maxDowntimeMs',
  'experimental',
] as const satisfies readonly (keyof MigrationPolicyFields)[];

export const migrationPolicySchema = policyFields.superRefine(policyRules, onceValid('selectors')).readonly().register(fieldInfo, {
  expected: 'a MigrationPolicy',
  fix: "write { name: 'large-vms', selectors: { virtualMachineInstanceSelector: { … } }, completionTimeoutPerGiB: 300 }",
});
export type MigrationPolicyDefinition = z.output<typeof migrationPolicySchema>;

function policyRules(policy: MigrationPolicyFields, ctx: Ctx): void {
  const labels = Object.keys(policy.selectors.namespaceSelector ?? {}).length + Object.keys(policy.selectors.virtualMachineInstanceSelector ?? {}).length;
  if (labels === 0) {
    report(
      ctx,
      {
        problem: `policy ${formatValue(policy.name)} selects every VMI (no selector labels)`,
        fix: 'select a group with namespaceSelector or virtualMachineInstanceSelector labels; settings for every VM belong in kubevirt.migrations',
      },
      ['selectors'],
    );
  }
  if (!MIGRATION_POLICY_SETTINGS.some((k) => policy[k] !== undefined)) {
    report(ctx, {
      problem: `policy ${formatValue(policy.name)} sets nothing besides its selectors`,
      fix: `set at least one of ${MIGRATION_POLICY_SETTINGS.join(', ')}, or remove the policy`,
    });
  }
}

const kubevirtFields = z.strictObject({
  /**
   * Who owns the KubeVirt CR: `'kubevirt-cr'` (virt-operator's own install) gets a server-side-apply
   * partial of the CR holding only `spec.configuration.migrations`; `'hco'` (HyperConverged Cluster
   * Operator, OpenShift Virtualization), which overwrites the KubeVirt CR, gets a values fragment
   * `dist/<cluster>/values/hco-migrations.yaml` for the HyperConverged CR instead.
   * @default 'kubevirt-cr'
   */
  configOwner: z
    .enum(['kubevirt-cr', 'hco'])
    .register(fieldInfo, { expected: "'kubevirt-cr' or 'hco'", fix: "write configOwner: 'kubevirt-cr' (virt-operator install) or 'hco' (HyperConverged)" })
    .optional(),
  /** The KubeVirt CR's name. @default 'kubevirt' */
  name: field.checkedString({ expected: 'a KubeVirt CR name', fix: 'write the name of the KubeVirt CR (`kubectl get kubevirt -A`)' }, field.dnsLabelWhy).optional(),
  /** The KubeVirt CR's namespace. @default 'kubevirt' */
  namespace: field.checkedString({ expected: 'a namespace', fix: 'write the namespace of the KubeVirt CR (`kubectl get kubevirt -A`)' }, field.dnsLabelWhy).optional(),
  /** Cluster-wide migration settings; only the fields set are generated. */
  migrations: migrationConfigurationFields
    .readonly()
    .register(fieldInfo, {
      expected: 'migration settings',
      fix: 'set only the fields you change, e.g. { parallelMigrationsPerCluster: 8, bandwidthPerMigration: "1Gi" }',
    })
    .optional(),
  /** Settings for groups of VMs (stricter ones for pinned or large VMs), as MigrationPolicies. */
  migrationPolicies: z
    .array(migrationPolicySchema)
    .superRefine(policyListRules, onceValid('*.name'))
    .readonly()
    .register(fieldInfo, { expected: 'a list of MigrationPolicies', fix: "write migrationPolicies: [{ name: 'large-vms', selectors: {…}, … }]" })
    .optional(),
});
export type KubevirtFields = z.output<typeof kubevirtFields>;

export const kubevirtSettingsSchema = kubevirtFields
  .superRefine(kubevirtRules, onceValid('configOwner', 'name', 'namespace'))
  .readonly()
  .register(fieldInfo, {
    expected: 'KubeVirt settings',
    fix: "write kubevirt: { configOwner?: 'kubevirt-cr' | 'hco', migrations?: {…}, migrationPolicies?: […] }",
  });
export type KubevirtSettings = z.output<typeof kubevirtSettingsSchema>;

function kubevirtRules(kubevirt: KubevirtFields, ctx: Ctx): void {
  if (kubevirt.configOwner !== 'hco') return;
  for (const key of ['name', 'namespace'] as const) {
    if (kubevirt[key] === undefined) continue;
    report(
      ctx,
      {
        problem: `${key} names the KubeVirt CR, which HCO owns (configOwner 'hco'): kvfleet writes no KubeVirt CR here`,
        fix: `remove kubevirt.${key}; apply dist/<cluster>/values/hco-migrations.yaml to your HyperConverged CR instead`,
      },
      [key],
    );
  }
}

function policyListRules(policies: readonly MigrationPolicyFields[], ctx: Ctx): void {
  const firstByName = new Map<string, number>();
  policies.forEach((policy, i) => {
    if (!isRecord(policy)) return;
    const first = firstByName.get(policy.name);
    if (first === undefined) firstByName.set(policy.name, i);
    else
      report(ctx, { problem: `policy name ${formatValue(policy.name)} is already used by migrationPolicies[${first}]`, fix: 'give every policy its own name' }, [
        i,
        'name',
      ]);
  });
}
