import { describe, expect, test } from 'vitest';
import { type DrainRecord, drainVerdict, failureCause, InFlightTracker, type MigrationRecord, modeResult, quantile, type RunRecord, UpdateProgress } from './metrics.js';

const mig = (name: string, outcome: MigrationRecord['outcome'], more: Partial<MigrationRecord> = {}): MigrationRecord => ({
  namespace: 'ns',
  name,
  vmi: `ns/${name.split('-')[0]}`,
  origin: 'workload-update',
  createdAt: 0,
  outcome,
  ...more,
});
const drain = (node: string, startedAt: number, endedAt: number, vmisAtStart: number, left: string[] = []): DrainRecord => ({
  node,
  startedAt,
  endedAt,
  ended: left.length ? 'stalled' : 'empty',
  vmisAtStart,
  left: left.map((name) => ({ namespace: 'ns', name, machineType: 'pc-q35-rhel8.6.0' })),
});

describe('modeResult counts what the run recorded', () => {
  const run: RunRecord = {
    mode: 'baseline',
    migrations: [
      mig('a-1', 'failed', { cause: 'unschedulable' }),
      mig('a-2', 'failed', { cause: 'unschedulable' }),
      mig('a-3', 'unfinished'),
      mig('b-1', 'succeeded'),
      mig('c-1', 'succeeded', { origin: 'evacuation' }),
      mig('d-1', 'failed', { origin: 'evacuation', cause: 'unschedulable' }),
      mig('e-1', 'succeeded', { origin: 'kvfleet' }),
    ],
    drains: [drain('n1', 0, 100, 3), drain('n2', 200, 560, 2, ['a', 'x'])],
    planStranded: ['ns/a'],
    restartedBeforeStep: ['ns/z'],
    outdatedAtEnd: [
      { namespace: 'ns', name: 'a', machineType: 'pc-q35-rhel8.6.0' },
      { namespace: 'ns', name: 'x', machineType: 'pc-q35-rhel8.2.0' },
    ],
    vmisAtEnd: 10,
    stepSeconds: 600,
    duplicateInFlight: 0,
  };
  const r = modeResult(run);

  test('update migrations by origin, failed, and retried (beyond the first per VMI)', () => {
    expect(r.updateMigrations).toBe(4);
    expect(r.updateFailed).toBe(2);
    expect(r.updateRetries).toBe(2);
    expect(r.evacuations).toBe(2);
    expect(r.evacuationsFailed).toBe(1);
    expect(r.kvfleetFallbacks).toBe(1);
  });

  test('outdated VMIs at the end, and how many the plan named', () => {
    expect(r.outdatedAtEnd).toBe(2);
    expect(r.outdatedNamedByPlan).toBe(1);
    expect(r.restartedBeforeStep).toBe(1);
  });

  test('drains: stalled, p50 and max; never fully updated', () => {
    expect(r.drainsStalled).toBe(1);
    expect(r.drains).toBe(2);
    expect(r.drainP50Seconds).toBe(100);
    expect(r.drainMaxSeconds).toBe(360);
    expect(r.fullyUpdatedSeconds).toBeUndefined();
    expect(modeResult({ ...run, fullyUpdatedAt: 42 }).fullyUpdatedSeconds).toBe(42);
  });
});

describe('migrations failed unschedulable, and the slot time of never-bound target pods', () => {
  const pod = (name: string, createdAt: number, more: { node?: string; deletedAt?: number } = {}) => ({
    namespace: 'ns',
    name,
    vmi: 'ns/a',
    migrationUid: `uid-${name}`,
    createdAt,
    ...more,
  });
  const run: RunRecord = {
    mode: 'kvfleet',
    migrations: [
      mig('a-1', 'failed', { cause: 'unschedulable' }),
      mig('a-2', 'failed', { cause: 'unschedulable', origin: 'evacuation' }),
      mig('b-1', 'failed', { cause: 'unschedulable', origin: 'kvfleet' }),
      mig('c-1', 'failed', { cause: 'other' }),
      mig('d-1', 'unfinished'),
      mig('e-1', 'succeeded'),
    ],
    drains: [],
    planStranded: [],
    restartedBeforeStep: [],
    outdatedAtEnd: [],
    vmisAtEnd: 5,
    targetPods: [
      pod('p1', 10, { deletedAt: 130 }), // deleted at kvfleet's 120 s timeout
      pod('p2', 200, { deletedAt: 320 }),
      pod('p3', 500), // still Pending when the step ended at 600
      pod('p4', 20, { node: 'n1', deletedAt: 90 }), // bound: used its slot for a migration
    ],
    stepSeconds: 600,
    duplicateInFlight: 0,
  };
  const r = modeResult(run);

  test('failed with no target pod ever bound, of every origin, and on how many VMIs', () => {
    expect(r.unschedulableFailed).toBe(3);
    expect(r.unschedulableFailedVmis).toBe(2);
  });

  test('never-bound pods count from creation to deletion, or to the step end', () => {
    expect(r.neverBoundTargetPodSeconds).toBe(120 + 120 + 100);
  });

  test('a record without target pods (older runs) gives neither figure', () => {
    const { targetPods: _t, ...old } = run;
    const o = modeResult(old);
    expect([o.unschedulableFailed, o.unschedulableFailedVmis, o.neverBoundTargetPodSeconds]).toEqual([undefined, undefined, undefined]);
  });

  test('the cause: target pods and none bound is unschedulable; no target pod, or one bound, is other', () => {
    expect(failureCause(false)).toBe('unschedulable');
    expect(failureCause(undefined)).toBe('other');
    expect(failureCause(true, 'node-1')).toBe('other');
    expect(failureCause(false, 'node-1')).toBe('other');
  });
});

test('quantile is nearest-rank', () => {
  expect(quantile([], 0.5)).toBe(0);
  expect(quantile([3, 1, 2], 0.5)).toBe(2);
  expect(quantile([1, 2, 3, 4], 0.99)).toBe(4);
});

test('InFlightTracker counts a second unfinished VMIM of one VMI once', () => {
  const t = new InFlightTracker();
  t.started('ns/a', 'u1');
  t.started('ns/a', 'u1');
  t.started('ns/a', 'u2');
  t.finished('ns/a', 'u1');
  t.finished('ns/a', 'u2');
  t.started('ns/a', 'u3');
  expect(t.duplicates).toBe(1);
  expect(t.examples).toEqual(['ns/a']);
});

test('the drain rule: empty ends it; no progress for the stall time, or the cap, stalls it', () => {
  const t = { drainStallSeconds: 30, drainCapSeconds: 60 };
  expect(drainVerdict({ nowSeconds: 10, startedAt: 0, vmisOnNode: 0, lastProgressAt: 0 }, t)).toBe('empty');
  expect(drainVerdict({ nowSeconds: 10, startedAt: 0, vmisOnNode: 2, lastProgressAt: 0 }, t)).toBe('continue');
  expect(drainVerdict({ nowSeconds: 30, startedAt: 0, vmisOnNode: 2, lastProgressAt: 0 }, t)).toBe('stalled');
  expect(drainVerdict({ nowSeconds: 55, startedAt: 0, vmisOnNode: 2, lastProgressAt: 50 }, t)).toBe('continue');
  expect(drainVerdict({ nowSeconds: 60, startedAt: 0, vmisOnNode: 2, lastProgressAt: 59 }, t)).toBe('stalled');
});

describe('per architecture', () => {
  const archDrain = (node: string, architecture: string, seconds: number, left: string[] = []): DrainRecord => ({ ...drain(node, 0, seconds, 2, left), architecture });
  const run: RunRecord = {
    mode: 'kvfleet',
    migrations: [],
    drains: [archDrain('amd64-0', 'amd64', 100, ['a']), archDrain('amd64-1', 'amd64', 30), archDrain('arm64-0', 'arm64', 45)],
    planStranded: ['ns/a', 'ns/b'],
    planHolds: ['ns/a'],
    restartedBeforeStep: ['ns/b'],
    outdatedAtEnd: [{ namespace: 'ns', name: 'a', machineType: 'pc-i440fx-rhel7.6.0', architecture: 'amd64' }],
    vmisAtEnd: 5,
    vmisByArchitecture: { arm64: 2, amd64: 3 },
    fullyUpdatedAtByArchitecture: { arm64: 80 },
    targetPods: [
      { namespace: 'ns', name: 'p1', vmi: 'ns/a', migrationUid: 'u1', createdAt: 1, vmiArchitecture: 'amd64', machineType: 'pc-i440fx-rhel7.6.0' },
      { namespace: 'ns', name: 'p2', vmi: 'ns/c', migrationUid: 'u2', createdAt: 2, vmiArchitecture: 'arm64', node: 'arm64-1', nodeArchitecture: 'arm64' },
    ],
    stepSeconds: 600,
    duplicateInFlight: 0,
  };
  const r = modeResult(run);

  test("each architecture's VMIs, drains (by the node's architecture) and target pods (by the VMI's)", () => {
    expect(r.byArchitecture).toEqual({
      amd64: { vmis: 3, outdatedAtEnd: 1, outdatedHeld: 1, drains: 2, drainsStalled: 1, drainMaxSeconds: 100, targetPodsNeverBound: 1 },
      arm64: { vmis: 2, outdatedAtEnd: 0, outdatedHeld: 0, drains: 1, drainsStalled: 0, drainMaxSeconds: 45, fullyUpdatedSeconds: 80, targetPodsNeverBound: 0 },
    });
    expect(r.targetPods).toEqual({ pods: 2, neverBound: 1, wrongArchitecture: 0, lackingType: 0 });
    expect(r.outdatedHeld).toBe(1);
  });

  test('an older record (no architectures, no target pods, no holds) gives none of these figures', () => {
    const { vmisByArchitecture: _a, targetPods: _t, planHolds: _h, ...old } = run;
    const o = modeResult(old);
    expect([o.byArchitecture, o.targetPods, o.outdatedHeld]).toEqual([undefined, undefined, undefined]);
  });
});

test('UpdateProgress: the first moment the cluster, and each architecture, had no outdated VMI', () => {
  const p = new UpdateProgress(['amd64', 'arm64']);
  p.observe([{ architecture: 'amd64' }, { architecture: 'arm64' }], 1);
  p.observe([{ architecture: 'amd64' }], 5);
  p.observe([{ architecture: 'amd64' }, { architecture: 'arm64' }], 6); // a later outdated arm64 VMI does not undo it
  expect(p.fullyUpdatedAt).toBeUndefined();
  p.observe([], 9);
  p.observe([], 12);
  expect(p.fullyUpdatedAt).toBe(9);
  expect(p.byArchitecture()).toEqual({ amd64: 9, arm64: 5 });
});
