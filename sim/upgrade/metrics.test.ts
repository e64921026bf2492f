import { describe, expect, test } from 'vitest';
import { type DrainRecord, drainVerdict, InFlightTracker, type MigrationRecord, modeResult, quantile, type RunRecord } from './metrics.js';

const mig = (name: string, outcome: MigrationRecord['outcome'], more: Partial<MigrationRecord> = {}): MigrationRecord => ({
  namespace: 'ns',
  name,
  vmi: `ns/${name.split('-')[0]}`,
  origin: 'evacuation',
  createdAt: 0,
  outcome,
  ...more,
});
const drain = (node: string, startedAt: number, endedAt: number, vmisAtStart: number, left: string[] = []): DrainRecord => ({
  node,
  startedAt,
  endedAt,
  ended: left.length ? 'only-unplaceable' : 'empty',
  vmisAtStart,
  left: left.map((name) => ({ namespace: 'ns', name, machineType: 'pc-q35-rhel7.6.0' })),
});

describe('modeResult counts what the run recorded', () => {
  const run: RunRecord = {
    mode: 'kvfleet-1.6',
    migrations: [
      mig('a-1', 'failed', { cause: 'unschedulable' }),
      mig('a-2', 'succeeded', { origin: 'kvfleet' }),
      mig('b-1', 'succeeded'),
      mig('c-1', 'failed', { cause: 'machine-type' }),
      mig('c-2', 'failed', { cause: 'node-failure', origin: 'kvfleet' }),
      mig('c-3', 'failed'),
      mig('d-1', 'unfinished'),
      mig('d-2', 'failed', { origin: 'kvfleet', cause: 'other', duplicate: true }),
    ],
    drains: [drain('n1', 0, 100, 3), drain('n2', 200, 1000, 2, ['c', 'x'])],
    planStranded: ['ns/c'],
    duplicateInFlight: 1,
    upgradeSeconds: 2000,
  };
  const r = modeResult(run);

  test('failures by cause, an unclassified failure counting as other, a refused duplicate not at all', () => {
    expect(r.failed).toEqual({ 'machine-type': 1, unschedulable: 1, 'node-failure': 1, other: 1 });
    expect(r.failedTotal).toBe(4);
  });

  test('evacuated = VMIs that left draining nodes; stranded = VMIs left on them, and how many the plan named', () => {
    expect(r.evacuated).toBe(3);
    expect(r.stranded).toBe(2);
    expect(r.strandedNamedByPlan).toBe(1);
  });

  test('extra attempts are the migrations beyond one per evacuation; fallbacks are the kvfleet-made ones', () => {
    expect(r.attempted).toBe(7);
    expect(r.extraAttempts).toBe(4);
    expect(r.kvfleetFallbacks).toBe(2);
  });

  test('drain time quantiles and the totals', () => {
    expect(r.drainP50Seconds).toBe(100);
    expect(r.drainP99Seconds).toBe(800);
    expect(r.upgradeSeconds).toBe(2000);
    expect(r.drainsTimedOut).toBe(0);
    expect(r.duplicateInFlight).toBe(1);
  });
});

test.each([
  [[], 0.5, 0],
  [[5], 0.99, 5],
  [[1, 2, 3, 4], 0.5, 2],
  [[4, 3, 2, 1], 0.99, 4],
  [Array.from({ length: 100 }, (_, i) => i + 1), 0.99, 99],
])('quantile(%j, %d) = %d (nearest rank)', (values, q, expected) => {
  expect(quantile(values, q)).toBe(expected);
});

describe('InFlightTracker', () => {
  test('a second unfinished VMIM for one VMI counts once; a VMIM after the first finished does not', () => {
    const t = new InFlightTracker();
    t.started('ns/a', 'u1');
    t.started('ns/a', 'u1'); // the same VMIM seen again
    t.started('ns/b', 'u2');
    expect(t.duplicates).toBe(0);
    t.started('ns/a', 'u3');
    expect(t.duplicates).toBe(1);
    expect(t.examples).toEqual(['ns/a']);
    t.finished('ns/a', 'u1');
    t.finished('ns/a', 'u3');
    t.started('ns/a', 'u4');
    expect(t.duplicates).toBe(1);
  });

  test('a VMIM first seen final never counts as in flight', () => {
    const t = new InFlightTracker();
    t.finished('ns/a', 'u1');
    t.started('ns/a', 'u1');
    t.started('ns/a', 'u2');
    expect(t.duplicates).toBe(0);
  });
});

describe('the drain rule', () => {
  const timing = { unplaceableGraceSeconds: 300, maxDrainSeconds: 3600 };
  test.each([
    [{ nowSeconds: 50, startedAt: 0, vmisOnNode: 0, onlyUnplaceableSince: undefined }, 'empty'],
    [{ nowSeconds: 500, startedAt: 0, vmisOnNode: 3, onlyUnplaceableSince: undefined }, 'continue'],
    [{ nowSeconds: 500, startedAt: 0, vmisOnNode: 3, onlyUnplaceableSince: 250 }, 'continue'],
    [{ nowSeconds: 550, startedAt: 0, vmisOnNode: 3, onlyUnplaceableSince: 250 }, 'only-unplaceable'],
    [{ nowSeconds: 3599, startedAt: 0, vmisOnNode: 3, onlyUnplaceableSince: undefined }, 'continue'],
    [{ nowSeconds: 3600, startedAt: 0, vmisOnNode: 3, onlyUnplaceableSince: undefined }, 'time-cap'],
    [{ nowSeconds: 3600, startedAt: 0, vmisOnNode: 3, onlyUnplaceableSince: 3500 }, 'time-cap'],
  ] as const)('%j → %s', (state, expected) => {
    expect(drainVerdict(state, timing)).toBe(expected);
  });
});
