import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LIMITS,
  finalizedMigrationsToCollect,
  isDuplicateVmim,
  migrationBackoffRemaining,
  pendingPodTimeout,
  runningMigrations,
  targetPodGate,
  timeoutFromAnnotation,
  type VmimFacts,
} from './migrationRules.js';

let n = 0;
const vmim = (over: Partial<VmimFacts> = {}): VmimFacts => {
  n++;
  return { uid: `u${n}`, name: `m${n}`, deleting: false, order: n, backoffEligible: true, ...over };
};

describe('handleMigrationBackoff', () => {
  it('20 s after one failed evacuation, doubling per consecutive failure', () => {
    const f1 = vmim({ phase: 'Failed', failedAt: 100, order: 1 });
    const next = vmim({ phase: 'Pending', order: 2 });
    expect(migrationBackoffRemaining(next, [f1], 100)).toBe(20);
    expect(migrationBackoffRemaining(next, [f1], 115)).toBe(5);
    expect(migrationBackoffRemaining(next, [f1], 120)).toBe(0);

    const f2 = vmim({ phase: 'Failed', failedAt: 200, order: 2 });
    const f3 = vmim({ phase: 'Failed', failedAt: 300, order: 3 });
    const fourth = vmim({ phase: 'Pending', order: 4 });
    // Three failures: 20, 40, 80, measured from the newest failure.
    expect(migrationBackoffRemaining(fourth, [f1, f2, f3], 300)).toBe(80);
  });

  it('a success ends the chain; deleting VMIMs are skipped', () => {
    const old = vmim({ phase: 'Failed', failedAt: 10, order: 1 });
    const ok = vmim({ phase: 'Succeeded', order: 2 });
    const f = vmim({ phase: 'Failed', failedAt: 50, order: 3 });
    const gone = vmim({ phase: 'Failed', failedAt: 40, order: 2.5, deleting: true });
    const next = vmim({ phase: 'Pending', order: 4 });
    expect(migrationBackoffRemaining(next, [old, ok, gone, f], 50)).toBe(20);
  });

  it('only the newest eligible VMIM waits, and only VMIMs carrying the evacuation/workload annotation take part', () => {
    const f = vmim({ phase: 'Failed', failedAt: 0, order: 1 });
    const older = vmim({ phase: 'Pending', order: 2 });
    const newest = vmim({ phase: 'Pending', order: 3 });
    expect(migrationBackoffRemaining(older, [f, newest], 0)).toBe(0);
    const user = vmim({ phase: 'Pending', order: 4, backoffEligible: false });
    expect(migrationBackoffRemaining(user, [f], 0)).toBe(0);
    // A user VMIM's failure does not count either.
    const userFailed = vmim({ phase: 'Failed', failedAt: 0, order: 1, backoffEligible: false });
    expect(migrationBackoffRemaining(vmim({ order: 5 }), [userFailed], 0)).toBe(0);
  });

  it("KubeVirt's test annotation turns it off", () => {
    const f = vmim({ phase: 'Failed', failedAt: 0, order: 1 });
    expect(migrationBackoffRemaining(vmim({ order: 2, ignoreBackoff: true }), [f], 0)).toBe(0);
  });
});

describe('one in-flight VMIM per VMI (admission)', () => {
  it('refuses a VMIM created while an older accepted one is unfinished, in any phase', () => {
    const first = vmim({ order: 1 });
    const second = vmim({ order: 2 });
    expect(isDuplicateVmim(second, [first], () => false)).toBe(true);
    expect(isDuplicateVmim(first, [second], () => false)).toBe(false);
    expect(isDuplicateVmim(second, [{ ...first, phase: 'Pending', deleting: true }], () => false)).toBe(true);
    expect(isDuplicateVmim(second, [{ ...first, phase: 'Failed' }], () => false)).toBe(false);
    expect(isDuplicateVmim(second, [first], (uid) => uid === first.uid)).toBe(false);
  });
});

describe('handleTargetPodCreation limits', () => {
  const base = { pendingCreations: 0, activePodsForVmi: 1, running: 0, outboundFromSourceNode: 0, limits: DEFAULT_LIMITS };
  it('creates within the limits', () => expect(targetPodGate(base).kind).toBe('create'));
  it.each([
    [{ pendingCreations: 1 }, 1],
    [{ activePodsForVmi: 2 }, 1],
    [{ running: 5 }, 5],
    [{ outboundFromSourceNode: 2 }, 5],
  ])('%o waits %i s', (over, seconds) => {
    expect(targetPodGate({ ...base, ...over })).toMatchObject({ kind: 'wait', afterSeconds: seconds });
  });

  it('findRunningMigrations counts past-Pending VMIMs and Pending ones that already have a target pod', () => {
    const list = [
      vmim({ phase: 'Pending' }),
      vmim({ phase: 'Pending', hasTargetPod: true }),
      vmim({ phase: 'Scheduling' }),
      vmim({ phase: 'Running' }),
      vmim({ phase: 'Succeeded', hasTargetPod: true }),
      vmim({}),
    ];
    expect(runningMigrations(list).map((m) => m.phase)).toEqual(['Pending', 'Scheduling', 'Running']);
  });
});

describe('pending target pod timeouts', () => {
  it('parses the annotation as strconv.Atoi does', () => {
    expect(timeoutFromAnnotation({ k: '60' }, 'k', 300)).toBe(60);
    expect(timeoutFromAnnotation({ k: '+7' }, 'k', 300)).toBe(7);
    expect(timeoutFromAnnotation({ k: '1.5' }, 'k', 300)).toBe(300);
    expect(timeoutFromAnnotation({ k: '60s' }, 'k', 300)).toBe(300);
    expect(timeoutFromAnnotation({}, 'k', 300)).toBe(300);
  });

  const t = { unschedulableTimeout: 300, catchAllTimeout: 900 };
  it('deletes an unschedulable pod at its timeout, any pending pod at the catch-all', () => {
    expect(pendingPodTimeout({ ...t, secondsPending: 299, unschedulable: true })).toEqual({ kind: 'recheck', afterSeconds: 1 });
    expect(pendingPodTimeout({ ...t, secondsPending: 300, unschedulable: true })).toMatchObject({ kind: 'delete', why: 'unschedulable' });
    expect(pendingPodTimeout({ ...t, secondsPending: 300, unschedulable: false })).toEqual({ kind: 'recheck', afterSeconds: 600 });
    expect(pendingPodTimeout({ ...t, secondsPending: 900, unschedulable: false })).toMatchObject({ kind: 'delete', why: 'pending' });
  });
});

describe('garbageCollectFinalizedMigrations', () => {
  it('keeps the 5 newest finished VMIMs of a VMI', () => {
    const list = [1, 2, 3, 4, 5, 6, 7].map((i) => vmim({ name: `f${i}`, order: i, phase: i % 2 ? 'Failed' : 'Succeeded' }));
    list.push(vmim({ name: 'live', order: 0, phase: 'Running' }), vmim({ name: 'deleting', order: 0.5, phase: 'Failed', deleting: true }));
    expect(finalizedMigrationsToCollect(list)).toEqual(['f1', 'f2']);
  });
});
