import { describe, expect, test } from 'vitest';
import { CAPACITY_RULE, type CapacityPool, type CapacityVm, planCapacity, usableCapacity } from './capacity.js';
import { type PlanStep, type Verdict } from './planModel.js';

const GiB = 1024 ** 3;
const NOW: PlanStep = { id: 'now', label: 'now', kind: 'now', launcher: 'l', launcherImage: 'i', machineTypesChanged: false };

describe('usable capacity: the schedulable nodes less the largest, drained one at a time', () => {
  test.each([
    ['three nodes, one larger', [100, 100, 200], { cpuMillis: 2000, memoryBytes: 200 * GiB }],
    ['one node leaves nothing', [100], { cpuMillis: 0, memoryBytes: 0 }],
    ['no node leaves nothing', [], { cpuMillis: 0, memoryBytes: 0 }],
  ])('%s', (_what, memoryGiB, usable) => {
    const nodes = memoryGiB.map((m) => ({ allocatable: { cpuMillis: 1000 * (m / 100), memoryBytes: m * GiB } }));
    expect(usableCapacity(nodes)).toEqual(usable);
  });

  test('a node without a figure makes that figure unknown, not smaller', () => {
    expect(usableCapacity([{ allocatable: { cpuMillis: 1000, memoryBytes: GiB } }, { allocatable: { cpuMillis: 1000 } }])).toEqual({
      cpuMillis: 1000,
      memoryBytes: null,
    });
  });

  test('nodes not listed: unknown', () => {
    expect(usableCapacity(undefined)).toEqual({ cpuMillis: null, memoryBytes: null });
  });
});

function vm(key: string, pools: string[], memoryGiB: number | undefined, verdict: Verdict = 'ok', running = true): CapacityVm {
  return {
    key,
    running,
    ...(memoryGiB === undefined ? {} : { requests: { memoryBytes: memoryGiB * GiB, cpuMillis: 1000 } }),
    steps: [{ step: 'now', pools, nodes: 2, verdict }],
  };
}
const pool = (name: string, memoryGiB: number | null, cpuMillis: number | null = 100_000): CapacityPool => ({
  name,
  usable: { cpuMillis, memoryBytes: memoryGiB === null ? null : memoryGiB * GiB },
});
const at = (plan: ReturnType<typeof planCapacity>, name: string) => plan.pools.find((p) => p.pool === name)!;

describe('planCapacity', () => {
  test('overcommitted flips when one VM more than the usable memory is added', () => {
    const pools = [pool('a', 100)];
    const vms = Array.from({ length: 10 }, (_, i) => vm(`ns/vm-${i}`, ['a'], 10));
    expect(at(planCapacity([NOW], pools, vms), 'a')).toMatchObject({ vms: 10, overcommitted: false, requested: { memoryBytes: 100 * GiB } });
    expect(at(planCapacity([NOW], pools, [...vms, vm('ns/one-more', ['a'], 1)]), 'a')).toMatchObject({ vms: 11, overcommitted: true });
  });

  test('CPU alone can overcommit a pool', () => {
    const plan = planCapacity([NOW], [pool('a', 100, 1500)], [vm('ns/x', ['a'], 1), vm('ns/y', ['a'], 1)]);
    expect(at(plan, 'a')).toMatchObject({ requested: { cpuMillis: 2000 }, overcommitted: true });
  });

  test('VMs with one possible pool are placed first; the rest go where most memory is unclaimed', () => {
    // Placed in key order, the flexible VM would take 'a' (more room) and push 'a' over with the pinned one.
    const vms = [vm('ns/a-flexible', ['a', 'b'], 60), vm('ns/b-pinned', ['a'], 60)];
    const plan = planCapacity([NOW], [pool('a', 100), pool('b', 80)], vms);
    expect(at(plan, 'a')).toMatchObject({ vms: 1, overcommitted: false });
    expect(at(plan, 'b')).toMatchObject({ vms: 1, overcommitted: false });
  });

  test('stranded and stopped VMs count nowhere', () => {
    const plan = planCapacity([NOW], [pool('a', 100)], [vm('ns/s', ['a'], 500, 'stranded'), vm('ns/off', ['a'], 500, 'ok', false)]);
    expect(at(plan, 'a')).toMatchObject({ vms: 0, requested: { memoryBytes: 0 }, overcommitted: false });
  });

  test('unknown requests count as zero; unknown capacity is never overcommitted', () => {
    const plan = planCapacity([NOW], [pool('a', null, null)], [vm('ns/x', ['a'], undefined), vm('ns/y', ['a'], undefined)]);
    expect(at(plan, 'a')).toMatchObject({ vms: 2, requested: { cpuMillis: null, memoryBytes: null }, overcommitted: false });
  });

  test('every step lists every pool, in order, with the rule', () => {
    const after: PlanStep = { id: 'step-1', label: 'KubeVirt 1.7.0 → 1.8.0', kind: 'kubevirt-upgrade', launcher: 'l2', launcherImage: 'i2', machineTypesChanged: true };
    const plan = planCapacity([NOW, after], [pool('a', 1), pool('b', 1)], []);
    expect(plan.rule).toBe(CAPACITY_RULE);
    expect(plan.pools.map((p) => `${p.step}/${p.pool}`)).toEqual(['now/a', 'now/b', 'step-1/a', 'step-1/b']);
  });
});
