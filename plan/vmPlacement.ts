/**
 * Where a VM can live-migrate to at each step of the plan, and the verdict that follows.
 */
import { canonicalMachineType, isDeprecatedOn } from '../compatibility/placement.js';
import { type InventoryVm } from './inventory.js';
import { type Verdict, VERDICTS, type VmStepPlacement } from './planModel.js';
import { NOW_STEP, type StepView } from './planSteps.js';

/**
 * The type to place a VM by: the canonical type a running VMI reports; else what the spec asks for,
 * which may be an alias (`q35`) that resolves at boot on whichever node the VM starts on.
 */
export function placementMachineType(vm: InventoryVm): string {
  return vm.runningMachineType ?? vm.requestedMachineType;
}

/**
 * The verdict for one step, from the pools that can host the VM, the nodes it could move to (null
 * when node counts are unknown) and whether every host deprecates its type:
 * no pool or no node → `stranded`; exactly one node → `at-risk`; deprecated on every host →
 * `deprecated`; else `ok`. With unknown node counts at-risk is not judged (a pool of unknown size
 * may have one node or fifty): `ok` or `deprecated`.
 */
export function stepVerdict(pools: number, nodes: number | null, deprecatedEverywhere: boolean): Verdict {
  if (pools === 0 || nodes === 0) return 'stranded';
  if (nodes === 1) return 'at-risk';
  return deprecatedEverywhere ? 'deprecated' : 'ok';
}

/** The hosts of a machine type at one step: names when nodes are listed, else a count (null: unknown). */
export interface Hosts {
  readonly pools: string[];
  readonly nodes: string[] | undefined;
  readonly count: number | null;
  readonly deprecatedEverywhere: boolean;
}

/** Which pools and schedulable nodes run `machineType` at one step (also `kvfleet explain`'s node list). */
export function hostsAt(machineType: string, view: StepView): Hosts {
  const pools: string[] = [];
  const nodes: string[] = [];
  let count: number | null = 0;
  let listed = false;
  let deprecatedEverywhere = true;
  for (const pool of view.pools) {
    if (pool.nodes) {
      listed = true;
      // Each node on its own (planSteps.ts): by the node rule on its labels until the launcher changes.
      const hosting = pool.nodes.filter((n) => n.runs(machineType) !== undefined);
      if (hosting.length === 0) continue;
      pools.push(pool.pool);
      nodes.push(...hosting.map((n) => n.name));
      deprecatedEverywhere &&= hosting.every((n) => n.deprecates(machineType));
    } else {
      if (pool.nodeCount === 0 || canonicalMachineType(machineType, pool.set) === undefined) continue;
      pools.push(pool.pool);
      count = count === null || pool.nodeCount === null ? null : count + pool.nodeCount;
      deprecatedEverywhere &&= isDeprecatedOn(pool.set, machineType);
    }
  }
  return { pools, nodes: listed ? nodes : undefined, count: listed ? nodes.length : count, deprecatedEverywhere };
}

/**
 * The nodes a VM could be live-migrated to: hosts other than the one it sits on. A stopped VM can
 * start on any host. A running VM sits on its node while that node can still run its type; at `now`
 * it sits there in any case (a cordoned node is no host, so nothing is taken off); after a step
 * that took its node away, it was moved onto one of the hosts, which is then not a target (one fewer).
 */
function migrationTargets(vm: InventoryVm, hosts: Hosts, isNow: boolean): number | null {
  if (hosts.count === null) return null;
  if (!vm.running) return hosts.count;
  if (hosts.nodes && vm.nodeName !== undefined) {
    if (hosts.nodes.includes(vm.nodeName)) return hosts.count - 1;
    if (isNow) return hosts.count;
  }
  return Math.max(0, hosts.count - 1);
}

/** The VM's pools, migration targets and verdict at every step. */
export function placeVm(vm: InventoryVm, views: readonly StepView[]): VmStepPlacement[] {
  const machineType = placementMachineType(vm);
  return views.map((view) => {
    const hosts = hostsAt(machineType, view);
    const nodes = migrationTargets(vm, hosts, view.step.id === NOW_STEP);
    return { step: view.step.id, pools: hosts.pools, nodes, verdict: stepVerdict(hosts.pools.length, nodes, hosts.deprecatedEverywhere) };
  });
}

/** Rank in VERDICTS: 0 is the worst. */
export function verdictRank(v: Verdict): number {
  return VERDICTS.indexOf(v);
}

/** The worst verdict over the steps and the first step that has it. */
export function overallVerdict(steps: readonly VmStepPlacement[]): { readonly verdict: Verdict; readonly verdictStep: string } {
  let worst = steps[0]!;
  for (const s of steps) if (verdictRank(s.verdict) < verdictRank(worst.verdict)) worst = s;
  return { verdict: worst.verdict, verdictStep: worst.step };
}

/**
 * The VM's canonical type: the running type; else an alias resolved where the VM would start now
 * (the first host in pool order, then node name); else the requested name as it is.
 */
export function canonicalMachineTypeOf(vm: InventoryVm, now: StepView): string {
  const machineType = placementMachineType(vm);
  for (const pool of now.pools) {
    const runs = pool.nodes ? pool.nodes.map((n) => n.runs) : pool.nodeCount === 0 ? [] : [(t: string) => canonicalMachineType(t, pool.set)];
    for (const run of runs) {
      const canonical = run(machineType);
      if (canonical !== undefined) return canonical;
    }
  }
  return machineType;
}
