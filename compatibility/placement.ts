/**
 * Which pools may host a VM with a given machine type, now and after each planned step. The
 * Kyverno policy generator, the labeller, the migration controller and `kvfleet plan` all call
 * these, so policy and controller cannot disagree about compatibility.
 */
import { isMachineTypeAlias } from './machineTypeNames.js';
import { type MachineTypeSet, type ResolvedPool } from './poolMachineTypes.js';

/**
 * The canonical type a name stands for on a set: an alias resolves through the set's alias table,
 * a canonical name is itself when offered. `undefined` when the set cannot run it.
 */
export function canonicalMachineType(machineType: string, set: MachineTypeSet): string | undefined {
  if (isMachineTypeAlias(machineType)) return set.aliases[machineType];
  return set.supported.includes(machineType) ? machineType : undefined;
}

export function supportsMachineType(set: MachineTypeSet, machineType: string): boolean {
  return canonicalMachineType(machineType, set) !== undefined;
}

/** Deprecated where it resolves to: `q35` on RHEL 9.6 is `pc-q35-rhel9.6.0`, not deprecated. */
export function isDeprecatedOn(set: MachineTypeSet, machineType: string): boolean {
  const canonical = canonicalMachineType(machineType, set);
  return canonical !== undefined && set.deprecated.includes(canonical);
}

export interface SetVerdict {
  /** The launcher the set comes from. */
  readonly launcher: string;
  readonly supported: boolean;
  /** What QEMU would run for the requested name on this set. */
  readonly canonical?: string;
  readonly deprecated: boolean;
}

export interface PoolPlacement {
  readonly pool: string;
  readonly now: SetVerdict;
  /** One verdict per cluster step (`steps[0]` is `now`). */
  readonly steps: readonly SetVerdict[];
}

/** A step at which a pool that ran the type before stops running it. */
export interface LostAt {
  readonly pool: string;
  /** Index of the step (ClusterStep.index). */
  readonly step: number;
  /** The launcher that lacks it. */
  readonly launcher: string;
}

export interface MachineTypePlacement {
  readonly machineType: string;
  readonly isAlias: boolean;
  readonly pools: readonly PoolPlacement[];
  /** Pools that run it today. */
  readonly hostsNow: readonly string[];
  /** Pools that run it at each step (`hostsAt[0]` equals `hostsNow`). */
  readonly hostsAt: readonly (readonly string[])[];
  /** Pools that run it once every planned step is done. */
  readonly hostsAfterSteps: readonly string[];
  /** Where a planned step takes it from a pool that ran it the step before, in step then pool order. */
  readonly lostAt: readonly LostAt[];
  /** The first step at which no pool runs it although some pool did the step before; `undefined` when none. */
  readonly firstStepWithoutHost?: number;
  /** Pools where it runs today but is deprecated. */
  readonly deprecatedOn: readonly string[];
}

export function verdict(set: MachineTypeSet, machineType: string): SetVerdict {
  const canonical = canonicalMachineType(machineType, set);
  return {
    launcher: set.launcher,
    supported: canonical !== undefined,
    ...(canonical !== undefined ? { canonical } : {}),
    deprecated: canonical !== undefined && set.deprecated.includes(canonical),
  };
}

export function placeMachineType(pools: readonly ResolvedPool[], machineType: string): MachineTypePlacement {
  const placements: PoolPlacement[] = pools.map((pool) => {
    const steps = pool.sets.map((set) => verdict(set, machineType));
    return { pool: pool.name, now: steps[0]!, steps };
  });
  const stepCount = Math.max(1, ...pools.map((p) => p.sets.length));
  const hostsAt = Array.from({ length: stepCount }, (_, k) => placements.filter((p) => (p.steps[k] ?? p.steps.at(-1)!).supported).map((p) => p.pool));
  const lostAt: LostAt[] = [];
  for (let k = 1; k < stepCount; k++) {
    for (const p of placements) {
      const before = p.steps[k - 1];
      const after = p.steps[k];
      if (before?.supported && after && !after.supported) lostAt.push({ pool: p.pool, step: k, launcher: after.launcher });
    }
  }
  const firstStepWithoutHost = hostsAt.findIndex((hosts, k) => k > 0 && hosts.length === 0 && hostsAt[k - 1]!.length > 0);
  return {
    machineType,
    isAlias: isMachineTypeAlias(machineType),
    pools: placements,
    hostsNow: hostsAt[0]!,
    hostsAt,
    hostsAfterSteps: hostsAt.at(-1)!,
    lostAt,
    ...(firstStepWithoutHost > 0 ? { firstStepWithoutHost } : {}),
    deprecatedOn: placements.filter((p) => p.now.deprecated).map((p) => p.pool),
  };
}

/** Every canonical type some pool of the cluster offers today, sorted by pool order then type. */
export function offeredMachineTypes(pools: readonly ResolvedPool[]): string[] {
  return [...new Set(pools.flatMap((p) => p.current.supported))];
}
