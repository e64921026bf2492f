import { describe, expect, test } from 'vitest';
import { type ClusterDefinition } from '../fleet/clusterDefinition.js';
import { TEST_POOL_LABEL, testCluster, testPool } from '../test/support/clusterFixtures.js';
import { nodeObject, runningVm, vmiObject, vmObject } from '../test/support/planInventories.js';
import { inventoryFromObjects } from './inventoryFromObjects.js';
import { planCluster } from './planCluster.js';
import { type VmPlan } from './planModel.js';
import { overallVerdict, stepVerdict } from './vmPlacement.js';

/** rhel96 (RHEL 9.6, upgrading to 10.0) and rhel10; rhel93 (RHEL 9.3, keeps the RHEL 8 types) when asked. */
function cluster(withRhel93 = false): ClusterDefinition {
  const nodePools = [testPool('rhel96', 'rhel-9.6', { upgradeTo: 'rhel-10.0' }), testPool('rhel10', 'rhel-10.0')];
  return testCluster({ nodePools: withRhel93 ? [...nodePools, testPool('rhel93', 'rhel-9.3')] : nodePools });
}
const nodesOf = (pool: string, names: string[], cordoned: string[] = []) =>
  names.map((n) => nodeObject(n, { labels: { [TEST_POOL_LABEL]: pool }, unschedulable: cordoned.includes(n) }));

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

describe('verdict per step (rhel96 → rhel-10.0, beside rhel10)', () => {
  const nodes = [...nodesOf('rhel96', ['a-1', 'a-2', 'a-3']), ...nodesOf('rhel10', ['b-1'])];

  test('pc-q35-rhel9.6.0 runs everywhere: ok now, deprecated once every node is on RHEL 10', () => {
    const vm = vmPlan(cluster(), [...nodes, ...runningVm('ns', 'vm', 'a-1', 'pc-q35-rhel9.6.0')]);
    // Four hosts, the VM's own node not a target.
    expect(verdicts(vm)).toEqual(['now:ok:3', 'after-rhel96:deprecated:3']);
    expect(vm.steps[1]!.pools).toEqual(['rhel10', 'rhel96']);
    expect(vm).toMatchObject({ verdict: 'deprecated', verdictStep: 'after-rhel96' });
  });

  test('pc-q35-rhel8.6.0 is deprecated on RHEL 9.6 and stranded when its pool moves to RHEL 10', () => {
    const vm = vmPlan(cluster(), [...nodes, ...runningVm('ns', 'vm', 'a-1', 'pc-q35-rhel8.6.0')]);
    expect(verdicts(vm)).toEqual(['now:deprecated:2', 'after-rhel96:stranded:0']);
    expect(vm.steps[1]!.pools).toEqual([]);
    expect(vm).toMatchObject({ verdict: 'stranded', verdictStep: 'after-rhel96' });
  });

  test('the VM’s own node is no target: two hosts leave it at risk', () => {
    const vm = vmPlan(cluster(), [...nodesOf('rhel96', ['a-1', 'a-2']), ...runningVm('ns', 'vm', 'a-1', 'pc-q35-rhel8.6.0')]);
    expect(vm.steps[0]).toEqual({ step: 'now', pools: ['rhel96'], nodes: 1, verdict: 'at-risk' });
  });

  test('a cordoned node is no host: with it, at risk becomes stranded', () => {
    const vm = vmPlan(cluster(), [...nodesOf('rhel96', ['a-1', 'a-2'], ['a-2']), ...runningVm('ns', 'vm', 'a-1', 'pc-q35-rhel8.6.0')]);
    expect(vm.steps[0]).toEqual({ step: 'now', pools: ['rhel96'], nodes: 0, verdict: 'stranded' });
  });

  test('a VM on a cordoned node may go to every host', () => {
    const vm = vmPlan(cluster(), [...nodesOf('rhel96', ['a-1', 'a-2', 'a-3'], ['a-1']), ...runningVm('ns', 'vm', 'a-1', 'pc-q35-rhel8.6.0')]);
    expect(vm.steps[0]!.nodes).toBe(2);
  });

  test('a stopped VM may start on any host, so none is taken off', () => {
    const vm = vmPlan(cluster(), [...nodesOf('rhel96', ['a-1', 'a-2']), vmObject('ns', 'vm', { machineType: 'pc-q35-rhel8.6.0', runStrategy: 'Halted' })]);
    expect(vm.steps[0]).toMatchObject({ nodes: 2, verdict: 'deprecated' });
  });

  test('after its node’s upgrade a running VM sits on one of the remaining hosts, so one fewer is a target', () => {
    const objects = [...nodesOf('rhel96', ['a-1', 'a-2']), ...nodesOf('rhel93', ['c-1', 'c-2']), ...runningVm('ns', 'vm', 'a-1', 'pc-q35-rhel8.6.0')];
    const vm = vmPlan(cluster(true), objects);
    expect(verdicts(vm)).toEqual(['now:deprecated:3', 'after-rhel96:at-risk:1']);
    expect(vm.steps[1]!.pools).toEqual(['rhel93']);
  });
});

describe('aliases', () => {
  const nodes = [...nodesOf('rhel96', ['a-1', 'a-2']), ...nodesOf('rhel10', ['b-1', 'b-2'])];

  test('a stopped VM asking for q35 boots on whatever the node resolves it to: ok before and after', () => {
    const vm = vmPlan(cluster(), [...nodes, vmObject('ns', 'vm', { runStrategy: 'Halted' })]);
    expect(vm.requestedMachineType).toBe('q35');
    expect(verdicts(vm)).toEqual(['now:ok:4', 'after-rhel96:ok:4']);
    // Resolved on the first pool by name that runs it: rhel10.
    expect(vm.machineType).toBe('pc-q35-rhel10.0.0');
  });

  test('a running VMI booted from q35 is bound to the type it resolved to', () => {
    const vm = vmPlan(cluster(), [...nodes, vmiObject('ns', 'vm', { nodeName: 'a-1', runningMachineType: 'pc-q35-rhel9.6.0' })]);
    expect(vm).toMatchObject({ kind: 'VirtualMachineInstance', requestedMachineType: 'q35', machineType: 'pc-q35-rhel9.6.0' });
    expect(verdicts(vm)).toEqual(['now:ok:3', 'after-rhel96:deprecated:3']);
  });

  test('a stopped VM asking for pc (i440fx) has nowhere to boot once RHEL 10, which has no pc alias, is everywhere', () => {
    const vm = vmPlan(cluster(), [...nodes, vmObject('ns', 'vm', { machineType: 'pc', runStrategy: 'Halted' })]);
    expect(verdicts(vm)).toEqual(['now:deprecated:2', 'after-rhel96:stranded:0']);
  });
});

test('overall: the worst verdict, at the first step that has it', () => {
  const steps = [
    { step: 'now', pools: ['a'], nodes: 1, verdict: 'at-risk' },
    { step: 'after-a', pools: ['a'], nodes: 3, verdict: 'ok' },
    { step: 'after-b', pools: ['a'], nodes: 1, verdict: 'at-risk' },
  ] as const;
  expect(overallVerdict(steps)).toEqual({ verdict: 'at-risk', verdictStep: 'now' });
  expect(overallVerdict([steps[1], steps[2]])).toEqual({ verdict: 'at-risk', verdictStep: 'after-b' });
});
