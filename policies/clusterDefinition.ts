/**
 * The typed description of one cluster, as written in `clusters/<name>.ts`. Everything kvfleet
 * generates for a cluster is derived from this and the compatibility matrix.
 */

export interface NodePool {
  /** DNS label; shown on nodes as `kvfleet.io/pool`. */
  readonly name: string;
  /** Labels that identify this pool's nodes (equality only, as a nodeSelector). */
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** Hypervisor release that selects the pool's machine types: `rhel-9.6`, `rhel-10.0`, `qemu-10.1`. */
  readonly hypervisor: string;
  /** Corrections to the release's matrix for this pool. */
  readonly machineTypes?: MachineTypeOverrides;
  /** A planned hypervisor upgrade of this pool, e.g. `rhel-10.0`. */
  readonly upgradeTo?: string;
  /** Corrections to the matrix of `upgradeTo`. */
  readonly upgradeMachineTypes?: MachineTypeOverrides;
  readonly nodeCount: number;
  /**
   * virt-launcher image the labeller uses to read this pool's capabilities.
   * @default the cluster's `images.virtLauncher`
   */
  readonly virtLauncherImage?: string;
}

export interface MachineTypeOverrides {
  /** Types this pool's QEMU offers beyond the release matrix. */
  readonly add?: readonly string[];
  /** Types of the release matrix this pool's QEMU does not offer. */
  readonly remove?: readonly string[];
  /** Types to treat as deprecated although the matrix does not. */
  readonly deprecate?: readonly string[];
}

export interface KubeOvnSettings {
  readonly version: string;
  /**
   * What the VM policy does with masquerade (or another non-migratable binding) on the pod network,
   * which changes the VM's IP on migration.
   * @default 'warn'
   */
  readonly podNetworkMasquerade?: 'warn' | 'deny';
}

export interface ArgoCdDestination {
  /** Exactly one of `server` and `name`. */
  readonly server?: string;
  readonly name?: string;
  /** @default 'default' */
  readonly project?: string;
}

export interface MigrationSettings {
  /** Fallback VMIMs the controller may create per VMI within `attemptWindowSeconds`. @default 3 */
  readonly fallbackAttempts: number;
  /** @default 3600 */
  readonly attemptWindowSeconds: number;
  /** First backoff between fallbacks; doubles per attempt. @default 10 */
  readonly backoffBaseSeconds: number;
  /**
   * `kubevirt.io/migrationUnschedulablePodTimeoutSeconds` defaulted on every VMIM; KubeVirt's own
   * default is 300 s, too long to sit on a node that can never host the VM.
   * @default 120
   */
  readonly unschedulableTimeoutSeconds: number;
  /** The shorter timeout put on kvfleet's own fallback VMIMs, whose target is chosen. @default 60 */
  readonly fallbackUnschedulableTimeoutSeconds: number;
  /** How long finished kvfleet-created VMIMs are kept before the controller deletes them. @default 3600 */
  readonly finishedMigrationTtlSeconds: number;
}

export interface ClusterImages {
  /** @default `quay.io/kubevirt/virt-launcher:v<kubevirtVersion>` */
  readonly virtLauncher?: string;
  /** @default `ghcr.io/kvfleet/node-labeller:<kvfleet version>` */
  readonly nodeLabeller?: string;
  /** @default `ghcr.io/kvfleet/migration-controller:<kvfleet version>` */
  readonly migrationController?: string;
}

export interface ClusterDefinition {
  /** DNS label, equal to the file name: `clusters/<name>.ts` → `dist/<name>/`. */
  readonly name: string;
  /** Kubernetes minor, e.g. `1.33`. */
  readonly kubernetesVersion: string;
  /** KubeVirt version, e.g. `1.5.2`. Decides between `addedNodeSelector` (≥ 1.6) and target-pod steering. */
  readonly kubevirtVersion: string;
  readonly kubeOvn: KubeOvnSettings | 'none';
  readonly argocd: ArgoCdDestination;
  readonly nodePools: readonly NodePool[];
  readonly migration?: Partial<MigrationSettings>;
  readonly images?: ClusterImages;
  /** @default 'kvfleet-system' */
  readonly namespace?: string;
}

export const DEFAULT_MIGRATION_SETTINGS: MigrationSettings = {
  fallbackAttempts: 3,
  attemptWindowSeconds: 3600,
  backoffBaseSeconds: 10,
  unschedulableTimeoutSeconds: 120,
  fallbackUnschedulableTimeoutSeconds: 60,
  finishedMigrationTtlSeconds: 3600,
};

export const DEFAULT_NAMESPACE = 'kvfleet-system';

/** Typed identity: lets a cluster file be checked by the compiler without importing types by hand. */
export function defineCluster(definition: ClusterDefinition): ClusterDefinition {
  return definition;
}

export function migrationSettings(cluster: ClusterDefinition): MigrationSettings {
  return { ...DEFAULT_MIGRATION_SETTINGS, ...cluster.migration };
}
