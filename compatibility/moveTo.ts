/**
 * The move-to rule: which machine type a VM should be restarted onto so that it keeps a home now
 * and after every planned step. Admission warnings and `kvfleet plan` fixes both call it, so the
 * policy and the plan never advise two different types.
 *
 * A machine type changes only when the VM boots (status.machine.type is fixed for the VMI's life, and
 * OpenShift's docs say updating the platform does not change existing VMs' machineType), so the
 * answer must run on the VM's architecture *today* (the restart happens before the step) and at
 * every later step (the workload updater migrates the VM to each new launcher).
 */
import { placeMachineType } from './placement.js';
import { type ResolvedPool } from './poolMachineTypes.js';
import { architectureOf, chipsetOf, sortMachineTypes } from './machineTypeNames.js';

export interface MoveTo {
  readonly machineType: string;
  /** Steps (ClusterStep.index) at which the advised type is deprecated on some pool; empty when never. */
  readonly deprecatedAtSteps: readonly number[];
}

/**
 * The newest type of the same family as `machineType` that every pool of its architecture runs at
 * every step, preferring the fewest steps that deprecate it; `undefined` when no type runs throughout (then the
 * only ways out are holding the step or correcting the catalogue).
 */
export function moveToMachineType(pools: readonly ResolvedPool[], machineType: string): MoveTo | undefined {
  const chipset = chipsetOf(machineType);
  const arch = architectureOf(machineType);
  if (!chipset || !arch) return undefined;
  const archPools = pools.filter((p) => p.architecture === arch);
  if (archPools.length === 0) return undefined;
  const candidates = sortMachineTypes(archPools.flatMap((p) => p.current.supported)).filter((t) => chipsetOf(t) === chipset);
  const survivors = candidates.flatMap((t) => {
    const placement = placeMachineType(archPools, t);
    if (!placement.hostsAt.every((hosts) => hosts.length === archPools.length)) return [];
    const deprecatedAtSteps = archPools[0]!.sets.flatMap((_, k) => (placement.pools.some((p) => p.steps[k]?.deprecated) ? [k] : []));
    return [{ machineType: t, deprecatedAtSteps }];
  });
  // Fewest deprecated steps first (none is best), then the newest: survivors are sorted oldest first.
  const fewest = Math.min(...survivors.map((s) => s.deprecatedAtSteps.length));
  return survivors.filter((s) => s.deprecatedAtSteps.length === fewest).at(-1);
}
