/**
 * Drift: the machine types a node really offers against the set the cluster definition declares
 * for its pool. Pure.
 */
import { parseMachineType } from '../../compatibility/machineTypeNames.js';
import { type MachineTypeSet, type ResolvedPool } from '../../compatibility/poolMachineTypes.js';

export interface MachineTypeDrift {
  /** Offered by the node, not declared for its pool. Sorted. */
  readonly extra: readonly string[];
  /** Declared for its pool, not offered by the node. Sorted. */
  readonly missing: readonly string[];
}

export interface ReleaseMatch {
  readonly pool: string;
  /** The pool's current release, or its planned `upgradeTo` when the node already looks upgraded. */
  readonly release: string;
  readonly drift: MachineTypeDrift;
}

/**
 * Only versioned x86 names (`pc-q35-*`, `pc-i440fx-*`) take part: the matrix speaks no other
 * vocabulary, so `microvm`, `isapc`, `xenfv-*` or RHEL 6's `rhel6.x.0` can be neither declared
 * nor missing, and counting them would flag every node.
 */
export function isDriftRelevant(machineType: string): boolean {
  return parseMachineType(machineType) !== undefined;
}

export function machineTypeDrift(offered: readonly string[], declared: MachineTypeSet): MachineTypeDrift {
  const relevant = new Set(offered.filter(isDriftRelevant));
  const wanted = new Set(declared.supported);
  return {
    extra: [...relevant].filter((t) => !wanted.has(t)),
    missing: declared.supported.filter((t) => !relevant.has(t)),
  };
}

export const hasDrift = (d: MachineTypeDrift): boolean => d.extra.length > 0 || d.missing.length > 0;
const size = (d: MachineTypeDrift) => d.extra.length + d.missing.length;

/**
 * Matches a node to its pool's current release or, during a planned upgrade, to the upgrade
 * release when that explains the node's set better (ties go to the current release). `offered`
 * must be sorted, as the parser returns it, so `extra` comes out sorted.
 */
export function matchRelease(pool: ResolvedPool, offered: readonly string[]): ReleaseMatch {
  const current = machineTypeDrift(offered, pool.current);
  if (pool.upgrade) {
    const upgraded = machineTypeDrift(offered, pool.upgrade);
    if (size(upgraded) < size(current)) return { pool: pool.name, release: pool.upgrade.release, drift: upgraded };
  }
  return { pool: pool.name, release: pool.current.release, drift: current };
}
