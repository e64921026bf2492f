/**
 * `kvfleet plan` on the scenario's inventory, before the run: the same functions the command calls
 * (plan/inventoryFromObjects.ts, plan/planCluster.ts, the table renderer) on the VMIs as the API
 * server returns them, as `kvfleet plan --cluster upgrade-sim --workloads vmis.yaml` would read them. Pure.
 */
import { type ClusterDefinition } from '../../fleet/clusterDefinition.js';
import { inventoryFromObjects } from '../../plan/inventoryFromObjects.js';
import { planFleet } from '../../plan/planFleet.js';
import { type Verdict } from '../../plan/planModel.js';
import { renderPlan } from '../../plan/render/renderPlan.js';
import { type ScenarioVmi } from './scenario.js';

export interface UpgradePlanResult {
  /** What `kvfleet plan` prints. */
  readonly text: string;
  /** `namespace/name` of every VM the plan finds stranded now or after the upgrade: the command exits 2 for these. */
  readonly stranded: readonly string[];
  readonly counts: Readonly<Record<Verdict, number>>;
}

export function planUpgrade(cluster: ClusterDefinition, inventory: readonly unknown[]): UpgradePlanResult {
  const plan = planFleet([cluster], new Map([[cluster.name, inventoryFromObjects(inventory, 'the API server (VMIs)')]]));
  const clusterPlan = plan.clusters[0]!;
  return {
    text: renderPlan(plan, 'table', { color: false }),
    stranded: clusterPlan.vms
      .filter((v) => v.verdict === 'stranded')
      .map((v) => `${v.namespace}/${v.name}`)
      .sort(),
    counts: clusterPlan.counts,
  };
}

/**
 * The scenario's VMIs as `kubectl get vmi -A -o yaml` lists them, reduced to what the plan reads
 * (kind, name, the spec's machine type and the canonical `status.machine.type`).
 */
export function inventoryOf(vmis: readonly ScenarioVmi[]): object[] {
  return vmis.map((v) => ({
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { namespace: v.namespace, name: v.name },
    spec: { domain: { machine: { type: v.specMachineType } } },
    status: { phase: 'Running', nodeName: v.node, machine: { type: v.machineType } },
  }));
}
