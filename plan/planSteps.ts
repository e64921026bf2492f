/**
 * The upgrade sequence a plan walks through, and what every pool's nodes run at each point of it.
 */
import { type MachineTypeSet, type ResolvedPool } from '../compatibility/poolMachineTypes.js';
import { type PlannedNode } from './nodeMatching.js';
import { type PlanStep } from './planModel.js';

export const NOW_STEP = 'now';

/**
 * `now`, then one step per pool with a planned upgrade, in pool order (resolvePools sorts by name).
 * Steps are cumulative: step k has the first k upgrades done, as a rolling fleet upgrade proceeds.
 */
export function planSteps(pools: readonly ResolvedPool[]): PlanStep[] {
  const steps: PlanStep[] = [{ id: NOW_STEP, label: 'now', upgradedPools: [] }];
  const upgraded: string[] = [];
  for (const pool of pools) {
    if (!pool.upgrade) continue;
    upgraded.push(pool.name);
    steps.push({ id: `after-${pool.name}`, label: `after ${pool.name} → ${pool.upgrade.release}`, upgradedPools: [...upgraded] });
  }
  return steps;
}

/** One schedulable node as a migration target at a step. */
export interface StepNode {
  readonly name: string;
  readonly set: MachineTypeSet;
}

/** One pool at a step. */
export interface StepPool {
  readonly pool: string;
  /** The pool's declared set at this step: its upgrade set once upgraded, else its current set. */
  readonly set: MachineTypeSet;
  /**
   * Its schedulable nodes with what each runs at this step (labels now, the upgrade set once the pool
   * is upgraded); `undefined` when the inventory listed no nodes, so nodes are only counted.
   */
  readonly nodes?: readonly StepNode[];
  /** Without listed nodes: the definition's `nodeCount`, null when it has none. */
  readonly nodeCount: number | null;
}

export interface StepView {
  readonly step: PlanStep;
  readonly pools: readonly StepPool[];
}

/**
 * What every pool runs at every step. With `nodes` (an inventory that listed nodes), each
 * schedulable node carries its own set (cordoned nodes never host); without, each pool is judged
 * as a whole from its declared set and `nodeCount`.
 */
export function stepViews(steps: readonly PlanStep[], pools: readonly ResolvedPool[], nodes: readonly PlannedNode[] | undefined): StepView[] {
  return steps.map((step) => ({
    step,
    pools: pools.map((pool) => {
      const upgraded = pool.upgrade !== undefined && step.upgradedPools.includes(pool.name);
      const set = upgraded ? pool.upgrade! : pool.current;
      if (!nodes) return { pool: pool.name, set, nodeCount: pool.nodeCount ?? null };
      const members = nodes.filter((n) => n.pool === pool.name);
      return {
        pool: pool.name,
        set,
        nodes: members.filter((n) => n.schedulable).map((n) => ({ name: n.name, set: upgraded ? pool.upgrade! : n.now })),
        nodeCount: members.length,
      };
    }),
  }));
}
