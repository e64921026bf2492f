import { describe, expect, test } from 'vitest';
import { resolveMachineTypeSet } from '../compatibility/poolMachineTypes.js';
import { TEST_POOL_LABEL, testCluster, testPool } from '../test/support/clusterFixtures.js';
import { nodeObject, runningVm, vmiObject } from '../test/support/planInventories.js';
import { inventoryFromObjects } from './inventoryFromObjects.js';
import { planCluster } from './planCluster.js';
import { type VmStepPlacement } from './planModel.js';
import { breakingStep } from './transitions.js';

const step = (id: string, verdict: VmStepPlacement['verdict']): VmStepPlacement => ({ step: id, pools: [], nodes: 0, verdict });

test.each([
  [['ok', 'stranded'], 'after-1'],
  [['deprecated', 'ok', 'at-risk'], 'after-2'],
  [['at-risk', 'stranded'], 'after-1'],
  [['stranded', 'stranded'], undefined], // broken today: no upgrade to do it before
  [['at-risk', 'at-risk'], undefined],
  [['ok', 'deprecated'], undefined],
] as const)('verdicts %j break before %s', (verdicts, expected) => {
  expect(breakingStep({ steps: verdicts.map((v, i) => step(i === 0 ? 'now' : `after-${i}`, v)) })).toBe(expected);
});

describe('transitions and Git patches', () => {
  // Two pools upgrade in turn; a-pool's upgrade drops RHEL 8, b-pool's too.
  const definition = testCluster({
    nodePools: [testPool('a-pool', 'rhel-9.6', { upgradeTo: 'rhel-10.0' }), testPool('b-pool', 'rhel-9.6', { upgradeTo: 'rhel-10.0' })],
  });
  const nodes = ['a-1', 'a-2', 'a-3'].map((n) => nodeObject(n, { labels: { [TEST_POOL_LABEL]: 'a-pool' } }));
  const bNodes = ['b-1', 'b-2', 'b-3'].map((n) => nodeObject(n, { labels: { [TEST_POOL_LABEL]: 'b-pool' } }));
  const rhel8 = 'pc-q35-rhel8.6.0';
  const plan = planCluster(
    definition,
    inventoryFromObjects(
      [
        ...nodes,
        ...bNodes,
        ...runningVm('apps', 'argo-vm', 'a-1', rhel8, { machineType: rhel8, argoCdApplication: 'apps' }),
        ...runningVm('apps', 'plain-vm', 'a-2', rhel8, { machineType: rhel8 }),
        vmiObject('apps', 'bare-vmi', { machineType: rhel8, nodeName: 'a-3', runningMachineType: rhel8 }),
        ...runningVm('apps', 'i440fx-vm', 'b-1', 'pc-i440fx-rhel7.6.0', { machineType: 'pc-i440fx-rhel7.6.0', argoCdApplication: 'apps' }),
      ],
      'test',
    ),
  );
  const to = resolveMachineTypeSet('rhel-10.0')!.aliases.q35;

  test('each VM an upgrade strands and that has a newer type: from, to, and the step it must precede', () => {
    // RHEL 8 types survive a-pool's upgrade on b-pool's three nodes, and break with b-pool's.
    expect(plan.steps.map((s) => s.id)).toEqual(['now', 'after-a-pool', 'after-b-pool']);
    expect(plan.transitions).toEqual(
      ['argo-vm', 'bare-vmi', 'plain-vm'].map((name) => ({
        namespace: 'apps',
        name,
        kind: name === 'bare-vmi' ? 'VirtualMachineInstance' : 'VirtualMachine',
        from: rhel8,
        to,
        before: 'after-b-pool',
        restartRequired: true,
        ...(name === 'argo-vm' ? { argoCdApplication: 'apps' } : {}),
      })),
    );
  });

  test('a stranded VM with no newer type of its chipset has no transition', () => {
    expect(plan.vms.find((v) => v.name === 'i440fx-vm')!.verdict).toBe('stranded');
    expect(plan.transitions.map((t) => t.name)).not.toContain('i440fx-vm');
  });

  test('only the Argo CD-owned VM gets a Git patch, setting the template’s machine type', () => {
    expect(plan.patches).toEqual([
      { argoCdApplication: 'apps', namespace: 'apps', name: 'argo-vm', mergePatch: { spec: { template: { spec: { domain: { machine: { type: to } } } } } } },
    ]);
  });
});
