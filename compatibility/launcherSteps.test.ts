import { describe, expect, test } from 'vitest';
import { TEST_CS10_LAUNCHER_IMAGE } from '../testbed/support/clusterFixtures.js';
import { launcherEntry, launcherLabel } from './launcherCatalogue.js';
import { clusterSteps, defaultLauncherImage, type LauncherPlanInput, NOW_STEP } from './launcherSteps.js';

const pools = [{ name: 'east', os: 'rhel-9.6' }, { name: 'west' }];
const plan = (more: Partial<LauncherPlanInput> = {}): LauncherPlanInput => ({ kubevirtVersion: '1.7.0', nodePools: pools, ...more });

describe('clusterSteps', () => {
  const steps = clusterSteps(
    plan({
      plannedSteps: [
        { kind: 'kubevirt-upgrade', to: '1.8.0' },
        { kind: 'node-os-upgrade', pool: 'east', to: 'rhel-10.0' },
        { kind: 'launcher-switch', build: 'centos-stream-10', image: TEST_CS10_LAUNCHER_IMAGE },
        { kind: 'kubevirt-upgrade', to: '1.9.0', image: 'registry.example.com/virt-launcher:v1.9.0-cs10' },
      ],
    }),
  );

  test('now, then one step per planned step, labelled for humans', () => {
    expect(steps.map((s) => [s.index, s.id, s.kind, s.label])).toEqual([
      [0, NOW_STEP, 'now', 'now'],
      [1, 'step-1', 'kubevirt-upgrade', 'KubeVirt 1.7.0 → 1.8.0'],
      [2, 'step-2', 'node-os-upgrade', 'pool east OS rhel-9.6 → rhel-10.0'],
      [3, 'step-3', 'launcher-switch', 'launcher centos-stream-9 → centos-stream-10'],
      [4, 'step-4', 'kubevirt-upgrade', 'KubeVirt 1.8.0 → 1.9.0'],
    ]);
  });

  test('a KubeVirt upgrade keeps the build it starts from unless it names another', () => {
    expect(steps[4]!.launcher.entry.id).toBe('kubevirt-1.9/centos-stream-10');
    const switching = clusterSteps(
      plan({ kubevirtVersion: '1.8.0', plannedSteps: [{ kind: 'kubevirt-upgrade', to: '1.9.0', build: 'centos-stream-10', image: 'x/y:z' }] }),
    );
    expect(switching[1]!.label).toBe('KubeVirt 1.8.0 → 1.9.0 (centos-stream-9 → centos-stream-10)');
  });

  test('only launcher steps change the launcher; a node-OS step keeps it and changes only the OS', () => {
    expect(steps.map((s) => s.launcherChanged)).toEqual([false, true, false, true, true]);
    expect(steps[2]!.launcher).toBe(steps[1]!.launcher);
    expect(steps[1]!.os).toEqual({ east: 'rhel-9.6' });
    expect(steps[2]!.os).toEqual({ east: 'rhel-10.0' });
    expect(steps[4]!.os).toEqual({ east: 'rhel-10.0' });
  });

  test("each step resolves to its catalogue entry, with that entry's label", () => {
    expect(steps.map((s) => s.launcher.entry.id)).toEqual([
      'kubevirt-1.7/centos-stream-9',
      'kubevirt-1.8/centos-stream-9',
      'kubevirt-1.8/centos-stream-9',
      'kubevirt-1.8/centos-stream-10',
      'kubevirt-1.9/centos-stream-10',
    ]);
    for (const s of steps) expect(s.launcher.label).toBe(launcherLabel(s.launcher.entry));
  });

  test('a pool that states no OS is absent from the step\'s OS map, and its node-OS step starts from "(unstated)"', () => {
    const [, step] = clusterSteps(plan({ plannedSteps: [{ kind: 'node-os-upgrade', pool: 'west', to: 'rhel-10.0' }] }));
    expect(step!.label).toBe('pool west OS (unstated) → rhel-10.0');
    expect(step!.launcherChanged).toBe(false);
  });
});

describe('launcher images', () => {
  test("the upstream CentOS Stream 9 build defaults to quay.io's image of the exact version", () => {
    const steps = clusterSteps(plan({ kubevirtVersion: '1.6.2', plannedSteps: [{ kind: 'kubevirt-upgrade', to: '1.7.0' }] }));
    expect(steps.map((s) => s.launcher.image)).toEqual(['quay.io/kubevirt/virt-launcher:v1.6.2', 'quay.io/kubevirt/virt-launcher:v1.7.0']);
    expect(defaultLauncherImage(launcherEntry('1.8.1', 'centos-stream-9')!, '1.8.1')).toBe('quay.io/kubevirt/virt-launcher:v1.8.1');
  });

  test('a named image wins over the default', () => {
    const [now] = clusterSteps(plan({ launcher: { image: 'mirror.example.com/virt-launcher:v1.7.0' } }));
    expect(now!.launcher.image).toBe('mirror.example.com/virt-launcher:v1.7.0');
  });

  test('a CentOS Stream 10 launcher has no default: upstream publishes none, so the image is required', () => {
    expect(defaultLauncherImage(launcherEntry('1.8.0', 'centos-stream-10')!, '1.8.0')).toBeUndefined();
    expect(() => clusterSteps(plan({ kubevirtVersion: '1.8.0', launcher: { build: 'centos-stream-10' } }))).toThrow(
      /launcher: kubevirt-1.8\/centos-stream-10 has no published image/,
    );
    expect(() => clusterSteps(plan({ kubevirtVersion: '1.8.0', plannedSteps: [{ kind: 'launcher-switch', build: 'centos-stream-10' }] }))).toThrow(
      /plannedSteps\[0\]: .* has no published image/,
    );
    const [now] = clusterSteps(plan({ kubevirtVersion: '1.8.0', launcher: { build: 'centos-stream-10', image: TEST_CS10_LAUNCHER_IMAGE } }));
    expect(now!.launcher.image).toBe(TEST_CS10_LAUNCHER_IMAGE);
  });

  test('a version or build the catalogue lacks throws, naming the step (validation refuses it first)', () => {
    expect(() => clusterSteps(plan({ kubevirtVersion: '1.3.0' }))).toThrow(/^launcher: no catalogue entry for KubeVirt 1.3.0/);
    expect(() => clusterSteps(plan({ plannedSteps: [{ kind: 'kubevirt-upgrade', to: '1.10.0' }] }))).toThrow(
      /^plannedSteps\[0\]: no catalogue entry for KubeVirt 1.10.0/,
    );
  });
});
