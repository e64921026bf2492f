import { describe, expect, test } from 'vitest';
import { migrationNetworkRecord, type ObservedMigration, PORT_SETTLE_MS, summarisePhase } from './metrics.js';

const base: ObservedMigration = {
  uid: 'u1',
  vmim: 'kubevirt-evacuation-a',
  vm: 'vm-1',
  phase: 'rolling-drain',
  createdAt: 1_000,
  sourceNode: 'node-0',
  targetNode: 'node-1',
  schedulingAt: 1_100,
  schedulingRv: 50,
  boundAt: 1_150,
  boundRv: 55,
  endedAt: 4_000,
  outcome: 'succeeded',
};
/** The controller's log: handled every migration of `base` in Scheduling; skipped the given UIDs. */
const account = (skipped: string[] = [], handled = ['kubevirt-evacuation-a'], later: string[] = []) => ({
  skippedUnbound: new Set(skipped),
  handledInScheduling: new Set(handled),
  handledOnlyLater: new Set(later),
});
const multi = (at: number, src = 'node-0', dst = 'node-1') => ({ at, options: { 'requested-chassis': `${src},${dst}`, 'activation-strategy': 'rarp' } });
const handed = (at: number, dst = 'node-1') => ({ at, options: { 'requested-chassis': dst } });

describe('migrationNetworkRecord', () => {
  test('both chassis during the migration, then the target alone: set, latency from binding, handed over', () => {
    const r = migrationNetworkRecord(base, [multi(1_190), handed(4_010)], account());
    expect(r).toMatchObject({ multiChassis: true, boundToOptionsMs: 40, handedToTarget: true, skippedUnbound: false, targetWaitedMs: 50 });
  });

  test("another migration's options (other nodes, or outside its window) do not count", () => {
    expect(migrationNetworkRecord(base, [multi(1_190, 'node-2', 'node-1')], account()).multiChassis).toBe(false);
    expect(migrationNetworkRecord(base, [multi(900)], account()).multiChassis).toBe(false);
    expect(migrationNetworkRecord(base, [multi(4_000 + PORT_SETTLE_MS + 1)], account()).multiChassis).toBe(false);
  });

  test('RARP activation is part of it: requested-chassis alone is not the multi-chassis port', () => {
    expect(migrationNetworkRecord(base, [{ at: 1_200, options: { 'requested-chassis': 'node-0,node-1' } }], account()).multiChassis).toBe(false);
  });

  test("a skip in the controller's log marks the migration; a target bound first waited 0 ms", () => {
    const r = migrationNetworkRecord({ ...base, boundRv: 40, boundAt: 1_050 }, [], account(['u1']));
    expect(r).toMatchObject({ skippedUnbound: true, multiChassis: false, targetWaitedMs: 0, handedToTarget: false });
    expect(r.boundToOptionsMs).toBeUndefined();
  });

  test('a port left naming one chassis by an earlier migration is pinned; a fresh or multi-chassis one is not', () => {
    expect(migrationNetworkRecord(base, [handed(500, 'node-0')], account()).portPinned).toBe(true);
    expect(migrationNetworkRecord(base, [], account()).portPinned).toBe(false);
    expect(migrationNetworkRecord(base, [multi(500)], account()).portPinned).toBe(false);
    // Changes during the migration do not count.
    expect(migrationNetworkRecord(base, [handed(1_500, 'node-0')], account()).portPinned).toBe(false);
  });

  test('a skipped migration on a pinned port that never finished is counted apart from one that did', () => {
    const stuck = migrationNetworkRecord({ ...base, uid: 's1', outcome: 'unfinished' }, [handed(500, 'node-0')], account(['s1']));
    const ran = migrationNetworkRecord({ ...base, uid: 's2' }, [], account(['s2']));
    expect(summarisePhase([stuck, ran])).toMatchObject({ skippedUnbound: 2, skippedPinned: 1, skippedPinnedFinished: 0, unfinished: 1, setUp: 0 });
  });

  test('a migration the controller handled only after Scheduling is not counted as set up', () => {
    const late = migrationNetworkRecord(base, [], account([], [], ['kubevirt-evacuation-a']));
    expect(late).toMatchObject({ handledInScheduling: false, handledOnlyLater: true, multiChassis: false });
    expect(summarisePhase([late])).toMatchObject({ setUp: 0, handledLate: 1 });
    // With the optimisation off the controller handles no VMIM at all: not "late".
    expect(summarisePhase([migrationNetworkRecord(base, [], account([], []))])).toMatchObject({ setUp: 0, handledLate: 0 });
  });

  test('a failed migration is never handed to the target', () => {
    expect(migrationNetworkRecord({ ...base, outcome: 'failed' }, [multi(1_190), handed(4_010)], account()).handedToTarget).toBe(false);
  });
});

describe('summarisePhase', () => {
  test('counts, skipped-and-set-later, latency p50 and max, longest wait', () => {
    const records = [
      migrationNetworkRecord(base, [multi(1_160)], account()),
      migrationNetworkRecord({ ...base, uid: 'u2', boundAt: 1_400, boundRv: 60 }, [multi(1_500)], account()),
      migrationNetworkRecord({ ...base, uid: 'u3', boundAt: 7_100, boundRv: 70, outcome: 'failed' }, [], account(['u3'])),
    ];
    expect(summarisePhase(records)).toEqual({
      migrations: 3,
      succeeded: 2,
      failed: 1,
      unfinished: 0,
      setUp: 2,
      setUpMultiChassis: 2,
      handledLate: 0,
      multiChassis: 2,
      skippedUnbound: 1,
      skippedUnboundMultiChassis: 0,
      skippedPinned: 0,
      skippedPinnedFinished: 0,
      targetWaitedMaxMs: 6_000,
      handedToTarget: 0,
      boundToOptionsP50Ms: 10,
      boundToOptionsMaxMs: 100,
    });
  });

  test('no migrations: zeros and no latency', () => {
    expect(summarisePhase([])).toMatchObject({ migrations: 0, multiChassis: 0, targetWaitedMaxMs: 0 });
    expect(summarisePhase([]).boundToOptionsP50Ms).toBeUndefined();
  });
});
