import { describe, expect, test } from 'vitest';
import { moveToMachineType } from '../compatibility/moveTo.js';
import { resolveCluster } from '../compatibility/poolMachineTypes.js';
import { TEST_POOL_LABEL, upgradingTestCluster } from '../testbed/support/clusterFixtures.js';
import { kubevirtMachineTypeLabels, nodeObject, runningVm, vmiObject } from '../testbed/support/planInventories.js';
import { inventoryFromObjects } from './inventoryFromObjects.js';
import { planCluster } from './planCluster.js';
import { type VmStepPlacement } from './planModel.js';
import { breakingStep } from './transitions.js';

const step = (id: string, verdict: VmStepPlacement['verdict']): VmStepPlacement => ({ step: id, pools: [], nodes: 0, verdict });

test.each([
  [['ok', 'stranded'], 'step-1'],
  [['deprecated', 'ok', 'at-risk'], 'step-2'],
  [['at-risk', 'stranded'], 'step-1'],
  [['stranded', 'stranded'], undefined], // broken today: no step to do it before
  [['at-risk', 'at-risk'], undefined],
  [['ok', 'deprecated'], undefined],
] as const)('verdicts %j break before %s', (verdicts, expected) => {
  expect(breakingStep({ steps: verdicts.map((v, i) => step(i === 0 ? 'now' : `step-${i}`, v)) })).toBe(expected);
});

describe('transitions and Git patches', () => {
  const definition = upgradingTestCluster();
  const { pools } = resolveCluster(definition);
  const east = pools.find((p) => p.name === 'east')!;
  const nodes = ['e-1', 'e-2', 'e-3'].map((n) => nodeObject(n, { labels: { [TEST_POOL_LABEL]: 'east', ...kubevirtMachineTypeLabels(east.current) } }));
  const rhel8 = 'pc-q35-rhel8.6.0';
  const plan = planCluster(
    definition,
    inventoryFromObjects(
      [
        ...nodes,
        ...runningVm('apps', 'argo-vm', 'e-1', rhel8, { machineType: rhel8, argoCdApplication: 'apps' }),
        ...runningVm('apps', 'plain-vm', 'e-2', rhel8, { machineType: rhel8 }),
        vmiObject('apps', 'bare-vmi', { machineType: rhel8, nodeName: 'e-3', runningMachineType: rhel8 }),
        ...runningVm('apps', 'i440fx-vm', 'e-1', 'pc-i440fx-rhel7.6.0', { machineType: 'pc-i440fx-rhel7.6.0', argoCdApplication: 'apps' }),
      ],
      'test',
    ),
  );
  const to = moveToMachineType(pools, rhel8)!.machineType;

  test('each VM a launcher step strands, with a move-to type: from, to, and the step it must precede', () => {
    expect(plan.transitions).toEqual(
      ['argo-vm', 'bare-vmi', 'plain-vm'].map((name) => ({
        namespace: 'apps',
        name,
        kind: name === 'bare-vmi' ? 'VirtualMachineInstance' : 'VirtualMachine',
        from: rhel8,
        to,
        before: 'step-3',
        restartRequired: true,
        ...(name === 'argo-vm' ? { argoCdApplication: 'apps' } : {}),
      })),
    );
  });

  test('a stranded VM with no move-to type of its family has no transition', () => {
    expect(plan.vms.find((v) => v.name === 'i440fx-vm')!.verdict).toBe('stranded');
    expect(plan.transitions.map((t) => t.name)).not.toContain('i440fx-vm');
  });

  test('only the Argo CD-owned VM gets a Git patch, setting the template’s machine type', () => {
    expect(plan.patches).toEqual([
      { argoCdApplication: 'apps', namespace: 'apps', name: 'argo-vm', mergePatch: { spec: { template: { spec: { domain: { machine: { type: to } } } } } } },
    ]);
  });
});
