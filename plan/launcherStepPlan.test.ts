/**
 * Issue 18's done-when for `kvfleet plan`: on an inventory of a cluster before launcher steps, the
 * plan names exactly the VMs whose `status.machine.type` a later launcher lacks — expected set read
 * from the launcher catalogue, not retyped — each with a way out (a Git patch onto the move-to type,
 * or holding the step when no type of its family survives), and a node-OS-only step changes no verdict.
 */
import { describe, expect, test } from 'vitest';
import { launcherEntry } from '../compatibility/launcherCatalogue.js';
import { architectureOf } from '../compatibility/machineTypeNames.js';
import { moveToMachineType } from '../compatibility/moveTo.js';
import { resolveCluster } from '../compatibility/poolMachineTypes.js';
import { testPool, upgradingTestCluster } from '../testbed/support/clusterFixtures.js';
import { kvfleetMachineTypeLabels, LAUNCHER_STEP_NAMESPACE, launcherStepInventoryObjects, nodeObject, pinnedVmName } from '../testbed/support/planInventories.js';
import { inventoryFromObjects } from './inventoryFromObjects.js';
import { planCluster } from './planCluster.js';

const cluster = upgradingTestCluster();
const objects = launcherStepInventoryObjects(cluster);
const plan = planCluster(cluster, inventoryFromObjects(objects, 'launcherStepInventoryObjects'));

/** Every running VMI's `status.machine.type`, as the inventory objects carry it. */
const running = objects
  .filter((o) => o.kind === 'VirtualMachineInstance')
  .map((o) => ({
    name: (o.metadata as { name: string }).name,
    type: ((o.status as { machine: { type: string } }).machine as { type: string }).type,
  }));

// The launchers the cluster's planned steps bring, straight from the catalogue: 1.8.0 on its build, then its CS10 switch.
const laterLaunchers = [launcherEntry('1.8.0', 'centos-stream-9')!, launcherEntry('1.8.0', 'centos-stream-10')!];
const lacks = (type: string) => laterLaunchers.some((e) => !e.architectures[architectureOf(type)!]!.machineTypes.includes(type));
const expected = running
  .filter((r) => lacks(r.type))
  .map((r) => r.name)
  .sort();

describe('a cluster before launcher steps that drop types', () => {
  test('the inventory runs many types, and some of them are dropped', () => {
    expect(running.length).toBeGreaterThan(10);
    expect(expected.length).toBeGreaterThan(5);
    expect(expected.length).toBeLessThan(running.length);
  });

  test('plan strands exactly the VMs whose running type a later launcher lacks', () => {
    const stranded = plan.vms
      .filter((v) => v.verdict === 'stranded')
      .map((v) => v.name)
      .sort();
    expect(stranded).toEqual(expected);
  });

  test('each says, naming the step and its launcher, that its workload-update migration never schedules', () => {
    const switchStep = plan.steps.find((s) => s.kind === 'launcher-switch')!;
    for (const vm of plan.vms.filter((v) => v.verdict === 'stranded')) {
      expect(vm.verdictStep).toBe(switchStep.id);
      expect(vm.reason).toContain(`after ${switchStep.id} (${switchStep.label})`);
      expect(vm.reason).toContain(`${switchStep.launcher} lacks ${vm.machineType}`);
      expect(vm.reason).toContain('its workload-update migration will never schedule and every drain of its node will stall');
    }
  });

  test('each has a Git patch onto the move-to type, or, when no type of its family survives, the fix of holding the step', () => {
    const { pools } = resolveCluster(cluster);
    const switchStep = plan.steps.find((s) => s.kind === 'launcher-switch')!;
    let patched = 0;
    for (const name of expected) {
      const vm = plan.vms.find((v) => v.name === name)!;
      const move = moveToMachineType(pools, vm.machineType);
      expect(vm.fixes.find((f) => f.kind === 'hold-step')).toMatchObject({ step: switchStep.id, launcher: switchStep.launcher });
      const patch = plan.patches.find((p) => p.name === name);
      if (!move) {
        expect(patch).toBeUndefined();
        continue;
      }
      patched += 1;
      expect(patch).toEqual({
        argoCdApplication: 'pinned',
        namespace: LAUNCHER_STEP_NAMESPACE,
        name,
        mergePatch: { spec: { template: { spec: { domain: { machine: { type: move.machineType } } } } } },
      });
      expect(plan.transitions.find((t) => t.name === name)).toMatchObject({ from: vm.machineType, to: move.machineType, before: switchStep.id });
    }
    expect(patched).toBeGreaterThan(0);
    expect(plan.patches.map((p) => p.name).every((n) => expected.includes(n))).toBe(true);
  });

  test('the node-OS step changes no verdict, and its label says so', () => {
    const i = plan.steps.findIndex((s) => s.kind === 'node-os-upgrade');
    expect(plan.steps[i]).toMatchObject({ machineTypesChanged: false, label: expect.stringContaining('machine types unchanged') });
    for (const vm of plan.vms) expect(vm.steps[i]).toEqual({ ...vm.steps[i - 1]!, step: plan.steps[i]!.id });
    // And planning without it gives every VM the same verdict.
    const without = upgradingTestCluster({ plannedSteps: cluster.plannedSteps!.filter((s) => s.kind !== 'node-os-upgrade') });
    const other = planCluster(without, inventoryFromObjects(launcherStepInventoryObjects(without), 'x'));
    expect(other.vms.map((v) => [v.name, v.verdict])).toEqual(plan.vms.map((v) => [v.name, v.verdict]));
  });

  test('a KubeVirt upgrade that keeps every type strands nobody', () => {
    const kubevirtStep = plan.steps.findIndex((s) => s.kind === 'kubevirt-upgrade');
    expect(plan.vms.every((v) => v.steps[kubevirtStep]!.verdict !== 'stranded')).toBe(true);
  });
});

describe('the node rule decides which nodes host', () => {
  test('on KubeVirt ≥ 1.5.1 a node carrying only kvfleet labels hosts nothing (no fallback)', () => {
    const c = upgradingTestCluster({ nodePools: [testPool('east')], plannedSteps: [] });
    const set = resolveCluster(c).pools[0]!.current;
    const objs = [
      nodeObject('east-01', { labels: { 'node.example.com/pool': 'east', ...kvfleetMachineTypeLabels(set) } }),
      nodeObject('east-02', { labels: { 'node.example.com/pool': 'east', ...kvfleetMachineTypeLabels(set) } }),
      ...launcherStepInventoryObjects(c).filter((o) => (o.metadata as { name: string }).name === pinnedVmName('pc-q35-rhel9.6.0')),
    ];
    const p = planCluster(c, inventoryFromObjects(objs, 'x'));
    expect(p.vms[0]).toMatchObject({ verdict: 'stranded', steps: [{ pools: [], nodes: 0 }] });
    expect(p.labelMismatches.join('\n')).toMatch(/east-01 .*carries no KubeVirt machine-type label/);
  });
});
