/**
 * `kvfleet explain`: which pools of a cluster run a machine type, now and after each planned step,
 * and why, in terms a definition author can act on: the launcher's catalogue entry, the alias
 * resolution, the pool's overrides, deprecation, the step that drops it. The verdicts come from the
 * same resolution, placement and admission code the policies are generated from, so the explanation
 * cannot disagree with what the cluster enforces.
 */
import { LAUNCHER_CATALOGUE, type LauncherEntry } from '../compatibility/launcherCatalogue.js';
import { compareMachineTypes, isMachineTypeAlias, MACHINE_TYPE_ALIASES, parseMachineType, sortMachineTypes } from '../compatibility/machineTypeNames.js';
import { verdict } from '../compatibility/placement.js';
import { type MachineTypeSet, type ResolvedCluster, type ResolvedPool, resolveCluster } from '../compatibility/poolMachineTypes.js';
import { type ClusterDefinition, type MachineTypeOverrides } from '../fleet/clusterDefinition.js';
import { closestName, editDistance } from '../fleet/definitionSuggestion.js';
import { denialMessage, isAdmitted, machineTypeAdmission } from '../policies/vm-machine-type/machineTypeAdmission.js';
import { type PlanStep } from './planModel.js';
import { planSteps } from './planSteps.js';

/** One pool's answer at one step. */
export interface SetExplanation {
  /** The step id: `now`, `step-1`… */
  readonly step: string;
  readonly stepLabel: string;
  /** The launcher the pool's set comes from at this step. */
  readonly launcher: string;
  /** Its catalogue entry: `kubevirt-1.8/centos-stream-9`. */
  readonly catalogueEntry: string;
  readonly runs: boolean;
  /** What QEMU runs for the requested name here (the alias target, or the name itself). */
  readonly canonical?: string;
  readonly deprecated: boolean;
  /** Why, in order: alias, catalogue entry, overrides, deprecation, the step's change. */
  readonly reasons: readonly string[];
}

export interface PoolExplanation {
  readonly pool: string;
  readonly architecture: string;
  /** The definition's `nodeCount`; absent when the definition does not say. */
  readonly nodeCount?: number;
  /** One answer per cluster step: `steps[0]` is `now`. */
  readonly steps: readonly SetExplanation[];
}

/** What the generated admission policies do with a VM or VMI pinned to the type on this cluster. */
export type AdmissionOutcome =
  | { readonly decision: 'admitted'; readonly reason: string }
  | { readonly decision: 'warned'; readonly message: string }
  | { readonly decision: 'denied'; readonly message: string };

export interface Hosting {
  readonly step: string;
  readonly stepLabel: string;
  readonly pools: readonly string[];
  /** Sum of the hosting pools' nodeCount; absent when one of them has none. */
  readonly nodes?: number;
}

export interface MachineTypeExplanation {
  readonly cluster: string;
  readonly machineType: string;
  /** `invalid`: neither an alias nor a versioned name (`pc-q35-rhel9.6.0`, `virt-rhel9.6.0`). */
  readonly kind: 'alias' | 'versioned' | 'invalid';
  /** Catalogue names the requested one is probably a misspelling of (invalid names, and names no launcher offers). */
  readonly suggestions: readonly string[];
  readonly pools: readonly PoolExplanation[];
  /** The pools that run it at each step: `hosting[0]` is now, the last is once every planned step is done. */
  readonly hosting: readonly Hosting[];
  readonly admission: AdmissionOutcome;
}

/** Every name some catalogue entry knows, on any architecture: canonical types and aliases. */
export function knownMachineTypeNames(): string[] {
  const names = LAUNCHER_CATALOGUE.flatMap((e) => Object.values(e.architectures).flatMap((l) => [...l.machineTypes, ...Object.keys(l.aliases)]));
  return [...new Set([...MACHINE_TYPE_ALIASES, ...sortMachineTypes(names.filter((n) => !isMachineTypeAlias(n)))])];
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

/** Why `set` (the pool's set from `entry`, corrected by `overrides`) does or does not run `name`. */
function setReasons(name: string, pool: ResolvedPool, entry: LauncherEntry, overrides: MachineTypeOverrides | undefined, set: MachineTypeSet): string[] {
  const list = entry.architectures[pool.architecture];
  const where = `${entry.id} (${pool.architecture})`;
  const v = verdict(set, name);
  const reasons: string[] = [];
  let target: string | undefined = name;
  if (isMachineTypeAlias(name)) {
    target = list?.aliases[name];
    if (target === undefined) reasons.push(`alias ${name} resolves to nothing on ${where}`);
    else if (v.canonical === undefined) reasons.push(`alias ${name} resolves to ${target} on ${where}, which this pool does not offer`);
    else reasons.push(`alias ${name} resolves to ${target} on ${where}`);
  }
  if (target === undefined) return reasons;
  const inEntry = list?.machineTypes.includes(target) ?? false;
  const removed = overrides?.remove?.includes(target) ?? false;
  const added = overrides?.add?.includes(target) ?? false;
  if (inEntry && removed) reasons.push(`${target} is in the catalogue entry ${where} but removed by the pool's machineTypes.remove`);
  else if (inEntry) reasons.push(`${target} is in the catalogue entry ${where}${list?.assumption ? ' (a list partly assumed: see its assumption)' : ''}`);
  else if (added) reasons.push(`${target} is not in the catalogue entry ${where}; added by the pool's machineTypes.add`);
  else reasons.push(`${target} is not in the catalogue entry ${where}`);
  if (v.deprecated) {
    reasons.push(
      list?.deprecated.includes(target) ? `deprecated on ${entry.id} (QEMU ${entry.qemu} flags it deprecated)` : `deprecated by the pool's machineTypes.deprecate`,
    );
  }
  return reasons;
}

/** What the step did to this pool's answer, told after the set's own reasons. */
function stepChange(before: SetExplanation | undefined, now: Omit<SetExplanation, 'reasons'>, step: PlanStep): string | undefined {
  if (!before) return undefined;
  const ref = `${step.id} (${step.label})`;
  if (!step.machineTypesChanged)
    return `${step.id} changes no machine type (${step.kind === 'node-os-upgrade' ? "a node's OS does not decide them" : 'same QEMU machine types'})`;
  if (before.runs && !now.runs) return `dropped by ${ref}: ${now.launcher} lacks it`;
  if (!before.runs && now.runs) return `gained with ${ref}`;
  if (before.runs && now.runs && before.canonical !== now.canonical) return `${ref} changes it from ${before.canonical} to ${now.canonical}`;
  if (!before.deprecated && now.deprecated) return `deprecated from ${ref} on`;
  return undefined;
}

function explainPool(
  resolved: ResolvedCluster,
  steps: readonly PlanStep[],
  pool: ResolvedPool,
  overrides: MachineTypeOverrides | undefined,
  machineType: string,
): PoolExplanation {
  const out: SetExplanation[] = [];
  for (const [k, set] of pool.sets.entries()) {
    const clusterStep = resolved.steps[k]!;
    const v = verdict(set, machineType);
    const base = {
      step: clusterStep.id,
      stepLabel: steps[k]!.label,
      launcher: set.launcher,
      catalogueEntry: clusterStep.launcher.entry.id,
      runs: v.supported,
      ...(v.canonical !== undefined ? { canonical: v.canonical } : {}),
      deprecated: v.deprecated,
    };
    const change = stepChange(out[k - 1], base, steps[k]!);
    out.push({ ...base, reasons: [...setReasons(machineType, pool, clusterStep.launcher.entry, overrides, set), ...(change ? [change] : [])] });
  }
  return { pool: pool.name, architecture: pool.architecture, ...(pool.nodeCount !== undefined ? { nodeCount: pool.nodeCount } : {}), steps: out };
}

function hostingAt(pools: readonly PoolExplanation[], step: PlanStep, k: number): Hosting {
  const hosts = pools.filter((p) => p.steps[k]!.runs);
  const counts = hosts.map((p) => p.nodeCount);
  const nodes = counts.every((c) => c !== undefined) ? counts.reduce((a, c) => a + c, 0) : undefined;
  return { step: step.id, stepLabel: step.label, pools: hosts.map((p) => p.pool), ...(nodes !== undefined ? { nodes } : {}) };
}

/** The decision of the generated vm-machine-type and vm-machine-type-warnings policies, from their own inputs. */
function admissionOf(cluster: ClusterDefinition, resolved: ResolvedCluster, machineType: string): AdmissionOutcome {
  const admission = machineTypeAdmission(cluster.name, resolved); // exactly as vmMachineType.ts calls it
  if (isMachineTypeAlias(machineType)) {
    return { decision: 'admitted', reason: `the policies let aliases through: every node resolves ${machineType} to a type its launcher runs` };
  }
  if (!isAdmitted(admission, machineType)) return { decision: 'denied', message: denialMessage(admission, machineType) };
  const warning = admission.warnings.find((w) => w.machineType === machineType);
  if (warning) return { decision: 'warned', message: warning.message };
  return { decision: 'admitted', reason: `pools ${admission.hosts.find((h) => h.machineType === machineType)!.pools.join(', ')} run it` };
}

export function explainMachineType(cluster: ClusterDefinition, machineType: string): MachineTypeExplanation {
  const kind = isMachineTypeAlias(machineType) ? 'alias' : parseMachineType(machineType) ? 'versioned' : 'invalid';
  const resolved = resolveCluster(cluster);
  const steps = planSteps(resolved);
  const overrides = new Map(cluster.nodePools.map((p) => [p.name, p.machineTypes]));
  const pools = resolved.pools.map((p) => explainPool(resolved, steps, p, overrides.get(p.name), machineType));
  return {
    cluster: cluster.name,
    machineType,
    kind,
    suggestions: suggestedNames(machineType),
    pools,
    hosting: steps.map((step, k) => hostingAt(pools, step, k)),
    admission: admissionOf(cluster, resolved, machineType),
  };
}
