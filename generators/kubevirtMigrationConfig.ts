import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { type ClusterDefinition } from '../fleet/clusterDefinition.js';
import { type KubevirtMigrationConfiguration, type MigrationPolicyDefinition } from '../fleet/clusterSchemaKubevirt.js';

/** Where virt-operator's own install keeps its one KubeVirt CR. */
export const DEFAULT_KUBEVIRT_CR = { name: 'kubevirt', namespace: 'kubevirt' } as const;

/**
 * Argo CD sync options of the KubeVirt CR partial (argo-cd `docs/user-guide/sync-options.md`):
 * `ServerSideApply=true` so Argo CD applies only the fields written here ("patching of existing
 * resources on the cluster that are not fully managed by Argo CD"); `Prune=false` and `Delete=false`
 * because the CR is KubeVirt's install, not kvfleet's: removing the settings or the Application must
 * never delete it (virt-operator would uninstall KubeVirt). No `Validate=false`: the partial is a
 * valid KubeVirt CR by its schema (no required field in `spec`), as the dist dry run checks.
 */
export const KUBEVIRT_CR_SYNC_OPTIONS = 'ServerSideApply=true,Prune=false,Delete=false';

export type ConfigOwner = 'kubevirt-cr' | 'hco';

/** Who owns the cluster's KubeVirt CR, and so how its migration settings are delivered. */
export function configOwnerOf(cluster: ClusterDefinition): ConfigOwner {
  return cluster.kubevirt?.configOwner ?? 'kubevirt-cr';
}

/**
 * The migration settings the definition sets, and only those (KubeVirt's defaults fill the rest),
 * in the field names the KubeVirt CR's `spec.configuration.migrations` and HCO's
 * `spec.liveMigrationConfig` share; `undefined` when it sets none.
 */
export function migrationConfiguration(cluster: ClusterDefinition): KubevirtMigrationConfiguration | undefined {
  const set = Object.entries(cluster.kubevirt?.migrations ?? {}).filter(([, v]) => v !== undefined);
  return set.length === 0 ? undefined : (Object.fromEntries(set) as KubevirtMigrationConfiguration);
}

/**
 * The server-side-apply partial of the KubeVirt CR: identity and `spec.configuration.migrations`,
 * nothing else, so kvfleet's field manager owns only those fields. `undefined` where HCO owns the CR
 * or the definition sets no migration setting.
 */
export function kubevirtConfigPartial(cluster: ClusterDefinition): Record<string, unknown> | undefined {
  const migrations = migrationConfiguration(cluster);
  if (migrations === undefined || configOwnerOf(cluster) !== 'kubevirt-cr') return undefined;
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'KubeVirt',
    metadata: {
      name: cluster.kubevirt?.name ?? DEFAULT_KUBEVIRT_CR.name,
      namespace: cluster.kubevirt?.namespace ?? DEFAULT_KUBEVIRT_CR.namespace,
      annotations: { 'argocd.argoproj.io/sync-options': KUBEVIRT_CR_SYNC_OPTIONS },
    },
    spec: { configuration: { migrations } },
  };
}

/** A MigrationPolicy's object name. */
export const migrationPolicyName = (policy: Pick<MigrationPolicyDefinition, 'name'>) => `kvfleet-${policy.name}`;

/** The MigrationPolicy spec: its selectors and the settings the definition gives, nothing defaulted. */
export function migrationPolicySpec(policy: MigrationPolicyDefinition): Record<string, unknown> {
  const { name: _name, selectors, experimental, ...settings } = policy;
  const spec: Record<string, unknown> = { selectors: { ...selectors } };
  for (const [key, value] of Object.entries(settings)) if (value !== undefined) spec[key] = value;
  if (experimental?.compression !== undefined) spec.experimental = { compression: experimental.compression };
  return spec;
}

/** An object kvfleet shares with its owner: it carries no labels of kvfleet's (they would claim the whole object). */
class PartialApiObject extends ApiObject {
  override toJson(): ReturnType<ApiObject['toJson']> {
    const json = super.toJson();
    delete json.metadata.labels;
    return json;
  }
}

export interface KubevirtMigrationSettingsProps {
  /** A validated cluster definition. */
  readonly cluster: ClusterDefinition;
}

/**
 * The cluster's KubeVirt migration settings: the KubeVirt CR partial (where virt-operator's CR is the
 * configuration; HCO's clusters get `values/hco-migrations.yaml` instead, see valuesFiles.ts) and the
 * MigrationPolicies the definition declares (cluster-scoped, fully kvfleet's).
 */
export class KubevirtMigrationSettings extends Construct {
  readonly kubevirtPartial?: ApiObject;
  readonly migrationPolicies: readonly ApiObject[];

  constructor(scope: Construct, id: string, props: KubevirtMigrationSettingsProps) {
    super(scope, id);
    const partial = kubevirtConfigPartial(props.cluster);
    if (partial) {
      const { apiVersion, kind, ...rest } = partial as { apiVersion: string; kind: string };
      this.kubevirtPartial = new PartialApiObject(this, 'kubevirt', { apiVersion, kind, ...rest });
    }
    this.migrationPolicies = [...(props.cluster.kubevirt?.migrationPolicies ?? [])]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map(
        (policy) =>
          new ApiObject(this, `policy-${policy.name}`, {
            apiVersion: 'migrations.kubevirt.io/v1alpha1',
            kind: 'MigrationPolicy',
            metadata: { name: migrationPolicyName(policy) },
            spec: migrationPolicySpec(policy),
          }),
      );
  }
}
