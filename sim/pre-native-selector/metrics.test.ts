import { describe, expect, test } from 'vitest';
import { type MigrationRecord } from '../upgrade/metrics.js';
import { lacksType, type PreNativeRecord, preNativeResult, retries, selectorShapes } from './metrics.js';
import { BROKEN_NODE, clusterLauncher, staleLauncher } from './scenario.js';

const Q35 = clusterLauncher().architectures.amd64!.aliases.q35!; // pc-q35-rhel9.6.0
const RHEL8 = 'pc-q35-rhel8.6.0';
const nodeLaunchers = { 'node-0': clusterLauncher().id, 'node-1': clusterLauncher().id, [BROKEN_NODE]: staleLauncher().id };

/** A SYNTHETIC VMIM record. */
const vmim = (vmi: string, createdAt: number, outcome: MigrationRecord['outcome'], targetNode?: string): MigrationRecord => ({
  namespace: 'tenant-0',
  name: `m-${vmi}-${createdAt}`,
  vmi: `tenant-0/${vmi}`,
  origin: 'evacuation',
  createdAt,
  outcome,
  ...(targetNode ? { targetNode } : {}),
});

describe('lacksType', () => {
  test.each([
    [BROKEN_NODE, Q35, true],
    [BROKEN_NODE, RHEL8, false],
    ['node-0', Q35, false],
    ['not-a-node', Q35, false],
    [undefined, Q35, false],
    [BROKEN_NODE, undefined, false],
  ])('%s with %s → %s', (node, type, expected) => {
    expect(lacksType(nodeLaunchers, node, type)).toBe(expected);
  });
});

describe('retries', () => {
  test('a VMIM counts as a retry only when the same VMI’s previous VMIM failed, whatever the order of the records', () => {
    const ms = [
      vmim('a', 30, 'succeeded'),
      vmim('a', 0, 'failed'),
      vmim('a', 10, 'failed'),
      vmim('b', 5, 'succeeded'),
      vmim('b', 50, 'succeeded'),
      vmim('c', 7, 'failed'),
    ];
    // a: 10 follows a failure, 30 follows a failure; b: none; c: its failure is never retried.
    expect(retries(ms)).toBe(2);
  });
});

describe('preNativeResult', () => {
  const record: PreNativeRecord = {
    mode: 'baseline',
    brokenNode: BROKEN_NODE,
    nodeLaunchers,
    vmiTypes: { 'tenant-0/a': Q35, 'tenant-0/b': RHEL8 },
    migrations: [vmim('a', 0, 'failed', BROKEN_NODE), vmim('a', 20, 'succeeded', 'node-1'), vmim('b', 1, 'succeeded', BROKEN_NODE), vmim('b', 2, 'failed')],
    targetPods: [
      { namespace: 'tenant-0', name: 'p1', vmi: 'tenant-0/a', migrationUid: 'u1', createdAt: 0, machineType: Q35, node: BROKEN_NODE },
      { namespace: 'tenant-0', name: 'p2', vmi: 'tenant-0/a', migrationUid: 'u2', createdAt: 20, node: 'node-1' },
      { namespace: 'tenant-0', name: 'p3', vmi: 'tenant-0/b', migrationUid: 'u3', createdAt: 1, machineType: RHEL8, node: BROKEN_NODE },
    ],
    targetPodSelectors: [],
    drains: [
      { node: 'node-0', startedAt: 0, endedAt: 70, ended: 'stalled', vmisAtStart: 3, left: [{ namespace: 'tenant-0', name: 'a', machineType: Q35 }] },
      { node: 'node-1', startedAt: 75, endedAt: 95, ended: 'empty', vmisAtStart: 2, left: [] },
    ],
    onBrokenNodeAtEnd: ['tenant-0/b'],
    drainSeconds: 95,
    duplicateInFlight: 0,
  };

  test('counts failures on a node lacking the VMI’s type from the node’s launcher, not from where the failure happened', () => {
    const r = preNativeResult(record);
    expect(r).toMatchObject({ migrations: 4, migrationsSucceeded: 2, migrationsFailed: 2, failedOnNodeLackingType: 1, targetPodsOnNodeLackingType: 1, retries: 1 });
  });

  test('drain figures: stalled count, what was left, p50 and max of per-node times, the whole drain', () => {
    expect(preNativeResult(record)).toMatchObject({
      drains: 2,
      drainsStalled: 1,
      vmisLeftOnDrainedNodes: 1,
      drainP50Seconds: 20,
      drainMaxSeconds: 70,
      drainSeconds: 95,
      vmisOnBrokenNodeAtEnd: 1,
    });
  });
});

describe('selectorShapes', () => {
  test('groups target pods by their nodeSelector keys, values ignored and every machine type as one key, most common first', () => {
    const base = { 'kubevirt.io/schedulable': 'true', 'kubernetes.io/arch': 'amd64' };
    const typed = (t: string) => ({ ...base, [`machine-type.kvfleet.io/${t}`]: 'true' });
    expect(selectorShapes([base, typed(Q35), { ...typed(RHEL8), 'kubernetes.io/arch': 'arm64' }])).toEqual([
      { keys: ['kubernetes.io/arch', 'kubevirt.io/schedulable', 'machine-type.kvfleet.io/<type>'], pods: 2 },
      { keys: ['kubernetes.io/arch', 'kubevirt.io/schedulable'], pods: 1 },
    ]);
  });
});
