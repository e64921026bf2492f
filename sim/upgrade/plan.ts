/**
 * `kvfleet plan` on the cluster's VMIs before the KubeVirt upgrade: the same functions the command
 * calls (plan/inventoryFromObjects.ts, plan/planFleet.ts, the table renderer) on the VMIs as the API
 * server returns them, as `kvfleet plan --cluster upgrade-sim --workloads vmis.yaml` would read them. Pure.
 */
import { type ClusterDefinition } from '../../fleet/clusterDefinition.js';
import { inventoryFromObjects } from '../../plan/inventoryFromObjects.js';
import { planFleet } from '../../plan/planFleet.js';
import { type Verdict } from '../../plan/planModel.js';
import { renderPlan } from '../../plan/render/renderPlan.js';

/** A fix of the plan the kvfleet mode carries out before the step: restart the VM onto the move-to type. */
export interface PlannedRestart {
  readonly namespace: string;
  readonly name: string;
  readonly from: string;
  readonly to: string;
}

export interface UpgradePlanResult {
  /** What `kvfleet plan` prints. */
  readonly text: string;
  /** `namespace/name` of every VM the plan finds stranded now or after the step: the command exits 2 for these. */
  readonly stranded: readonly string[];
  /** Stranded VMs whose first fix is a restart onto the move-to type. */
  readonly restarts: readonly PlannedRestart[];
  /** Stranded VMs whose only fix is holding the step (no type of their family runs before and after it). */
  readonly holds: readonly string[];
  readonly counts: Readonly<Record<Verdict, number>>;
}

export function planUpgrade(cluster: ClusterDefinition, inventory: readonly unknown[]): UpgradePlanResult {
  const plan = planFleet([cluster], new Map([[cluster.name, inventoryFromObjects(inventory, 'the API server (VMIs)')]]));
  const clusterPlan = plan.clusters[0]!;
  const stranded = clusterPlan.vms.filter((v) => v.verdict === 'stranded');
  const key = (v: { namespace: string; name: string }) => `${v.namespace}/${v.name}`;
  const restarts: PlannedRestart[] = [];
  const holds: string[] = [];
  for (const v of stranded) {
    const fix = v.fixes[0];
    if (fix?.kind === 'restart-onto-newer-type') restarts.push({ namespace: v.namespace, name: v.name, from: v.machineType, to: fix.machineType });
    else holds.push(key(v));
  }
  return {
    text: renderPlan(plan, 'table', { color: false }),
    stranded: stranded.map(key).sort(),
    restarts: restarts.sort((a, b) => key(a).localeCompare(key(b))),
    holds: holds.sort(),
    counts: clusterPlan.counts,
  };
}
