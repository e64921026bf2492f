/**
 * The admission decisions for pinned machine types of one cluster, computed from its resolved
 * pools with the same placement code the migration controller uses, and embedded in the generated
 * policies (no runtime lookup), so the matrix each cluster enforces is visible in dist/.
 */
import { MACHINE_TYPE_ALIASES, parseMachineType, sortMachineTypes } from '../../compatibility/machineTypeNames.js';
import { type MachineTypePlacement, offeredMachineTypes, placeMachineType } from '../../compatibility/placement.js';
import { type ResolvedPool } from '../../compatibility/poolMachineTypes.js';

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

/** The pools and types a denied VM could use instead. */
function availableText(pools: readonly ResolvedPool[]): string {
  const perPool = pools.map((p) => `pool ${p.name} (${p.current.release}) offers ${p.current.supported.join(', ')}`);
  return `${perPool.join('; ')}. Pin one of these, or use the alias ${MACHINE_TYPE_ALIASES.join(' or ')}, which each node resolves to its own newest type`;
}

/**
 * The newest type of the same chipset and vendor that every pool runs today and after its
 * planned upgrade: a pin that survives every planned upgrade. `undefined` when there is none.
 */
export function survivingMachineType(pools: readonly ResolvedPool[], machineType: string): string | undefined {
  const wanted = parseMachineType(machineType);
  if (!wanted || pools.length === 0) return undefined;
  const survivors = offeredMachineTypes(pools).filter((t) => {
    const parsed = parseMachineType(t);
    if (!parsed || parsed.chipset !== wanted.chipset || parsed.vendor !== wanted.vendor) return false;
    const placement = placeMachineType(pools, t);
    return placement.hostsNow.length === pools.length && placement.hostsAfterUpgrades.length === pools.length;
  });
  return sortMachineTypes(survivors).at(-1);
}

/** The warning for a type some pool runs today, or `undefined` when there is nothing to say. */
export function warningFor(pools: readonly ResolvedPool[], placement: MachineTypePlacement): string | undefined {
  const reasons: string[] = [];
  // Warn only when no pool will run it after the planned upgrades; a type that one upgrading pool
  // drops but another keeps still has a home.
  if (placement.hostsNow.length > 0 && placement.hostsAfterUpgrades.length === 0) {
    const drops = placement.lostByUpgrade.map((l) => `pool ${l.pool} drops it when upgraded to ${l.release}`);
    reasons.push(`no node pool runs it once the planned upgrades are done (${drops.join('; ')})`);
  }
  if (placement.deprecatedOn.length > 0) {
    reasons.push(`it is deprecated on ${plural(placement.deprecatedOn.length, 'pool')} ${placement.deprecatedOn.join(', ')}`);
  }
  if (reasons.length === 0) return undefined;
  const survivor = survivingMachineType(pools, placement.machineType);
  const advice = survivor && survivor !== placement.machineType ? `; ${survivor} runs on every pool now and after the planned upgrades` : '';
  return `machine type ${placement.machineType}: ${reasons.join('; ')}${advice}`;
}

export function machineTypeAdmission(cluster: string, pools: readonly ResolvedPool[]): MachineTypeAdmission {
  const types = sortMachineTypes(offeredMachineTypes(pools));
  const placements = types.map((t) => placeMachineType(pools, t));
  return {
    cluster,
    hosts: placements.map((p) => ({ machineType: p.machineType, pools: p.hostsNow })),
    denial: {
      before: 'machine type ',
      after: ` is not offered by any node pool of cluster ${cluster}: ${availableText(pools)}`,
    },
    warnings: placements.flatMap((p) => {
      const message = warningFor(pools, p);
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
