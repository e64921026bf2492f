/**
 * `kvfleet diff`: what a change does to each cluster's admission decisions, read from the resolved
 * matrices before and after. Pure; the CLI reads the two matrices from git and dist/.
 */
import { type MatrixDocument } from '../../compatibility/matrixDocument.js';
import { type MachineTypeSet, type ResolvedPool } from '../../compatibility/poolMachineTypes.js';

export interface PoolChange {
  readonly pool: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly release?: { readonly before?: string; readonly after?: string };
  readonly upgrade?: { readonly before?: string; readonly after?: string };
  readonly typesAdded: readonly string[];
  readonly typesRemoved: readonly string[];
  readonly newlyDeprecated: readonly string[];
}

export interface MatrixDiff {
  readonly cluster: string;
  readonly pools: readonly PoolChange[];
  /** Pinned types a VM could use before and that the cluster now denies (no pool runs them). */
  readonly nowDenied: readonly string[];
  /** Types denied before and admitted now. */
  readonly nowAllowed: readonly string[];
}

const setDiff = (a: readonly string[], b: readonly string[]) => a.filter((x) => !b.includes(x));

function typesOf(set: MachineTypeSet | undefined): readonly string[] {
  return set?.supported ?? [];
}

/** Canonical types some pool runs today: what the admission policy lets a VM pin. */
function offered(pools: readonly ResolvedPool[]): string[] {
  return [...new Set(pools.flatMap((p) => p.current.supported))];
}

export function diffMatrices(before: MatrixDocument | undefined, after: MatrixDocument | undefined): MatrixDiff {
  const cluster = after?.cluster ?? before?.cluster ?? '';
  const b = new Map((before?.pools ?? []).map((p) => [p.name, p]));
  const a = new Map((after?.pools ?? []).map((p) => [p.name, p]));
  const names = [...new Set([...b.keys(), ...a.keys()])].sort();
  const pools: PoolChange[] = [];
  for (const name of names) {
    const pb = b.get(name);
    const pa = a.get(name);
    const typesAdded = setDiff(typesOf(pa?.current), typesOf(pb?.current));
    const typesRemoved = setDiff(typesOf(pb?.current), typesOf(pa?.current));
    const newlyDeprecated = setDiff(pa?.current.deprecated ?? [], pb?.current.deprecated ?? []).filter((t) => typesOf(pb?.current).includes(t));
    const releaseChanged = pb?.current.release !== pa?.current.release;
    const upgradeChanged = pb?.upgrade?.release !== pa?.upgrade?.release;
    if (pb && pa && !releaseChanged && !upgradeChanged && !typesAdded.length && !typesRemoved.length && !newlyDeprecated.length) continue;
    pools.push({
      pool: name,
      change: !pb ? 'added' : !pa ? 'removed' : 'changed',
      ...(releaseChanged ? { release: { before: pb?.current.release, after: pa?.current.release } } : {}),
      ...(upgradeChanged ? { upgrade: { before: pb?.upgrade?.release, after: pa?.upgrade?.release } } : {}),
      typesAdded,
      typesRemoved,
      newlyDeprecated,
    });
  }
  const offeredBefore = offered(before?.pools ?? []);
  const offeredAfter = offered(after?.pools ?? []);
  return { cluster, pools, nowDenied: setDiff(offeredBefore, offeredAfter), nowAllowed: setDiff(offeredAfter, offeredBefore) };
}

export function isEmptyDiff(d: MatrixDiff): boolean {
  return d.pools.length === 0 && d.nowDenied.length === 0 && d.nowAllowed.length === 0;
}
