/**
 * A pool's effective machine-type set: its release's matrix with the pool's own overrides applied.
 * This resolved form is what every consumer sees (policies, labeller, controller, `kvfleet plan`).
 */
import { type ClusterDefinition, type MachineTypeOverrides, type NodePool } from '../fleet/clusterDefinition.js';
import { hypervisorRelease } from './hypervisorReleases.js';
import { type MachineTypeVendor, sortMachineTypes } from './machineTypeNames.js';

export interface MachineTypeSet {
  /** Hypervisor release id the set was derived from. */
  readonly release: string;
  readonly vendor: MachineTypeVendor;
  /** Canonical types, sorted. */
  readonly supported: readonly string[];
  /** Subset of `supported`, sorted. */
  readonly deprecated: readonly string[];
  /** Alias → canonical, only for aliases whose target is in `supported`. */
  readonly aliases: Readonly<Record<string, string>>;
}

export interface ResolvedPool {
  readonly name: string;
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** Informational (the definition's optional `nodeCount`); nothing is decided from it. */
  readonly nodeCount?: number;
  readonly current: MachineTypeSet;
  /** The set after the pool's planned upgrade, when one is planned. */
  readonly upgrade?: MachineTypeSet;
}

/** `undefined` only for an unknown release id; validation reports that before anyone resolves. */
export function resolveMachineTypeSet(releaseId: string, overrides: MachineTypeOverrides = {}): MachineTypeSet | undefined {
  const release = hypervisorRelease(releaseId);
  if (!release) return undefined;
  const removed = new Set(overrides.remove ?? []);
  const supported = sortMachineTypes([...release.machineTypes, ...(overrides.add ?? [])].filter((t) => !removed.has(t)));
  const inSet = new Set(supported);
  const deprecated = sortMachineTypes([...release.deprecated, ...(overrides.deprecate ?? [])].filter((t) => inSet.has(t)));
  const aliases = Object.fromEntries(
    Object.entries(release.aliases)
      .filter(([, canonical]) => inSet.has(canonical))
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  return { release: release.id, vendor: release.vendor, supported, deprecated, aliases };
}

export function resolvePool(pool: NodePool): ResolvedPool {
  const current = resolveMachineTypeSet(pool.hypervisor, pool.machineTypes);
  if (!current) throw new Error(`pool '${pool.name}': unknown hypervisor release '${pool.hypervisor}' (validate the fleet first)`);
  const upgrade = pool.upgradeTo ? resolveMachineTypeSet(pool.upgradeTo, pool.upgradeMachineTypes) : undefined;
  if (pool.upgradeTo && !upgrade) throw new Error(`pool '${pool.name}': unknown upgradeTo release '${pool.upgradeTo}'`);
  return {
    name: pool.name,
    nodeSelector: Object.fromEntries(Object.entries(pool.nodeSelector).sort(([a], [b]) => (a < b ? -1 : 1))),
    nodeCount: pool.nodeCount,
    current,
    ...(upgrade ? { upgrade } : {}),
  };
}

/** Pools sorted by name, so every consumer iterates them in the same order. */
export function resolvePools(cluster: ClusterDefinition): ResolvedPool[] {
  return cluster.nodePools.map(resolvePool).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
