import { expect, test } from 'vitest';
import { type TestPool, testCluster, testPool } from '../../test/support/clusterFixtures.js';
import { type ClusterDefinition } from '../../fleet/clusterDefinition.js';
import { diffMatrices, isEmptyDiff } from './matrixDiff.js';
import { matrixDocument } from '../../compatibility/matrixDocument.js';

const cluster = (pools: TestPool[]): ClusterDefinition => testCluster({ nodePools: pools });
const rhel93 = testPool('rhel93', 'rhel-9.3');
const rhel96 = testPool('rhel96', 'rhel-9.6');

test('the same fleet gives an empty diff', () => {
  const m = matrixDocument(cluster([rhel93, rhel96]));
  expect(isEmptyDiff(diffMatrices(m, m))).toBe(true);
});

test('moving the last RHEL 9 pool to RHEL 10 denies the RHEL 8 types and admits rhel10.0.0', () => {
  const d = diffMatrices(matrixDocument(cluster([rhel96])), matrixDocument(cluster([{ ...rhel96, hypervisor: 'rhel-10.0' }])));
  expect(d.pools).toHaveLength(1);
  expect(d.pools[0]).toMatchObject({ pool: 'rhel96', change: 'changed', release: { before: 'rhel-9.6', after: 'rhel-10.0' } });
  expect(d.nowDenied).toContain('pc-q35-rhel8.6.0');
  expect(d.nowAllowed).toEqual(['pc-q35-rhel10.0.0']);
  expect(d.pools[0]!.newlyDeprecated).toContain('pc-q35-rhel9.6.0');
});

test('removing a pool whose types another pool keeps denies nothing', () => {
  const d = diffMatrices(matrixDocument(cluster([rhel93, rhel96])), matrixDocument(cluster([rhel96])));
  expect(d.pools.map((p) => [p.pool, p.change])).toEqual([['rhel93', 'removed']]);
  expect(d.nowDenied).toEqual([]);
});

test('planning an upgrade is a change even though today nothing is denied', () => {
  const d = diffMatrices(matrixDocument(cluster([rhel96])), matrixDocument(cluster([{ ...rhel96, upgradeTo: 'rhel-10.0' }])));
  expect(d.pools[0]).toMatchObject({ upgrade: { before: undefined, after: 'rhel-10.0' }, typesAdded: [], typesRemoved: [] });
  expect(d.nowDenied).toEqual([]);
});

test('a new cluster admits everything its pools run', () => {
  const d = diffMatrices(undefined, matrixDocument(cluster([rhel93])));
  expect(d.pools[0]!.change).toBe('added');
  expect(d.nowAllowed).toContain('pc-q35-rhel9.2.0');
});
