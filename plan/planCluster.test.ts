import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import prodEast from '../clusters/prod-east.js';
import { memoryBytes } from './quantities.js';
import { hypervisorRelease } from '../compatibility/hypervisorReleases.js';
import { TEST_POOL_LABEL, testCluster, testPool } from '../test/support/clusterFixtures.js';
import { nodeObject, PROD_EAST_NODES, prodEastInventoryObjects, runningVm } from '../test/support/planInventories.js';
import { inventoryFromObjects } from './inventoryFromObjects.js';
import { planCluster } from './planCluster.js';
import { VERDICTS } from './planModel.js';

const inventory = inventoryFromObjects(prodEastInventoryObjects(), 'prod-east.yaml');
const plan = planCluster(prodEast, inventory);
const rhel10 = hypervisorRelease('rhel-10.0')!;

describe('prod-east with its example inventory', () => {
  test('the inventory reads without problems and is summarised in the plan', () => {
    expect(plan.inventory).toEqual({ source: 'prod-east.yaml', nodes: inventory.nodes.length, vms: inventory.vms.length, problems: [] });
    expect(inventory.nodes).toHaveLength(prodEast.nodePools.reduce((n, p) => n + (p.nodeCount ?? 0), 0));
  });

  test('steps: now, then the one planned upgrade', () => {
    expect(plan.steps).toEqual([
      { id: 'now', label: 'now', upgradedPools: [] },
      { id: 'after-rhel9-compute', label: 'after rhel9-compute → rhel-10.0', upgradedPools: ['rhel9-compute'] },
    ]);
  });

  test('every node is matched to its pool, as labelled, and counted from the inventory', () => {
    expect(plan.pools.map((p) => [p.name, p.nodes, p.nodeSource, p.nodeNames])).toEqual([
      ['rhel10-compute', PROD_EAST_NODES.rhel10.length, 'inventory', [...PROD_EAST_NODES.rhel10]],
      ['rhel9-compute', PROD_EAST_NODES.rhel9.length, 'inventory', [...PROD_EAST_NODES.rhel9]],
    ]);
    expect(plan.unmatchedNodes).toEqual([]);
    expect(plan.labelMismatches).toEqual([]);
  });

  test('allocatable sums the schedulable nodes only', () => {
    const schedulable = inventory.nodes.filter((n) => n.labels['node.example.com/os-release'] === 'rhel-10.0' && !n.unschedulable);
    expect(schedulable).toHaveLength(PROD_EAST_NODES.rhel10.length - PROD_EAST_NODES.cordoned.length);
    expect(plan.pools[0]!.allocatable!.memoryBytes).toBe(schedulable.reduce((a, n) => a + n.allocatable!.memoryBytes!, 0));
  });

  test('a VM running a type RHEL 10 drops is stranded by the rhel9-compute upgrade; the others are not', () => {
    for (const vm of plan.vms) {
      const dropped = !rhel10.machineTypes.includes(vm.machineType);
      expect(vm.steps[1]!.verdict === 'stranded', `${vm.name} (${vm.machineType})`).toBe(dropped);
    }
    expect(plan.counts.stranded).toBeGreaterThan(0);
  });

  test('the VM on a RHEL 10 node is at risk now: of four RHEL 10 nodes two are cordoned, and it sits on one of the others', () => {
    const onRhel10 = plan.vms.filter((v) => (PROD_EAST_NODES.rhel10 as readonly string[]).includes(v.nodeName ?? ''));
    expect(onRhel10).toHaveLength(1);
    expect(onRhel10[0]!.steps[0]).toMatchObject({ nodes: PROD_EAST_NODES.rhel10.length - PROD_EAST_NODES.cordoned.length - 1, verdict: 'at-risk' });
  });

  test('VMs sorted worst verdict first, then namespace/name; counts agree with the list', () => {
    const keys = plan.vms.map((v) => [VERDICTS.indexOf(v.verdict), v.namespace, v.name] as const);
    const sorted = [...keys].sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]) || a[2].localeCompare(b[2]));
    expect(keys).toEqual(sorted);
    for (const v of VERDICTS) expect(plan.counts[v]).toBe(plan.vms.filter((vm) => vm.verdict === v).length);
  });

  test('the Argo CD-owned VMs that have a newer type get Git patches; the others only transitions', () => {
    const withFix = plan.vms.filter((v) => v.fixes.some((f) => f.kind === 'restart-onto-newer-type') && v.steps[0]!.verdict !== 'stranded');
    expect(plan.transitions.map((t) => t.name).sort()).toEqual(withFix.map((v) => v.name).sort());
    expect(plan.patches.map((p) => p.name).sort()).toEqual(
      withFix
        .filter((v) => v.argoCdApplication)
        .map((v) => v.name)
        .sort(),
    );
    expect(plan.patches.length).toBeGreaterThanOrEqual(2);
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
      nodePools: [testPool('counted', 'rhel-9.6', { upgradeTo: 'rhel-10.0', nodeCount: 5 }), testPool('uncounted', 'rhel-10.0', { nodeCount: undefined })],
    });
    const p = planCluster(definition);
    expect(p.inventory).toBeUndefined();
    expect(p.pools.map((x) => [x.name, x.nodes, x.nodeSource])).toEqual([
      ['counted', 5, 'definition'],
      ['uncounted', null, 'unknown'],
    ]);
    expect(p.steps.map((s) => s.id)).toEqual(['now', 'after-counted']);
    expect(p.grid.rows).toHaveLength(2);
    expect(p.vms).toEqual([]);
    expect(p.capacity.rule).not.toBe('');
    expect(p.capacity.pools.every((c) => c.usable.memoryBytes === null && !c.overcommitted)).toBe(true);
    expect(p.counts).toEqual({ stranded: 0, 'at-risk': 0, deprecated: 0, ok: 0 });
  });

  test('VMs without nodes: judged on the pools with the definition’s node counts (at-risk unjudged where a count is unknown)', () => {
    const definition = testCluster({ nodePools: [testPool('two', 'rhel-9.6', { nodeCount: 2 }), testPool('unknown', 'rhel-9.3', { nodeCount: undefined })] });
    const vms = runningVm('ns', 'vm', 'w-1', 'pc-q35-rhel9.6.0');
    const rhel8 = runningVm('ns', 'old', 'w-2', 'pc-q35-rhel8.6.0', { machineType: 'pc-q35-rhel8.6.0' });
    const p = planCluster(definition, inventoryFromObjects([...vms, ...rhel8], 'vms.yaml'));
    expect(p.pools.map((x) => x.nodeSource)).toEqual(['definition', 'unknown']);
    // pc-q35-rhel9.6.0 only on 'two': two nodes, one of them its own.
    expect(p.vms.find((v) => v.name === 'vm')!.steps[0]).toEqual({ step: 'now', pools: ['two'], nodes: 1, verdict: 'at-risk' });
    expect(p.vms.find((v) => v.name === 'old')!.steps[0]).toMatchObject({ pools: ['two', 'unknown'], nodes: null, verdict: 'deprecated' });
  });

  test('an inventory with nodes, none in a pool: that pool has 0 nodes from the inventory', () => {
    const definition = testCluster({ nodePools: [testPool('full', 'rhel-9.6'), testPool('empty', 'rhel-10.0')] });
    const p = planCluster(definition, inventoryFromObjects([nodeObject('w-1', { labels: { [TEST_POOL_LABEL]: 'full' } })], 'nodes.yaml'));
    expect(p.pools.find((x) => x.name === 'empty')).toMatchObject({ nodes: 0, nodeSource: 'inventory', nodeNames: [] });
  });

  test('quantities in the example inventory are what the nodes state', () => {
    const node = prodEastInventoryObjects().find((o) => o.kind === 'Node') as { status: { allocatable: { memory: string } } };
    expect(inventory.nodes.some((n) => n.allocatable?.memoryBytes === memoryBytes(node.status.allocatable.memory))).toBe(true);
  });
});
