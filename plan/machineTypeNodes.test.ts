import { expect, test } from 'vitest';
import prodEast from '../clusters/prod-east.js';
import { upgradingTestCluster } from '../testbed/support/clusterFixtures.js';
import { launcherStepInventoryObjects, PROD_EAST_NODES, prodEastInventoryObjects } from '../testbed/support/planInventories.js';
import { type Inventory } from './inventory.js';
import { inventoryFromObjects } from './inventoryFromObjects.js';
import { machineTypeNodes } from './machineTypeNodes.js';

const inventory = inventoryFromObjects(prodEastInventoryObjects(), 'test');
const cordoned = PROD_EAST_NODES.cordoned as readonly string[];
const hosts = [...PROD_EAST_NODES.rhel9, ...PROD_EAST_NODES.rhel10].filter((n) => !cordoned.includes(n) && n !== PROD_EAST_NODES.unlabelled).sort();

test('prod-east: a RHEL 8 type runs on every labelled schedulable node, whatever its OS; the unlabelled node only once a new virt-handler labels it', () => {
  const nodes = machineTypeNodes(prodEast, inventory, 'pc-q35-rhel8.6.0')!;
  expect(nodes.steps.map((s) => s.step)).toEqual(['now', 'step-1', 'step-2']);
  // now and after the node OS upgrade: by the labels; after KubeVirt 1.6.2 every node carries the new launcher's set.
  expect(nodes.steps.map((s) => s.nodes)).toEqual([hosts, hosts, [...hosts, PROD_EAST_NODES.unlabelled].sort()]);
  expect(nodes.cordonedNodes).toEqual([...PROD_EAST_NODES.cordoned]);
});

test('a type the CS10 launcher drops runs on its pool now and on no node after the switch', () => {
  const cluster = upgradingTestCluster();
  const nodes = machineTypeNodes(cluster, inventoryFromObjects(launcherStepInventoryObjects(cluster), 'test'), 'pc-q35-rhel8.6.0')!;
  expect(nodes.steps.map((s) => s.nodes.length)).toEqual([6, 6, 6, 0]);
  expect(nodes.steps[2]!.label).toContain('machine types unchanged');
});

test('an inventory without nodes gives no node names', () => {
  const vmsOnly: Inventory = { ...inventory, nodes: [] };
  expect(machineTypeNodes(prodEast, vmsOnly, 'q35')).toBeUndefined();
});
