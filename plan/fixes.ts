/**
 * The ways out for a stranded or at-risk VM, best first: restart it onto the type the move-to rule
 * names (compatibility/moveTo.ts — the same rule admission warnings advise with), or hold the
 * planned step whose launcher lacks its type. A pool cannot keep an old launcher (virt-controller
 * renders every launcher pod with its one `--launcher-image`: ../shared/notes/machine-types-source.md),
 * so holding the step holds it for the whole cluster.
 */
import { isMachineTypeAlias } from '../compatibility/machineTypeNames.js';
import { moveToMachineType } from '../compatibility/moveTo.js';
import { type ResolvedPool } from '../compatibility/poolMachineTypes.js';
import { type Resources } from './inventory.js';
import { type Fix, type PlanStep, type Verdict, type VmPlan, type VmStepPlacement } from './planModel.js';
import { breakingStep } from './transitions.js';

/** What the fixes need to know of the cluster. */
export interface FixContext {
  readonly pools: readonly ResolvedPool[];
  readonly steps: readonly PlanStep[];
}

/** What the fixes need to know of a VM. */
export interface FixVm {
  readonly kind: VmPlan['kind'];
  readonly requestedMachineType: string;
  /** The canonical type (VmPlan.machineType). */
  readonly machineType: string;
  /** The type it is placed by: the running type, else the requested one (maybe an alias). */
  readonly placementMachineType: string;
  readonly running: boolean;
  readonly verdict: Verdict;
  readonly steps: readonly VmStepPlacement[];
  readonly requests?: Resources;
}

const stepRef = (s: PlanStep) => `${s.id} (${s.label})`;

/** The `restart-onto-newer-type` fix, or `undefined` when the move-to rule names no type, or names the VM's own. */
export function restartFix(vm: FixVm, ctx: FixContext): Fix | undefined {
  const move = moveToMachineType(ctx.pools, vm.machineType);
  if (!move || move.machineType === vm.machineType) return undefined;
  const type = move.machineType;
  const how =
    vm.kind === 'VirtualMachine'
      ? `set spec.template.spec.domain.machine.type to ${type}, then stop and start the VM`
      : `recreate the VMI with spec.domain.machine.type ${type} (a VMI without a VM has no template to edit)`;
  const alias = isMachineTypeAlias(vm.requestedMachineType)
    ? ` Its spec names the alias ${vm.requestedMachineType}, which resolves anew at every boot; naming ${type} makes that choice explicit.`
    : '';
  const deprecatedAt = move.deprecatedAtSteps.map((k) => ctx.steps[k]).filter((s): s is PlanStep => s !== undefined);
  const deprecation = deprecatedAt.length > 0 ? ` It is deprecated from ${stepRef(deprecatedAt[0]!)} on: no type of its family runs throughout without.` : '';
  return {
    kind: 'restart-onto-newer-type',
    machineType: type,
    restartRequired: true,
    text:
      `Restart onto ${type}: ${how}. A restart is required: the machine type is fixed when the VM boots, and live migration cannot change it. ` +
      `Every pool of its architecture runs ${type} now and after every planned step.${deprecation}${alias}`,
  };
}

/** The step a VM breaks at when that step changes machine types (a launcher step); `undefined` otherwise. */
export function breakingLauncherStep(vm: Pick<FixVm, 'steps'>, steps: readonly PlanStep[]): PlanStep | undefined {
  const id = breakingStep(vm);
  const step = steps.find((s) => s.id === id);
  return step?.machineTypesChanged ? step : undefined;
}

/** The `hold-step` fix: do not carry out the launcher step that breaks the VM until it has moved. */
export function holdStepFix(vm: FixVm, ctx: FixContext): Fix | undefined {
  const step = breakingLauncherStep(vm, ctx.steps);
  if (!step) return undefined;
  return {
    kind: 'hold-step',
    step: step.id,
    stepLabel: step.label,
    launcher: step.launcher,
    text:
      `Hold ${stepRef(step)}, and every step after it, until the VM runs a type ${step.launcher} offers: ` +
      `a pool cannot keep the old launcher, since virt-controller starts every launcher pod from its one launcher image.`,
  };
}

/** The fixes for one VM, best first; none for VMs neither stranded nor at-risk. */
export function fixesFor(vm: FixVm, ctx: FixContext): Fix[] {
  if (vm.verdict !== 'stranded' && vm.verdict !== 'at-risk') return [];
  return [restartFix(vm, ctx), holdStepFix(vm, ctx)].filter((f): f is Fix => f !== undefined);
}

/**
 * Why a launcher step breaks the VM, naming the step and the launcher that lacks its type; `undefined`
 * when no launcher step makes it stranded or at-risk. The workload updater live-migrates every VMI
 * whose launcher is outdated, and a drain evicts by live migration (workload-updater.go,
 * ../shared/notes/machine-types-source.md): with no node offering the type, neither target pod schedules.
 */
export function breakReason(vm: FixVm, steps: readonly PlanStep[]): string | undefined {
  const step = breakingLauncherStep(vm, steps);
  if (!step) return undefined;
  const at = vm.steps[steps.indexOf(step)];
  const after = `after ${stepRef(step)}`;
  if (at?.verdict === 'stranded') {
    return vm.running
      ? `${after}, ${step.launcher} lacks ${vm.machineType}: its workload-update migration will never schedule and every drain of its node will stall.`
      : `${after}, ${step.launcher} lacks ${vm.machineType}: the VM will not start again on that type.`;
  }
  return `${after}, only one node runs ${vm.machineType} under ${step.launcher}: a drain or failure of that node strands it.`;
}
