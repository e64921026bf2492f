/**
 * `kvfleet plan` on the scenario's inventory, before the run: the same functions the command calls
 * (policies/upgradePlan.ts, cli/planReport.ts) on the VMIs as the API server returns them, as
 * `kvfleet plan --cluster upgrade-sim --workloads vmis.yaml` would read them. Pure.
 */
import { resolvePools } from '../../compatibility/poolMachineTypes.js';
import { type ClusterDefinition } from '../../policies/clusterDefinition.js';
import { planWorkloads, upgradeImpacts, type WorkloadRef, type WorkloadVerdict, workloadRef } from '../../policies/upgradePlan.js';
import { formatPlan } from '../../cli/planReport.js';
import { vmiKey } from './metrics.js';
import { type ScenarioVmi } from './scenario.js';

export interface UpgradePlanResult {
  /** What `kvfleet plan` prints. */
  readonly text: string;
  readonly verdicts: readonly WorkloadVerdict[];
  /** `namespace/name` of every workload the plan blocks on (stranded or unsupported): the command exits 2 for these. */
  readonly stranded: readonly string[];
  readonly narrowed: number;
}

export function planUpgrade(cluster: ClusterDefinition, inventory: readonly unknown[]): UpgradePlanResult {
  const pools = resolvePools(cluster);
  const workloads = inventory.map(workloadRef).filter((w): w is WorkloadRef => w !== undefined);
  const verdicts = planWorkloads(pools, workloads);
  return {
    text: formatPlan(cluster.name, upgradeImpacts(pools), verdicts),
    verdicts,
    stranded: verdicts
      .filter((v) => v.outcome === 'stranded' || v.outcome === 'unsupported')
      .map(vmiKey)
      .sort(),
    narrowed: verdicts.filter((v) => v.outcome === 'narrowed').length,
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
