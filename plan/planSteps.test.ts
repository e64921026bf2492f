import { expect, test } from 'vitest';
import { resolveCluster } from '../compatibility/poolMachineTypes.js';
import { testCluster, upgradingTestCluster } from '../testbed/support/clusterFixtures.js';
import { MACHINE_TYPES_UNCHANGED, planSteps, stepViews } from './planSteps.js';

const resolved = resolveCluster(upgradingTestCluster());

test("the plan's steps are the cluster's: now, then each planned step, with its launcher", () => {
  expect(planSteps(resolved).map((s) => ({ ...s }))).toEqual(
    resolved.steps.map((s) => ({
      id: s.id,
      label: expect.stringContaining(s.label),
      kind: s.kind,
      launcher: s.launcher.label,
      launcherImage: s.launcher.image,
      machineTypesChanged: expect.any(Boolean),
    })),
  );
});

test('a step that changes no set says so in its label; launcher steps that change types do not', () => {
  const steps = planSteps(resolved);
  expect(steps.map((s) => [s.kind, s.machineTypesChanged, s.label.endsWith(`(${MACHINE_TYPES_UNCHANGED})`)])).toEqual([
    ['now', false, false],
    ['kubevirt-upgrade', true, false],
    ['node-os-upgrade', false, true],
    ['launcher-switch', true, false],
  ]);
});

test("a KubeVirt upgrade that keeps QEMU's machine types (1.6 → 1.7, both QEMU 9.1) changes no set", () => {
  const r = resolveCluster(testCluster({ plannedSteps: [{ kind: 'kubevirt-upgrade', to: '1.7.0' }] }));
  expect(planSteps(r)[1]).toMatchObject({ kind: 'kubevirt-upgrade', machineTypesChanged: false });
});

test('without listed nodes, each pool is judged by its set at the step (ResolvedPool.sets[k])', () => {
  const views = stepViews(resolved, planSteps(resolved), undefined, 'kubevirt');
  for (const [k, v] of views.entries()) for (const p of v.pools) expect(p.set).toBe(resolved.pools.find((x) => x.name === p.pool)!.sets[k]);
});

test('a cluster without planned steps has only now', () => {
  expect(planSteps(resolveCluster(testCluster())).map((s) => s.id)).toEqual(['now']);
});
