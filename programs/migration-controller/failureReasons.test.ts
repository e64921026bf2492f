import { describe, expect, test } from 'vitest';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, TARGET_NODE_ANNOTATION } from '../../compatibility/labelKeys.js';
import { classifyFailure, type FailureContext } from './failureReasons.js';
import { type NodeView, parseNode, parseTargetPod, parseVmi, parseVmim } from './objectViews.js';
import {
  must,
  nodeObject,
  poolNamed,
  poolNodeLabels,
  SELECTOR_MISMATCH_MESSAGE,
  targetPodObject,
  type VmimSpec,
  vmimObject,
  vmiObject,
  type VmiSpec,
} from '../../testbed/support/syntheticMigrationObjects.js';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const MIN = 60_000;
const ns = 'apps';

const nodes = new Map<string, NodeView>(
  [
    nodeObject({ name: 'stay-1', labels: poolNodeLabels(poolNamed('rhel96-staying')) }),
    nodeObject({ name: 'stay-2', labels: poolNodeLabels(poolNamed('rhel96-staying')) }),
    nodeObject({ name: 'r10-1', labels: poolNodeLabels(poolNamed('rhel10')) }),
    nodeObject({ name: 'stay-down', labels: poolNodeLabels(poolNamed('rhel96-staying')), ready: false }),
  ].map((o) => {
    const n = must(parseNode(o));
    return [n.name, n];
  }),
);

const vmiSpec: VmiSpec = { name: 'vm-1', namespace: ns, uid: 'vmi-uid', createdMs: NOW - 60 * MIN, nodeName: 'stay-1', machineType: 'pc-q35-rhel8.6.0' };
const failedSpec: VmimSpec = {
  name: 'mig-1',
  namespace: ns,
  vmiName: 'vm-1',
  uid: 'mig-uid',
  createdMs: NOW - 10 * MIN,
  phase: 'Failed',
  phases: { Pending: NOW - 10 * MIN, Scheduling: NOW - 10 * MIN + 1000, Failed: NOW - MIN },
};

function context(
  over: { vmi?: Partial<VmiSpec> | null; failed?: Partial<VmimSpec>; others?: VmimSpec[]; pod?: Parameters<typeof targetPodObject>[0] } & Omit<
    Partial<FailureContext>,
    'failed' | 'vmi'
  > = {},
): FailureContext {
  const failed = must(parseVmim(vmimObject({ ...failedSpec, ...over.failed })));
  const others = (over.others ?? []).map((s) => must(parseVmim(vmimObject(s))));
  return {
    failed,
    ...(over.vmi === null ? {} : { vmi: must(parseVmi(vmiObject({ ...vmiSpec, ...over.vmi }))) }),
    siblings: [failed, ...others],
    labeller: 'kvfleet',
    ...(over.pod ? { targetPod: must(parseTargetPod(targetPodObject(over.pod))) } : {}),
    ...(over.observed ? { observed: over.observed } : {}),
    nodes,
    nowMs: NOW,
    maxAgeMs: 60 * MIN,
  };
}

const sibling = (name: string, over: Partial<VmimSpec>): VmimSpec => ({ ...failedSpec, name, uid: `${name}-uid`, ...over });
const targetPod = { name: 'virt-launcher-vm-1-tgt', namespace: ns, vmimUid: 'mig-uid', vmimName: 'mig-1' };

describe('failures a fallback can fix', () => {
  test.each([
    ['the target pod is still there, Unschedulable', { pod: { ...targetPod, unschedulable: SELECTOR_MISMATCH_MESSAGE } }, 'TargetUnschedulable', undefined],
    ['the pod is gone but the controller saw it Unschedulable', { observed: { unschedulableMessage: SELECTOR_MISMATCH_MESSAGE } }, 'TargetUnschedulable', undefined],
    ['the migration failed still in Scheduling (KubeVirt gave up on the target pod)', {}, 'TargetUnschedulable', undefined],
    [
      'a pinned fallback failed in Scheduling: its pinned node is the failed target',
      { failed: { labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE }, annotations: { [TARGET_NODE_ANNOTATION]: 'stay-2' } } },
      'TargetUnschedulable',
      'stay-2',
    ],
    [
      'the target node went NotReady during the migration',
      {
        failed: {
          phases: { ...failedSpec.phases, Scheduled: NOW - 9 * MIN, Running: NOW - 8 * MIN },
          migrationState: { migrationUid: 'mig-uid', targetNode: 'stay-down' },
        },
      },
      'TargetNodeFailure',
      'stay-down',
    ],
    [
      'the target node was deleted',
      { failed: { phases: { ...failedSpec.phases, Scheduled: NOW - 9 * MIN }, migrationState: { migrationUid: 'mig-uid', targetNode: 'gone-node' } } },
      'TargetNodeFailure',
      'gone-node',
    ],
    [
      'the target node cannot run the machine type (VMI migration state names it)',
      {
        vmi: { migrationState: { migrationUid: 'mig-uid', targetNode: 'r10-1' } },
        failed: { phases: { ...failedSpec.phases, Scheduled: NOW - 9 * MIN, PreparingTarget: NOW - 8 * MIN } },
      },
      'IncompatibleTarget',
      'r10-1',
    ],
  ] as const)('%s', (_, over, reason, failedTarget) => {
    const c = classifyFailure(context(over as never));
    expect(c).toMatchObject({ fixable: true, reason });
    // The node to exclude next time, when anything recorded one.
    expect(c.fixable ? c.failedTarget : 'not fixable').toBe(failedTarget);
  });
});

describe('failures a fallback must leave alone', () => {
  test.each([
    ['the migration has not failed', { failed: { phase: 'Scheduling', phases: { Scheduling: NOW - MIN } } }, 'NotFailed'],
    ['it succeeded', { failed: { phase: 'Succeeded' } }, 'NotFailed'],
    ['the VMI is gone', { vmi: null }, 'VmiGone'],
    ['the VMI is being deleted', { vmi: { deleting: true } }, 'VmiGone'],
    ['the VMI was recreated (VM restart) after the migration', { vmi: { createdMs: NOW - 5 * MIN } }, 'VmiGone'],
    ['the VMI is no longer running', { vmi: { phase: 'Succeeded' } }, 'VmiGone'],
    ['a user cancelled it (abort condition)', { failed: { abortRequested: true } }, 'AbortedByUser'],
    ['a user cancelled it (abort status on the VMIM)', { failed: { migrationState: { migrationUid: 'mig-uid', abortStatus: 'Succeeded' } } }, 'AbortedByUser'],
    ['a user deleted it', { failed: { deleting: true } }, 'AbortedByUser'],
    ['the VMI is not live-migratable', { vmi: { liveMigratable: false } }, 'VmiNotMigratable'],
    ['another VMIM is in flight for the VMI', { others: [sibling('evac-1', { phase: 'Scheduling', createdMs: NOW - 30_000 })] }, 'MigrationInFlight'],
    [
      'a fallback for it already exists',
      {
        others: [
          sibling('fb', {
            phase: 'Failed',
            createdMs: failedSpec.createdMs,
            labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
            annotations: { 'kvfleet.io/fallback-of-uid': 'mig-uid' },
          }),
        ],
      },
      'Superseded',
    ],
    ['a newer migration has finished since', { others: [sibling('mig-2', { phase: 'Succeeded', createdMs: NOW - 2 * MIN })] }, 'Superseded'],
    [
      'it failed outside the attempt window',
      { vmi: { createdMs: NOW - 5 * 60 * MIN }, failed: { createdMs: NOW - 3 * 60 * MIN, phases: { Scheduling: NOW - 3 * 60 * MIN, Failed: NOW - 2 * 60 * MIN } } },
      'FailureTooOld',
    ],
    ['the VMI reports no machine type', { vmi: { machineType: undefined } }, 'MachineTypeUnknown'],
    [
      'it failed while Running on a healthy, compatible target',
      {
        failed: {
          phases: { ...failedSpec.phases, Scheduled: NOW - 9 * MIN, Running: NOW - 8 * MIN },
          migrationState: { migrationUid: 'mig-uid', targetNode: 'stay-2', failureReason: 'migration progress timeout' },
        },
      },
      'UnknownFailure',
    ],
    ['it failed before a target was ever asked for', { failed: { phases: { Pending: NOW - 10 * MIN, Failed: NOW - MIN } } }, 'UnknownFailure'],
  ] as const)('%s', (_, over, reason) => {
    expect(classifyFailure(context(over as never))).toMatchObject({ fixable: false, reason });
  });

  test('an abort wins over an unschedulable target', () => {
    const c = classifyFailure(context({ failed: { abortRequested: true }, pod: { ...targetPod, unschedulable: SELECTOR_MISMATCH_MESSAGE } } as never));
    expect(c.reason).toBe('AbortedByUser');
  });

  test("another migration's state on the VMI says nothing about this one", () => {
    const c = classifyFailure(context({ vmi: { migrationState: { migrationUid: 'older-uid', targetNode: 'r10-1', abortStatus: 'Succeeded' } } } as never));
    expect(c).toMatchObject({ fixable: true, reason: 'TargetUnschedulable' });
  });
});

test('the furthest phase follows KubeVirt order, not the order of the timestamps list', () => {
  const c = classifyFailure(context({ failed: { phases: { Failed: NOW, Running: NOW - 1, Pending: NOW - 3, Scheduled: NOW - 2 } } } as never));
  expect(c).toMatchObject({ fixable: false, reason: 'UnknownFailure' });
  expect(c.detail).toMatch(/^failed after Running\b/);
});

describe('never racing KubeVirt: what KubeVirt retries itself is left to KubeVirt', () => {
  test('an evacuation, a workload-update migration, or a VMI marked for eviction → RetriedByKubeVirt, not a fallback', () => {
    const observed = { unschedulableMessage: SELECTOR_MISMATCH_MESSAGE };
    const evacuation = context({ failed: { annotations: { 'kubevirt.io/evacuationMigration': 'stay-1' } }, observed });
    const workloadUpdate = context({ failed: { annotations: { 'kubevirt.io/workloadUpdateMigration': '' } }, observed });
    const evicted = context({ vmi: { evacuationNodeName: 'stay-1' }, observed });
    for (const c of [evacuation, workloadUpdate, evicted]) expect(classifyFailure(c)).toMatchObject({ fixable: false, reason: 'RetriedByKubeVirt' });
  });

  test("a failure on a node carrying KubeVirt's drain taint is KubeVirt's to retry; the same failure elsewhere is a fallback", () => {
    const drained = must(
      parseNode({
        ...nodeObject({ name: 'stay-1', labels: poolNodeLabels(poolNamed('rhel96-staying')) }),
        spec: { taints: [{ key: 'kubevirt.io/drain', effect: 'NoSchedule' }] },
      }),
    );
    const withDrain = new Map(nodes).set('stay-1', drained);
    const failure = { observed: { unschedulableMessage: SELECTOR_MISMATCH_MESSAGE } };
    expect(classifyFailure({ ...context(failure), nodes: withDrain })).toMatchObject({ fixable: false, reason: 'RetriedByKubeVirt' });
    expect(classifyFailure(context(failure))).toMatchObject({ fixable: true, reason: 'TargetUnschedulable' });
  });
});
