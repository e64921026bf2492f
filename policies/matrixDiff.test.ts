import { expect, test } from 'vitest';
import { type ClusterDefinition, defineCluster, type NodePool } from './clusterDefinition.js';
import { diffMatrices, isEmptyDiff } from './matrixDiff.js';
import { matrixDocument } from './matrixDocument.js';

const cluster = (pools: NodePool[]): ClusterDefinition =>
  defineCluster({ name: 'c', kubernetesVersion: '1.33', kubevirtVersion: '1.6.2', kubeOvn: 'none', argocd: { name: 'c' }, nodePools: pools });
const rhel93: NodePool = { name: 'rhel93', nodeSelector: { p: '93' }, hypervisor: 'rhel-9.3', nodeCount: 2 };
const rhel96: NodePool = { name: 'rhel96', nodeSelector: { p: '96' }, hypervisor: 'rhel-9.6', nodeCount: 2 };

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
