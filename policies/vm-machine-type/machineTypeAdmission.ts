/**
 * The admission decisions for pinned machine types of one cluster, computed from its resolved
 * launcher steps with the same placement and move-to code the plan and the migration controller use,
 * and embedded in the generated policies (no runtime lookup), so what each cluster enforces is
 * visible in dist/.
 *
 * - Deny: a type no pool's launcher offers today (e.g. one only the previous launcher had); the
 *   message names the launcher the cluster runs.
 * - Warn: a type offered today that a planned step leaves without a pool (naming the step and its
 *   launcher), or that QEMU deprecates today; both advise the move-to type (compatibility/moveTo.ts).
 */
import { MACHINE_TYPE_ALIASES, sortMachineTypes } from '../../compatibility/machineTypeNames.js';
import { moveToMachineType } from '../../compatibility/moveTo.js';
import { type MachineTypePlacement, offeredMachineTypes, placeMachineType } from '../../compatibility/placement.js';
import { type ResolvedCluster, type ResolvedPool } from '../../compatibility/poolMachineTypes.js';

export interface MachineTypeAdmission {
  readonly cluster: string;
  /** Every canonical type some pool runs today, in machine-type order, with the pools that run it. */
  readonly hosts: readonly { readonly machineType: string; readonly pools: readonly string[] }[];
  /** Text around the requested type in the denial: `${before}${type}${after}`. */
  readonly denial: { readonly before: string; readonly after: string };
  /** Types some pool runs today that deserve a warning, in machine-type order. */
  readonly warnings: readonly { readonly machineType: string; readonly message: string }[];
}

const plural = (n: number, word: string) => (n === 1 ? word : `${word}s`);

/** The launchers the cluster runs today (one per architecture's list, the same image) and what each pool offers. */
function availableText(resolved: ResolvedCluster): string {
  const perPool = resolved.pools.map((p) => `pool ${p.name} (${p.architecture}) offers ${p.current.supported.join(', ')}`);
  return `${perPool.join('; ')}. Pin one of these, or use the alias of the VM's architecture (${MACHINE_TYPE_ALIASES.join(', ')}), which resolves to the launcher's newest type`;
}

/** The move-to advice appended to a warning: the type, and where it is deprecated itself. */
function moveToAdvice(resolved: ResolvedCluster, machineType: string): string {
  const move = moveToMachineType(resolved.pools, machineType);
  if (!move || move.machineType === machineType) return '';
  const deprecated = move.deprecatedAtSteps.map((k) => (k === 0 ? 'now' : `after ${resolved.steps[k]!.label}`));
  return `; restart the VM onto ${move.machineType}, which runs now and after every planned step${deprecated.length > 0 ? ` (deprecated ${deprecated.join(', ')})` : ''}`;
}

/** The warning for a type some pool runs today, or `undefined` when there is nothing to say. */
export function warningFor(resolved: ResolvedCluster, placement: MachineTypePlacement): string | undefined {
  const reasons: string[] = [];
  const k = placement.firstStepWithoutHost;
  if (k !== undefined) {
    const step = resolved.steps[k]!;
    reasons.push(
      `planned step ${k} (${step.label}) moves the cluster to ${step.launcher.label}, which does not offer it: after that step a running VM's ` +
        'workload-update migration never schedules and every drain of its node stalls',
    );
  }
  if (placement.deprecatedOn.length > 0) {
    reasons.push(`it is deprecated on ${plural(placement.deprecatedOn.length, 'pool')} ${placement.deprecatedOn.join(', ')} (${resolved.steps[0]!.launcher.label})`);
  }
  if (reasons.length === 0) return undefined;
  return `machine type ${placement.machineType}: ${reasons.join('; ')}${moveToAdvice(resolved, placement.machineType)}`;
}

export function machineTypeAdmission(cluster: string, resolved: ResolvedCluster): MachineTypeAdmission {
  const pools: readonly ResolvedPool[] = resolved.pools;
  const types = sortMachineTypes(offeredMachineTypes(pools));
  const placements = types.map((t) => placeMachineType(pools, t));
  return {
    cluster,
    hosts: placements.map((p) => ({ machineType: p.machineType, pools: p.hostsNow })),
    denial: {
      before: 'machine type ',
      after: ` is not offered by ${resolved.steps[0]!.launcher.label}, the virt-launcher cluster ${cluster} runs, on any node pool: ${availableText(resolved)}`,
    },
    warnings: placements.flatMap((p) => {
      const message = warningFor(resolved, p);
      return message ? [{ machineType: p.machineType, message }] : [];
    }),
  };
}

/** The denial text for a requested type, exactly as the policy's messageExpression builds it. */
export function denialMessage(admission: MachineTypeAdmission, machineType: string): string {
  return `${admission.denial.before}${machineType}${admission.denial.after}`;
}

/** True when the policy lets the type through: an alias, or a type some pool runs today. */
export function isAdmitted(admission: MachineTypeAdmission, machineType: string): boolean {
  return (MACHINE_TYPE_ALIASES as readonly string[]).includes(machineType) || admission.hosts.some((h) => h.machineType === machineType);
}
