/**
 * A pool's effective machine-type set at every step: the catalogue entry of the cluster's launcher
 * for the pool's architecture, with the pool's own corrections applied. This resolved form is what
 * every consumer sees (policies, labeller, controller, `kvfleet plan`). The node's OS plays no part:
 * the launcher image's QEMU decides (launcherCatalogue.ts).
 */
import { type LauncherEntry } from './launcherCatalogue.js';
import { type ClusterStep, clusterSteps, type LauncherPlanInput } from './launcherSteps.js';
import { type Architecture, sortMachineTypes } from './machineTypeNames.js';

export interface MachineTypeOverrides {
  /** Types this pool's launcher offers beyond the catalogue. */
  readonly add?: readonly string[];
  /** Types of the catalogue this pool's launcher does not offer. */
  readonly remove?: readonly string[];
  /** Types to treat as deprecated although the catalogue does not. */
  readonly deprecate?: readonly string[];
}

/** What the resolution reads of a pool definition (the fleet schema's output satisfies it). */
export interface PoolInput {
  readonly name: string;
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** @default 'amd64' */
  readonly architecture?: Architecture;
  readonly os?: string;
  readonly machineTypes?: MachineTypeOverrides;
  readonly nodeCount?: number;
}

export interface ClusterModelInput extends LauncherPlanInput {
  readonly name: string;
  readonly nodePools: readonly PoolInput[];
}

export const DEFAULT_ARCHITECTURE: Architecture = 'amd64';

export interface MachineTypeSet {
  /** The launcher the set comes from: `virt-launcher 1.8 centos-stream-9 (QEMU 10.1.0-10.el9)`. */
  readonly launcher: string;
  readonly architecture: Architecture;
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
  readonly architecture: Architecture;
  /** The OS release the definition states for the pool now (informational; node-OS steps start from it). */
  readonly os?: string;
  /** Informational (the definition's optional `nodeCount`); nothing is generated from it. */
  readonly nodeCount?: number;
  /** The set now; the same object as `sets[0]`. */
  readonly current: MachineTypeSet;
  /** The set at each step: `sets[k]` once the k-th planned step is done (cluster `steps[k]`). */
  readonly sets: readonly MachineTypeSet[];
}

export interface ResolvedCluster {
  readonly name: string;
  readonly steps: readonly ClusterStep[];
  /** Sorted by name, so every consumer iterates them in the same order. */
  readonly pools: readonly ResolvedPool[];
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The set an entry offers on one architecture, corrected by the pool's overrides. An architecture
 * the entry has no list for gives an empty set (validation refuses such a pool first).
 */
export function resolveMachineTypeSet(entry: LauncherEntry, label: string, architecture: Architecture, overrides: MachineTypeOverrides = {}): MachineTypeSet {
  const list = entry.architectures[architecture];
  const removed = new Set(overrides.remove ?? []);
  const supported = sortMachineTypes([...(list?.machineTypes ?? []), ...(overrides.add ?? [])].filter((t) => !removed.has(t)));
  const inSet = new Set(supported);
  const deprecated = sortMachineTypes([...(list?.deprecated ?? []), ...(overrides.deprecate ?? [])].filter((t) => inSet.has(t)));
  const aliases = Object.fromEntries(
    Object.entries(list?.aliases ?? {})
      .filter(([, canonical]) => inSet.has(canonical))
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  return { launcher: label, architecture, supported, deprecated, aliases };
}

function resolvePoolAt(pool: PoolInput, steps: readonly ClusterStep[]): ResolvedPool {
  const architecture = pool.architecture ?? DEFAULT_ARCHITECTURE;
  // A node-OS step keeps the launcher, so it reuses the previous set object: "unchanged" is identity.
  const sets: MachineTypeSet[] = [];
  for (const step of steps) {
    const previous = sets.at(-1);
    sets.push(previous && !step.launcherChanged ? previous : resolveMachineTypeSet(step.launcher.entry, step.launcher.label, architecture, pool.machineTypes));
  }
  return {
    name: pool.name,
    nodeSelector: Object.fromEntries(Object.entries(pool.nodeSelector).sort(([a], [b]) => (a < b ? -1 : 1))),
    architecture,
    ...(pool.os !== undefined ? { os: pool.os } : {}),
    ...(pool.nodeCount !== undefined ? { nodeCount: pool.nodeCount } : {}),
    current: sets[0]!,
    sets,
  };
}

/** Steps and every pool's set at every step; throws on what validation refuses. */
export function resolveCluster(cluster: ClusterModelInput): ResolvedCluster {
  const steps = clusterSteps(cluster);
  return { name: cluster.name, steps, pools: cluster.nodePools.map((p) => resolvePoolAt(p, steps)).sort(byName) };
}

/** Pools sorted by name, so every consumer iterates them in the same order. */
export function resolvePools(cluster: ClusterModelInput): ResolvedPool[] {
  return [...resolveCluster(cluster).pools];
}

/** The set after the last planned step (`current` when nothing is planned). */
export function finalSet(pool: ResolvedPool): MachineTypeSet {
  return pool.sets.at(-1)!;
}
