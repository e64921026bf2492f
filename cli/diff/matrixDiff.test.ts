import { expect, test } from 'vitest';
import { matrixDocument } from '../../compatibility/matrixDocument.js';
import { TEST_CS10_LAUNCHER_IMAGE, testCluster, testPool } from '../../testbed/support/clusterFixtures.js';
import { diffMatrices, isEmptyDiff } from './matrixDiff.js';

const base = testCluster({ kubevirtVersion: '1.8.0' });

test('the same fleet gives an empty diff', () => {
  const m = matrixDocument(base);
  expect(isEmptyDiff(diffMatrices(m, m))).toBe(true);
});

test('switching the launcher to a CS10 build denies the RHEL 7/8 types and admits the RHEL 10 ones, and names both launchers', () => {
  const after = testCluster({ kubevirtVersion: '1.8.0', launcher: { build: 'centos-stream-10', image: TEST_CS10_LAUNCHER_IMAGE } });
  const d = diffMatrices(matrixDocument(base), matrixDocument(after));
  expect(d.launcher).toEqual({
    before: 'virt-launcher 1.8 centos-stream-9 (QEMU 10.1.0-10.el9), image quay.io/kubevirt/virt-launcher:v1.8.0',
    after: expect.stringMatching(/^virt-launcher 1\.8 centos-stream-10 .*, image registry\.example\.com\/test\/virt-launcher:v1\.8\.0-cs10$/),
  });
  expect(d.nowDenied).toContain('pc-q35-rhel8.6.0');
  expect(d.nowAllowed).toContain('pc-q35-rhel10.2.0');
  expect(d.pools.map((p) => p.pool)).toEqual(['east', 'west']);
  expect(d.pools[0]!.newlyDeprecated).toContain('pc-q35-rhel9.6.0');
});

test('removing a pool whose types another pool keeps denies nothing', () => {
  const d = diffMatrices(matrixDocument(base), matrixDocument(testCluster({ kubevirtVersion: '1.8.0', nodePools: [testPool('west')] })));
  expect(d.pools.map((p) => [p.pool, p.change])).toEqual([['east', 'removed']]);
  expect(d.nowDenied).toEqual([]);
});

test('planning a launcher step is a change even though today nothing is denied: the steps and what the pools offer afterwards', () => {
  const planned = testCluster({ kubevirtVersion: '1.8.0', plannedSteps: [{ kind: 'launcher-switch', build: 'centos-stream-10', image: TEST_CS10_LAUNCHER_IMAGE }] });
  const d = diffMatrices(matrixDocument(base), matrixDocument(planned));
  expect(d.steps).toEqual({ before: [], after: ['launcher centos-stream-9 → centos-stream-10'] });
  expect(d.launcher).toBeUndefined();
  expect(d.pools[0]).toMatchObject({ typesAdded: [], typesRemoved: [], afterSteps: { typesRemoved: expect.arrayContaining(['pc-q35-rhel8.6.0']) } });
  expect(d.nowDenied).toEqual([]);
});

test('a node OS step changes the list of steps and nothing a pool offers', () => {
  const planned = testCluster({
    kubevirtVersion: '1.8.0',
    nodePools: [testPool('east', { os: 'rhel-9.6' }), testPool('west')],
    plannedSteps: [{ kind: 'node-os-upgrade', pool: 'east', to: 'rhel-10.0' }],
  });
  const d = diffMatrices(matrixDocument(base), matrixDocument(planned));
  expect(d.steps!.after).toEqual(['pool east OS rhel-9.6 → rhel-10.0']);
  expect(d.pools).toEqual([]);
});

test('a new cluster admits everything its pools run', () => {
  const d = diffMatrices(undefined, matrixDocument(testCluster({ nodePools: [testPool('arm', { architecture: 'arm64' })] })));
  expect(d.pools[0]).toMatchObject({ change: 'added', architecture: { after: 'arm64' } });
  expect(d.nowAllowed).toContain('virt-rhel9.6.0');
});
