/**
 * The version lint's inventory half: a planned step whose launcher drops machine types that running
 * VMs use is an error on that step, naming the VMs. Without an inventory the fleet validation can only
 * warn that a step drops types (fleet/fleetValidation.ts); with one, `kvfleet check --workloads` (or
 * `--live`) knows who would be stranded. Pure: it reads the plan `kvfleet plan` prints, so the two
 * cannot disagree.
 */
import { DefinitionError } from '../fleet/definitionError.js';
import { type ClusterPlan, type VmPlan } from './planModel.js';

/** How many VMs one message names before it says "and N more" (the rest are in `kvfleet plan`). */
export const MAX_NAMED_VMS = 20;

const vmName = (vm: VmPlan) => `${vm.namespace}/${vm.name} (${vm.machineType})`;

/**
 * One error per planned step that leaves VMs' types on no pool while some pool ran them the step
 * before: by type, not by verdict, so a VM that is already hard to move (one host) is still named
 * when a step takes its type away altogether.
 */
export function stepLint(file: string, plan: ClusterPlan): DefinitionError[] {
  const out: DefinitionError[] = [];
  plan.steps.forEach((step, k) => {
    if (k === 0 || !step.machineTypesChanged) return;
    const hit = plan.vms.filter((vm) => vm.steps[k]?.pools.length === 0 && (vm.steps[k - 1]?.pools.length ?? 0) > 0);
    if (hit.length === 0) return;
    const named = hit.slice(0, MAX_NAMED_VMS).map(vmName).join(', ');
    const more = hit.length > MAX_NAMED_VMS ? ` and ${hit.length - MAX_NAMED_VMS} more` : '';
    const restarts = [...new Set(hit.flatMap((vm) => vm.fixes.flatMap((f) => (f.kind === 'restart-onto-newer-type' ? [`${vm.machineType} → ${f.machineType}`] : []))))];
    out.push(
      new DefinitionError(
        file,
        `plannedSteps[${k - 1}]`,
        `${step.label} moves the cluster to ${step.launcher}, which lacks the machine type of ${hit.length} running VM(s): ${named}${more}; ` +
          'after the step their workload-update migrations never schedule and every drain of their nodes stalls',
        `${restarts.length > 0 ? `restart them onto the type kvfleet plan names (${restarts.join(', ')}) before the step` : 'no type runs now and after the step: hold the step'}, or hold the step; \`kvfleet plan\` lists each VM with its patch`,
      ),
    );
  });
  return out;
}
