import { describe, expect, test } from 'vitest';
import { launcherEntry } from '../../compatibility/launcherCatalogue.js';
import { planUpgrade } from './plan.js';
import {
  buildMixedArchScenario,
  buildScenario,
  droppedByStep,
  fromLauncher,
  LAUNCHER_OVERHEAD_MIB,
  rolloutBatches,
  type Scenario,
  scenarioCluster,
  startedMachineType,
  TO,
} from './scenario.js';
import { MIXED_ARCH_SHAPES, mixedArchShape, UPGRADE_SHAPES, upgradeShape } from './shapes.js';
import { VMI_KIND_SPECS, VMI_KINDS } from './vmiKinds.js';

const BUILDERS = { 'kubevirt-upgrade': buildScenario, 'mixed-arch': buildMixedArchScenario } as const;
const SHAPES = { 'kubevirt-upgrade': UPGRADE_SHAPES, 'mixed-arch': MIXED_ARCH_SHAPES } as const;
const key = (v: { namespace: string; name: string }) => `${v.namespace}/${v.name}`;
const cases = (Object.keys(BUILDERS) as (keyof typeof BUILDERS)[]).flatMap((name) => (['small', 'full'] as const).map((size) => [name, size] as const));

describe('the scenarios', () => {
  test.each(Object.keys(BUILDERS) as (keyof typeof BUILDERS)[])('%s: one seed gives one scenario, byte for byte; another seed another', (name) => {
    const build = BUILDERS[name];
    expect(JSON.stringify(build(7, 'small'))).toBe(JSON.stringify(build(7, 'small')));
    expect(JSON.stringify(build(7, 'small'))).not.toBe(JSON.stringify(build(8, 'small')));
    expect(build(7, 'small').name).toBe(name);
  });

  test.each(cases)('%s %s: each pool’s nodes, architecture and pinned counts; unique names; every node in both orders', (name, size) => {
    const s = BUILDERS[name](1, size);
    const shape = SHAPES[name][size];
    expect(s.pools.map((p) => [p.name, p.architecture, p.nodes.length])).toEqual(shape.pools.map((p) => [p.name, p.architecture, p.nodes]));
    for (const pool of shape.pools) {
      expect(s.nodes.filter((n) => n.pool === pool.name).every((n) => n.architecture === pool.architecture)).toBe(true);
      expect(s.vmis.filter((v) => v.architecture === pool.architecture)).toHaveLength(pool.vmis);
      for (const [kind, n] of Object.entries(pool.pinned)) expect(s.vmis.filter((v) => v.kind === kind)).toHaveLength(n);
    }
    expect(new Set(s.vmis.map(key)).size).toBe(s.vmis.length);
    expect(new Set(s.nodes.map((n) => n.name)).size).toBe(s.nodes.length);
    expect([...s.rolloutOrder].sort()).toEqual(s.nodes.map((n) => n.name).sort());
    expect([...s.drainOrder].sort()).toEqual(s.nodes.map((n) => n.name).sort());
  });

  test.each(cases)('%s %s: a VMI’s kind, architecture and spec type agree', (name, size) => {
    for (const v of BUILDERS[name](1, size).vmis) {
      const spec: { architecture: string; alias?: string; pinned?: Record<string, number> } = VMI_KIND_SPECS[v.kind];
      expect(v.architecture, key(v)).toBe(spec.architecture);
      expect(spec.alias ? [spec.alias] : Object.keys(spec.pinned!), key(v)).toContain(v.specMachineType);
    }
  });

  test.each(cases)('%s %s: each pool has room for a drained node’s VMIs (with the launcher overhead)', (name, size) => {
    const s = BUILDERS[name](1, size);
    for (const pool of s.pools) {
      const total = s.vmis.filter((v) => v.architecture === pool.architecture).reduce((sum, v) => sum + v.memoryMiB + LAUNCHER_OVERHEAD_MIB, 0);
      const nodes = s.nodes.filter((n) => n.pool === pool.name);
      const capacity = nodes.reduce((sum, n) => sum + n.capacity.memoryMiB, 0);
      expect(total / (capacity - nodes[0]!.capacity.memoryMiB), pool.name).toBeLessThanOrEqual(0.8);
    }
  });

  test('kubevirt-upgrade <nodes>x<vmis> keeps the full shape’s proportions; nonsense is refused', () => {
    const shape = upgradeShape('10x200');
    expect(shape.pools.map((p) => [p.architecture, p.nodes, p.vmis])).toEqual([['amd64', 10, 200]]);
    expect(shape.pools[0]!.pinned['pinned-rhel8']).toBe(14);
    expect(() => upgradeShape('2x20')).toThrow(/at least 3 nodes/);
    expect(() => upgradeShape('huge')).toThrow(/neither/);
  });

  test('mixed-arch <nodes>x<vmis>: about 2/3 amd64 and 1/3 arm64 nodes (at least 2), VMIs in proportion; at least 4 nodes', () => {
    const shape = mixedArchShape('6x60');
    expect(shape.pools.map((p) => [p.architecture, p.nodes, p.vmis])).toEqual([
      ['amd64', 4, 40],
      ['arm64', 2, 20],
    ]);
    expect(shape.pools[1]!.pinned).toEqual({ 'pinned-virt-rhel9': 5 });
    expect(mixedArchShape('4x20').pools.map((p) => p.nodes)).toEqual([2, 2]);
    expect(mixedArchShape('20x400')).toEqual(MIXED_ARCH_SHAPES.full);
    expect(() => mixedArchShape('3x30')).toThrow(/at least 4 nodes/);
  });

  test('every pinned type is one the launcher before the step offers on its architecture (none invented)', () => {
    for (const kind of VMI_KINDS) {
      const spec: { architecture: 'amd64' | 'arm64'; alias?: string; pinned?: Record<string, number> } = VMI_KIND_SPECS[kind];
      const list = fromLauncher().architectures[spec.architecture]!;
      for (const type of spec.alias ? [list.aliases[spec.alias]!] : Object.keys(spec.pinned!)) expect(list.machineTypes, `${kind} ${type}`).toContain(type);
    }
  });

  test('the step drops exactly the amd64 RHEL 8 and 7.6 types and no arm64 type, as the launcher catalogue says', () => {
    const s = buildMixedArchScenario(1, 'full');
    const to = launcherEntry(TO.version, TO.build)!.architectures;
    for (const v of s.vmis) {
      const type = startedMachineType(v);
      expect(droppedByStep(type, v.architecture), type).toBe(!to[v.architecture]!.machineTypes.includes(type));
      expect(droppedByStep(type, v.architecture), `${v.kind} ${type}`).toBe(['pinned-rhel8', 'pinned-rhel7-q35', 'pinned-i440fx'].includes(v.kind));
    }
    // Every arm64 type of the CS9 launcher survives the CS10 one.
    expect(fromLauncher().architectures.arm64!.machineTypes.filter((t) => droppedByStep(t, 'arm64'))).toEqual([]);
    expect(droppedByStep('pc-q35-rhel9.6.0', 'arm64')).toBe(true);
  });

  test("virt-operator's rollout: a canary, then 10 % of the nodes at a time", () => {
    const nodes = Array.from({ length: 21 }, (_, i) => `n${i}`);
    const batches = rolloutBatches(nodes);
    expect(batches[0]).toEqual(['n0']);
    expect(batches.slice(1).map((b) => b.length)).toEqual([3, 3, 3, 3, 3, 3, 2]);
    expect(batches.flat()).toEqual(nodes);
    expect(rolloutBatches(['a', 'b'])).toEqual([['a'], ['b']]);
  });
});

describe("the scenario's cluster definition", () => {
  test('one node pool per scenario pool, arm64 named as such, selected by the pool label', () => {
    const s = buildMixedArchScenario(1, 'small');
    const cluster = scenarioCluster(s);
    expect(cluster.nodePools.map((p) => [p.name, p.architecture ?? 'amd64', p.nodeCount])).toEqual(s.pools.map((p) => [p.name, p.architecture, p.nodes.length]));
    expect(cluster.nodePools.map((p) => p.nodeSelector)).toEqual([{ 'node.example.com/pool': 'amd64' }, { 'node.example.com/pool': 'arm64' }]);
  });
});

/** The VMIs as the API server lists them once running (status type = what the launcher resolved). */
const inventoryOf = (s: Scenario) =>
  s.vmis.map((v) => ({
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { namespace: v.namespace, name: v.name },
    spec: { architecture: v.architecture, domain: { machine: { type: v.specMachineType } } },
    status: { phase: 'Running', nodeName: s.pools.find((p) => p.architecture === v.architecture)!.nodes[0], machine: { type: startedMachineType(v) } },
  }));

describe.each(cases)("kvfleet plan on the %s scenario's %s inventory", (name, size) => {
  const s = BUILDERS[name](1, size);
  const plan = planUpgrade(scenarioCluster(s), inventoryOf(s));

  test('strands, per architecture, exactly the VMIs on a type the step drops on it (none on arm64)', () => {
    for (const arch of new Set(s.vmis.map((v) => v.architecture))) {
      const ofArch = new Set(s.vmis.filter((v) => v.architecture === arch).map(key));
      const dropped = s.vmis.filter((v) => v.architecture === arch && droppedByStep(startedMachineType(v), arch)).map(key);
      expect(
        plan.stranded.filter((k) => ofArch.has(k)),
        arch,
      ).toEqual(dropped.sort());
      if (arch === 'arm64') expect(dropped).toEqual([]);
    }
  });

  test('restart onto pc-q35-rhel9.6.0 for the q35 family; only holding the step for pc-i440fx-rhel7.6.0', () => {
    expect(plan.restarts.map((r) => r.to)).toEqual(plan.restarts.map(() => 'pc-q35-rhel9.6.0'));
    expect(plan.holds).toEqual(
      s.vmis
        .filter((v) => v.kind === 'pinned-i440fx')
        .map(key)
        .sort(),
    );
    expect(plan.restarts.length + plan.holds.length).toBe(plan.stranded.length);
  });
});
