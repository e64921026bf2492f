import { expect, test } from 'vitest';
import prodEast from '../clusters/prod-east.js';
import { testCluster, upgradingTestCluster } from '../testbed/support/clusterFixtures.js';
import { launcherStepInventoryObjects, prodEastInventoryObjects } from '../testbed/support/planInventories.js';
import { inventoryFromObjects } from './inventoryFromObjects.js';
import { planCluster } from './planCluster.js';
import { planFleet } from './planFleet.js';
import { PLAN_SCHEMA_VERSION, VERDICTS } from './planModel.js';

test('a fleet plan: the schema version, clusters by name with their own inventories, counts summed', () => {
  const inventory = inventoryFromObjects(prodEastInventoryObjects(), 'prod-east.yaml');
  const other = testCluster({ name: 'a-synthetic' });
  const upgrading = upgradingTestCluster();
  const upgradingInventory = inventoryFromObjects(launcherStepInventoryObjects(upgrading), 'x');
  const fleet = planFleet(
    [prodEast, upgrading, other],
    new Map([
      ['prod-east', inventory],
      [upgrading.name, upgradingInventory],
    ]),
  );
  expect(fleet.schemaVersion).toBe(PLAN_SCHEMA_VERSION);
  expect(fleet.clusters.map((c) => c.cluster)).toEqual(['a-synthetic', 'prod-east', upgrading.name]);
  expect(fleet.clusters[0]).toEqual(planCluster(other));
  expect(fleet.clusters[1]).toEqual(planCluster(prodEast, inventory));
  expect(fleet.clusters[2]).toEqual(planCluster(upgrading, upgradingInventory));
  for (const v of VERDICTS) expect(fleet.counts[v]).toBe(fleet.clusters.reduce((n, c) => n + c.counts[v], 0));
  expect(fleet.counts.stranded).toBeGreaterThan(0);
});

test('a fleet of clusters without inventories counts nothing', () => {
  const fleet = planFleet([testCluster()], new Map());
  expect(fleet.counts).toEqual(Object.fromEntries(VERDICTS.map((v) => [v, 0])));
});
