/**
 * What the planned steps change in a cluster's pools × machine types grid, grouped per pool, and
 * for each dropped type the pools that still run it once every upgrade is done. The table and the
 * Markdown list this; the HTML shows the whole grid.
 */
import { type GridCell, type MachineTypeGrid } from '../planModel.js';

export interface PoolGridChange {
  readonly pool: string;
  readonly dropped: readonly { readonly machineType: string; readonly stillOn: readonly string[] }[];
  readonly added: readonly string[];
}

/** Cells whose pool runs the type once its upgrade (if any) is done. */
const RUNS_AFTER: ReadonlySet<GridCell> = new Set(['supported', 'deprecated', 'added']);

/** Pools with a dropped or added type, in grid order; types in grid order. */
export function gridChanges(grid: MachineTypeGrid): PoolGridChange[] {
  return grid.rows
    .map((row) => ({
      pool: row.pool,
      dropped: grid.machineTypes
        .filter((t) => row.cells[t] === 'dropped')
        .map((t) => ({ machineType: t, stillOn: grid.rows.filter((r) => RUNS_AFTER.has(r.cells[t] ?? 'absent')).map((r) => r.pool) })),
      added: grid.machineTypes.filter((t) => row.cells[t] === 'added'),
    }))
    .filter((c) => c.dropped.length > 0 || c.added.length > 0);
}
