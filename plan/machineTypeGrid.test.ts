import { describe, expect, test } from 'vitest';
import { launcherEntry } from '../compatibility/launcherCatalogue.js';
import { sortMachineTypes } from '../compatibility/machineTypeNames.js';
import { finalSet, type MachineTypeSet, resolveCluster } from '../compatibility/poolMachineTypes.js';
import { upgradingTestCluster } from '../testbed/support/clusterFixtures.js';
import { gridCell, machineTypeGrid } from './machineTypeGrid.js';

/** A SYNTHETIC set: only the fields the grid reads matter. */
const set = (supported: string[], deprecated: string[] = []): MachineTypeSet => ({ launcher: 'x', architecture: 'amd64', supported, deprecated, aliases: {} });

test.each([
  ['kept, never deprecated', set(['t']), set(['t']), 'supported'],
  ['nothing planned', set(['t']), undefined, 'supported'],
  ['deprecated now', set(['t'], ['t']), set(['t']), 'deprecated'],
  ['deprecated by a step', set(['t']), set(['t'], ['t']), 'deprecated'],
  ['deprecated, nothing planned', set(['t'], ['t']), undefined, 'deprecated'],
  ['dropped by a step', set(['t']), set([]), 'dropped'],
  ['added by a step', set([]), set(['t']), 'added'],
  ['nowhere', set([]), set([]), 'absent'],
  ['nowhere, nothing planned', set([]), undefined, 'absent'],
] as const)('%s: %s', (_what, current, after, cell) => {
  expect(gridCell(current, after, 't')).toBe(cell);
});

describe('the grid of a cluster before KubeVirt 1.8 and a CS10 launcher switch', () => {
  const { pools } = resolveCluster(upgradingTestCluster());
  const grid = machineTypeGrid(pools);
  const cs9now = launcherEntry('1.7.0', 'centos-stream-9')!.architectures.amd64!;
  const cs10 = launcherEntry('1.8.0', 'centos-stream-10')!.architectures.amd64!;
  const row = (pool: string) => grid.rows.find((r) => r.pool === pool)!.cells;

  test('columns: every type some pool offers now or after the last step; rows by pool name', () => {
    expect(grid.machineTypes).toEqual(sortMachineTypes(pools.flatMap((p) => [...p.current.supported, ...finalSet(p).supported])));
    expect(grid.rows.map((r) => r.pool)).toEqual(['arm', 'east', 'west']);
  });

  test.each(cs9now.machineTypes.map((t) => [t]))('%s on an amd64 pool follows what the CS10 launcher drops', (t) => {
    expect(row('east')[t]).toBe(cs10.machineTypes.includes(t) ? 'deprecated' : 'dropped');
  });

  test('the types only the CS10 launcher brings are added on amd64 pools, absent on arm64', () => {
    const brought = cs10.machineTypes.filter((t) => !cs9now.machineTypes.includes(t) && t !== 'pc-q35-rhel9.8.0');
    for (const t of brought) expect([row('west')[t], row('arm')[t]]).toEqual(['added', 'absent']);
  });
});
