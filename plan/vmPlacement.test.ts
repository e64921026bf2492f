import { describe, expect, test } from 'vitest';
import { type ClusterDefinition } from '../fleet/clusterDefinition.js';
import { resolveCluster } from '../compatibility/poolMachineTypes.js';
import { TEST_CS10_LAUNCHER_IMAGE, TEST_POOL_LABEL, testCluster, testPool } from '../testbed/support/clusterFixtures.js';
import { kubevirtMachineTypeLabels, nodeObject, runningVm, vmiObject, vmObject } from '../testbed/support/planInventories.js';
import { inventoryFromObjects } from './inventoryFromObjects.js';
import { planCluster } from './planCluster.js';
import { type VmPlan } from './planModel.js';
import { overallVerdict, stepVerdict } from './vmPlacement.js';

/**
 * KubeVirt 1.8.0 on its CentOS Stream 9 launcher, then a switch to a CS10 launcher (drops every RHEL
 * 7/8 type, deprecates RHEL 9's): pools `a` and `b`; `b` keeps pc-q35-rhel8.6.0 by override when asked.
 */
function cluster(bKeepsRhel8 = false): ClusterDefinition {
  return testCluster({
    kubevirtVersion: '1.8.0',
    nodePools: [testPool('a'), testPool('b', bKeepsRhel8 ? { machineTypes: { add: ['pc-q35-rhel8.6.0'] } } : {})],
    plannedSteps: [{ kind: 'launcher-switch', build: 'centos-stream-10', image: TEST_CS10_LAUNCHER_IMAGE }],
  });
}
/** Nodes labelled as KubeVirt's virt-handler labels them for the launcher the cluster runs now. */
const nodesOf = (pool: string, names: string[], cordoned: string[] = []) => {
  const set = resolveCluster(cluster(true)).pools.find((p) => p.name === pool)!.current;
  return names.map((n) => nodeObject(n, { labels: { [TEST_POOL_LABEL]: pool, ...kubevirtMachineTypeLabels(set) }, unschedulable: cordoned.includes(n) }));
};

function vmPlan(definition: ClusterDefinition, objects: Record<string, unknown>[]): VmPlan {
  const plan = planCluster(definition, inventoryFromObjects(objects, 'test'));
  expect(plan.vms).toHaveLength(1);
  return plan.vms[0]!;
}
const verdicts = (vm: VmPlan) => vm.steps.map((s) => `${s.step}:${s.verdict}:${s.nodes}`);

test.each([
  [0, 5, false, 'stranded'],
  [2, 0, false, 'stranded'],
  [1, 1, false, 'at-risk'],
  [1, 1, true, 'at-risk'],
  [1, 2, true, 'deprecated'],
  [2, 2, false, 'ok'],
  [0, null, false, 'stranded'],
  [1, null, false, 'ok'],
  [1, null, true, 'deprecated'],
] as const)('%d pools and %s nodes (deprecated everywhere: %s) is %s', (pools, nodes, deprecated, verdict) => {
  expect(stepVerdict(pools, nodes, deprecated)).toBe(verdict);
});

describe('verdict per step (a CS10 launcher switch after KubeVirt 1.8.0)', () => {
  const nodes = [...nodesOf('a', ['a-1', 'a-2', 'a-3']), ...nodesOf('b', ['b-1'])];

  test('pc-q35-rhel9.6.0 runs everywhere: ok now, deprecated once the CS10 launcher runs', () => {
    const vm = vmPlan(cluster(), [...nodes, ...runningVm('ns', 'vm', 'a-1', 'pc-q35-rhel9.6.0')]);
    // Four hosts, the VM's own node not a target.
    expect(verdicts(vm)).toEqual(['now:ok:3', 'step-1:deprecated:3']);
    expect(vm.steps[1]!.pools).toEqual(['a', 'b']);
    expect(vm).toMatchObject({ verdict: 'deprecated', verdictStep: 'step-1' });
  });

  test('pc-q35-rhel8.6.0 is deprecated by the el9 launcher and stranded by the switch to el10', () => {
    const vm = vmPlan(cluster(), [...nodes, ...runningVm('ns', 'vm', 'a-1', 'pc-q35-rhel8.6.0')]);
    expect(verdicts(vm)).toEqual(['now:deprecated:3', 'step-1:stranded:0']);
    expect(vm.steps[1]!.pools).toEqual([]);
    expect(vm).toMatchObject({ verdict: 'stranded', verdictStep: 'step-1' });
  });

  test('the VM’s own node is no target: two hosts leave it at risk', () => {
    const vm = vmPlan(cluster(), [...nodesOf('a', ['a-1', 'a-2']), ...runningVm('ns', 'vm', 'a-1', 'pc-q35-rhel8.6.0')]);
    expect(vm.steps[0]).toEqual({ step: 'now', pools: ['a'], nodes: 1, verdict: 'at-risk' });
  });

  test('a cordoned node is no host: with it, at risk becomes stranded', () => {
    const vm = vmPlan(cluster(), [...nodesOf('a', ['a-1', 'a-2'], ['a-2']), ...runningVm('ns', 'vm', 'a-1', 'pc-q35-rhel8.6.0')]);
    expect(vm.steps[0]).toEqual({ step: 'now', pools: ['a'], nodes: 0, verdict: 'stranded' });
  });

  test('a VM on a cordoned node may go to every host', () => {
    const vm = vmPlan(cluster(), [...nodesOf('a', ['a-1', 'a-2', 'a-3'], ['a-1']), ...runningVm('ns', 'vm', 'a-1', 'pc-q35-rhel8.6.0')]);
    expect(vm.steps[0]!.nodes).toBe(2);
  });

  test('a stopped VM may start on any host, so none is taken off', () => {
    const vm = vmPlan(cluster(), [...nodesOf('a', ['a-1', 'a-2']), vmObject('ns', 'vm', { machineType: 'pc-q35-rhel8.6.0', runStrategy: 'Halted' })]);
    expect(vm.steps[0]).toMatchObject({ nodes: 2, verdict: 'deprecated' });
  });

  test('after the step a running VM sits on one of the remaining hosts, so one fewer is a target', () => {
    const objects = [...nodesOf('a', ['a-1', 'a-2']), ...nodesOf('b', ['b-1', 'b-2']), ...runningVm('ns', 'vm', 'a-1', 'pc-q35-rhel8.6.0')];
    const vm = vmPlan(cluster(true), objects);
    expect(verdicts(vm)).toEqual(['now:deprecated:3', 'step-1:at-risk:1']);
    expect(vm.steps[1]!.pools).toEqual(['b']);
  });
});

describe('aliases', () => {
  const nodes = [...nodesOf('a', ['a-1', 'a-2']), ...nodesOf('b', ['b-1', 'b-2'])];

  test('a stopped VM asking for q35 boots on whatever the launcher resolves it to: ok before and after', () => {
    const vm = vmPlan(cluster(), [...nodes, vmObject('ns', 'vm', { runStrategy: 'Halted' })]);
    expect(vm.requestedMachineType).toBe('q35');
    expect(verdicts(vm)).toEqual(['now:ok:4', 'step-1:ok:4']);
    expect(vm.machineType).toBe('pc-q35-rhel9.8.0');
  });

  test('a running VMI booted from q35 is bound to the type it resolved to', () => {
    const vm = vmPlan(cluster(), [...nodes, vmiObject('ns', 'vm', { nodeName: 'a-1', runningMachineType: 'pc-q35-rhel9.6.0' })]);
    expect(vm).toMatchObject({ kind: 'VirtualMachineInstance', requestedMachineType: 'q35', machineType: 'pc-q35-rhel9.6.0' });
    expect(verdicts(vm)).toEqual(['now:ok:3', 'step-1:deprecated:3']);
  });

  test("a stopped VM asking for pc boots on the CS10 launcher's own pc (pc-i440fx-rhel10.0.0): never stranded", () => {
    const vm = vmPlan(cluster(), [...nodes, vmObject('ns', 'vm', { machineType: 'pc', runStrategy: 'Halted' })]);
    expect(verdicts(vm)).toEqual(['now:deprecated:4', 'step-1:deprecated:4']);
  });
});

test('overall: the worst verdict, at the first step that has it', () => {
  const steps = [
    { step: 'now', pools: ['a'], nodes: 1, verdict: 'at-risk' },
    { step: 'step-1', pools: ['a'], nodes: 3, verdict: 'ok' },
    { step: 'step-2', pools: ['a'], nodes: 1, verdict: 'at-risk' },
  ] as const;
  expect(overallVerdict(steps)).toEqual({ verdict: 'at-risk', verdictStep: 'now' });
  expect(overallVerdict([steps[1], steps[2]])).toEqual({ verdict: 'at-risk', verdictStep: 'step-2' });
});
