import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { placeMachineType } from '../../compatibility/placement.js';
import { chooseTarget, exclusionOf, hostingPools, rankTargets, type TargetQuery } from './migrationTargets.js';
import { type NodeView, parseNode } from './objectViews.js';
import { must, nodeObject, poolNamed, poolNodeLabels, UPGRADE_POOLS } from '../../testbed/support/syntheticMigrationObjects.js';

const node = (name: string, pool: string, extra: { ready?: boolean; cordoned?: boolean } = {}): NodeView =>
  must(parseNode(nodeObject({ name, labels: poolNodeLabels(poolNamed(pool)), ...extra })));

// Two nodes per pool of the synthetic RHEL 9 → 10 cluster.
const nodes = [
  node('up-1', 'rhel9-upgrading'),
  node('up-2', 'rhel9-upgrading'),
  node('stay-1', 'rhel96-staying'),
  node('stay-2', 'rhel96-staying'),
  node('r10-1', 'rhel10'),
  node('r10-2', 'rhel10'),
];
const query = (machineType: string, over: Partial<TargetQuery> = {}): TargetQuery => ({
  machineType,
  labeller: 'kvfleet',
  excluded: new Set(),
  nodes,
  pools: UPGRADE_POOLS,
  tieBreakSeed: 'vmi-uid-1',
  ...over,
});
const poolOf = (name: string | undefined) => nodes.find((n) => n.name === name)?.labels['kvfleet.io/pool'];

describe('the preferred pool for a machine type', () => {
  test.each([
    // type, where it runs, chosen pool, why
    ['pc-q35-rhel10.0.0', 'rhel10', 'only rhel10 offers it'],
    ['pc-q35-rhel8.6.0', 'rhel96-staying', 'deprecated on both pools that run it; the launcher switch drops it from rhel9-upgrading'],
  ])('%s goes to %s (%s)', (machineType, pool) => {
    expect(poolOf(chooseTarget(query(machineType))?.node)).toBe(pool);
    // The chosen pool is one the matrix says can host the type today.
    expect(placeMachineType(UPGRADE_POOLS, machineType).hostsNow).toContain(pool);
  });

  test('the ranking orders every eligible node: not deprecated first, then by a hash of VMI and node', () => {
    const ranked = rankTargets(query('pc-q35-rhel9.6.0'));
    expect(ranked.map((c) => [c.deprecated, c.upgrade])).toEqual([
      [false, 'keeps-type'],
      [false, 'keeps-type'],
      [false, 'keeps-type'],
      [false, 'keeps-type'],
      [true, 'keeps-type'],
      [true, 'keeps-type'],
    ]);
    expect(ranked.slice(4).map((c) => c.pool)).toEqual(['rhel10', 'rhel10']);
  });

  test('a pool whose planned launcher drops the type ranks after one that keeps it', () => {
    const ranked = rankTargets(query('pc-q35-rhel8.6.0'));
    expect(ranked.map((c) => [c.pool, c.upgrade])).toEqual([
      ['rhel96-staying', 'keeps-type'],
      ['rhel96-staying', 'keeps-type'],
      ['rhel9-upgrading', 'loses-type'],
      ['rhel9-upgrading', 'loses-type'],
    ]);
  });

  test('with no planned step that changes the launcher, every pool is none-planned', () => {
    const now = UPGRADE_POOLS.map((p) => ({ ...p, sets: [p.current] }));
    expect(new Set(rankTargets(query('pc-q35-rhel9.6.0', { pools: now })).map((c) => c.upgrade))).toEqual(new Set(['none-planned']));
  });

  test('a type no node offers has no target', () => {
    expect(chooseTarget(query('pc-q35-rhel7.3.0'))).toBeUndefined();
  });
});

describe('nodes a fallback may not use', () => {
  test.each([
    ['a node lacking the machine-type label', node('r10-x', 'rhel10'), {}, 'lacks-machine-type'],
    ['a NotReady node', node('stay-x', 'rhel96-staying', { ready: false }), {}, 'not-ready'],
    ['a cordoned node', node('stay-x', 'rhel96-staying', { cordoned: true }), {}, 'cordoned'],
    ['the source node', node('stay-x', 'rhel96-staying'), { sourceNode: 'stay-x' }, 'source'],
    ['an earlier failed target', node('stay-x', 'rhel96-staying'), { excluded: new Set(['stay-x']) }, 'failed-before'],
  ] as const)('%s', (_, n, over, why) => {
    const q = query('pc-q35-rhel8.6.0', { ...over, nodes: [n] });
    expect(exclusionOf(n, q)).toBe(why);
    expect(chooseTarget(q)).toBeUndefined();
  });

  test('excluding the best pool moves the choice to the next one', () => {
    const q = query('pc-q35-rhel9.6.0', { sourceNode: 'stay-1', excluded: new Set(['stay-2']) });
    expect(poolOf(chooseTarget(q)?.node)).toBe('rhel9-upgrading');
  });
});

describe('ties between equally good nodes', () => {
  test('the choice does not depend on the order nodes are listed in', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(nodes, { minLength: nodes.length, maxLength: nodes.length }), fc.string(), (shuffled, seed) => {
        expect(chooseTarget(query('pc-q35-rhel9.6.0', { nodes: shuffled, tieBreakSeed: seed }))).toEqual(chooseTarget(query('pc-q35-rhel9.6.0', { tieBreakSeed: seed })));
      }),
    );
  });

  test('different VMIs spread over the equally good nodes', () => {
    const equal = ['a', 'b', 'c', 'd'].map((n) => node(`stay-${n}`, 'rhel96-staying'));
    const chosen = new Set(Array.from({ length: 64 }, (_, i) => chooseTarget(query('pc-q35-rhel8.6.0', { nodes: equal, tieBreakSeed: `vmi-${i}` }))?.node));
    expect([...chosen].sort()).toEqual(equal.map((n) => n.name));
  });

  test('removing another node does not move a VMI off its choice', () => {
    const first = chooseTarget(query('pc-q35-rhel9.6.0'))!;
    const others = nodes.filter((n) => n.name !== first.node);
    for (const gone of others) {
      expect(chooseTarget(query('pc-q35-rhel9.6.0', { nodes: nodes.filter((n) => n !== gone) }))?.node).toBe(first.node);
    }
  });
});

describe('pools named in NoCompatibleMigrationTarget', () => {
  test('the matrix names every pool that runs the type today', () => {
    expect(hostingPools('pc-q35-rhel8.6.0', 'kvfleet', nodes, UPGRADE_POOLS)).toEqual(['rhel9-upgrading', 'rhel96-staying']);
  });

  test('without the matrix, the pools of nodes labelled with the type', () => {
    expect(hostingPools('pc-q35-rhel10.0.0', 'kvfleet', nodes)).toEqual(['rhel10']);
  });
});

describe('the controller picks by the label the scheduler will check', () => {
  const kubevirtLabel = 'machine-type.node.kubevirt.io/pc-q35-2.3';
  const kvfleetLabel = 'machine-type.kvfleet.io/pc-q35-2.3';
  // old-1: the alias-only libvirt layout, where virt-handler never labels pc-q35-2.3 but kvfleet does.
  const candidates = [
    must(parseNode(nodeObject({ name: 'old-1', labels: { [kvfleetLabel]: 'true' } }))),
    must(parseNode(nodeObject({ name: 'both-1', labels: { [kvfleetLabel]: 'true', [kubevirtLabel]: 'true' } }))),
  ];
  const q = (labeller: 'kubevirt' | 'kvfleet'): TargetQuery => ({ machineType: 'pc-q35-2.3', labeller, excluded: new Set(), nodes: candidates, tieBreakSeed: 'vmi' });

  test("on a KubeVirt-labelled cluster a node without KubeVirt's label is never chosen: its target pod would be unschedulable", () => {
    expect(rankTargets(q('kubevirt')).map((c) => c.node)).toEqual(['both-1']);
    expect(exclusionOf(candidates[0]!, q('kubevirt'))).toBe('lacks-machine-type');
  });

  test("on a kvfleet-labelled cluster both nodes qualify by kvfleet's label", () => {
    expect(
      rankTargets(q('kvfleet'))
        .map((c) => c.node)
        .sort(),
    ).toEqual(['both-1', 'old-1']);
  });
});
