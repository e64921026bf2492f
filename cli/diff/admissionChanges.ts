/**
 * Which machine types a cluster's Kyverno policies deny or warn about, read from the synthesised
 * policies themselves (not from the definitions), so the diff reports what admission will do. Pure.
 */
import { type DistObject } from './distTree.js';
import { type AdmissionChange, type EnforcementChange } from './fleetDiffModel.js';
import { isRecord } from '../../compatibility/guards.js';

interface PolicyVariable {
  readonly name?: unknown;
  readonly expression?: unknown;
}

/**
 * The map literal a policy variable holds. The generator writes these CEL maps in JSON syntax
 * (generators/kyvernoPolicies.ts), so JSON.parse reads them; anything else is not ours to interpret.
 */
function variableMap(objects: readonly DistObject[], variable: string): Map<string, unknown> | undefined {
  for (const o of objects) {
    if (!isPolicy(o)) continue;
    const spec = (o.body as { spec?: { variables?: PolicyVariable[] } }).spec;
    const v = spec?.variables?.find((x) => x.name === variable);
    if (typeof v?.expression !== 'string') continue;
    try {
      const parsed: unknown = JSON.parse(v.expression);
      if (isRecord(parsed)) return new Map(Object.entries(parsed));
    } catch {
      // Not a literal map: the object diff still shows the change.
    }
  }
  return undefined;
}

const isPolicy = (o: DistObject): boolean => /(^|\.)kyverno\.io\//.test(o.apiVersion);

const sorted = (xs: Iterable<string>) => [...xs].sort();

export function admissionChange(before: readonly DistObject[], after: readonly DistObject[]): AdmissionChange {
  // `hostPools`: the deny policy's map of admitted type → pools running it; absent types are denied.
  const admittedBefore = new Set(variableMap(before, 'hostPools')?.keys() ?? []);
  const admittedAfter = new Set(variableMap(after, 'hostPools')?.keys() ?? []);
  // `warnings`: the warning policy's map of type → warning text.
  const warnBefore = variableMap(before, 'warnings') ?? new Map<string, unknown>();
  const warnAfter = variableMap(after, 'warnings') ?? new Map<string, unknown>();
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  return {
    newlyDenied: sorted([...admittedBefore].filter((t) => !admittedAfter.has(t))),
    newlyAdmitted: sorted([...admittedAfter].filter((t) => !admittedBefore.has(t))),
    newlyWarned: sorted([...warnAfter.keys()].filter((t) => !warnBefore.has(t))).map((machineType) => ({ machineType, message: text(warnAfter.get(machineType)) })),
    noLongerWarned: sorted([...warnBefore.keys()].filter((t) => !warnAfter.has(t))),
    warningChanged: sorted([...warnAfter.keys()].filter((t) => warnBefore.has(t) && text(warnBefore.get(t)) !== text(warnAfter.get(t)))).map((machineType) => ({
      machineType,
      before: text(warnBefore.get(machineType)),
      after: text(warnAfter.get(machineType)),
    })),
  };
}

export const isEmptyAdmission = (a: AdmissionChange): boolean =>
  a.newlyDenied.length + a.newlyAdmitted.length + a.newlyWarned.length + a.noLongerWarned.length + a.warningChanged.length === 0;

/** The enforcement settings of one policy, each as text; lists joined in their order. */
function enforcementOf(o: DistObject): Map<string, string> {
  const spec = isRecord(o.body) && isRecord(o.body.spec) ? o.body.spec : {};
  const out = new Map<string, string>();
  for (const setting of ['validationActions', 'failurePolicy', 'validationFailureAction']) {
    const v = spec[setting];
    if (v !== undefined) out.set(setting, Array.isArray(v) ? v.map(String).join(', ') : String(v));
  }
  return out;
}

export function enforcementChanges(before: readonly DistObject[], after: readonly DistObject[]): EnforcementChange[] {
  const b = new Map(before.filter(isPolicy).map((o) => [`${o.kind}/${o.name}`, o]));
  const a = new Map(after.filter(isPolicy).map((o) => [`${o.kind}/${o.name}`, o]));
  const out: EnforcementChange[] = [];
  for (const policy of sorted(new Set([...b.keys(), ...a.keys()]))) {
    const eb = b.has(policy) ? enforcementOf(b.get(policy)!) : new Map<string, string>();
    const ea = a.has(policy) ? enforcementOf(a.get(policy)!) : new Map<string, string>();
    const settings = sorted(new Set([...eb.keys(), ...ea.keys()]))
      .filter((s) => !b.has(policy) || !a.has(policy) || eb.get(s) !== ea.get(s))
      .map((setting) => ({ setting, ...(eb.has(setting) ? { before: eb.get(setting) } : {}), ...(ea.has(setting) ? { after: ea.get(setting) } : {}) }));
    if (settings.length === 0) continue;
    out.push({ policy, change: !b.has(policy) ? 'added' : !a.has(policy) ? 'removed' : 'changed', settings });
  }
  return out;
}
