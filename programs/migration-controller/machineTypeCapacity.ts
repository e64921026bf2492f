/**
 * Where each machine type can go right now: how many VMIs run it and how many nodes could take one of
 * them. Pure, over the controller's caches; exported as the gauges `kvfleet_machine_type_running_vmis`
 * and `kvfleet_machine_type_schedulable_nodes`, which the alert `KvfleetMachineTypeWithoutSchedulableNode`
 * compares. No metric of KubeVirt's answers this: `kubevirt_vm_info{machine_type}` holds the spec's
 * type (often the alias `q35`, which every node offers), and no KubeVirt metric says which nodes
 * offer which type or whether they are Ready.
 */
import { type Gauge } from 'prom-client';
import { type MachineTypeLabeller } from '../../compatibility/kubevirtVersions.js';
import { isMachineTypeAlias } from '../../compatibility/machineTypeNames.js';
import { machineTypesLabelledBy, nodeOffersMachineType } from '../../compatibility/nodeRule.js';
import { type NodeView, type VmiView } from './objectViews.js';

export interface MachineTypeCapacity {
  /** The canonical machine type (`status.machine.type`), never an alias. */
  readonly machineType: string;
  /** VMIs in phase Running with this type. */
  readonly runningVmis: number;
  /** Nodes that are Ready, not cordoned and carry the label the scheduler checks for the type. */
  readonly schedulableNodes: number;
}

/**
 * One entry per machine type that a Running VMI has or that a node is labelled with (by the labeller
 * the scheduler follows on this cluster), sorted by type. A type only NotReady or cordoned nodes
 * offer is listed with 0 nodes: that is what the alert is about.
 */
export function machineTypeCapacity(vmis: Iterable<VmiView>, nodes: Iterable<NodeView>, labeller: MachineTypeLabeller): MachineTypeCapacity[] {
  const running = new Map<string, number>();
  for (const vmi of vmis) {
    // status.machine.type, not the spec: the spec often holds the alias q35, which every node matches.
    if (vmi.phase !== 'Running' || vmi.deleting || !vmi.machineType) continue;
    running.set(vmi.machineType, (running.get(vmi.machineType) ?? 0) + 1);
  }
  const nodeList = [...nodes];
  const types = new Set(running.keys());
  for (const node of nodeList) for (const type of machineTypesLabelledBy(node.labels, labeller)) if (!isMachineTypeAlias(type)) types.add(type);
  return [...types].sort().map((machineType) => ({
    machineType,
    runningVmis: running.get(machineType) ?? 0,
    schedulableNodes: nodeList.filter((n) => n.ready && !n.cordoned && nodeOffersMachineType(n.labels, machineType, labeller)).length,
  }));
}

/** The two gauges the capacity is exported as (metrics.ts). */
export interface MachineTypeCapacityGauges {
  readonly machineTypeRunningVmis: Gauge<'machine_type'>;
  readonly machineTypeSchedulableNodes: Gauge<'machine_type'>;
}

/**
 * Fills both gauges at every scrape from `capacity()`; `undefined` (caches not listed yet) leaves them
 * empty, because a half-listed cache would report VMIs with no nodes and fire the alert for nothing.
 */
export function exportMachineTypeCapacity(gauges: MachineTypeCapacityGauges, capacity: () => readonly MachineTypeCapacity[] | undefined): void {
  const fill = (gauge: Gauge<'machine_type'>, value: (c: MachineTypeCapacity) => number) => () => {
    gauge.reset();
    for (const c of capacity() ?? []) gauge.set({ machine_type: c.machineType }, value(c));
  };
  // prom-client calls a metric's `collect` before every read (Gauge.get); it is a constructor option
  // its types do not expose as a property, set here because the gauges are built before the caches.
  Object.assign(gauges.machineTypeRunningVmis, { collect: fill(gauges.machineTypeRunningVmis, (c) => c.runningVmis) });
  Object.assign(gauges.machineTypeSchedulableNodes, { collect: fill(gauges.machineTypeSchedulableNodes, (c) => c.schedulableNodes) });
}
