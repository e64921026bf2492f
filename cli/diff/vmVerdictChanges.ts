/**
 * The VMs of an inventory whose plan verdict changes between the base's definition of a cluster and
 * the working tree's (plan/planCluster.ts judges both against the same inventory). Pure.
 */
import { type ClusterDefinition } from '../../fleet/clusterDefinition.js';
import { planCluster } from '../../plan/planCluster.js';
import { type Inventory } from '../../plan/inventory.js';
import { type VmVerdictChange, type VmVerdictDiff } from './fleetDiffModel.js';

/** What a side says when the cluster does not exist there (a new or a removed cluster). */
export const NO_CLUSTER = 'no cluster';

const keyOf = (v: { readonly kind: string; readonly namespace: string; readonly name: string }) => `${v.kind}/${v.namespace}/${v.name}`;

export function vmVerdictChanges(cluster: string, before: ClusterDefinition | undefined, after: ClusterDefinition | undefined, inventory: Inventory): VmVerdictDiff {
  const planned = (d: ClusterDefinition | undefined) => new Map((d ? planCluster(d, inventory).vms : []).map((v) => [keyOf(v), v]));
  const b = planned(before);
  const a = planned(after);
  const changes: VmVerdictChange[] = [];
  for (const vm of inventory.vms) {
    const key = keyOf(vm);
    const vb = b.get(key);
    const va = a.get(key);
    const verdictBefore = vb?.verdict ?? NO_CLUSTER;
    const verdictAfter = va?.verdict ?? NO_CLUSTER;
    if (verdictBefore === verdictAfter) continue;
    changes.push({
      kind: vm.kind,
      namespace: vm.namespace,
      name: vm.name,
      machineType: va?.machineType ?? vb?.machineType ?? vm.requestedMachineType,
      before: verdictBefore,
      after: verdictAfter,
    });
  }
  // The inventory is sorted by namespace/name already; kind breaks the tie deterministically.
  changes.sort((x, y) => (keyOf(x) < keyOf(y) ? -1 : keyOf(x) > keyOf(y) ? 1 : 0));
  return { cluster, changes, checked: inventory.vms.length };
}
