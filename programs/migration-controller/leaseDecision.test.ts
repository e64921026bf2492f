import { describe, expect, test } from 'vitest';
import { type LeaseSituation, leaseAction, nextLeaseRecord, releasedLeaseRecord } from './leaseDecision.js';

const NOW = 1_000_000;
const situation = (over: Partial<LeaseSituation>): LeaseSituation => ({ identity: 'pod-a', nowMs: NOW, observedAtMs: NOW, leaseDurationMs: 15_000, ...over });

describe('leaseAction', () => {
  test.each([
    ['no Lease yet', {}, { kind: 'create' }],
    ['we hold it', { record: { holder: 'pod-a', transitions: 0 } }, { kind: 'renew' }],
    ['it was released', { record: { holder: '', transitions: 3 } }, { kind: 'take-over' }],
    [
      'another holder renewed it 5 s ago (by our clock)',
      { record: { holder: 'pod-b', leaseDurationSeconds: 15, transitions: 0 }, observedAtMs: NOW - 5_000 },
      { kind: 'wait', holder: 'pod-b', remainingMs: 10_000 },
    ],
    [
      'another holder went silent for the whole lease',
      { record: { holder: 'pod-b', leaseDurationSeconds: 15, transitions: 0 }, observedAtMs: NOW - 15_000 },
      { kind: 'take-over' },
    ],
    [
      'a record without a duration uses ours',
      { record: { holder: 'pod-b', transitions: 0 }, observedAtMs: NOW - 14_000 },
      { kind: 'wait', holder: 'pod-b', remainingMs: 1_000 },
    ],
  ] as const)('%s', (_, over, action) => {
    expect(leaseAction(situation(over as Partial<LeaseSituation>))).toEqual(action);
  });

  test("the holder's own renewTime is never trusted: a clock far ahead does not keep a silent holder", () => {
    const record = { holder: 'pod-b', leaseDurationSeconds: 15, renewTimeMs: NOW + 3_600_000, transitions: 0 };
    expect(leaseAction(situation({ record, observedAtMs: NOW - 16_000 }))).toEqual({ kind: 'take-over' });
  });
});

describe('records written', () => {
  test('a take-over counts a transition and restarts acquireTime', () => {
    const s = situation({ record: { holder: 'pod-b', acquireTimeMs: 5, renewTimeMs: 6, leaseDurationSeconds: 15, transitions: 4 } });
    expect(nextLeaseRecord('take-over', s, 15)).toEqual({ holder: 'pod-a', leaseDurationSeconds: 15, acquireTimeMs: NOW, renewTimeMs: NOW, transitions: 5 });
  });

  test('a renewal keeps acquireTime and the transition count', () => {
    const s = situation({ record: { holder: 'pod-a', acquireTimeMs: 5, renewTimeMs: 6, leaseDurationSeconds: 15, transitions: 4 } });
    expect(nextLeaseRecord('renew', s, 15)).toEqual({ holder: 'pod-a', leaseDurationSeconds: 15, acquireTimeMs: 5, renewTimeMs: NOW, transitions: 4 });
  });

  test('a released Lease has no holder, so the next candidate takes it at once', () => {
    const released = releasedLeaseRecord({ holder: 'pod-a', leaseDurationSeconds: 15, transitions: 2 }, NOW);
    expect(released.holder).toBe('');
    expect(leaseAction(situation({ identity: 'pod-b', record: released }))).toEqual({ kind: 'take-over' });
  });
});
