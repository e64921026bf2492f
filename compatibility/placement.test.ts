import { describe, expect, test } from 'vitest';
import { upgradingTestCluster } from '../testbed/support/clusterFixtures.js';
import { launcherEntry, launcherLabel } from './launcherCatalogue.js';
import { canonicalMachineType, isDeprecatedOn, offeredMachineTypes, placeMachineType } from './placement.js';
import { resolveCluster, resolveMachineTypeSet } from './poolMachineTypes.js';

// upgradingTestCluster: now = KubeVirt 1.7 CS9 (QEMU 9.1); step 1 = 1.8 CS9 (QEMU 10.1, adds RHEL 9.8);
// step 2 = node-OS upgrade of east (changes nothing); step 3 = switch to CS10 (drops RHEL 7.6/8.x).
// Pools, sorted: arm (arm64), east and west (amd64).
const { steps, pools } = resolveCluster(upgradingTestCluster());
const CS10 = steps[3]!.launcher.label;

describe('placeMachineType on a cluster before launcher steps', () => {
  test('the fixture has the steps the cases below rely on', () => {
    expect(steps.map((s) => [s.kind, s.launcherChanged])).toEqual([
      ['now', false],
      ['kubevirt-upgrade', true],
      ['node-os-upgrade', false],
      ['launcher-switch', true],
    ]);
    expect(pools.map((p) => [p.name, p.architecture])).toEqual([
      ['arm', 'arm64'],
      ['east', 'amd64'],
      ['west', 'amd64'],
    ]);
  });

  const amd = ['east', 'west'];
  test.each([
    // type, hosts at each step (now, 1.8, node OS, CS10), deprecated on now
    ['pc-q35-rhel8.6.0', [amd, amd, amd, []], amd],
    ['pc-i440fx-rhel7.6.0', [amd, amd, amd, []], amd],
    ['pc-q35-rhel9.6.0', [amd, amd, amd, amd], []],
    ['pc-q35-rhel9.8.0', [[], amd, amd, amd], []],
    ['pc-q35-rhel10.2.0', [[], [], [], amd], []],
    ['virt-rhel9.6.0', [['arm'], ['arm'], ['arm'], ['arm']], []],
    ['virt-rhel9.0.0', [['arm'], ['arm'], ['arm'], ['arm']], ['arm']],
    ['q35', [amd, amd, amd, amd], []],
    ['virt', [['arm'], ['arm'], ['arm'], ['arm']], []],
    ['pc-q35-10.1', [[], [], [], []], []], // upstream QEMU's name: no RHEL build offers it
  ])('%s', (type, hostsAt, deprecatedOn) => {
    const p = placeMachineType(pools, type);
    expect(p.hostsAt).toEqual(hostsAt);
    expect(p.hostsNow).toEqual(hostsAt[0]);
    expect(p.hostsAfterSteps).toEqual(hostsAt.at(-1));
    expect(p.deprecatedOn).toEqual(deprecatedOn);
  });

  test('a type the CS10 switch drops is lost on every amd64 pool at step 3, which leaves it no host', () => {
    const p = placeMachineType(pools, 'pc-q35-rhel8.6.0');
    expect(p.lostAt).toEqual([
      { pool: 'east', step: 3, launcher: CS10 },
      { pool: 'west', step: 3, launcher: CS10 },
    ]);
    expect(p.firstStepWithoutHost).toBe(3);
  });

  test('a type that gains hosts or keeps them is never lost', () => {
    for (const type of ['pc-q35-rhel9.8.0', 'pc-q35-rhel9.6.0', 'virt-rhel9.6.0']) {
      const p = placeMachineType(pools, type);
      expect(p.lostAt).toEqual([]);
      expect(p.firstStepWithoutHost).toBeUndefined();
    }
  });

  test('a node-OS step changes no verdict of any type', () => {
    const everyType = new Set(pools.flatMap((p) => p.sets.flatMap((s) => s.supported)));
    for (const type of [...everyType, 'q35', 'pc', 'virt']) {
      for (const pool of placeMachineType(pools, type).pools) expect(pool.steps[2]).toEqual(pool.steps[1]);
    }
  });

  test('an alias reports the canonical type QEMU would run on each pool at each step', () => {
    const canonical = (type: string) => Object.fromEntries(placeMachineType(pools, type).pools.map((p) => [p.pool, p.steps.map((v) => v.canonical)]));
    expect(canonical('q35')).toEqual({
      arm: [undefined, undefined, undefined, undefined],
      east: ['pc-q35-rhel9.6.0', 'pc-q35-rhel9.8.0', 'pc-q35-rhel9.8.0', 'pc-q35-rhel10.2.0'],
      west: ['pc-q35-rhel9.6.0', 'pc-q35-rhel9.8.0', 'pc-q35-rhel9.8.0', 'pc-q35-rhel10.2.0'],
    });
    // `pc` survives the switch by name only: the el10 build points it at a new i440fx type.
    expect(canonical('pc').east).toEqual(['pc-i440fx-rhel7.6.0', 'pc-i440fx-rhel7.6.0', 'pc-i440fx-rhel7.6.0', 'pc-i440fx-rhel10.0.0']);
  });

  test('each verdict names the launcher of its step', () => {
    const east = placeMachineType(pools, 'q35').pools.find((p) => p.pool === 'east')!;
    expect(east.steps.map((v) => v.launcher)).toEqual(steps.map((s) => s.launcher.label));
  });

  test('offeredMachineTypes lists what some pool runs today, of both architectures', () => {
    const offered = offeredMachineTypes(pools);
    expect(offered).toContain('virt-rhel9.6.0');
    expect(offered).toContain('pc-q35-rhel8.6.0');
    expect(offered).not.toContain('pc-q35-rhel9.8.0');
  });
});

const ENTRIES = { el9: launcherEntry('1.7.0', 'centos-stream-9')!, el10: launcherEntry('1.8.0', 'centos-stream-10')! };
type Build = keyof typeof ENTRIES;
const amd64 = (build: Build, overrides = {}) => resolveMachineTypeSet(ENTRIES[build], launcherLabel(ENTRIES[build]), 'amd64', overrides);

describe('canonicalMachineType', () => {
  test.each([
    ['el9', 'q35', 'pc-q35-rhel9.6.0'],
    ['el9', 'pc', 'pc-i440fx-rhel7.6.0'],
    ['el9', 'pc-q35-rhel9.4.0', 'pc-q35-rhel9.4.0'],
    ['el9', 'pc-q35-10.1', undefined],
    ['el9', 'virt', undefined],
    ['el10', 'q35', 'pc-q35-rhel10.2.0'],
    ['el10', 'pc', 'pc-i440fx-rhel10.0.0'],
    ['el10', 'pc-q35-rhel8.6.0', undefined],
  ] as [Build, string, string | undefined][])('on %s, %s is %s', (build, name, expected) => {
    expect(canonicalMachineType(name, amd64(build))).toBe(expected);
  });
});

describe('deprecation follows the canonical type', () => {
  test.each([
    ['el9', 'q35', false],
    ['el9', 'pc', true],
    ['el9', 'pc-q35-rhel8.6.0', true],
    ['el10', 'pc-q35-rhel9.6.0', true],
    ['el10', 'q35', false],
    ['el10', 'pc-q35-rhel8.6.0', false], // not offered at all, so not "deprecated"
  ] as [Build, string, boolean][])('on %s, %s deprecated: %s', (build, name, expected) => {
    expect(isDeprecatedOn(amd64(build), name)).toBe(expected);
  });
});

describe('pool overrides', () => {
  test('add, remove and deprecate change the set, and an alias to a removed type disappears', () => {
    const set = amd64('el10', { add: ['pc-q35-rhel8.6.0'], remove: ['pc-q35-rhel10.2.0'], deprecate: ['pc-q35-rhel10.0.0'] });
    expect(set.supported).toContain('pc-q35-rhel8.6.0');
    expect(set.supported).not.toContain('pc-q35-rhel10.2.0');
    expect(set.deprecated).toContain('pc-q35-rhel10.0.0');
    expect(set.aliases.q35).toBeUndefined();
    expect(set.aliases.pc).toBe('pc-i440fx-rhel10.0.0');
  });

  test('an override applies at every step, a node-OS step included', () => {
    const { pools: corrected } = resolveCluster(
      upgradingTestCluster({
        nodePools: [
          { name: 'east', nodeSelector: { pool: 'east' }, os: 'rhel-9.6', machineTypes: { add: ['pc-q35-rhel8.6.0'] } },
          { name: 'west', nodeSelector: { pool: 'west' } },
        ],
      }),
    );
    expect(placeMachineType(corrected, 'pc-q35-rhel8.6.0').hostsAt).toEqual([['east', 'west'], ['east', 'west'], ['east', 'west'], ['east']]);
  });
});
