/**
 * What to change before an upgrade step: VMs to restart onto a newer machine type, and for those
 * Argo CD owns, the change to make in Git (kvfleet never patches an Argo CD-owned VM in the cluster:
 * Argo CD would revert it, or flag the app OutOfSync).
 */
import { type Fix, type GitPatch, type Transition, type VmPlan } from './planModel.js';
import { verdictRank } from './vmPlacement.js';

const NEEDS_ACTION = new Set(['stranded', 'at-risk']);

/**
 * The step a VM must be moved before: the first step after `now` whose verdict is stranded or
 * at-risk and worse than its verdict now (so an upgrade, not today's state, caused it). `undefined`
 * when no upgrade makes it worse that way.
 */
export function breakingStep(vm: Pick<VmPlan, 'steps'>): string | undefined {
  const [now, ...later] = vm.steps;
  if (!now) return undefined;
  return later.find((s) => NEEDS_ACTION.has(s.verdict) && verdictRank(s.verdict) < verdictRank(now.verdict))?.step;
}

/**
 * One transition per VM that an upgrade strands or puts at risk and that has a restart-onto-newer-type
 * fix: from its canonical type to the fix's type, before the step where it breaks. Sorted by that
 * step (in `stepIds` order), then namespace/name.
 */
export function planTransitions(vms: readonly VmPlan[], stepIds: readonly string[]): Transition[] {
  const out: Transition[] = [];
  for (const vm of vms) {
    const before = breakingStep(vm);
    const fix = vm.fixes.find((f): f is Extract<Fix, { kind: 'restart-onto-newer-type' }> => f.kind === 'restart-onto-newer-type');
    if (before === undefined || !fix) continue;
    out.push({
      namespace: vm.namespace,
      name: vm.name,
      kind: vm.kind,
      from: vm.machineType,
      to: fix.machineType,
      before,
      restartRequired: true,
      ...(vm.argoCdApplication ? { argoCdApplication: vm.argoCdApplication } : {}),
    });
  }
  const order = (t: Transition) => stepIds.indexOf(t.before);
  return out.sort((a, b) => order(a) - order(b) || (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** For each transition of a VirtualMachine Argo CD owns: the JSON merge patch to make in Git, in transition order. */
export function gitPatches(transitions: readonly Transition[]): GitPatch[] {
  return transitions
    .filter((t) => t.kind === 'VirtualMachine' && t.argoCdApplication !== undefined)
    .map((t) => ({
      argoCdApplication: t.argoCdApplication!,
      namespace: t.namespace,
      name: t.name,
      mergePatch: { spec: { template: { spec: { domain: { machine: { type: t.to } } } } } },
    }));
}
