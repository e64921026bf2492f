import { describe, expect, test } from 'vitest';
import { parseMachineType } from '../compatibility/machineTypeNames.js';
import { type MachineTypeSet, resolveMachineTypeSet, resolvePools } from '../compatibility/poolMachineTypes.js';
import { TEST_POOL_LABEL, testCluster, testPool } from '../test/support/clusterFixtures.js';
import { kvfleetMachineTypeLabels, nodeObject, runningVm } from '../test/support/planInventories.js';
import { type FixContext, newerMachineType, nodesToKeep } from './fixes.js';
import { inventoryFromObjects } from './inventoryFromObjects.js';
import { planCluster } from './planCluster.js';

const GiB = 1024 ** 3;

function context(pools: ReturnType<typeof resolvePools>, finalNodeSets?: MachineTypeSet[]): FixContext {
  return {
    pools,
    poolNodes: new Map(pools.map((p) => [p.name, 2])),
    ...(finalNodeSets ? { finalNodeSets } : {}),
    averageNodeMemoryBytes: new Map(),
  };
}

describe('restart onto a newer type', () => {
  const rhelPools = resolvePools(testCluster({ nodePools: [testPool('rhel96', 'rhel-9.6', { upgradeTo: 'rhel-10.0' }), testPool('rhel10', 'rhel-10.0')] }));
  // RHEL 9.6 offers 10.0.0 in no form; QEMU 10.0 (no upgrade) keeps fewer types than 10.1 → 11.0.
  const qemuPools = resolvePools(testCluster({ nodePools: [testPool('q101', 'qemu-10.1', { upgradeTo: 'qemu-11.0' }), testPool('q100', 'qemu-10.0')] }));
  const q100 = resolveMachineTypeSet('qemu-10.0')!;

  test('a RHEL 8 q35 type moves to the newest q35 type RHEL 10 offers (what its q35 alias names)', () => {
    expect(newerMachineType('pc-q35-rhel8.6.0', context(rhelPools))?.machineType).toBe(resolveMachineTypeSet('rhel-10.0')!.aliases.q35);
  });

  test('an i440fx VM stays i440fx: the newest i440fx type both QEMU pools keep is QEMU 10.0’s newest', () => {
    const newer = newerMachineType('pc-i440fx-4.2', context(qemuPools));
    expect(parseMachineType(newer!.machineType)!.chipset).toBe('i440fx');
    expect(newer!.machineType).toBe(q100.aliases.pc);
  });

  test('no i440fx type survives RHEL 10: no restart fix', () => {
    expect(newerMachineType('pc-i440fx-rhel7.6.0', context(rhelPools))).toBeUndefined();
  });

  test('a type no newer than the VM’s own is no fix', () => {
    expect(newerMachineType(resolveMachineTypeSet('rhel-10.0')!.aliases.q35!, context(rhelPools))).toBeUndefined();
  });

  test('a pool known to be empty does not restrict the choice', () => {
    const ctx = {
      ...context(qemuPools),
      poolNodes: new Map([
        ['q101', 3],
        ['q100', 0],
      ]),
    };
    expect(newerMachineType('pc-q35-4.2', ctx)?.machineType).toBe(resolveMachineTypeSet('qemu-11.0')!.aliases.q35);
  });

  test('a type some schedulable node lacks is passed over for one every node runs', () => {
    const older = resolveMachineTypeSet('qemu-9.2')!; // a q100 node labelled as QEMU 9.2: it lacks the 10.0 types
    const all = newerMachineType('pc-q35-4.2', context(qemuPools, [resolveMachineTypeSet('qemu-11.0')!, q100]));
    const some = newerMachineType('pc-q35-4.2', context(qemuPools, [resolveMachineTypeSet('qemu-11.0')!, older]));
    expect(all).toEqual({ machineType: q100.aliases.q35, onEveryNode: true });
    expect(some).toEqual({ machineType: older.aliases.q35, onEveryNode: true });
  });
});

describe('nodes to keep on the old release', () => {
  test.each([
    ['two small VMs: the minimum of 2', [64 * GiB, 32 * GiB], 12, 250 * GiB, { nodes: 2, wanted: 2, basis: 'memory' }],
    ['600 GiB on 250 GiB nodes: 3 nodes and a spare', [200 * GiB, 200 * GiB, 200 * GiB], 12, 250 * GiB, { nodes: 4, wanted: Math.ceil(600 / 250) + 1, basis: 'memory' }],
    ['more than the pool has: capped at its size', [200 * GiB, 200 * GiB, 200 * GiB], 3, 250 * GiB, { nodes: 3, wanted: 4, basis: 'memory' }],
    ['a VM of unknown memory: one node per VM, at least 2', [8 * GiB, undefined], 12, 250 * GiB, { nodes: 2, wanted: 2, basis: 'count' }],
    ['five VMs of unknown memory', [undefined, undefined, undefined, undefined, undefined], 12, 250 * GiB, { nodes: 5, wanted: 5, basis: 'count' }],
    ['node memory unknown', [8 * GiB], 12, undefined, { nodes: 2, wanted: 2, basis: 'count' }],
    ['a one-node pool', [8 * GiB], 1, 250 * GiB, { nodes: 1, wanted: 2, basis: 'memory' }],
    ['pool size unknown: not capped', [undefined, undefined, undefined], null, undefined, { nodes: 3, wanted: 3, basis: 'count' }],
  ])('%s', (_what, memory, poolNodes, average, expected) => {
    expect(nodesToKeep(memory, poolNodes, average)).toEqual(expected);
  });
});

describe('fixes in a plan', () => {
  const definition = testCluster({ nodePools: [testPool('rhel96', 'rhel-9.6', { upgradeTo: 'rhel-10.0' }), testPool('rhel10', 'rhel-10.0')] });
  const pools = resolvePools(definition);
  const node = (name: string, pool: string) =>
    nodeObject(name, { labels: { [TEST_POOL_LABEL]: pool, ...kvfleetMachineTypeLabels(pools.find((p) => p.name === pool)!.current) }, memory: '100Gi' });
  const nodes = [...['a-1', 'a-2', 'a-3'].map((n) => node(n, 'rhel96')), node('b-1', 'rhel10'), node('b-2', 'rhel10')];

  function planWith(vms: Record<string, unknown>[]) {
    return planCluster(definition, inventoryFromObjects([...nodes, ...vms], 'test'));
  }

  test('a stranded q35 VM: restart first, then keep its pool; the keep fix counts every VM that needs the old release', () => {
    const plan = planWith([
      ...runningVm('ns', 'big', 'a-1', 'pc-q35-rhel8.6.0', { machineType: 'pc-q35-rhel8.6.0', memory: '150Gi' }),
      ...runningVm('ns', 'small', 'a-2', 'pc-q35-rhel8.6.0', { machineType: 'pc-q35-rhel8.6.0', memory: '20Gi' }),
      ...runningVm('ns', 'fine', 'a-3', 'pc-q35-rhel9.6.0', { memory: '500Gi' }),
    ]);
    const big = plan.vms.find((v) => v.name === 'big')!;
    expect(big.fixes.map((f) => f.kind)).toEqual(['restart-onto-newer-type', 'keep-pool-on-release']);
    expect(big.fixes[0]).toMatchObject({ machineType: resolveMachineTypeSet('rhel-10.0')!.aliases.q35, restartRequired: true });
    expect(big.fixes[0]!.text).toMatch(/restart is required: the machine type is fixed when the VM boots, and live migration cannot change it/);
    // (150 + 20) GiB over 100 GiB nodes → 2, plus a spare; the ok VM's 500 GiB does not count.
    expect(big.fixes[1]).toMatchObject({ pool: 'rhel96', release: 'rhel-9.6', nodesNeeded: Math.ceil(170 / 100) + 1 });
    expect(big.fixes[1]!.text).toMatch(
      /max\(2, ceil\(memory requests of the 2 VMs that need it, 170 GiB, \/ average node allocatable memory, 100 GiB\) \+ 1 spare\) = 3/,
    );
    expect(plan.vms.find((v) => v.name === 'fine')!.fixes).toEqual([]);
  });

  test('a stranded i440fx VM gets no restart fix, only its pool kept', () => {
    const plan = planWith(runningVm('ns', 'win', 'a-1', 'pc-i440fx-rhel7.6.0', { machineType: 'pc-i440fx-rhel7.6.0', memory: '8Gi' }));
    expect(plan.vms[0]!.verdict).toBe('stranded');
    expect(plan.vms[0]!.fixes.map((f) => f.kind)).toEqual(['keep-pool-on-release']);
  });

  test('more memory than the pool holds: every node kept, and the text says the pool is too small', () => {
    const plan = planWith(runningVm('ns', 'huge', 'a-1', 'pc-q35-rhel8.6.0', { machineType: 'pc-q35-rhel8.6.0', memory: '400Gi' }));
    const keep = plan.vms[0]!.fixes.find((f) => f.kind === 'keep-pool-on-release')!;
    expect(keep).toMatchObject({ nodesNeeded: 3 });
    expect(keep.text).toMatch(/more than the pool has: keep all 3/);
  });
});
