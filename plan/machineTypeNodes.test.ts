import { expect, test } from 'vitest';
import prodEast from '../clusters/prod-east.js';
import { PROD_EAST_NODES, prodEastInventoryObjects } from '../test/support/planInventories.js';
import { type Inventory } from './inventory.js';
import { inventoryFromObjects } from './inventoryFromObjects.js';
import { machineTypeNodes } from './machineTypeNodes.js';

const inventory = inventoryFromObjects(prodEastInventoryObjects(), 'test');
const schedulableRhel10 = PROD_EAST_NODES.rhel10.filter((n) => !(PROD_EAST_NODES.cordoned as readonly string[]).includes(n));

test('a type RHEL 10 drops runs on every RHEL 9 node now and on no node after the upgrade', () => {
  const nodes = machineTypeNodes(prodEast, inventory, 'pc-q35-rhel8.6.0')!;
  expect(nodes.steps.map((s) => s.step)).toEqual(['now', 'after-rhel9-compute']);
  expect(nodes.steps[0]!.nodes).toEqual([...PROD_EAST_NODES.rhel9].sort());
  expect(nodes.steps[1]!.nodes).toEqual([]);
});

test("RHEL 10's type runs on the schedulable RHEL 10 nodes now, and on every schedulable node after the upgrade; cordoned nodes never", () => {
  const nodes = machineTypeNodes(prodEast, inventory, 'pc-q35-rhel10.0.0')!;
  expect(nodes.steps[0]!.nodes).toEqual(schedulableRhel10);
  expect(nodes.steps[1]!.nodes).toEqual([...PROD_EAST_NODES.rhel10.filter((n) => schedulableRhel10.includes(n)), ...PROD_EAST_NODES.rhel9].sort());
  expect(nodes.cordonedNodes).toEqual([...PROD_EAST_NODES.cordoned]);
});

test('an inventory without nodes gives no node names', () => {
  const vmsOnly: Inventory = { ...inventory, nodes: [] };
  expect(machineTypeNodes(prodEast, vmsOnly, 'q35')).toBeUndefined();
});
