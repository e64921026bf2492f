import { describe, expect, test } from 'vitest';
import { networkReadiness, phaseDurations } from './phaseTimings.js';

const T = Date.UTC(2026, 10, 23, 12, 0, 0);
const s = (n: number) => T + n * 1000;

describe('phaseDurations', () => {
  test('each phase lasts until the next one recorded', () => {
    const times = { Pending: s(0), Scheduling: s(1), Scheduled: s(4), PreparingTarget: s(5), TargetReady: s(7), Running: s(8), Succeeded: s(20) };
    expect(phaseDurations(times)).toEqual([
      { phase: 'Pending', seconds: 1 },
      { phase: 'Scheduling', seconds: 3 },
      { phase: 'Scheduled', seconds: 1 },
      { phase: 'PreparingTarget', seconds: 2 },
      { phase: 'TargetReady', seconds: 1 },
      { phase: 'Running', seconds: 12 },
    ]);
  });

  test('a migration that failed in Scheduling has Pending and Scheduling only', () => {
    expect(phaseDurations({ Failed: s(61), Scheduling: s(1), Pending: s(0) })).toEqual([
      { phase: 'Pending', seconds: 1 },
      { phase: 'Scheduling', seconds: 60 },
    ]);
  });

  test('phases recorded in the same second keep KubeVirt order', () => {
    expect(phaseDurations({ Scheduling: s(0), Pending: s(0), Failed: s(2) }).map((d) => d.phase)).toEqual(['Pending', 'Scheduling']);
  });

  test('unknown phase names are not metric labels', () => {
    expect(phaseDurations({ Pending: s(0), 'Bogus<script>': s(1), Failed: s(2) })).toEqual([{ phase: 'Pending', seconds: 2 }]);
  });
});

describe('networkReadiness (Kube-OVN)', () => {
  test.each([
    ['routed before Running', { schedulingMs: s(0), routedMs: s(3), runningMs: s(5) }, 3, false],
    ['routed after Running', { schedulingMs: s(0), routedMs: s(9), runningMs: s(5) }, 9, true],
    ['never routed but Running', { schedulingMs: s(0), runningMs: s(5) }, undefined, true],
    ['failed before Running', { schedulingMs: s(0) }, undefined, false],
  ])('%s', (_, timeline, readySeconds, runningBeforeReady) => {
    expect(networkReadiness(timeline)).toEqual({ ...(readySeconds !== undefined ? { readySeconds } : {}), runningBeforeReady });
  });
});
