import { expect, test } from 'vitest';
import { resolvePools } from '../compatibility/poolMachineTypes.js';
import { testCluster, testPool } from '../test/support/clusterFixtures.js';
import { planSteps, stepViews } from './planSteps.js';

const pools = resolvePools(
  testCluster({
    // Definition order means nothing: steps follow pool names.
    nodePools: [testPool('zeta', 'rhel-9.6', { upgradeTo: 'rhel-10.0' }), testPool('stay', 'rhel-10.0'), testPool('alpha', 'rhel-9.3', { upgradeTo: 'rhel-9.6' })],
  }),
);

test('now, then one cumulative step per planned upgrade in pool-name order', () => {
  expect(planSteps(pools)).toEqual([
    { id: 'now', label: 'now', upgradedPools: [] },
    { id: 'after-alpha', label: 'after alpha → rhel-9.6', upgradedPools: ['alpha'] },
    { id: 'after-zeta', label: 'after zeta → rhel-10.0', upgradedPools: ['alpha', 'zeta'] },
  ]);
});

test('a pool runs its upgrade set from its own step on, its current set before', () => {
  const views = stepViews(planSteps(pools), pools, undefined);
  const releases = views.map((v) => v.pools.map((p) => `${p.pool}:${p.set.release}`));
  expect(releases).toEqual([
    ['alpha:rhel-9.3', 'stay:rhel-10.0', 'zeta:rhel-9.6'],
    ['alpha:rhel-9.6', 'stay:rhel-10.0', 'zeta:rhel-9.6'],
    ['alpha:rhel-9.6', 'stay:rhel-10.0', 'zeta:rhel-10.0'],
  ]);
});

test('a cluster without planned upgrades has only now', () => {
  expect(planSteps(resolvePools(testCluster())).map((s) => s.id)).toEqual(['now']);
});
