/**
 * The pools × machine types grid: what each pool offers now, and what its planned upgrade changes.
 * From the definition only (node labels do not enter): it shows the plan, not the drift.
 */
import { sortMachineTypes } from '../compatibility/machineTypeNames.js';
import { type MachineTypeSet, type ResolvedPool } from '../compatibility/poolMachineTypes.js';
import { type GridCell, type MachineTypeGrid } from './planModel.js';

/**
 * One cell: offered now and kept by the upgrade (or no upgrade) → `supported`, or `deprecated` when
 * deprecated now or after the upgrade; offered now and dropped by the upgrade → `dropped`; offered
 * only after the upgrade → `added`; else `absent`.
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

/** The grid over every canonical type some pool offers now or after its upgrade, sorted by compareMachineTypes; rows in pool order. */
export function machineTypeGrid(pools: readonly ResolvedPool[]): MachineTypeGrid {
  const machineTypes = sortMachineTypes(pools.flatMap((p) => [...p.current.supported, ...(p.upgrade?.supported ?? [])]));
  return {
    machineTypes,
    rows: pools.map((p) => ({ pool: p.name, cells: Object.fromEntries(machineTypes.map((t) => [t, gridCell(p.current, p.upgrade, t)])) })),
  };
}
