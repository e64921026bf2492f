/**
 * `kvfleet explain`: which pools of a cluster run a machine type, now and after each planned
 * upgrade, and why, in terms a definition author can act on: the alias resolution, the release
 * matrix, the pool's overrides, deprecation, the upgrade that drops it. The verdicts come from the
 * same placement and admission code the policies are generated from, so the explanation cannot
 * disagree with what the cluster enforces.
 */
import { type ClusterDefinition, type MachineTypeOverrides, type NodePool } from '../fleet/clusterDefinition.js';
import { closestName, editDistance } from '../fleet/definitionSuggestion.js';
import { HYPERVISOR_RELEASES, hypervisorRelease } from '../compatibility/hypervisorReleases.js';
import { denialMessage, isAdmitted, machineTypeAdmission } from '../policies/vm-machine-type/machineTypeAdmission.js';
import { compareMachineTypes, isMachineTypeAlias, MACHINE_TYPE_ALIASES, parseMachineType, sortMachineTypes } from '../compatibility/machineTypeNames.js';
import { verdict } from '../compatibility/placement.js';
import { type MachineTypeSet, resolvePool, resolvePools } from '../compatibility/poolMachineTypes.js';

/** One pool's answer on one release (today's, or the one it upgrades to). */
export interface SetExplanation {
  readonly release: string;
  readonly runs: boolean;
  /** What QEMU runs for the requested name here (the alias target, or the name itself). */
  readonly canonical?: string;
  readonly deprecated: boolean;
  /** Why, in order: alias, matrix, overrides, deprecation, upgrade. */
  readonly reasons: readonly string[];
}

export interface PoolExplanation {
  readonly pool: string;
  /** The definition's `nodeCount`; absent when the definition does not say. */
  readonly nodeCount?: number;
  readonly now: SetExplanation;
  /** Present when the pool has a planned upgrade. */
  readonly afterUpgrade?: SetExplanation;
}

/** What the generated admission policies do with a VM or VMI pinned to the type on this cluster. */
export type AdmissionOutcome =
  | { readonly decision: 'admitted'; readonly reason: string }
  | { readonly decision: 'warned'; readonly message: string }
  | { readonly decision: 'denied'; readonly message: string };

export interface Hosting {
  readonly pools: readonly string[];
  /** Sum of the hosting pools' nodeCount; absent when one of them has none. */
  readonly nodes?: number;
}

export interface MachineTypeExplanation {
  readonly cluster: string;
  readonly machineType: string;
  /** `invalid`: neither an alias nor a versioned x86 name (`pc-q35-rhel9.6.0`, `pc-i440fx-9.2`). */
  readonly kind: 'alias' | 'versioned' | 'invalid';
  /** Known names the requested one is probably a misspelling of (invalid names, and names no release knows). */
  readonly suggestions: readonly string[];
  readonly pools: readonly PoolExplanation[];
  readonly now: Hosting;
  /** Once every planned upgrade is done (pools without one as they are). */
  readonly afterUpgrades: Hosting;
  readonly admission: AdmissionOutcome;
}

/** Every name some release knows: canonical types and aliases. */
export function knownMachineTypeNames(): string[] {
  const names = HYPERVISOR_RELEASES.flatMap((r) => [...r.machineTypes, ...Object.keys(r.aliases)]);
  return [...new Set([...MACHINE_TYPE_ALIASES, ...sortMachineTypes(names)])];
}

/**
 * Names close to `name`: the one `closestName` is sure of, else up to three within a third of its
 * length, nearest first (a typo in a version digit has several equally near neighbours).
 */
export function suggestedNames(name: string, known: readonly string[] = knownMachineTypeNames()): string[] {
  if (known.includes(name)) return [];
  const sure = closestName(name, known);
  if (sure !== undefined) return [sure];
  const limit = Math.max(2, Math.floor(name.length / 3));
  const lower = name.toLowerCase();
  // Among equally near names, those agreeing longest from the start (same chipset, vendor, major) first.
  const prefix = (k: string) => {
    let i = 0;
    while (i < k.length && k[i]!.toLowerCase() === lower[i]) i++;
    return i;
  };
  // Then the nearest version: for pc-q35-rhel9.5.0, 9.4.0 and 9.6.0 before 9.0.0.
  const versionOf = (n: string) => (parseMachineType(n)?.version ?? []).reduce((acc, part) => acc * 1000 + part, 0);
  const wanted = versionOf(name);
  const gap = (k: string) => Math.abs(versionOf(k) - wanted);
  return known
    .map((k) => ({ k, d: editDistance(lower, k.toLowerCase()), p: prefix(k), g: gap(k) }))
    .filter((c) => c.d <= limit)
    .sort((a, b) => a.d - b.d || b.p - a.p || a.g - b.g || compareMachineTypes(a.k, b.k))
    .slice(0, 3)
    .map((c) => c.k);
}

/** Why `set` (release `releaseId` with `overrides`, written in the definition as `field`) does or does not run `name`. */
function explainSet(name: string, releaseId: string, overrides: MachineTypeOverrides | undefined, field: string, set: MachineTypeSet): SetExplanation {
  const release = hypervisorRelease(releaseId)!; // validated definitions name known releases
  const v = verdict(set, name);
  const reasons: string[] = [];
  let target: string | undefined = name;
  if (isMachineTypeAlias(name)) {
    target = release.aliases[name];
    if (target === undefined) reasons.push(`alias ${name} resolves to nothing on ${release.id}`);
    else if (v.canonical === undefined) reasons.push(`alias ${name} resolves to ${target} on ${release.id}, which this pool does not offer`);
    else reasons.push(`alias ${name} resolves to ${target} on ${release.id}`);
  }
  if (target !== undefined) {
    const inMatrix = release.machineTypes.includes(target);
    const removed = overrides?.remove?.includes(target) ?? false;
    const added = overrides?.add?.includes(target) ?? false;
    if (inMatrix && removed) reasons.push(`${target} is in the ${release.id} matrix but removed by the pool's ${field}.remove`);
    else if (inMatrix) reasons.push(`${target} is in the ${release.id} matrix`);
    else if (added) reasons.push(`${target} is not in the ${release.id} matrix; added by the pool's ${field}.add`);
    else reasons.push(`${target} is not in the ${release.id} matrix`);
    if (v.deprecated) {
      reasons.push(release.deprecated.includes(target) ? `deprecated on ${release.id} (QEMU flags it deprecated)` : `deprecated by the pool's ${field}.deprecate`);
    }
  }
  return { release: set.release, runs: v.supported, ...(v.canonical !== undefined ? { canonical: v.canonical } : {}), deprecated: v.deprecated, reasons };
}

function explainPool(pool: NodePool, machineType: string): PoolExplanation {
  const resolved = resolvePool(pool);
  const now = explainSet(machineType, pool.hypervisor, pool.machineTypes, 'machineTypes', resolved.current);
  if (!resolved.upgrade || !pool.upgradeTo) return { pool: pool.name, ...(pool.nodeCount !== undefined ? { nodeCount: pool.nodeCount } : {}), now };
  const after = explainSet(machineType, pool.upgradeTo, pool.upgradeMachineTypes, 'upgradeMachineTypes', resolved.upgrade);
  const reasons = [...after.reasons];
  if (now.runs && !after.runs) reasons.push(`dropped by the upgrade to ${pool.upgradeTo}`);
  else if (!now.runs && after.runs) reasons.push(`gained with the upgrade to ${pool.upgradeTo}`);
  else if (now.runs && after.runs && now.canonical !== after.canonical)
    reasons.push(`the upgrade to ${pool.upgradeTo} changes it from ${now.canonical} to ${after.canonical}`);
  return { pool: pool.name, ...(pool.nodeCount !== undefined ? { nodeCount: pool.nodeCount } : {}), now, afterUpgrade: { ...after, reasons } };
}

function hosting(pools: readonly PoolExplanation[], runs: (p: PoolExplanation) => boolean): Hosting {
  const hosts = pools.filter(runs);
  const counts = hosts.map((p) => p.nodeCount);
  const nodes = counts.every((c) => c !== undefined) ? counts.reduce((a, c) => a + c, 0) : undefined;
  return { pools: hosts.map((p) => p.pool), ...(nodes !== undefined ? { nodes } : {}) };
}

/** The decision of the generated vm-machine-type and vm-machine-type-warnings policies, from their own inputs. */
function admissionOf(cluster: ClusterDefinition, machineType: string): AdmissionOutcome {
  const admission = machineTypeAdmission(cluster.name, resolvePools(cluster)); // exactly as vmMachineType.ts calls it
  if (isMachineTypeAlias(machineType)) {
    return { decision: 'admitted', reason: `the policies let aliases through: every node resolves ${machineType} to a type it runs` };
  }
  if (!isAdmitted(admission, machineType)) return { decision: 'denied', message: denialMessage(admission, machineType) };
  const warning = admission.warnings.find((w) => w.machineType === machineType);
  if (warning) return { decision: 'warned', message: warning.message };
  return { decision: 'admitted', reason: `pools ${admission.hosts.find((h) => h.machineType === machineType)!.pools.join(', ')} run it` };
}

export function explainMachineType(cluster: ClusterDefinition, machineType: string): MachineTypeExplanation {
  const kind = isMachineTypeAlias(machineType) ? 'alias' : parseMachineType(machineType) ? 'versioned' : 'invalid';
  const pools = [...cluster.nodePools].sort((a, b) => (a.name < b.name ? -1 : 1)).map((p) => explainPool(p, machineType));
  return {
    cluster: cluster.name,
    machineType,
    kind,
    suggestions: suggestedNames(machineType),
    pools,
    now: hosting(pools, (p) => p.now.runs),
    afterUpgrades: hosting(pools, (p) => (p.afterUpgrade ?? p.now).runs),
    admission: admissionOf(cluster, machineType),
  };
}
