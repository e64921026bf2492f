import { describe, expect, test } from 'vitest';
import { ATTEMPT_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, TARGET_NODE_ANNOTATION } from '../../compatibility/labelKeys.js';
import { type AttemptLimits, attemptVerdict, backoffBeforeAttemptMs, failedTargets } from './attemptHistory.js';
import { parseVmi, parseVmim } from './objectViews.js';
import { must, type VmimSpec, vmimObject, vmiObject } from '../../testbed/support/syntheticMigrationObjects.js';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const S = 1000;
const limits: AttemptLimits = { fallbackAttempts: 3, attemptWindowSeconds: 3600, backoffBaseSeconds: 10 };
const vmi = must(parseVmi(vmiObject({ name: 'vm-1', namespace: 'apps', uid: 'vmi-uid', createdMs: NOW - 7200 * S, nodeName: 'n0', machineType: 'pc-q35-rhel9.6.0' })));

/** A kvfleet fallback VMIM for vm-1, `attempt` in its label, pinned to `node`, created `agoS` seconds ago. */
const fallback = (n: number, agoS: number, node: string, phase = 'Failed'): VmimSpec => ({
  name: `vm-1-kvfleet-${n}`,
  namespace: 'apps',
  vmiName: 'vm-1',
  uid: `fb-${n}`,
  createdMs: NOW - agoS * S,
  phase,
  phases: { Scheduling: NOW - agoS * S, ...(phase === 'Failed' ? { Failed: NOW - (agoS - 5) * S } : {}) },
  labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [ATTEMPT_LABEL]: String(n) },
  annotations: { [TARGET_NODE_ANNOTATION]: node },
  ownerVmiUid: 'vmi-uid',
});
const userVmim = (agoS: number, failedAgoS: number): VmimSpec => ({
  name: 'user-mig',
  namespace: 'apps',
  vmiName: 'vm-1',
  uid: 'user-uid',
  createdMs: NOW - agoS * S,
  phase: 'Failed',
  phases: { Scheduling: NOW - agoS * S, Failed: NOW - failedAgoS * S },
});
const views = (...specs: VmimSpec[]) => specs.map((s) => must(parseVmim(vmimObject(s))));

describe('backoff between fallbacks', () => {
  test.each([
    // attempt, wait before it (s): none before the first, then base, doubling
    [1, 0],
    [2, 10],
    [3, 20],
    [4, 40],
    [9, 1280],
    [20, 3600], // capped at the attempt window
  ])('attempt %i waits %i s after the failure it retries', (attempt, seconds) => {
    expect(backoffBeforeAttemptMs(attempt, limits)).toBe(seconds * S);
  });
});

describe('attempts per VMI', () => {
  test('the first fallback for a failed user migration is attempt 1, due at once', () => {
    const [failed] = views(userVmim(300, 30));
    expect(attemptVerdict(failed!, vmi, [failed!], NOW, limits)).toEqual({ kind: 'ready', attempt: 1 });
  });

  test('the second waits out its backoff, measured from the failure', () => {
    const all = views(userVmim(600, 500), fallback(1, 100, 'n1'));
    const failed = all[1]!; // failed 95 s ago: attempt 2 waits 10 s, so it is due
    expect(attemptVerdict(failed, vmi, all, NOW, limits)).toEqual({ kind: 'ready', attempt: 2 });
    const justFailed = views(userVmim(600, 500), fallback(1, 8, 'n1'));
    // failed 3 s ago: 7 s of the 10 s backoff are left
    expect(attemptVerdict(justFailed[1]!, vmi, justFailed, NOW, limits)).toEqual({ kind: 'wait', attempt: 2, delayMs: 7 * S });
  });

  test.each([
    [3, 'three fallbacks in the window'],
    [2, 'two fallbacks and a limit of two'],
  ])('attempts stop at the limit: %i', (limit) => {
    const all = views(userVmim(900, 800), ...Array.from({ length: limit }, (_, i) => fallback(i + 1, 600 - i * 100, `n${i + 1}`)));
    const failed = all[all.length - 1]!;
    expect(attemptVerdict(failed, vmi, all, NOW, { ...limits, fallbackAttempts: limit })).toEqual({ kind: 'exhausted', used: limit, limit });
  });

  test('fallbacks older than the window no longer count', () => {
    const all = views(fallback(1, 5000, 'n1'), fallback(2, 4000, 'n2'), userVmim(300, 200));
    expect(attemptVerdict(all[2]!, vmi, all, NOW, limits)).toEqual({ kind: 'ready', attempt: 1 });
  });

  test("a fallback's attempt label counts even when older fallbacks were garbage-collected", () => {
    const all = views(fallback(3, 100, 'n3'));
    expect(attemptVerdict(all[0]!, vmi, all, NOW, limits)).toEqual({ kind: 'exhausted', used: 3, limit: 3 });
  });

  test("a recreated VMI does not inherit its predecessor's attempts", () => {
    const all = views({ ...fallback(1, 100, 'n1'), ownerVmiUid: 'older-vmi-uid' }, userVmim(50, 40));
    expect(attemptVerdict(all[1]!, vmi, all, NOW, limits)).toEqual({ kind: 'ready', attempt: 1 });
  });

  test('no fallbacks allowed at all', () => {
    const [failed] = views(userVmim(300, 30));
    expect(attemptVerdict(failed!, vmi, [failed!], NOW, { ...limits, fallbackAttempts: 0 })).toMatchObject({ kind: 'exhausted' });
  });
});

test('nodes that failed this VMI within the window are collected from pins and migration states', () => {
  const all = views(
    fallback(1, 600, 'pinned-1'),
    { ...userVmim(300, 250), migrationState: { migrationUid: 'user-uid', targetNode: 'tried-by-user' } },
    fallback(2, 5000, 'too-old'),
    fallback(3, 100, 'still-running', 'Running'),
  );
  expect([...failedTargets(vmi, all, NOW, limits)].sort()).toEqual(['pinned-1', 'tried-by-user']);
});
