/**
 * The sequence a plan walks through — the cluster's own steps (compatibility/launcherSteps.ts:
 * `now`, then after each planned step, cumulative) — and what every pool's nodes run at each point.
 *
 * Which nodes host a type: at `now`, and at every step before the first that changes the launcher,
 * a node hosts a type only when it carries the label the scheduler checks (compatibility/nodeRule.ts,
 * with the cluster's labeller), because the labeller reads the same launcher until then. From the
 * first launcher step on, virt-handler relabels every node with the new launcher's capabilities
 * (node-labeller.sh runs in the virt-launcher image: ../shared/notes/machine-types-source.md), so a
 * node runs its pool's set at that step, `ResolvedPool.sets[k]`.
 */
import { type MachineTypeLabeller } from '../compatibility/kubevirtVersions.js';
import { NOW_STEP } from '../compatibility/launcherSteps.js';
import { isDeprecatedOnNode, nodeOffersMachineType } from '../compatibility/nodeRule.js';
import { canonicalMachineType, isDeprecatedOn } from '../compatibility/placement.js';
import { type MachineTypeSet, type ResolvedCluster, type ResolvedPool } from '../compatibility/poolMachineTypes.js';
import { type PlannedNode } from './nodeMatching.js';
import { type PlanStep } from './planModel.js';

export { NOW_STEP };

/** Said in a step's label when it changes no pool's set (node-OS steps always; some KubeVirt upgrades keep QEMU). */
export const MACHINE_TYPES_UNCHANGED = 'machine types unchanged';

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const sameAliases = (a: MachineTypeSet['aliases'], b: MachineTypeSet['aliases']) => sameList(Object.entries(a).flat(), Object.entries(b).flat());

/** True when some pool's set at step `k` offers, deprecates or aliases otherwise than at step k−1. */
export function machineTypesChangedAt(pools: readonly ResolvedPool[], k: number): boolean {
  if (k === 0) return false;
  return pools.some((p) => {
    const a = p.sets[k - 1]!;
    const b = p.sets[k]!;
    return a !== b && !(sameList(a.supported, b.supported) && sameList(a.deprecated, b.deprecated) && sameAliases(a.aliases, b.aliases));
  });
}

/** The cluster's steps as the plan shows them; a step that changes no set says so in its label. */
export function planSteps(resolved: ResolvedCluster): PlanStep[] {
  return resolved.steps.map((s) => {
    const changed = machineTypesChangedAt(resolved.pools, s.index);
    return {
      id: s.id,
      label: s.index > 0 && !changed ? `${s.label} (${MACHINE_TYPES_UNCHANGED})` : s.label,
      kind: s.kind,
      launcher: s.launcher.label,
      launcherImage: s.launcher.image,
      machineTypesChanged: changed,
    };
  });
}

/** One schedulable node as a migration target at a step. */
export interface StepNode {
  readonly name: string;
  /** The canonical type the node would run for a name (an alias resolves), `undefined` when it cannot run it. */
  readonly runs: (machineType: string) => string | undefined;
  /** True when what it runs for the name is deprecated there. */
  readonly deprecates: (machineType: string) => boolean;
}

/** One pool at a step. */
export interface StepPool {
  readonly pool: string;
  /** The pool's set at this step (`ResolvedPool.sets[k]`). */
  readonly set: MachineTypeSet;
  /** Its schedulable nodes; `undefined` when the inventory listed no nodes, so nodes are only counted. */
  readonly nodes?: readonly StepNode[];
  /** Without listed nodes: the definition's `nodeCount`, null when it has none. */
  readonly nodeCount: number | null;
}

export interface StepView {
  readonly step: PlanStep;
  readonly pools: readonly StepPool[];
}

/** A node judged by its labels through the node rule; the pool's set only names the canonical type and declared deprecation. */
function labelledNode(node: PlannedNode, set: MachineTypeSet, labeller: MachineTypeLabeller): StepNode {
  const runs = (t: string) => (nodeOffersMachineType(node.labels, t, labeller) ? (canonicalMachineType(t, set) ?? t) : undefined);
  return {
    name: node.name,
    runs,
    deprecates: (t) => {
      const canonical = runs(t);
      return canonical !== undefined && (set.deprecated.includes(canonical) || isDeprecatedOnNode(node.labels, canonical));
    },
  };
}

/** A node after a launcher step: it runs its pool's set at that step. */
function definedNode(name: string, set: MachineTypeSet): StepNode {
  return { name, runs: (t) => canonicalMachineType(t, set), deprecates: (t) => isDeprecatedOn(set, t) };
}

/**
 * What every pool runs at every step. With `nodes` (an inventory that listed nodes), each schedulable
 * node is judged on its own (cordoned nodes never host): by its labels until the first launcher step,
 * by its pool's set from then on; without, each pool is judged as a whole from its set and `nodeCount`.
 */
export function stepViews(resolved: ResolvedCluster, steps: readonly PlanStep[], nodes: readonly PlannedNode[] | undefined, labeller: MachineTypeLabeller): StepView[] {
  return steps.map((step, k) => {
    const relabelled = resolved.steps.slice(1, k + 1).some((s) => s.launcherChanged);
    return {
      step,
      pools: resolved.pools.map((pool) => {
        const set = pool.sets[k]!;
        if (!nodes) return { pool: pool.name, set, nodeCount: pool.nodeCount ?? null };
        const members = nodes.filter((n) => n.pool === pool.name);
        return {
          pool: pool.name,
          set,
          nodes: members.filter((n) => n.schedulable).map((n) => (relabelled ? definedNode(n.name, set) : labelledNode(n, set, labeller))),
          nodeCount: members.length,
        };
      }),
    };
  });
}
