/**
 * `kvfleet explain <type> --workloads/--live`: the schedulable nodes of an inventory that run a machine
 * type at each plan step, by the same node matching and step views `kvfleet plan` judges VMs with.
 */
import { schedulingContractOf } from '../compatibility/kubevirtVersions.js';
import { resolveCluster } from '../compatibility/poolMachineTypes.js';
import { type ClusterDefinition } from '../fleet/clusterDefinition.js';
import { type Inventory } from './inventory.js';
import { matchNodes } from './nodeMatching.js';
import { planSteps, stepViews } from './planSteps.js';
import { hostsAt } from './vmPlacement.js';

export interface StepNodes {
  readonly step: string;
  readonly label: string;
  /** Schedulable nodes that run the type at this step, sorted. */
  readonly nodes: readonly string[];
}

export interface MachineTypeNodes {
  readonly source: string;
  readonly steps: readonly StepNodes[];
  /** Inventory nodes no pool selects: they never count (as in the plan). */
  readonly unmatchedNodes: readonly string[];
  /** Cordoned nodes of the cluster's pools: never a migration target. */
  readonly cordonedNodes: readonly string[];
}

/** Undefined when the inventory lists no nodes (there are no names to give). */
export function machineTypeNodes(cluster: ClusterDefinition, inventory: Inventory, machineType: string): MachineTypeNodes | undefined {
  if (inventory.nodes.length === 0) return undefined;
  const resolved = resolveCluster(cluster);
  const labeller = schedulingContractOf(cluster.kubevirtVersion).machineTypeLabeller;
  const matching = matchNodes(resolved.pools, inventory.nodes, labeller);
  const views = stepViews(resolved, planSteps(resolved), matching.nodes, labeller);
  return {
    source: inventory.source,
    steps: views.map((v) => ({ step: v.step.id, label: v.step.label, nodes: [...(hostsAt(machineType, v).nodes ?? [])].sort() })),
    unmatchedNodes: matching.unmatchedNodes,
    cordonedNodes: matching.nodes.filter((n) => !n.schedulable).map((n) => n.name),
  };
}
