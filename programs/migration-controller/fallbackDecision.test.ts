import { describe, expect, test } from 'vitest';
import { HOSTNAME_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, TARGET_NODE_ANNOTATION } from '../../compatibility/labelKeys.js';
import { placeMachineType } from '../../compatibility/placement.js';
import { type DecisionInput, decideFallback, type DecisionSettings } from './fallbackDecision.js';
import { type NodeView, parseNode, parseVmi, parseVmim } from './objectViews.js';
import { must, nodeObject, poolNamed, poolNodeLabels, UPGRADE_POOLS, type VmimSpec, vmimObject, vmiObject } from '../../testbed/support/syntheticMigrationObjects.js';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const S = 1000;
const settings: DecisionSettings = { fallbackAttempts: 2, attemptWindowSeconds: 3600, backoffBaseSeconds: 10, fallbackUnschedulableTimeoutSeconds: 60 };

const nodeMap = (...specs: [string, string, { ready?: boolean; cordoned?: boolean }?][]) =>
  new Map<string, NodeView>(specs.map(([name, pool, extra]) => [name, must(parseNode(nodeObject({ name, labels: poolNodeLabels(poolNamed(pool)), ...extra })))]));
const cluster = nodeMap(['up-1', 'rhel9-upgrading'], ['stay-1', 'rhel96-staying'], ['stay-2', 'rhel96-staying'], ['r10-1', 'rhel10']);

const vmi = must(
  parseVmi(vmiObject({ name: 'vm-1', namespace: 'apps', uid: 'vmi-uid', createdMs: NOW - 7200 * S, nodeName: 'stay-1', machineType: 'pc-q35-rhel8.6.0' })),
);
const userFailed: VmimSpec = {
  name: 'mig-1',
  namespace: 'apps',
  vmiName: 'vm-1',
  uid: 'mig-uid',
  createdMs: NOW - 400 * S,
  phase: 'Failed',
  phases: { Pending: NOW - 400 * S, Scheduling: NOW - 399 * S, Failed: NOW - 100 * S },
};
const fallbackSpec = (attempt: number, node: string, failedAgoS: number): VmimSpec => ({
  name: `vm-1-kvfleet-${attempt}`,
  namespace: 'apps',
  vmiName: 'vm-1',
  uid: `fb-${attempt}`,
  createdMs: NOW - (failedAgoS + 60) * S,
  phase: 'Failed',
  phases: { Scheduling: NOW - (failedAgoS + 60) * S, Failed: NOW - failedAgoS * S },
  labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, 'kvfleet.io/attempt': String(attempt) },
  annotations: { [TARGET_NODE_ANNOTATION]: node, 'kvfleet.io/fallback-of-uid': attempt === 1 ? 'mig-uid' : `fb-${attempt - 1}` },
  ownerVmiUid: 'vmi-uid',
});

function input(history: VmimSpec[], over: Partial<DecisionInput> = {}): DecisionInput {
  const siblings = history.map((s) => must(parseVmim(vmimObject(s))));
  return {
    failed: siblings[siblings.length - 1]!,
    vmi,
    siblings,
    nodes: cluster,
    nowMs: NOW,
    settings,
    scheduling: { pinMode: 'addedNodeSelector', machineTypeLabeller: 'kvfleet' },
    pools: UPGRADE_POOLS,
    ...over,
  };
}

describe('decideFallback', () => {
  test('an unschedulable target gets a fallback pinned to a compatible node that is not the source', () => {
    const d = decideFallback(input([userFailed]));
    expect(d.kind).toBe('create');
    if (d.kind !== 'create') return;
    expect(d).toMatchObject({ reason: 'TargetUnschedulable', attempt: 1 });
    // The source is stay-1, so the other node of the preferred pool.
    expect(d.target.node).toBe('stay-2');
    expect(d.vmim.spec.addedNodeSelector).toEqual({ [HOSTNAME_LABEL]: 'stay-2' });
  });

  test('the next attempt avoids the node the previous fallback failed on', () => {
    const d = decideFallback(input([userFailed, fallbackSpec(1, 'stay-2', 60)]));
    expect(d).toMatchObject({ kind: 'create', attempt: 2, target: { node: 'up-1' } });
  });

  test('a fallback that failed moments ago waits out the backoff', () => {
    const d = decideFallback(input([userFailed, fallbackSpec(1, 'stay-2', 4)]));
    expect(d).toEqual({ kind: 'wait', reason: 'TargetUnschedulable', attempt: 2, delayMs: 6 * S, detail: expect.any(String) });
  });

  test('attempts stop at the limit', () => {
    const d = decideFallback(input([userFailed, fallbackSpec(1, 'stay-2', 600), fallbackSpec(2, 'up-1', 300)]));
    expect(d).toMatchObject({ kind: 'skip', reason: 'AttemptsExhausted' });
  });

  test('with no compatible node left, it names the machine type and the pools that could host it', () => {
    const nodes = nodeMap(
      ['stay-1', 'rhel96-staying'],
      ['stay-2', 'rhel96-staying', { cordoned: true }],
      ['up-1', 'rhel9-upgrading', { ready: false }],
      ['r10-1', 'rhel10'],
    );
    const d = decideFallback(input([userFailed], { nodes }));
    expect(d.kind).toBe('no-target');
    if (d.kind !== 'no-target') return;
    expect(d.machineType).toBe(vmi.machineType);
    expect(d.hostingPools).toEqual([...placeMachineType(UPGRADE_POOLS, vmi.machineType!).hostsNow].sort());
    expect(d.detail).toContain(vmi.machineType);
    for (const pool of d.hostingPools) expect(d.detail).toContain(pool);
  });

  test('a user abort gets nothing', () => {
    expect(decideFallback(input([{ ...userFailed, abortRequested: true }]))).toMatchObject({ kind: 'skip', reason: 'AbortedByUser' });
  });

  test('the decision is the same however often it is made', () => {
    const a = decideFallback(input([userFailed]));
    const b = decideFallback(input([userFailed], { nowMs: NOW + 30 * S }));
    expect(b).toEqual(a);
  });
});
