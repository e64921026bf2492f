/**
 * The pools × machine types grid: what each pool offers now, and what the planned steps change by
 * the last one (the launcher's catalogue entry with the pool's overrides, compatibility/poolMachineTypes.ts).
 * From the definition only (node labels do not enter): it shows the plan, not the drift.
 */
import { sortMachineTypes } from '../compatibility/machineTypeNames.js';
import { finalSet, type MachineTypeSet, type ResolvedPool } from '../compatibility/poolMachineTypes.js';
import { type GridCell, type MachineTypeGrid } from './planModel.js';

/**
 * One cell: offered now and after the last step (or nothing planned) → `supported`, or `deprecated`
 * when deprecated now or after it; offered now and not after → `dropped`; offered only after →
 * `added`; else `absent`.
 */
export function gridCell(current: MachineTypeSet, upgrade: MachineTypeSet | undefined, machineType: string): GridCell {
  const now = current.supported.includes(machineType);
  const after = upgrade?.supported.includes(machineType);
  if (now && after !== false) {
    const deprecated = current.deprecated.includes(machineType) || (upgrade?.deprecated.includes(machineType) ?? false);
    return deprecated ? 'deprecated' : 'supported';
  }
  if (now) return 'dropped';
  return after ? 'added' : 'absent';
}

const after = (p: ResolvedPool) => (finalSet(p) === p.current ? undefined : finalSet(p));

/** The grid over every canonical type some pool offers now or after the last step, sorted by compareMachineTypes; rows in pool order. */
export function machineTypeGrid(pools: readonly ResolvedPool[]): MachineTypeGrid {
  const machineTypes = sortMachineTypes(pools.flatMap((p) => [...p.current.supported, ...finalSet(p).supported]));
  return {
    machineTypes,
    rows: pools.map((p) => ({ pool: p.name, cells: Object.fromEntries(machineTypes.map((t) => [t, gridCell(p.current, after(p), t)])) })),
  };
}
