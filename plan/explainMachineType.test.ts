import { describe, expect, test } from 'vitest';
import { launcherEntry } from '../compatibility/launcherCatalogue.js';
import { testCluster, testPool, upgradingTestCluster } from '../testbed/support/clusterFixtures.js';
import { explainMachineType, knownMachineTypeNames, suggestedNames } from './explainMachineType.js';

// SYNTHETIC: upgradingTestCluster's steps (KubeVirt 1.7.0 → 1.8.0, a node OS upgrade of east, a CS10
// launcher switch) with a pool that keeps a RHEL 8 type by override and an arm64 pool that removes
// one type and deprecates another, so every reason has a case.
const cluster = upgradingTestCluster({
  name: 'synthetic-explain',
  nodePools: [
    testPool('east', { os: 'rhel-9.6', nodeCount: 12 }),
    testPool('west', { nodeCount: 4, machineTypes: { add: ['pc-q35-rhel8.6.0'] } }),
    testPool('arm', { architecture: 'arm64', nodeCount: 3, machineTypes: { remove: ['virt-rhel9.4.0'], deprecate: ['virt-rhel9.6.0'] } }),
  ],
});
const CS9_18 = launcherEntry('1.8.0', 'centos-stream-9')!;
const CS10_18 = launcherEntry('1.8.0', 'centos-stream-10')!;

const reasonsOf = (type: string, pool: string, step: string) =>
  explainMachineType(cluster, type)
    .pools.find((p) => p.pool === pool)!
    .steps.find((s) => s.step === step)!.reasons;

describe.each([
  { type: 'pc-q35-rhel8.6.0', kind: 'versioned', now: ['east', 'west'], nodesNow: 16, after: ['west'], decision: 'warned' },
  { type: 'q35', kind: 'alias', now: ['east', 'west'], nodesNow: 16, after: ['east', 'west'], decision: 'admitted' },
  { type: 'virt', kind: 'alias', now: ['arm'], nodesNow: 3, after: ['arm'], decision: 'admitted' },
  { type: 'pc-q35-rhel10.2.0', kind: 'versioned', now: [], nodesNow: 0, after: ['east', 'west'], decision: 'denied' },
  { type: 'virt-rhel9.4.0', kind: 'versioned', now: [], nodesNow: 0, after: [], decision: 'denied' },
  { type: 'Q35', kind: 'invalid', now: [], nodesNow: 0, after: [], decision: 'denied' },
] as const)('$type', ({ type, kind, now, nodesNow, after, decision }) => {
  const e = explainMachineType(cluster, type);

  test(`is ${kind}, runs on [${now.join(', ')}] now and [${after.join(', ')}] after the last step`, () => {
    expect(e.kind).toBe(kind);
    expect(e.hosting[0]).toEqual({ step: 'now', stepLabel: 'now', pools: now, nodes: nodesNow });
    expect(e.hosting.at(-1)!.pools).toEqual(after);
  });

  test(`is ${decision} by the policies`, () => {
    expect(e.admission.decision).toBe(decision);
  });

  test('answers once per cluster step for every pool', () => {
    for (const p of e.pools) expect(p.steps.map((s) => s.step)).toEqual(['now', 'step-1', 'step-2', 'step-3']);
  });
});

test('the step that drops a type is named with the launcher that lacks it, from the catalogue entry', () => {
  expect(reasonsOf('pc-q35-rhel8.6.0', 'east', 'step-3')).toEqual([
    `pc-q35-rhel8.6.0 is not in the catalogue entry ${CS10_18.id} (amd64)`,
    `dropped by step-3 (launcher centos-stream-9 → centos-stream-10): virt-launcher 1.8 centos-stream-10 (QEMU ${CS10_18.qemu}) lacks it`,
  ]);
});

test("a pool's overrides are named: add keeps a type the launcher lacks, remove takes one it has, deprecate marks one", () => {
  expect(reasonsOf('pc-q35-rhel8.6.0', 'west', 'step-3')).toEqual([
    `pc-q35-rhel8.6.0 is not in the catalogue entry ${CS10_18.id} (amd64); added by the pool's machineTypes.add`,
  ]);
  expect(reasonsOf('virt-rhel9.4.0', 'arm', 'step-1')).toEqual([
    `virt-rhel9.4.0 is in the catalogue entry ${CS9_18.id} (arm64) but removed by the pool's machineTypes.remove`,
  ]);
  expect(reasonsOf('virt-rhel9.6.0', 'arm', 'step-1')).toContain("deprecated by the pool's machineTypes.deprecate");
});

test("QEMU's own deprecation names the catalogue entry and its QEMU build", () => {
  expect(reasonsOf('pc-q35-rhel8.6.0', 'east', 'step-1')).toContain(`deprecated on ${CS9_18.id} (QEMU ${CS9_18.qemu} flags it deprecated)`);
});

test('an alias resolves per launcher, and the step that moves it says so', () => {
  expect(reasonsOf('q35', 'east', 'step-1')).toEqual([
    `alias q35 resolves to ${CS9_18.architectures.amd64!.aliases.q35} on ${CS9_18.id} (amd64)`,
    `${CS9_18.architectures.amd64!.aliases.q35} is in the catalogue entry ${CS9_18.id} (amd64)`,
    `step-1 (KubeVirt 1.7.0 → 1.8.0) changes it from pc-q35-rhel9.6.0 to ${CS9_18.architectures.amd64!.aliases.q35}`,
  ]);
  expect(reasonsOf('q35', 'arm', 'now')).toEqual(['alias q35 resolves to nothing on kubevirt-1.7/centos-stream-9 (arm64)']);
});

test('a node-OS step changes no answer, and says so', () => {
  for (const type of ['pc-q35-rhel8.6.0', 'q35', 'virt-rhel9.6.0']) {
    const e = explainMachineType(cluster, type);
    for (const p of e.pools) {
      const [before, osStep] = [p.steps[1]!, p.steps[2]!];
      expect({ runs: osStep.runs, canonical: osStep.canonical, deprecated: osStep.deprecated }).toEqual({
        runs: before.runs,
        canonical: before.canonical,
        deprecated: before.deprecated,
      });
      expect(osStep.reasons.at(-1)).toBe("step-2 changes no machine type (a node's OS does not decide them)");
    }
  }
});

test('a denial quotes the policy message, naming the requested type and the cluster', () => {
  const e = explainMachineType(cluster, 'pc-q35-rhel9.5.0');
  expect(e.admission).toMatchObject({
    decision: 'denied',
    message: expect.stringMatching(
      /^machine type pc-q35-rhel9\.5\.0 is not offered by virt-launcher 1\.7 centos-stream-9 .*, the virt-launcher cluster synthetic-explain runs/,
    ),
  });
});

test('node counts are left out when a hosting pool does not give one', () => {
  const noCount = testCluster({ nodePools: [testPool('east', { nodeCount: undefined })] });
  expect(explainMachineType(noCount, 'q35').hosting[0]).toEqual({ step: 'now', stepLabel: 'now', pools: ['east'] });
});

test('suggestions come from the launcher catalogue, every architecture included', () => {
  const known = knownMachineTypeNames();
  expect(known).toEqual(expect.arrayContaining(['q35', 'virt', 'pc-q35-rhel10.2.0', 'virt-rhel9.8.0', 's390-ccw-virtio-rhel9.6.0']));
});

test.each([
  ['Q35', ['q35']],
  ['pc-q53-rhel9.6.0', ['pc-q35-rhel9.6.0']],
  // Equally many edits from several: the same family first, then the nearest versions.
  ['virt-rhel9.7.0', ['virt-rhel9.6.0', 'virt-rhel9.8.0', 'virt-rhel9.4.0']],
  ['pc-q35-rhel9.6.0', []],
  ['something-else-entirely', []],
])('suggestions for %s: %j', (name, expected) => {
  expect(suggestedNames(name)).toEqual(expected);
});
