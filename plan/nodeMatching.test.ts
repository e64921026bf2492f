import { describe, expect, test } from 'vitest';
import { resolveCluster, resolveMachineTypeSet } from '../compatibility/poolMachineTypes.js';
import { launcherEntry, launcherLabel } from '../compatibility/launcherCatalogue.js';
import { TEST_POOL_LABEL, testCluster, testPool, upgradingTestCluster } from '../testbed/support/clusterFixtures.js';
import { kubevirtMachineTypeLabels, kvfleetMachineTypeLabels } from '../testbed/support/planInventories.js';
import { type InventoryNode } from './inventory.js';
import { matchNodes, selectorMatches } from './nodeMatching.js';

// KubeVirt 1.7.0: the scheduler checks KubeVirt's own machine-type labels (compatibility/nodeRule.ts).
const { pools } = resolveCluster(upgradingTestCluster());
const east = pools.find((p) => p.name === 'east')!;

const node = (name: string, labels: Record<string, string>, unschedulable = false): InventoryNode => ({ name, labels, unschedulable });
const inPool = (pool: string, more: Record<string, string> = {}) => ({ [TEST_POOL_LABEL]: pool, ...more });

test.each([
  [{}, { a: '1' }, true],
  [{ a: '1' }, { a: '1', b: '2' }, true],
  [{ a: '1', b: '2' }, { a: '1' }, false],
  [{ a: '1' }, { a: '2' }, false],
])('selector %j matches labels %j: %s', (selector, labels, matches) => {
  expect(selectorMatches(selector, labels)).toBe(matches);
});

describe('matchNodes', () => {
  test('a node goes to the pool whose selector its labels satisfy; nodes of no pool are listed apart', () => {
    const labelled = (pool: string) => inPool(pool, kubevirtMachineTypeLabels(pools.find((p) => p.name === pool)!.current));
    const m = matchNodes(pools, [node('w-2', labelled('west')), node('w-1', labelled('east')), node('gpu-1', { [TEST_POOL_LABEL]: 'gpu' })], 'kubevirt');
    expect(m.nodes.map((n) => [n.name, n.pool])).toEqual([
      ['w-1', 'east'],
      ['w-2', 'west'],
    ]);
    expect(m.unmatchedNodes).toEqual(['gpu-1']);
    expect(m.labelMismatches).toEqual([]);
  });

  test('a node matching two pools goes to the first by name, and the plan says so', () => {
    const overlapping = resolveCluster(
      testCluster({ nodePools: [testPool('b-pool', { nodeSelector: { zone: 'a' } }), testPool('a-pool', { nodeSelector: { rack: '1' } })] }),
    ).pools;
    const m = matchNodes(overlapping, [node('w-1', { zone: 'a', rack: '1', ...kubevirtMachineTypeLabels(overlapping[0]!.current) })], 'kubevirt');
    expect(m.nodes[0]!.pool).toBe('a-pool');
    expect(m.labelMismatches).toEqual(['w-1: matches the nodeSelectors of pools a-pool, b-pool; planned in a-pool, the first by name']);
  });

  test('a cordoned node is matched to its pool, but not schedulable', () => {
    expect(matchNodes(pools, [node('w-1', inPool('east'), true)], 'kubevirt').nodes[0]).toMatchObject({ pool: 'east', schedulable: false });
  });

  test("only the scheduling labeller's labels count: kvfleet's labels on a KubeVirt ≥ 1.5.1 node leave it unlabelled", () => {
    const m = matchNodes(pools, [node('w-1', inPool('east', kvfleetMachineTypeLabels(east.current)))], 'kubevirt');
    expect(m.nodes[0]!.labelledTypes).toEqual([]);
    expect(m.labelMismatches).toEqual([
      `w-1: node w-1 (pool east) carries no KubeVirt machine-type label (machine-type.node.kubevirt.io/${east.current.supported.at(-1)}…): the scheduler places no migration target there, so it hosts nothing in this plan — labeller not running?`,
    ]);
    // …and the other way round before 1.5.1.
    expect(matchNodes(pools, [node('w-1', inPool('east', kvfleetMachineTypeLabels(east.current)))], 'kvfleet').labelMismatches).toEqual([]);
  });

  test("KubeVirt's labels: aliases and unversioned names are not types", () => {
    const labels = inPool('east', { ...kubevirtMachineTypeLabels(east.current), 'machine-type.node.kubevirt.io/microvm': 'true' });
    expect(matchNodes(pools, [node('w-1', labels)], 'kubevirt').nodes[0]!.labelledTypes).toEqual(east.current.supported);
  });

  test("a node labelled from the next launcher (a virt-handler canary) names both directions and both launchers' sets", () => {
    const next = launcherEntry('1.8.0', 'centos-stream-9')!;
    const nextSet = resolveMachineTypeSet(next, launcherLabel(next), 'amd64');
    const m = matchNodes(pools, [node('w-3', inPool('east', kubevirtMachineTypeLabels(nextSet)))], 'kubevirt');
    const extra = nextSet.supported.filter((t) => !east.current.supported.includes(t));
    expect(extra.length).toBeGreaterThan(0);
    expect(m.labelMismatches).toEqual([
      `w-3: node w-3 (pool east) carries KubeVirt labels for ${extra.join(', ')} that ${east.current.launcher} does not offer — another launcher image, or a machineTypes override missing?`,
    ]);
  });
});
