/**
 * Per-VM warnings that are not about machine types. Today one: on a Kube-OVN cluster, a running VMI
 * without a VirtualMachine. kube-ovn-controller keeps the port and IP that all of a VMI's launcher
 * pods share only while a VirtualMachine of the VMI's name exists, so after a live migration,
 * deleting the finished source pod deletes them under the running VM (policies/kube-ovn-bare-vmi,
 * which warns at admission with the same text; observed in test/kube-ovn, case d).
 *
 * Every running VMI without a VM counts: on a Kube-OVN cluster its launcher pods' pod network is
 * Kube-OVN's. The inventory does not carry interfaces, so unlike the admission policy this does not
 * ask whether KubeVirt can migrate it: a warning too many rather than one missed.
 */
import { type ClusterDefinition } from '../fleet/clusterDefinition.js';
import { BARE_VMI_CONSEQUENCE } from '../policies/kube-ovn-bare-vmi/kubeOvnBareVmi.js';
import { type Inventory } from './inventory.js';

export function bareVmiWarnings(cluster: ClusterDefinition, inventory: Inventory | undefined): string[] {
  if (cluster.kubeOvn === 'none' || !inventory) return [];
  return inventory.vms
    .filter((vm) => vm.kind === 'VirtualMachineInstance' && vm.running && vm.ownerVirtualMachine === undefined)
    .map((vm) => `VirtualMachineInstance ${vm.namespace}/${vm.name} runs on Kube-OVN without a VirtualMachine. ${BARE_VMI_CONSEQUENCE}`);
}
