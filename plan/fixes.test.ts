import { describe, expect, test } from 'vitest';
import { moveToMachineType } from '../compatibility/moveTo.js';
import { resolveCluster } from '../compatibility/poolMachineTypes.js';
import { TEST_POOL_LABEL, testCluster, upgradingTestCluster } from '../testbed/support/clusterFixtures.js';
import { kubevirtMachineTypeLabels, nodeObject, runningVm } from '../testbed/support/planInventories.js';
import { inventoryFromObjects } from './inventoryFromObjects.js';
import { planCluster } from './planCluster.js';

// KubeVirt 1.7.0 → 1.8.0 → node OS of east → CS10 launcher (drops RHEL 7/8): upgradingTestCluster.
const definition = upgradingTestCluster();
const resolved = resolveCluster(definition);
const node = (name: string, pool: string) =>
  nodeObject(name, { labels: { [TEST_POOL_LABEL]: pool, ...kubevirtMachineTypeLabels(resolved.pools.find((p) => p.name === pool)!.current) } });
const nodes = [...['e-1', 'e-2'].map((n) => node(n, 'east')), ...['w-1', 'w-2'].map((n) => node(n, 'west'))];
const planWith = (vms: Record<string, unknown>[], def = definition) => planCluster(def, inventoryFromObjects([...nodes, ...vms], 'test'));

describe('fixes in a plan', () => {
  const plan = planWith([
    ...runningVm('ns', 'rhel8', 'e-1', 'pc-q35-rhel8.6.0', { machineType: 'pc-q35-rhel8.6.0' }),
    ...runningVm('ns', 'win', 'w-1', 'pc-i440fx-rhel7.6.0', { machineType: 'pc-i440fx-rhel7.6.0' }),
    ...runningVm('ns', 'fine', 'e-2', 'pc-q35-rhel9.6.0'),
  ]);
  const switchStep = plan.steps.find((s) => s.kind === 'launcher-switch')!;

  test('a VM the launcher switch strands: restart onto the move-to type first, then hold the step', () => {
    const vm = plan.vms.find((v) => v.name === 'rhel8')!;
    const move = moveToMachineType(resolved.pools, 'pc-q35-rhel8.6.0')!;
    expect(vm.fixes.map((f) => f.kind)).toEqual(['restart-onto-newer-type', 'hold-step']);
    expect(vm.fixes[0]).toMatchObject({ machineType: move.machineType, restartRequired: true });
    expect(vm.fixes[0]!.text).toMatch(/restart is required: the machine type is fixed when the VM boots, and live migration cannot change it/);
    expect(vm.fixes[1]).toMatchObject({ kind: 'hold-step', step: switchStep.id, stepLabel: switchStep.label, launcher: switchStep.launcher });
    expect(vm.fixes[1]!.text).toContain('a pool cannot keep the old launcher');
  });

  test('the move-to type is deprecated by the CS10 launcher, and the fix says from which step', () => {
    const move = moveToMachineType(resolved.pools, 'pc-q35-rhel8.6.0')!;
    expect(move.deprecatedAtSteps).toContain(plan.steps.indexOf(switchStep));
    expect(plan.vms.find((v) => v.name === 'rhel8')!.fixes[0]!.text).toContain(`deprecated from ${switchStep.id} (${switchStep.label}) on`);
  });

  test('no i440fx type runs now and after the switch: only holding the step', () => {
    expect(moveToMachineType(resolved.pools, 'pc-i440fx-rhel7.6.0')).toBeUndefined();
    expect(plan.vms.find((v) => v.name === 'win')!.fixes.map((f) => f.kind)).toEqual(['hold-step']);
  });

  test('a VM no step breaks needs no fix', () => {
    expect(plan.vms.find((v) => v.name === 'fine')!.fixes).toEqual([]);
  });

  test('at risk today, not because of a step: no hold, and no restart onto its own type', () => {
    const flat = testCluster({ kubevirtVersion: '1.7.0', nodePools: [{ name: 'east', nodeSelector: { [TEST_POOL_LABEL]: 'east' } }] });
    const p = planCluster(flat, inventoryFromObjects([...nodes.slice(0, 2), ...runningVm('ns', 'vm', 'e-1', 'pc-q35-rhel9.6.0')], 'test'));
    expect(p.vms[0]).toMatchObject({ verdict: 'at-risk', fixes: [] });
    expect(p.vms[0]!.reason).toBeUndefined();
  });
});
