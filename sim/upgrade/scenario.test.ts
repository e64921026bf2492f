import { describe, expect, test } from 'vitest';
import { launcherEntry } from '../../compatibility/launcherCatalogue.js';
import { planUpgrade } from './plan.js';
import {
  buildScenario,
  droppedByStep,
  LAUNCHER_OVERHEAD_MIB,
  rolloutBatches,
  SCENARIO_SHAPES,
  scenarioCluster,
  scenarioShape,
  startedMachineType,
  TO,
} from './scenario.js';

describe('the scenario', () => {
  test('one seed gives one scenario, byte for byte; another seed another', () => {
    expect(JSON.stringify(buildScenario(7, 'small'))).toBe(JSON.stringify(buildScenario(7, 'small')));
    expect(JSON.stringify(buildScenario(7, 'small'))).not.toBe(JSON.stringify(buildScenario(8, 'small')));
  });

  test.each(Object.keys(SCENARIO_SHAPES))('%s: the shape’s counts, unique names, every node in both orders', (size) => {
    const s = buildScenario(1, size);
    const shape = SCENARIO_SHAPES[size as keyof typeof SCENARIO_SHAPES];
    expect(s.nodes).toHaveLength(shape.nodes);
    expect(s.vmis).toHaveLength(shape.vmis);
    for (const [kind, n] of Object.entries(shape.pinned)) expect(s.vmis.filter((v) => v.kind === kind)).toHaveLength(n);
    expect(new Set(s.vmis.map((v) => `${v.namespace}/${v.name}`)).size).toBe(shape.vmis);
    expect([...s.rolloutOrder].sort()).toEqual(s.nodes.map((n) => n.name));
    expect([...s.drainOrder].sort()).toEqual(s.nodes.map((n) => n.name));
  });

  test('nodes have room for a drained node’s VMIs (with the launcher overhead)', () => {
    const s = buildScenario(1, 'full');
    const total = s.vmis.reduce((sum, v) => sum + v.memoryMiB + LAUNCHER_OVERHEAD_MIB, 0);
    const capacity = s.nodes.reduce((sum, n) => sum + n.capacity.memoryMiB, 0);
    expect(total / (capacity - s.nodes[0]!.capacity.memoryMiB)).toBeLessThan(0.75);
  });

  test('<nodes>x<vmis> keeps the full shape’s proportions; nonsense is refused', () => {
    const shape = scenarioShape('10x200');
    expect(shape.nodes).toBe(10);
    expect(shape.pinned['pinned-rhel8']).toBe(14);
    expect(() => scenarioShape('2x20')).toThrow(/at least 3 nodes/);
    expect(() => scenarioShape('huge')).toThrow(/neither/);
  });

  test('the step drops exactly the RHEL 8 and 7.6 types, as the launcher catalogue says', () => {
    const s = buildScenario(1, 'full');
    const to = launcherEntry(TO.version, TO.build)!.architectures.amd64!.machineTypes;
    for (const v of s.vmis) {
      const type = startedMachineType(v);
      expect(droppedByStep(type), type).toBe(!to.includes(type));
      expect(droppedByStep(type), `${v.kind} ${type}`).toBe(['pinned-rhel8', 'pinned-rhel7-q35', 'pinned-i440fx'].includes(v.kind));
    }
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

describe("kvfleet plan on the scenario's inventory", () => {
  const s = buildScenario(1, 'small');
  const inventory = s.vmis.map((v) => ({
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { namespace: v.namespace, name: v.name },
    spec: { domain: { machine: { type: v.specMachineType } } },
    status: { phase: 'Running', nodeName: s.nodes[0]!.name, machine: { type: startedMachineType(v) } },
  }));
  const plan = planUpgrade(scenarioCluster(s), inventory);

  test('strands exactly the VMIs on a type the step drops', () => {
    const dropped = s.vmis.filter((v) => droppedByStep(startedMachineType(v))).map((v) => `${v.namespace}/${v.name}`);
    expect(plan.stranded).toEqual(dropped.sort());
  });

  test('restart onto pc-q35-rhel9.6.0 for the q35 family; only holding the step for pc-i440fx-rhel7.6.0', () => {
    expect(plan.restarts.map((r) => r.to)).toEqual(plan.restarts.map(() => 'pc-q35-rhel9.6.0'));
    expect(plan.holds).toEqual(s.vmis.filter((v) => v.kind === 'pinned-i440fx').map((v) => `${v.namespace}/${v.name}`));
    expect(plan.restarts.length + plan.holds.length).toBe(plan.stranded.length);
  });
});
