/**
 * Whether the pools that can still host the VMs at each step have room for them while nodes are
 * drained one at a time. A rough, stated rule, not a scheduler simulation.
 */
import { type Resources } from './inventory.js';
import { type CapacityPlan, type PlanStep, type PoolCapacity, type VmStepPlacement } from './planModel.js';

/** The rule, printed with every output; the code below implements exactly this. */
export const CAPACITY_RULE =
  "Each running VM's requests count against one pool that can host it at that step: VMs with the fewest possible pools first, " +
  'each on its possible pool with the most unclaimed memory. ' +
  "A pool's usable capacity is the allocatable CPU and memory of its schedulable nodes less its largest node (one node is drained at a time during an upgrade). " +
  'A pool is overcommitted when counted memory or CPU exceeds usable capacity. virt-launcher overhead is not counted. ' +
  'Stranded VMs count nowhere; a request the inventory does not state counts as zero.';

type Amounts = { readonly cpuMillis: number | null; readonly memoryBytes: number | null };

/**
 * Allocatable of the schedulable nodes less the largest node, per resource; null for a resource
 * any of them lacks, and for both when the nodes are not listed. One node or none leaves nothing.
 */
export function usableCapacity(schedulableNodes: readonly { readonly allocatable?: Resources }[] | undefined): Amounts {
  const usable = (pick: (r: Resources) => number | undefined): number | null => {
    if (!schedulableNodes) return null;
    const values = schedulableNodes.map((n) => (n.allocatable ? pick(n.allocatable) : undefined));
    if (values.some((v) => v === undefined)) return null;
    const known = values as number[];
    return known.reduce((a, b) => a + b, 0) - Math.max(0, ...known);
  };
  return { cpuMillis: usable((r) => r.cpuMillis), memoryBytes: usable((r) => r.memoryBytes) };
}

export interface CapacityPool {
  readonly name: string;
  readonly usable: Amounts;
}

export interface CapacityVm {
  /** `namespace/name`: the tie-break, so the result does not depend on input order. */
  readonly key: string;
  readonly running: boolean;
  readonly requests?: Resources;
  readonly steps: readonly VmStepPlacement[];
}

/** Sums a resource over VMs: the known values; null when VMs were counted and none stated it. */
function total(vms: readonly CapacityVm[], pick: (r: Resources) => number | undefined): number | null {
  const known = vms.map((v) => (v.requests ? pick(v.requests) : undefined)).filter((x): x is number => x !== undefined);
  return vms.length > 0 && known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
}

const exceeds = (requested: number | null, usable: number | null) => requested !== null && usable !== null && requested > usable;

/** The requests counted against every pool at every step (steps in order, pools in the order given), by CAPACITY_RULE. */
export function planCapacity(steps: readonly PlanStep[], pools: readonly CapacityPool[], vms: readonly CapacityVm[]): CapacityPlan {
  const out: PoolCapacity[] = [];
  steps.forEach((step, i) => {
    const claimed = new Map<string, CapacityVm[]>(pools.map((p) => [p.name, []]));
    const claimedMemory = new Map<string, number>(pools.map((p) => [p.name, 0]));
    const candidates = vms
      .filter((vm) => vm.running && vm.steps[i]!.verdict !== 'stranded' && vm.steps[i]!.pools.length > 0)
      .sort((a, b) => a.steps[i]!.pools.length - b.steps[i]!.pools.length || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const vm of candidates) {
      const possible = pools.filter((p) => vm.steps[i]!.pools.includes(p.name));
      // Most unclaimed memory first; a pool whose capacity is unknown after those that are known; ties in pool order.
      const unclaimed = (p: CapacityPool) => (p.usable.memoryBytes === null ? Number.NEGATIVE_INFINITY : p.usable.memoryBytes - claimedMemory.get(p.name)!);
      const target = possible.reduce((best, p) => (unclaimed(p) > unclaimed(best) ? p : best));
      claimed.get(target.name)!.push(vm);
      claimedMemory.set(target.name, claimedMemory.get(target.name)! + (vm.requests?.memoryBytes ?? 0));
    }
    for (const pool of pools) {
      const counted = claimed.get(pool.name)!;
      const requested = { cpuMillis: total(counted, (r) => r.cpuMillis), memoryBytes: total(counted, (r) => r.memoryBytes) };
      out.push({
        step: step.id,
        pool: pool.name,
        vms: counted.length,
        requested,
        usable: pool.usable,
        overcommitted: exceeds(requested.memoryBytes, pool.usable.memoryBytes) || exceeds(requested.cpuMillis, pool.usable.cpuMillis),
      });
    }
  });
  return { rule: CAPACITY_RULE, pools: out };
}
