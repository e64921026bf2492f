import { expect, test } from 'vitest';
import { type MachineTypeGrid } from '../planModel.js';
import { gridChanges } from './gridChanges.js';

const grid: MachineTypeGrid = {
  machineTypes: ['t8', 't9', 't10'],
  rows: [
    { pool: 'a', cells: { t8: 'dropped', t9: 'supported', t10: 'added' } },
    { pool: 'b', cells: { t8: 'deprecated', t9: 'supported', t10: 'absent' } },
    { pool: 'c', cells: { t8: 'absent', t9: 'dropped', t10: 'supported' } },
  ],
};

test('lists per changed pool the dropped types with the pools still running them, and the added types', () => {
  expect(gridChanges(grid)).toEqual([
    { pool: 'a', dropped: [{ machineType: 't8', stillOn: ['b'] }], added: ['t10'] },
    { pool: 'c', dropped: [{ machineType: 't9', stillOn: ['a', 'b'] }], added: [] },
  ]);
});

test('a grid no upgrade changes has no changes', () => {
  expect(gridChanges({ machineTypes: ['t9'], rows: [{ pool: 'a', cells: { t9: 'supported' } }] })).toEqual([]);
});
