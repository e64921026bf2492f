/**
 * Which pools may host a VM with a given machine type, now and after planned upgrades. The
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
  readonly release: string;
  readonly supported: boolean;
  /** What QEMU would run for the requested name on this set. */
  readonly canonical?: string;
  readonly deprecated: boolean;
}

export interface PoolPlacement {
  readonly pool: string;
  readonly now: SetVerdict;
  /** Present when the pool has a planned upgrade. */
  readonly afterUpgrade?: SetVerdict;
}

export interface MachineTypePlacement {
  readonly machineType: string;
  readonly isAlias: boolean;
  readonly pools: readonly PoolPlacement[];
  /** Pools that run it today. */
  readonly hostsNow: readonly string[];
  /** Pools that run it once every planned upgrade is done. */
  readonly hostsAfterUpgrades: readonly string[];
  /** Pools that run it today but not after their planned upgrade. */
  readonly lostByUpgrade: readonly { pool: string; release: string }[];
  /** Pools where it runs today but is deprecated. */
  readonly deprecatedOn: readonly string[];
}

export function verdict(set: MachineTypeSet, machineType: string): SetVerdict {
  const canonical = canonicalMachineType(machineType, set);
  return {
    release: set.release,
    supported: canonical !== undefined,
    ...(canonical !== undefined ? { canonical } : {}),
    deprecated: canonical !== undefined && set.deprecated.includes(canonical),
  };
}

export function placeMachineType(pools: readonly ResolvedPool[], machineType: string): MachineTypePlacement {
  const placements: PoolPlacement[] = pools.map((pool) => ({
    pool: pool.name,
    now: verdict(pool.current, machineType),
    ...(pool.upgrade ? { afterUpgrade: verdict(pool.upgrade, machineType) } : {}),
  }));
  return {
    machineType,
    isAlias: isMachineTypeAlias(machineType),
    pools: placements,
    hostsNow: placements.filter((p) => p.now.supported).map((p) => p.pool),
    hostsAfterUpgrades: placements.filter((p) => (p.afterUpgrade ?? p.now).supported).map((p) => p.pool),
    lostByUpgrade: placements
      .filter((p) => p.now.supported && p.afterUpgrade && !p.afterUpgrade.supported)
      .map((p) => ({ pool: p.pool, release: p.afterUpgrade!.release })),
    deprecatedOn: placements.filter((p) => p.now.deprecated).map((p) => p.pool),
  };
}

/** Every canonical type some pool of the cluster offers today, sorted by pool order then type. */
export function offeredMachineTypes(pools: readonly ResolvedPool[]): string[] {
  return [...new Set(pools.flatMap((p) => p.current.supported))];
}
