import { describe, expect, test } from 'vitest';
import { KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX } from '../../compatibility/kubevirtNames.js';
import { MACHINE_TYPE_LABEL_PREFIX } from '../../compatibility/labelKeys.js';
import { launcherEntry } from '../../compatibility/launcherCatalogue.js';
import { parseCapabilities } from '../../programs/node-labeller/capabilitiesXml.js';
import { inventoryOf, planUpgrade } from './plan.js';
import { buildScenario, nodeStateOf, podMemoryMiB, type Scenario, scenarioCluster, scenarioMatrix, scenarioShape, STRANDED_MACHINE_TYPE } from './scenario.js';

const full = buildScenario(7, 'full');
const small = buildScenario(7, 'small');
const matrix = scenarioMatrix(full, '1.6.2');
const pools = matrix.pools;
const poolOf = (s: Scenario, node: string) => s.nodes.find((n) => n.name === node)!.pool;
const roleOf = (s: Scenario, node: string) => s.pools.find((p) => p.name === poolOf(s, node))!.role;

describe('one seed gives one scenario', () => {
  test('the same seed and size give the same scenario, byte for byte', () => {
    expect(JSON.stringify(buildScenario(7, 'full'))).toBe(JSON.stringify(full));
  });

  test('another seed gives another placement', () => {
    const other = buildScenario(8, 'full');
    expect(other.vmis.map((v) => v.node)).not.toEqual(full.vmis.map((v) => v.node));
  });
});

describe('the full scenario has the size and mix the issue asks for', () => {
  test('at least 40 nodes in at least 3 pools, at least 1,000 VMIs; half the pools get a node-OS step from RHEL 9.6 to 10.0', () => {
    expect(full.nodes.length).toBeGreaterThanOrEqual(40);
    expect(full.pools.length).toBeGreaterThanOrEqual(3);
    expect(full.vmis.length).toBeGreaterThanOrEqual(1000);
    const osSteps = matrix.steps.filter((s) => s.kind === 'node-os-upgrade');
    expect(osSteps.length * 2).toBe(pools.length);
    for (const step of osSteps) expect(step.label).toMatch(/OS rhel-9\.6 → rhel-10\.0$/);
    // Every step keeps the launcher, so every pool keeps its set: the same object at every step.
    for (const p of pools) for (const set of p.sets) expect(set).toBe(p.current);
    expect(full.upgradeOrder).toEqual(expect.arrayContaining(full.nodes.filter((n) => n.releaseBefore !== n.releaseAfter).map((n) => n.name)));
    expect(new Set(full.upgradeOrder).size).toBe(full.upgradeOrder.length);
  });

  test('most VMIs started as q35, some are pinned to older RHEL 8/9 types, a few to the type the staying pool lacks', () => {
    const count = (kind: string) => full.vmis.filter((v) => v.kind === kind).length;
    expect(count('q35')).toBeGreaterThan(full.vmis.length / 2);
    expect(count('pinned-rhel8')).toBeGreaterThan(0);
    expect(count('pinned-rhel9')).toBeGreaterThan(0);
    expect(count('pinned-stranded')).toBeGreaterThan(0);
    expect(count('pinned-stranded')).toBeLessThan(full.vmis.length / 50);
    for (const v of full.vmis.filter((x) => x.kind === 'pinned-rhel8')) expect(v.machineType).toMatch(/^pc-q35-rhel8\./);
    for (const v of full.vmis.filter((x) => x.kind === 'pinned-stranded')) expect(v.machineType).toBe(STRANDED_MACHINE_TYPE);
  });

  test("a q35 VMI's canonical type is what q35 resolves to on its node at start; a pinned one's is its spec's", () => {
    for (const v of full.vmis) {
      const state = nodeStateOf(full, v.node, false, { kubevirtVersion: '1.6.2', kvfleet: false }, matrix);
      if (v.specMachineType === 'q35') expect(v.machineType).toBe(state.q35);
      else expect(v.machineType).toBe(v.specMachineType);
    }
  });

  test('every VMI starts on a node whose QEMU runs its type, and no node holds more than its memory', () => {
    const used = new Map<string, number>();
    for (const v of full.vmis) {
      const state = nodeStateOf(full, v.node, false, { kubevirtVersion: '1.6.2', kvfleet: false }, matrix);
      expect(state.canonical, `${v.name} on ${v.node}`).toContain(v.machineType);
      used.set(v.node, (used.get(v.node) ?? 0) + podMemoryMiB(v));
    }
    for (const n of full.nodes) expect(used.get(n.name) ?? 0).toBeLessThanOrEqual(n.capacity.memoryMiB);
  });

  test('some nodes start nearly full (targets that cannot take a large VM), while the pool that stays on 9.6 has room for every RHEL 8 VM', () => {
    const used = new Map<string, number>();
    for (const v of full.vmis) used.set(v.node, (used.get(v.node) ?? 0) + podMemoryMiB(v));
    const memory = full.nodes[0]!.capacity.memoryMiB;
    expect(full.nodes.filter((n) => used.get(n.name)! > memory - 16 * 1024).length).toBeGreaterThan(0);
    const keep = full.nodes.filter((n) => roleOf(full, n.name) === 'stays-rhel9');
    const keepFree = keep.reduce((s, n) => s + n.capacity.memoryMiB - used.get(n.name)!, 0);
    const rhel8Moving = full.vmis.filter((v) => v.kind === 'pinned-rhel8' && roleOf(full, v.node) === 'upgraded').reduce((s, v) => s + podMemoryMiB(v), 0);
    expect(keepFree).toBeGreaterThan(2 * rhel8Moving);
  });

  test('faults fall inside the upgrade, never in its first drain', () => {
    expect(full.faults.length).toBeGreaterThan(0);
    for (const f of full.faults) {
      expect(f.drainIndex).toBeGreaterThan(0);
      expect(f.drainIndex).toBeLessThan(full.upgradeOrder.length);
    }
  });
});

describe('node capabilities and labels come from the real labeller code', () => {
  const aliasOnly = full.nodes.find((n) => n.layout === 'alias-only' && roleOf(full, n.name) === 'upgraded')!;
  const modern = full.nodes.find((n) => n.layout === 'modern' && roleOf(full, n.name) === 'upgraded')!;

  test('an alias-only node lists its newest type only as the alias target; the labeller parser still counts it, KubeVirt does not label it', () => {
    const state = nodeStateOf(full, aliasOnly.name, false, { kubevirtVersion: '1.6.2', kvfleet: true }, matrix);
    expect(state.capabilitiesXml).toContain("<machine canonical='pc-q35-rhel9.6.0'");
    expect(state.capabilitiesXml).not.toContain('>pc-q35-rhel9.6.0</machine>');
    expect(state.canonical).toContain('pc-q35-rhel9.6.0');
    expect(state.labels[`${MACHINE_TYPE_LABEL_PREFIX}pc-q35-rhel9.6.0`]).toBe('true');
    expect(state.labels[`${KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX}pc-q35-rhel9.6.0`]).toBeUndefined();
    expect(state.kubevirtLabelDrift).toBe(true);
  });

  test("a modern node: both labellers agree, and the canonical set is the launcher's catalogue entry", () => {
    const state = nodeStateOf(full, modern.name, false, { kubevirtVersion: '1.6.2', kvfleet: true }, matrix);
    expect(state.kubevirtLabelDrift).toBe(false);
    expect([...state.canonical].sort()).toEqual([...launcherEntry('1.6.2', 'centos-stream-9')!.architectures.amd64!.machineTypes].sort());
    expect(parseCapabilities(state.capabilitiesXml).ok).toBe(true);
  });

  test('a re-imaged node (a node-OS step) runs the same types as before, RHEL 7.6 included', () => {
    for (const node of [aliasOnly, modern]) {
      const before = nodeStateOf(full, node.name, false, { kubevirtVersion: '1.6.2', kvfleet: true }, matrix);
      const after = nodeStateOf(full, node.name, true, { kubevirtVersion: '1.6.2', kvfleet: true }, matrix);
      expect(after.canonical).toEqual(before.canonical);
      expect(after.q35).toBe(before.q35);
      expect(after.canonical).toContain(STRANDED_MACHINE_TYPE);
    }
  });

  test('only the staying pool lacks the pinned RHEL 7.6 type', () => {
    for (const p of pools) expect(p.current.supported.includes(STRANDED_MACHINE_TYPE), p.name).toBe(p.name !== 'rhel96-keep');
  });

  test.each([
    ['1.5.0', false, false, false],
    ['1.5.0', true, true, false],
    ['1.6.2', false, false, true],
    ['1.6.2', true, true, true],
  ])('KubeVirt %s, kvfleet %s: kvfleet labels %s, KubeVirt machine-type labels %s', (kubevirtVersion, kvfleet, kvfleetLabels, kubevirtLabels) => {
    const labels = Object.keys(nodeStateOf(full, modern.name, false, { kubevirtVersion, kvfleet }, matrix).labels);
    expect(labels.some((k) => k.startsWith(MACHINE_TYPE_LABEL_PREFIX))).toBe(kvfleetLabels);
    expect(labels.some((k) => k.startsWith(KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX))).toBe(kubevirtLabels);
  });
});

describe("kvfleet plan on the scenario's inventory", () => {
  test.each([
    ['full', full],
    ['small', small],
  ])('%s: a node-OS step strands no VMI, the ones pinned to RHEL 7.6 included (other pools still run it)', (_, s) => {
    const plan = planUpgrade(scenarioCluster(s, '1.6.2'), inventoryOf(s.vmis));
    expect(s.vmis.some((v) => v.kind === 'pinned-stranded')).toBe(true);
    expect(plan.stranded).toEqual([]);
    expect(plan.counts.stranded).toBe(0);
  });
});

describe('sizes', () => {
  test('small is the npm test size: 8 nodes, 60 VMIs, every role present', () => {
    expect(small.nodes.length).toBe(8);
    expect(small.vmis.length).toBe(60);
    expect(new Set(small.pools.map((p) => p.role))).toEqual(new Set(['upgraded', 'stays-rhel9', 'rhel10']));
  });

  test('<nodes>x<vmis> keeps the full proportions', () => {
    const shape = scenarioShape('22x500');
    expect(shape.pools.reduce((s, p) => s + p.nodes, 0)).toBe(22);
    expect(shape.vmis).toBe(500);
    expect(shape.pools.filter((p) => p.role === 'upgraded').every((p) => p.nodes >= 2)).toBe(true);
    expect(buildScenario(1, '22x500').vmis.length).toBe(500);
  });

  test('an unreadable size is refused with the forms it takes', () => {
    expect(() => scenarioShape('huge')).toThrow(/neither full, small nor <nodes>x<vmis>/);
    expect(() => scenarioShape('3x100')).toThrow(/at least 6 nodes/);
  });
});
