/**
 * `kvfleet diff`: what a change does to each cluster's launcher, planned steps and machine types,
 * read from the resolved matrices (compatibility/matrixDocument.ts) before and after. Pure; the CLI
 * reads the two matrices from git and dist/.
 */
import { type MatrixDocument } from '../../compatibility/matrixDocument.js';
import { finalSet, type MachineTypeSet, type ResolvedPool } from '../../compatibility/poolMachineTypes.js';

export interface Change<T> {
  readonly before?: T;
  readonly after?: T;
}

export interface PoolChange {
  readonly pool: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly architecture?: Change<string>;
  /** Types the pool offers now that it did not (and the reverse). */
  readonly typesAdded: readonly string[];
  readonly typesRemoved: readonly string[];
  readonly newlyDeprecated: readonly string[];
  /** Set when what the pool offers after the last planned step changes. */
  readonly afterSteps?: { readonly typesAdded: readonly string[]; readonly typesRemoved: readonly string[] };
}

export interface MatrixDiff {
  readonly cluster: string;
  /** The launcher the cluster runs now (catalogue label and image), when it changes. */
  readonly launcher?: Change<string>;
  /** The planned steps after `now`, by label, when the list changes. */
  readonly steps?: { readonly before: readonly string[]; readonly after: readonly string[] };
  readonly pools: readonly PoolChange[];
  /** Pinned types a VM could use before and that the cluster now denies (no pool runs them). */
  readonly nowDenied: readonly string[];
  /** Types denied before and admitted now. */
  readonly nowAllowed: readonly string[];
}

const setDiff = (a: readonly string[], b: readonly string[]) => a.filter((x) => !b.includes(x));
const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function typesOf(set: MachineTypeSet | undefined): readonly string[] {
  return set?.supported ?? [];
}

/** Canonical types some pool runs today: what the admission policy lets a VM pin. */
function offered(pools: readonly ResolvedPool[]): string[] {
  return [...new Set(pools.flatMap((p) => p.current.supported))];
}

/** `virt-launcher 1.8 centos-stream-9 (QEMU 10.1.0-10.el9), image quay.io/…`: what a reader checks against the cluster. */
function launcherOf(m: MatrixDocument | undefined): string | undefined {
  const now = m?.steps[0];
  return now ? `${now.launcher}, image ${now.launcherImage}` : undefined;
}

const plannedSteps = (m: MatrixDocument | undefined) => (m?.steps ?? []).slice(1).map((s) => s.label);

function poolChange(name: string, pb: ResolvedPool | undefined, pa: ResolvedPool | undefined): PoolChange | undefined {
  const typesAdded = setDiff(typesOf(pa?.current), typesOf(pb?.current));
  const typesRemoved = setDiff(typesOf(pb?.current), typesOf(pa?.current));
  const newlyDeprecated = setDiff(pa?.current.deprecated ?? [], pb?.current.deprecated ?? []).filter((t) => typesOf(pb?.current).includes(t));
  const archChanged = pb?.architecture !== pa?.architecture;
  const finalBefore = typesOf(pb && finalSet(pb));
  const finalAfter = typesOf(pa && finalSet(pa));
  const afterSteps = pb && pa ? { typesAdded: setDiff(finalAfter, finalBefore), typesRemoved: setDiff(finalBefore, finalAfter) } : undefined;
  const finalChanged = afterSteps !== undefined && (afterSteps.typesAdded.length > 0 || afterSteps.typesRemoved.length > 0);
  if (pb && pa && !archChanged && !typesAdded.length && !typesRemoved.length && !newlyDeprecated.length && !finalChanged) return undefined;
  return {
    pool: name,
    change: !pb ? 'added' : !pa ? 'removed' : 'changed',
    ...(archChanged ? { architecture: { before: pb?.architecture, after: pa?.architecture } } : {}),
    typesAdded,
    typesRemoved,
    newlyDeprecated,
    ...(finalChanged ? { afterSteps } : {}),
  };
}

export function diffMatrices(before: MatrixDocument | undefined, after: MatrixDocument | undefined): MatrixDiff {
  const cluster = after?.cluster ?? before?.cluster ?? '';
  const b = new Map((before?.pools ?? []).map((p) => [p.name, p]));
  const a = new Map((after?.pools ?? []).map((p) => [p.name, p]));
  const names = [...new Set([...b.keys(), ...a.keys()])].sort();
  const pools = names.map((n) => poolChange(n, b.get(n), a.get(n))).filter((p): p is PoolChange => p !== undefined);
  const launcherBefore = launcherOf(before);
  const launcherAfter = launcherOf(after);
  const stepsBefore = plannedSteps(before);
  const stepsAfter = plannedSteps(after);
  const offeredBefore = offered(before?.pools ?? []);
  const offeredAfter = offered(after?.pools ?? []);
  return {
    cluster,
    ...(launcherBefore !== launcherAfter ? { launcher: { before: launcherBefore, after: launcherAfter } } : {}),
    ...(!sameList(stepsBefore, stepsAfter) ? { steps: { before: stepsBefore, after: stepsAfter } } : {}),
    pools,
    nowDenied: setDiff(offeredBefore, offeredAfter),
    nowAllowed: setDiff(offeredAfter, offeredBefore),
  };
}

export function isEmptyDiff(d: MatrixDiff): boolean {
  return d.launcher === undefined && d.steps === undefined && d.pools.length === 0 && d.nowDenied.length === 0 && d.nowAllowed.length === 0;
}
