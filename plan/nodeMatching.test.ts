import { describe, expect, test } from 'vitest';
import { KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX } from '../compatibility/kubevirtNames.js';
import { machineTypeLabelKey } from '../compatibility/labelKeys.js';
import { resolveMachineTypeSet, resolvePools } from '../compatibility/poolMachineTypes.js';
import { TEST_POOL_LABEL, testCluster, testPool } from '../test/support/clusterFixtures.js';
import { kvfleetMachineTypeLabels } from '../test/support/planInventories.js';
import { type InventoryNode } from './inventory.js';
import { labelledMachineTypes, matchNodes, selectorMatches } from './nodeMatching.js';

const pools = resolvePools(testCluster({ nodePools: [testPool('rhel96', 'rhel-9.6', { upgradeTo: 'rhel-10.0' }), testPool('rhel10', 'rhel-10.0')] }));
const rhel96 = pools.find((p) => p.name === 'rhel96')!;
const rhel10 = pools.find((p) => p.name === 'rhel10')!;

const node = (name: string, labels: Record<string, string>, unschedulable = false): InventoryNode => ({ name, labels, unschedulable });
const inPool = (pool: string, more: Record<string, string> = {}) => ({ [TEST_POOL_LABEL]: pool, ...more });
/** KubeVirt's labels for a set: one per canonical type and alias (virt-handler lists every `<machine>` name). */
const kubevirtLabels = (types: readonly string[]) => Object.fromEntries(types.map((t) => [KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX + t, 'true']));

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
    const m = matchNodes(pools, [node('w-2', inPool('rhel10')), node('w-1', inPool('rhel96')), node('gpu-1', { [TEST_POOL_LABEL]: 'gpu' })]);
    expect(m.nodes.map((n) => [n.name, n.pool])).toEqual([
      ['w-1', 'rhel96'],
      ['w-2', 'rhel10'],
    ]);
    expect(m.unmatchedNodes).toEqual(['gpu-1']);
    expect(m.labelMismatches).toEqual([]);
  });

  test('a node matching two pools goes to the first by name, and the plan says so', () => {
    const overlapping = resolvePools(
      testCluster({
        nodePools: [testPool('b-pool', 'rhel-9.6', { nodeSelector: { zone: 'a' } }), testPool('a-pool', 'rhel-10.0', { nodeSelector: { rack: '1' } })],
      }),
    );
    const m = matchNodes(overlapping, [node('w-1', { zone: 'a', rack: '1' })]);
    expect(m.nodes[0]!.pool).toBe('a-pool');
    expect(m.labelMismatches).toEqual(['w-1: matches the nodeSelectors of pools a-pool, b-pool; planned in a-pool, the first by name']);
  });

  test('a node without machine-type labels runs its pool’s definition', () => {
    const [n] = matchNodes(pools, [node('w-1', inPool('rhel96'))]).nodes;
    expect(n).toMatchObject({ nowSource: 'definition', now: rhel96.current, schedulable: true });
  });

  test('a cordoned node is matched to its pool, but not schedulable', () => {
    expect(matchNodes(pools, [node('w-1', inPool('rhel96'), true)]).nodes[0]).toMatchObject({ pool: 'rhel96', schedulable: false });
  });

  test('kvfleet labels that agree with the pool give the pool’s set and no mismatch', () => {
    const m = matchNodes(pools, [node('w-1', inPool('rhel96', kvfleetMachineTypeLabels(rhel96.current)))]);
    expect(m.nodes[0]!.nowSource).toBe('kvfleet-labels');
    expect(m.nodes[0]!.now).toEqual(rhel96.current);
    expect(m.labelMismatches).toEqual([]);
  });

  test('a node of the RHEL 9.6 pool labelled as RHEL 10 is judged by its labels, and both directions are named', () => {
    const m = matchNodes(pools, [node('w-3', inPool('rhel96', kvfleetMachineTypeLabels(rhel10.current)))]);
    expect(m.nodes[0]!.now.supported).toEqual(rhel10.current.supported);
    const missing = rhel96.current.supported.filter((t) => !rhel10.current.supported.includes(t));
    const extra = rhel10.current.supported.filter((t) => !rhel96.current.supported.includes(t));
    expect(m.labelMismatches).toEqual([
      `w-3: node w-3 (pool rhel96) carries kvfleet labels for ${extra.join(', ')} that rhel-9.6 does not offer — upgraded ahead of the definition? a machineTypes override missing?`,
      `w-3: node w-3 (pool rhel96) carries no kvfleet label for ${missing.join(', ')} that rhel-9.6 offers — already upgraded? labeller not running?`,
    ]);
  });

  test('KubeVirt labels count too; aliases and non-x86 names among them are not types', () => {
    const labels = inPool('rhel96', kubevirtLabels([...rhel96.current.supported, 'q35', 'pc', 'microvm', 'none']));
    const [n] = matchNodes(pools, [node('w-1', labels)], 'kubevirt').nodes;
    expect(n!.nowSource).toBe('kubevirt-labels');
    expect(n!.now.supported).toEqual(rhel96.current.supported);
    // QEMU resolves an alias to the newest type of its chipset; KubeVirt does not label the target.
    expect(n!.now.aliases).toEqual(rhel96.current.aliases);
    // KubeVirt labels no deprecation, so the pool's declaration stands.
    expect(n!.now.deprecated).toEqual(rhel96.current.deprecated);
  });

  test('the scheduling labeller’s labels win over the other’s', () => {
    const labels = inPool('rhel96', { ...kvfleetMachineTypeLabels(rhel96.current), ...kubevirtLabels(['pc-q35-rhel9.6.0']) });
    expect(matchNodes(pools, [node('w-1', labels)], 'kvfleet').nodes[0]!.now.supported).toEqual(rhel96.current.supported);
    expect(matchNodes(pools, [node('w-1', labels)], 'kubevirt').nodes[0]!.now.supported).toEqual(['pc-q35-rhel9.6.0']);
  });
});

describe('labelledMachineTypes', () => {
  const set96 = resolveMachineTypeSet('rhel-9.6')!;

  test('no machine-type labels: undefined (the definition applies)', () => {
    expect(labelledMachineTypes({ [TEST_POOL_LABEL]: 'x' }, set96)).toBeUndefined();
  });

  test('kvfleet’s deprecation labels are the truth where kvfleet labels the node: no label, not deprecated', () => {
    const labels = { [machineTypeLabelKey('pc-q35-rhel8.6.0')!]: 'true', [machineTypeLabelKey('pc-q35-rhel9.6.0')!]: 'true' };
    expect(set96.deprecated).toContain('pc-q35-rhel8.6.0');
    expect(labelledMachineTypes(labels, set96)!.set.deprecated).toEqual([]);
  });

  test('kvfleet’s alias label picks the alias target; without it, the newest type of the alias’s chipset', () => {
    const types = ['pc-q35-rhel9.4.0', 'pc-q35-rhel9.6.0', 'pc-i440fx-rhel7.6.0'];
    const base = Object.fromEntries([...types, 'q35', 'pc'].map((t) => [machineTypeLabelKey(t)!, 'true']));
    expect(labelledMachineTypes(base, set96)!.set.aliases).toEqual({ q35: 'pc-q35-rhel9.6.0', pc: 'pc-i440fx-rhel7.6.0' });
    const pinned = { ...base, 'alias.machine-type.kvfleet.io/q35': 'pc-q35-rhel9.4.0' };
    expect(labelledMachineTypes(pinned, set96)!.set.aliases.q35).toBe('pc-q35-rhel9.4.0');
  });
});
