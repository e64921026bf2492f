import { describe, expect, test } from 'vitest';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../compatibility/labelKeys.js';
import { type CleanupLimits, planCleanup } from './cleanupDecision.js';
import { parseVmi, parseVmim, type VmimView } from './objectViews.js';
import { must, type VmimSpec, vmimObject, vmiObject } from '../../testbed/support/syntheticMigrationObjects.js';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const S = 1000;
const limits: CleanupLimits = { finishedMigrationTtlSeconds: 600, attemptWindowSeconds: 3600 };
const vmi = must(parseVmi(vmiObject({ name: 'vm-1', namespace: 'apps', uid: 'vmi-uid', createdMs: NOW - 7200 * S, nodeName: 'n0' })));

const ours = (name: string, createdAgoS: number, phase?: string, finishedAgoS?: number, over: Partial<VmimSpec> = {}): VmimView =>
  must(
    parseVmim(
      vmimObject({
        name,
        namespace: 'apps',
        vmiName: 'vm-1',
        uid: `${name}-uid`,
        createdMs: NOW - createdAgoS * S,
        ...(phase ? { phase, phases: { Scheduling: NOW - createdAgoS * S, ...(finishedAgoS !== undefined ? { [phase]: NOW - finishedAgoS * S } : {}) } } : {}),
        labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
        ownerVmiUid: 'vmi-uid',
        ...over,
      }),
    ),
  );
const users = (name: string, createdAgoS: number, phase: string): VmimView =>
  must(
    parseVmim(
      vmimObject({ name, namespace: 'apps', vmiName: 'vm-1', uid: `${name}-uid`, createdMs: NOW - createdAgoS * S, phase, phases: { [phase]: NOW - createdAgoS * S } }),
    ),
  );

describe('planCleanup', () => {
  test.each([
    // what, created ago, phase, finished ago, deleted?
    ['a finished fallback past its TTL and the attempt window', 4000, 'Succeeded', 3900, true],
    ['a failed fallback past its TTL and the attempt window', 4000, 'Failed', 3900, true],
    ['a finished fallback within its TTL', 4000, 'Succeeded', 300, false],
    ['a fallback past its TTL but inside the attempt window (it still counts as an attempt)', 1200, 'Failed', 1100, false],
    ['a fallback still running', 7000, 'Running', undefined, false],
  ] as const)('%s', (_, created, phase, finished, deleted) => {
    const v = ours('fb', created, phase, finished);
    const plan = planCleanup(vmi, [v], NOW, limits);
    expect(plan.deletions.map((d) => d.vmim.name)).toEqual(deleted ? ['fb'] : []);
  });

  test('a kept finished fallback is looked at again when it becomes due', () => {
    const plan = planCleanup(vmi, [ours('fb', 1200, 'Failed', 1100)], NOW, limits);
    // due when the window since creation ends: 3600 - 1200 s from now
    expect(plan.recheckAfterMs).toBe((3600 - 1200) * S);
  });

  test("every kvfleet VMIM goes with its VMI, running or not; a user's stays", () => {
    const vmims = [ours('fb-1', 100, 'Running'), ours('fb-2', 50, 'Failed', 40), users('user-mig', 500, 'Failed')];
    const plan = planCleanup(undefined, vmims, NOW, limits);
    expect(plan.deletions.map((d) => [d.vmim.name, d.reason])).toEqual([
      ['fb-1', 'vmi-gone'],
      ['fb-2', 'vmi-gone'],
    ]);
  });

  test('fallbacks made for an earlier VMI of the same name go', () => {
    const plan = planCleanup(vmi, [ours('fb', 100, 'Running', undefined, { ownerVmiUid: 'older-vmi-uid' })], NOW, limits);
    expect(plan.deletions.map((d) => d.reason)).toEqual(['vmi-replaced']);
  });

  test("a user's VMIM is never deleted, however old", () => {
    expect(planCleanup(vmi, [users('user-mig', 99_999, 'Failed')], NOW, limits).deletions).toEqual([]);
  });

  test('a VMIM already being deleted is left to finish', () => {
    expect(planCleanup(undefined, [ours('fb', 100, 'Running', undefined, { deleting: true })], NOW, limits).deletions).toEqual([]);
  });
});
