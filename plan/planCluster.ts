/**
 * `kvfleet plan` for one cluster: the definition's launcher, pools and planned steps against what
 * the cluster runs (an Inventory), step by step. Pure; every rule lives in its own file:
 * planSteps.ts (the sequence and what nodes run), nodeMatching.ts (nodes → pools, labels vs launcher),
 * vmPlacement.ts (hosts and verdicts), fixes.ts, capacity.ts, transitions.ts, machineTypeGrid.ts.
 */
import { schedulingContractOf } from '../compatibility/kubevirtVersions.js';
import { type ResolvedPool, resolveCluster } from '../compatibility/poolMachineTypes.js';
import { type ClusterDefinition } from '../fleet/clusterDefinition.js';
import { planCapacity, usableCapacity } from './capacity.js';
import { bareVmiWarnings } from './bareVmiWarnings.js';
import { breakReason, type FixContext, type FixVm, fixesFor } from './fixes.js';
import { type Inventory } from './inventory.js';
import { machineTypeGrid } from './machineTypeGrid.js';
import { matchNodes, type PlannedNode } from './nodeMatching.js';
import { type ClusterPlan, type PoolPlan, type Verdict, VERDICTS, type VmPlan } from './planModel.js';
import { planSteps, stepViews } from './planSteps.js';
import { gitPatches, planTransitions } from './transitions.js';
import { canonicalMachineTypeOf, overallVerdict, placeVm, placementMachineType, verdictRank } from './vmPlacement.js';

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A pool as the plan shows it. Nodes are counted from the inventory when it lists any node (a pool
 * none of them matches has 0); an inventory of VMs alone, or none, leaves the definition's
 * `nodeCount` (null when it has none), since "no nodes listed" is not "no nodes".
 */
export function poolPlan(pool: ResolvedPool, members: readonly PlannedNode[] | undefined): PoolPlan {
  const base = {
    name: pool.name,
    nodeSelector: pool.nodeSelector,
    architecture: pool.architecture,
    ...(pool.os !== undefined ? { os: pool.os } : {}),
  };
  if (!members) {
    return { ...base, nodes: pool.nodeCount ?? null, nodeSource: pool.nodeCount === undefined ? 'unknown' : 'definition', nodeNames: [] };
  }
  const schedulable = members.filter((n) => n.schedulable);
  const complete = schedulable.every((n) => n.allocatable?.cpuMillis !== undefined && n.allocatable?.memoryBytes !== undefined);
  const allocatable = complete
    ? {
        cpuMillis: schedulable.reduce((a, n) => a + n.allocatable!.cpuMillis!, 0),
        memoryBytes: schedulable.reduce((a, n) => a + n.allocatable!.memoryBytes!, 0),
      }
    : undefined;
  return {
    ...base,
    nodes: members.length,
    nodeSource: 'inventory',
    nodeNames: members.map((n) => n.name).sort(byText),
    ...(allocatable ? { allocatable } : {}),
  };
}

/** Counts per verdict, every verdict present. */
export function countVerdicts(verdicts: readonly Verdict[]): Record<Verdict, number> {
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const v of verdicts) counts[v] += 1;
  return counts;
}

/**
 * The plan for one cluster. Without an inventory it still has the pools, grid, steps and capacity
 * rule, and no VMs. Nodes are judged by the node rule with the labeller the scheduler follows on
 * this KubeVirt version (planSteps.ts, nodeMatching.ts).
 */
export function planCluster(cluster: ClusterDefinition, inventory?: Inventory): ClusterPlan {
  const resolved = resolveCluster(cluster);
  const pools = resolved.pools;
  const steps = planSteps(resolved);
  const labeller = schedulingContractOf(cluster.kubevirtVersion).machineTypeLabeller;
  const matching = inventory && inventory.nodes.length > 0 ? matchNodes(pools, inventory.nodes, labeller) : undefined;
  const views = stepViews(resolved, steps, matching?.nodes, labeller);
  const membersOf = (pool: string) => matching?.nodes.filter((n) => n.pool === pool);
  const poolPlans = pools.map((p) => poolPlan(p, membersOf(p.name)));

  const placed = (inventory?.vms ?? []).map((vm) => {
    const vmSteps = placeVm(vm, views);
    const overall = overallVerdict(vmSteps);
    const fixVm: FixVm = {
      kind: vm.kind,
      requestedMachineType: vm.requestedMachineType,
      machineType: vm.runningMachineType ?? canonicalMachineTypeOf(vm, views[0]!),
      placementMachineType: placementMachineType(vm),
      running: vm.running,
      verdict: overall.verdict,
      steps: vmSteps,
      ...(vm.requests ? { requests: vm.requests } : {}),
    };
    return { vm, fixVm, overall };
  });
  const fixContext: FixContext = { pools, steps };
  const vms: VmPlan[] = placed
    .map(({ vm, fixVm, overall }) => {
      const reason = breakReason(fixVm, steps);
      return {
        kind: vm.kind,
        namespace: vm.namespace,
        name: vm.name,
        requestedMachineType: vm.requestedMachineType,
        machineType: fixVm.machineType,
        ...(vm.nodeName ? { nodeName: vm.nodeName } : {}),
        ...(vm.argoCdApplication ? { argoCdApplication: vm.argoCdApplication } : {}),
        steps: fixVm.steps,
        verdict: overall.verdict,
        verdictStep: overall.verdictStep,
        ...(reason ? { reason } : {}),
        fixes: fixesFor(fixVm, fixContext),
      };
    })
    .sort((a, b) => verdictRank(a.verdict) - verdictRank(b.verdict) || byText(a.namespace, b.namespace) || byText(a.name, b.name));

  const capacity = planCapacity(
    steps,
    pools.map((p) => ({ name: p.name, usable: usableCapacity(membersOf(p.name)?.filter((n) => n.schedulable)) })),
    placed.map(({ vm, fixVm }) => ({
      key: `${vm.namespace}/${vm.name}`,
      running: vm.running,
      ...(vm.requests ? { requests: vm.requests } : {}),
      steps: fixVm.steps,
    })),
  );
  const vmWarnings = bareVmiWarnings(cluster, inventory);
  const transitions = planTransitions(
    vms,
    steps.map((s) => s.id),
  );
  return {
    cluster: cluster.name,
    kubevirtVersion: cluster.kubevirtVersion,
    ...(inventory
      ? { inventory: { source: inventory.source, nodes: inventory.nodes.length, vms: inventory.vms.length, problems: [...inventory.problems].sort(byText) } }
      : {}),
    steps,
    pools: poolPlans,
    grid: machineTypeGrid(pools),
    vms,
    capacity,
    transitions,
    patches: gitPatches(transitions),
    unmatchedNodes: matching?.unmatchedNodes ?? [],
    labelMismatches: matching?.labelMismatches ?? [],
    ...(vmWarnings.length > 0 ? { vmWarnings } : {}),
    counts: countVerdicts(vms.map((v) => v.verdict)),
  };
}
