import { describe, expect, test } from 'vitest';
import edgeOvn from '../../clusters/edge-ovn.js';
import legacyApps from '../../clusters/legacy-apps.js';
import prodEast from '../../clusters/prod-east.js';
import { LAUNCHER_CATALOGUE, launcherEntry, launcherLabel } from '../../compatibility/launcherCatalogue.js';
import { MACHINE_TYPE_ALIASES } from '../../compatibility/machineTypeNames.js';
import { moveToMachineType } from '../../compatibility/moveTo.js';
import { placeMachineType } from '../../compatibility/placement.js';
import { resolveCluster } from '../../compatibility/poolMachineTypes.js';
import { type ClusterDefinition } from '../../fleet/clusterDefinition.js';
import { TEST_CS10_LAUNCHER_IMAGE, testCluster, testPool, upgradingTestCluster } from '../../testbed/support/clusterFixtures.js';
import { denialMessage, isAdmitted, machineTypeAdmission } from './machineTypeAdmission.js';

const admissionOf = (c: ClusterDefinition) => machineTypeAdmission(c.name, resolveCluster(c));
const warningOf = (c: ClusterDefinition, t: string) => admissionOf(c).warnings.find((w) => w.machineType === t)?.message;
/** The type a warning tells the user to restart onto, read back from its text. */
const advisedIn = (message: string) => /restart the VM onto (\S+),/.exec(message)?.[1];

/** Every name some catalogue entry offers on some architecture, the aliases, and an upstream-QEMU name no RHEL build has. */
const everyKnownName = [
  ...new Set([...LAUNCHER_CATALOGUE.flatMap((e) => Object.values(e.architectures).flatMap((l) => l.machineTypes)), ...MACHINE_TYPE_ALIASES, 'pc-q35-10.1']),
];

/** amd64 types of one catalogue entry. */
const amd64Types = (kubevirtVersion: string, build: 'centos-stream-9' | 'centos-stream-10') => launcherEntry(kubevirtVersion, build)!.architectures.amd64!.machineTypes;
/** What the CS10 build of KubeVirt 1.8 dropped from the CS9 build it replaces, read from the catalogue. */
const droppedBySwitchTo10 = amd64Types('1.8.0', 'centos-stream-9').filter((t) => !amd64Types('1.8.0', 'centos-stream-10').includes(t));

/** A cluster that has done the switch: KubeVirt 1.8.0 with the CentOS Stream 10 launcher. */
const switched = testCluster({ name: 'synthetic-cs10', kubevirtVersion: '1.8.0', launcher: { build: 'centos-stream-10', image: TEST_CS10_LAUNCHER_IMAGE } });

test('the catalogue has RHEL 8 types that the CS10 switch drops (the cases below rest on it)', () => {
  expect(droppedBySwitchTo10).toContain('pc-q35-rhel8.6.0');
});

describe.each([prodEast, legacyApps, edgeOvn, upgradingTestCluster(), switched])('cluster $name', (cluster) => {
  const resolved = resolveCluster(cluster);
  const admission = admissionOf(cluster);
  const now = resolved.steps[0]!.launcher;

  test('a name is admitted exactly when it is an alias or the launcher runs it today on some pool', () => {
    for (const name of everyKnownName) {
      const placement = placeMachineType(resolved.pools, name);
      expect(isAdmitted(admission, name), name).toBe(placement.isAlias || placement.hostsNow.length > 0);
    }
  });

  test('each admitted type lists the pools that run it today', () => {
    for (const { machineType, pools } of admission.hosts) expect(pools).toEqual(placeMachineType(resolved.pools, machineType).hostsNow);
  });

  test("a denial names the type, the cluster's launcher today, and every pool with the types it offers", () => {
    const message = denialMessage(admission, 'pc-q35-0.0');
    expect(message.startsWith('machine type pc-q35-0.0 ')).toBe(true);
    expect(message).toContain(`is not offered by ${now.label}, the virt-launcher cluster ${cluster.name} runs`);
    expect(now.label).toBe(launcherLabel(now.entry));
    for (const p of resolved.pools) expect(message).toContain(`pool ${p.name} (${p.architecture}) offers ${p.current.supported.join(', ')}`);
  });

  test('exactly the types offered today that are deprecated now or that a planned step leaves without a pool are warned about', () => {
    const warned = admission.warnings.map((w) => w.machineType);
    const expected = admission.hosts
      .map((h) => placeMachineType(resolved.pools, h.machineType))
      .filter((p) => p.deprecatedOn.length > 0 || p.firstStepWithoutHost !== undefined)
      .map((p) => p.machineType);
    expect(warned).toEqual(expected);
  });

  test('a warning about a dropping step names that step and the launcher it moves to, and no other step', () => {
    for (const { machineType, message } of admission.warnings) {
      const k = placeMachineType(resolved.pools, machineType).firstStepWithoutHost;
      for (const step of resolved.steps.slice(1)) {
        expect(message.includes(`planned step ${step.index} (${step.label})`), `${machineType} step ${step.index}`).toBe(step.index === k);
      }
      if (k !== undefined) expect(message).toContain(`moves the cluster to ${resolved.steps[k]!.launcher.label}, which does not offer it`);
    }
  });

  test('every warning advises the move-to type (compatibility/moveTo.ts), or none when no type runs throughout', () => {
    for (const { machineType, message } of admission.warnings) {
      const move = moveToMachineType(resolved.pools, machineType);
      expect(advisedIn(message), machineType).toBe(move && move.machineType !== machineType ? move.machineType : undefined);
    }
  });
});

describe('a cluster now on the CS10 launcher (KubeVirt 1.8.0)', () => {
  const admission = admissionOf(switched);
  const label = launcherLabel(launcherEntry('1.8.0', 'centos-stream-10')!);

  test.each(droppedBySwitchTo10)('%s, which only the CS9 launcher had, is denied naming the CS10 launcher', (t) => {
    expect(isAdmitted(admission, t)).toBe(false);
    expect(denialMessage(admission, t)).toContain(`machine type ${t} is not offered by ${label}`);
  });

  test('the types the CS10 build offers are admitted', () => {
    for (const t of amd64Types('1.8.0', 'centos-stream-10')) expect(isAdmitted(admission, t), t).toBe(true);
  });
});

describe('upgradingTestCluster (KubeVirt 1.7.0 → 1.8.0 → node OS of east → CS10 launcher)', () => {
  const cluster = upgradingTestCluster();
  const resolved = resolveCluster(cluster);
  const admission = admissionOf(cluster);
  const switchStep = resolved.steps.find((s) => s.kind === 'launcher-switch')!;
  // Offered by today's launcher (1.7, CS9) and dropped at the switch: derived from the catalogue.
  const droppedTypes = amd64Types('1.7.0', 'centos-stream-9').filter((t) => droppedBySwitchTo10.includes(t));

  test('the switch step drops the RHEL 7.6/8.x types today runs', () => {
    expect(droppedTypes).toContain('pc-q35-rhel8.6.0');
    expect(droppedTypes).toContain('pc-i440fx-rhel7.6.0');
  });

  test.each(droppedTypes)('%s is admitted today and warned about, naming the launcher-switch step and the CS10 launcher', (t) => {
    expect(isAdmitted(admission, t)).toBe(true);
    const message = warningOf(cluster, t);
    expect(message).toContain(`planned step ${switchStep.index} (${switchStep.label}) moves the cluster to ${switchStep.launcher.label}, which does not offer it`);
    expect(switchStep.launcher.label).toBe(launcherLabel(launcherEntry('1.8.0', 'centos-stream-10')!));
  });

  test('pc-q35-rhel8.6.0 is advised onto the move-to type, which runs on amd64 now and after every step', () => {
    const move = moveToMachineType(resolved.pools, 'pc-q35-rhel8.6.0')!;
    expect(advisedIn(warningOf(cluster, 'pc-q35-rhel8.6.0')!)).toBe(move.machineType);
    const amd64 = resolved.pools.filter((p) => p.architecture === 'amd64').map((p) => p.name);
    for (const hosts of placeMachineType(resolved.pools, move.machineType).hostsAt) expect(hosts).toEqual(amd64);
  });

  test('a type only the next KubeVirt release brings is denied today, naming the launcher the cluster runs now', () => {
    const brought = amd64Types('1.8.0', 'centos-stream-9').filter((t) => !amd64Types('1.7.0', 'centos-stream-9').includes(t));
    expect(brought.length).toBeGreaterThan(0);
    for (const t of brought) {
      expect(isAdmitted(admission, t), t).toBe(false);
      expect(denialMessage(admission, t)).toContain(`is not offered by ${resolved.steps[0]!.launcher.label}`);
    }
  });

  test('the node-OS step is never named: it changes no launcher', () => {
    const osStep = resolved.steps.find((s) => s.kind === 'node-os-upgrade')!;
    for (const { message } of admission.warnings) expect(message).not.toContain(`(${osStep.label})`);
  });
});

test('legacy-apps: every RHEL 8 type it runs today is warned about naming its CS10 launcher switch', () => {
  const resolved = resolveCluster(legacyApps);
  const switchStep = resolved.steps.find((s) => s.kind === 'launcher-switch')!;
  const rhel8 = resolved.pools[0]!.current.supported.filter((t) => droppedBySwitchTo10.includes(t));
  expect(rhel8).toContain('pc-q35-rhel8.6.0');
  for (const t of rhel8) expect(warningOf(legacyApps, t), t).toContain(`planned step ${switchStep.index} (${switchStep.label})`);
});

test('a type the switch drops gets no step warning while a pool keeps it (a pool override)', () => {
  // A platform whose `east` pool still runs pc-q35-rhel8.6.0 after the switch: some pool hosts it at every step.
  const kept = testCluster({
    kubevirtVersion: '1.8.0',
    nodePools: [testPool('east', { machineTypes: { add: ['pc-q35-rhel8.6.0'] } }), testPool('west')],
    plannedSteps: [{ kind: 'launcher-switch', build: 'centos-stream-10', image: TEST_CS10_LAUNCHER_IMAGE }],
  });
  const p = placeMachineType(resolveCluster(kept).pools, 'pc-q35-rhel8.6.0');
  expect(p.lostAt.map((l) => l.pool)).toEqual(['west']);
  expect(p.firstStepWithoutHost).toBeUndefined();
  const message = warningOf(kept, 'pc-q35-rhel8.6.0');
  expect(message).not.toMatch(/planned step \d/);
  expect(message).toContain('deprecated');
});
