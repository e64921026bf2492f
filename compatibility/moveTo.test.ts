import { describe, expect, test } from 'vitest';
import { testCluster, testPool, upgradingTestCluster } from '../testbed/support/clusterFixtures.js';
import { architectureOf, chipsetOf } from './machineTypeNames.js';
import { moveToMachineType } from './moveTo.js';
import { placeMachineType } from './placement.js';
import { resolveCluster } from './poolMachineTypes.js';

// upgradingTestCluster: 1.7 CS9 now → 1.8 CS9 → node-OS east → CS10 switch (drops RHEL 7.6/8.x, deprecates RHEL 9).
const { steps, pools } = resolveCluster(upgradingTestCluster());
const poolsOf = (arch: string) => pools.filter((p) => p.architecture === arch).map((p) => p.name);

/** True when every pool of the type's architecture runs it at every step. */
function runsThroughout(type: string): boolean {
  const archPools = poolsOf(architectureOf(type)!);
  return placeMachineType(pools, type).hostsAt.every((hosts) => archPools.every((p) => hosts.includes(p)));
}

describe('moveToMachineType on a cluster before a step that drops types', () => {
  test('the advised type for pc-q35-rhel8.6.0 runs on every amd64 pool now and after every step', () => {
    expect(placeMachineType(pools, 'pc-q35-rhel8.6.0').firstStepWithoutHost).toBeDefined(); // the case is real
    const move = moveToMachineType(pools, 'pc-q35-rhel8.6.0')!;
    expect(move).toBeDefined();
    expect(chipsetOf(move.machineType)).toBe('q35');
    expect(runsThroughout(move.machineType)).toBe(true);
    expect(move.machineType).toBe('pc-q35-rhel9.6.0');
  });

  test('it is the newest such type, and says at which steps it is deprecated', () => {
    const move = moveToMachineType(pools, 'pc-q35-rhel8.6.0')!;
    // The RHEL 9.8 type is newer but not offered today: the VM restarts before the first step, so it cannot use it.
    expect(runsThroughout('pc-q35-rhel9.8.0')).toBe(false);
    // Every RHEL 9 type is deprecated by the CS10 build, so nothing better exists; the answer says so.
    expect(move.deprecatedAtSteps).toEqual([steps.findIndex((s) => s.kind === 'launcher-switch')]);
  });

  test('a type with no survivor of its family gets no answer (hold the step or correct the catalogue)', () => {
    // i440fx: CS9 offers only rhel7.6.0, which CS10 drops; CS10's rhel10.0.0 does not run today.
    expect(runsThroughout('pc-i440fx-rhel7.6.0')).toBe(false);
    expect(moveToMachineType(pools, 'pc-i440fx-rhel7.6.0')).toBeUndefined();
  });

  test('an alias is answered in its family', () => {
    expect(moveToMachineType(pools, 'q35')?.machineType).toBe('pc-q35-rhel9.6.0');
    expect(moveToMachineType(pools, 'virt')?.machineType).toBe('virt-rhel9.6.0');
  });

  test('names of no known family get no answer', () => {
    expect(moveToMachineType(pools, 'microvm')).toBeUndefined();
    expect(moveToMachineType(pools, 'pc-q35-rhel9')).toBeUndefined();
  });
});

describe('moveToMachineType prefers types deprecated at the fewest steps', () => {
  test('with nothing planned, a deprecated type moves to the newest current one, deprecated nowhere', () => {
    const { pools: calm } = resolveCluster(testCluster());
    expect(moveToMachineType(calm, 'pc-q35-rhel8.6.0')).toEqual({ machineType: 'pc-q35-rhel9.6.0', deprecatedAtSteps: [] });
  });

  test('a newer type deprecated on one pool loses to an older one deprecated nowhere', () => {
    const { pools: corrected } = resolveCluster(testCluster({ nodePools: [testPool('east', { machineTypes: { deprecate: ['pc-q35-rhel9.6.0'] } }), testPool('west')] }));
    expect(moveToMachineType(corrected, 'pc-q35-rhel8.6.0')).toEqual({ machineType: 'pc-q35-rhel9.4.0', deprecatedAtSteps: [] });
  });

  test('a type missing on one pool of the architecture is never advised', () => {
    const { pools: corrected } = resolveCluster(testCluster({ nodePools: [testPool('east', { machineTypes: { remove: ['pc-q35-rhel9.6.0'] } }), testPool('west')] }));
    expect(moveToMachineType(corrected, 'pc-q35-rhel8.6.0')?.machineType).toBe('pc-q35-rhel9.4.0');
  });
});

describe('moveToMachineType is per architecture', () => {
  test('a virt-rhel type gets a virt-rhel answer that runs on every arm64 pool at every step', () => {
    const move = moveToMachineType(pools, 'virt-rhel9.0.0')!;
    expect(architectureOf(move.machineType)).toBe('arm64');
    expect(chipsetOf(move.machineType)).toBe('virt');
    expect(runsThroughout(move.machineType)).toBe(true);
    expect(move.machineType).toBe('virt-rhel9.6.0');
  });

  test("only pools of the type's architecture count: the amd64 pools change nothing for an arm64 type, and vice versa", () => {
    const arm = pools.filter((p) => p.architecture === 'arm64');
    const amd = pools.filter((p) => p.architecture === 'amd64');
    expect(moveToMachineType(arm, 'virt-rhel9.0.0')).toEqual(moveToMachineType(pools, 'virt-rhel9.0.0'));
    expect(moveToMachineType(amd, 'pc-q35-rhel8.6.0')).toEqual(moveToMachineType(pools, 'pc-q35-rhel8.6.0'));
  });

  test('a type of an architecture the cluster has no pool of gets no answer', () => {
    const amdOnly = pools.filter((p) => p.architecture === 'amd64');
    expect(moveToMachineType(amdOnly, 'virt-rhel9.0.0')).toBeUndefined();
    expect(moveToMachineType(pools, 's390-ccw-virtio-rhel8.6.0')).toBeUndefined();
  });
});
