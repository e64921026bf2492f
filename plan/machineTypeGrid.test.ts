import { describe, expect, test } from 'vitest';
import prodEast from '../clusters/prod-east.js';
import { sortMachineTypes } from '../compatibility/machineTypeNames.js';
import { type MachineTypeSet, resolvePools } from '../compatibility/poolMachineTypes.js';
import { hypervisorRelease } from '../compatibility/hypervisorReleases.js';
import { gridCell, machineTypeGrid } from './machineTypeGrid.js';

/** A SYNTHETIC set: only the fields the grid reads matter. */
const set = (supported: string[], deprecated: string[] = []): MachineTypeSet => ({ release: 'x', vendor: 'rhel', supported, deprecated, aliases: {} });

test.each([
  ['kept, never deprecated', set(['t']), set(['t']), 'supported'],
  ['no upgrade', set(['t']), undefined, 'supported'],
  ['deprecated now', set(['t'], ['t']), set(['t']), 'deprecated'],
  ['deprecated by the upgrade', set(['t']), set(['t'], ['t']), 'deprecated'],
  ['deprecated, no upgrade', set(['t'], ['t']), undefined, 'deprecated'],
  ['dropped by the upgrade', set(['t']), set([]), 'dropped'],
  ['added by the upgrade', set([]), set(['t']), 'added'],
  ['nowhere', set([]), set([]), 'absent'],
  ['nowhere, no upgrade', set([]), undefined, 'absent'],
] as const)('%s: %s', (_what, current, upgrade, cell) => {
  expect(gridCell(current, upgrade, 't')).toBe(cell);
});

describe('the grid of prod-east (rhel9-compute: RHEL 9.6 → 10.0; rhel10-compute: RHEL 10.0)', () => {
  const grid = machineTypeGrid(resolvePools(prodEast));
  const rhel96 = hypervisorRelease('rhel-9.6')!;
  const rhel10 = hypervisorRelease('rhel-10.0')!;
  const row = (pool: string) => grid.rows.find((r) => r.pool === pool)!.cells;

  test('columns: every type either release offers, oldest to newest', () => {
    expect(grid.machineTypes).toEqual(sortMachineTypes([...rhel96.machineTypes, ...rhel10.machineTypes]));
    expect(grid.rows.map((r) => r.pool)).toEqual(['rhel10-compute', 'rhel9-compute']);
  });

  test.each(grid.machineTypes.map((t) => [t]))('%s in rhel9-compute follows what RHEL 10 drops, adds and deprecates', (t) => {
    const expected = !rhel96.machineTypes.includes(t)
      ? 'added'
      : !rhel10.machineTypes.includes(t)
        ? 'dropped'
        : rhel96.deprecated.includes(t) || rhel10.deprecated.includes(t)
          ? 'deprecated'
          : 'supported';
    expect(row('rhel9-compute')[t]).toBe(expected);
  });

  test('the named cases: RHEL 8 and i440fx dropped, 9.6 deprecated by the upgrade, 10.0 added', () => {
    expect(row('rhel9-compute')).toMatchObject({
      'pc-q35-rhel8.6.0': 'dropped',
      'pc-i440fx-rhel7.6.0': 'dropped',
      'pc-q35-rhel9.6.0': 'deprecated',
      'pc-q35-rhel10.0.0': 'added',
    });
    expect(row('rhel10-compute')).toMatchObject({ 'pc-q35-rhel8.6.0': 'absent', 'pc-q35-rhel9.6.0': 'deprecated', 'pc-q35-rhel10.0.0': 'supported' });
  });
});
