import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import prodEast from '../clusters/prod-east.js';
import { memoryBytes } from './quantities.js';
import { TEST_POOL_LABEL, testCluster, testPool } from '../testbed/support/clusterFixtures.js';
import { nodeObject, PROD_EAST_NODES, prodEastInventoryObjects, runningVm } from '../testbed/support/planInventories.js';
import { inventoryFromObjects } from './inventoryFromObjects.js';
import { planCluster } from './planCluster.js';
import { VERDICTS } from './planModel.js';

const inventory = inventoryFromObjects(prodEastInventoryObjects(), 'prod-east.yaml');
const plan = planCluster(prodEast, inventory);

describe('prod-east with its example inventory', () => {
  test('the inventory reads without problems and is summarised in the plan', () => {
    expect(plan.inventory).toEqual({ source: 'prod-east.yaml', nodes: inventory.nodes.length, vms: inventory.vms.length, problems: [] });
    expect(inventory.nodes).toHaveLength(prodEast.nodePools.reduce((n, p) => n + (p.nodeCount ?? 0), 0));
  });

  test('steps: now, the node OS upgrade (machine types unchanged), then KubeVirt 1.6.2', () => {
    expect(plan.steps.map((s) => [s.id, s.kind, s.label, s.machineTypesChanged])).toEqual([
      ['now', 'now', 'now', false],
      ['step-1', 'node-os-upgrade', 'pool rhel9-compute OS rhel-9.6 → rhel-10.0 (machine types unchanged)', false],
      ['step-2', 'kubevirt-upgrade', 'KubeVirt 1.5.0 → 1.6.2 (machine types unchanged)', false],
    ]);
  });

  test('every node is matched to its pool, as labelled, and counted from the inventory', () => {
    expect(plan.pools.map((p) => [p.name, p.nodes, p.nodeSource, p.nodeNames])).toEqual([
      ['rhel10-compute', PROD_EAST_NODES.rhel10.length, 'inventory', [...PROD_EAST_NODES.rhel10]],
      ['rhel9-compute', PROD_EAST_NODES.rhel9.length, 'inventory', [...PROD_EAST_NODES.rhel9]],
    ]);
    expect(plan.unmatchedNodes).toEqual([]);
    // The one node the labeller has not labelled yet is named: by the node rule it hosts nothing.
    expect(plan.labelMismatches).toEqual([expect.stringMatching(new RegExp(`^${PROD_EAST_NODES.unlabelled}: .*carries no kvfleet machine-type label`))]);
  });

  test('allocatable sums the schedulable nodes only', () => {
    const schedulable = inventory.nodes.filter((n) => n.labels['node.example.com/os-release'] === 'rhel-10.0' && !n.unschedulable);
    expect(schedulable).toHaveLength(PROD_EAST_NODES.rhel10.length - PROD_EAST_NODES.cordoned.length);
    expect(plan.pools[0]!.allocatable!.memoryBytes).toBe(schedulable.reduce((a, n) => a + n.allocatable!.memoryBytes!, 0));
  });

  test("the node OS upgrade and the 1.6 launcher (the same QEMU's types) strand nobody: the node's OS does not decide machine types", () => {
    expect(plan.counts.stranded).toBe(0);
    for (const vm of plan.vms) expect(new Set(vm.steps.map((s) => s.verdict))).toEqual(new Set([vm.steps[0]!.verdict]));
    expect(plan.transitions).toEqual([]);
    expect(plan.patches).toEqual([]);
  });

  test('a running VM may move to every labelled schedulable node but its own: cordoned and unlabelled nodes never count', () => {
    const targets = PROD_EAST_NODES.rhel9.length + PROD_EAST_NODES.rhel10.length - PROD_EAST_NODES.cordoned.length - 1;
    const onRhel10 = plan.vms.find((v) => v.nodeName === PROD_EAST_NODES.rhel10[0])!;
    expect(onRhel10.steps[0]).toMatchObject({ pools: ['rhel10-compute', 'rhel9-compute'], nodes: targets - 1, verdict: 'ok' });
  });

  test('VMs sorted worst verdict first, then namespace/name; counts agree with the list', () => {
    const keys = plan.vms.map((v) => [VERDICTS.indexOf(v.verdict), v.namespace, v.name] as const);
    const sorted = [...keys].sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]) || a[2].localeCompare(b[2]));
    expect(keys).toEqual(sorted);
    for (const v of VERDICTS) expect(plan.counts[v]).toBe(plan.vms.filter((vm) => vm.verdict === v).length);
  });

  test('capacity: the RHEL 10 pool can use one node’s worth (two schedulable, one drained)', () => {
    const nodes = inventory.nodes.filter((n) => n.labels['node.example.com/os-release'] === 'rhel-10.0' && !n.unschedulable);
    const largest = Math.max(...nodes.map((n) => n.allocatable!.memoryBytes!));
    const now = plan.capacity.pools.find((p) => p.step === 'now' && p.pool === 'rhel10-compute')!;
    expect(now.usable.memoryBytes).toBe(nodes.reduce((a, n) => a + n.allocatable!.memoryBytes!, 0) - largest);
    expect(plan.capacity.pools).toHaveLength(plan.steps.length * plan.pools.length);
  });

  test('the plan is plain JSON data', () => {
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  test('the same objects in any order give the same plan', () => {
    const objects = prodEastInventoryObjects();
    fc.assert(
      fc.property(fc.shuffledSubarray(objects, { minLength: objects.length }), (shuffled) => {
        expect(planCluster(prodEast, inventoryFromObjects(shuffled, 'prod-east.yaml'))).toEqual(plan);
      }),
      { numRuns: 25 },
    );
  });
});

describe('without a full inventory', () => {
  test('no inventory: pools, grid, steps and capacity rule from the definition; node counts from nodeCount; no VMs', () => {
    const definition = testCluster({
      nodePools: [testPool('counted', { nodeCount: 5 }), testPool('uncounted', { nodeCount: undefined })],
      plannedSteps: [{ kind: 'kubevirt-upgrade', to: '1.7.0' }],
    });
    const p = planCluster(definition);
    expect(p.inventory).toBeUndefined();
    expect(p.pools.map((x) => [x.name, x.nodes, x.nodeSource])).toEqual([
      ['counted', 5, 'definition'],
      ['uncounted', null, 'unknown'],
    ]);
    expect(p.steps.map((s) => s.id)).toEqual(['now', 'step-1']);
    expect(p.grid.rows).toHaveLength(2);
    expect(p.vms).toEqual([]);
    expect(p.capacity.rule).not.toBe('');
    expect(p.capacity.pools.every((c) => c.usable.memoryBytes === null && !c.overcommitted)).toBe(true);
    expect(p.counts).toEqual({ stranded: 0, 'at-risk': 0, deprecated: 0, ok: 0 });
  });

  test('VMs without nodes: judged on the pools with the definition’s node counts (at-risk unjudged where a count is unknown)', () => {
    // 'two' offers pc-q35-rhel9.6.0 and 'unknown' removes it by override; both keep the deprecated RHEL 8 type.
    const definition = testCluster({
      nodePools: [testPool('two', { nodeCount: 2 }), testPool('unknown', { nodeCount: undefined, machineTypes: { remove: ['pc-q35-rhel9.6.0'] } })],
    });
    const vms = runningVm('ns', 'vm', 'w-1', 'pc-q35-rhel9.6.0');
    const rhel8 = runningVm('ns', 'old', 'w-2', 'pc-q35-rhel8.6.0', { machineType: 'pc-q35-rhel8.6.0' });
    const p = planCluster(definition, inventoryFromObjects([...vms, ...rhel8], 'vms.yaml'));
    expect(p.pools.map((x) => x.nodeSource)).toEqual(['definition', 'unknown']);
    // pc-q35-rhel9.6.0 only on 'two': two nodes, one of them its own.
    expect(p.vms.find((v) => v.name === 'vm')!.steps[0]).toEqual({ step: 'now', pools: ['two'], nodes: 1, verdict: 'at-risk' });
    expect(p.vms.find((v) => v.name === 'old')!.steps[0]).toMatchObject({ pools: ['two', 'unknown'], nodes: null, verdict: 'deprecated' });
  });

  test('an inventory with nodes, none in a pool: that pool has 0 nodes from the inventory', () => {
    const definition = testCluster({ nodePools: [testPool('full'), testPool('empty')] });
    const p = planCluster(definition, inventoryFromObjects([nodeObject('w-1', { labels: { [TEST_POOL_LABEL]: 'full' } })], 'nodes.yaml'));
    expect(p.pools.find((x) => x.name === 'empty')).toMatchObject({ nodes: 0, nodeSource: 'inventory', nodeNames: [] });
  });

  test('quantities in the example inventory are what the nodes state', () => {
    const node = prodEastInventoryObjects().find((o) => o.kind === 'Node') as { status: { allocatable: { memory: string } } };
    expect(inventory.nodes.some((n) => n.allocatable?.memoryBytes === memoryBytes(node.status.allocatable.memory))).toBe(true);
  });
});
