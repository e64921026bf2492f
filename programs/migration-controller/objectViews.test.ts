import { describe, expect, test } from 'vitest';
import { parseNode, parseTargetPod, parseVmi, parseVmim } from './objectViews.js';
import { must, nodeObject, targetPodObject, vmimObject, vmiObject } from '../../testbed/support/syntheticMigrationObjects.js';

const T = Date.UTC(2026, 10, 23, 12, 0, 0);
const good = vmimObject({ name: 'm', namespace: 'apps', vmiName: 'vm-1', uid: 'u', createdMs: T, phase: 'Scheduling', phases: { Pending: T, Scheduling: T + 1000 } });

describe('malformed VMIMs are rejected with a reason code, never thrown', () => {
  test.each([
    ['no metadata', {}, 'no-metadata'],
    ['no uid', { ...good, metadata: { name: 'm', namespace: 'apps', creationTimestamp: '2026-01-01T00:00:00Z' } }, 'no-name'],
    ['no spec.vmiName', { ...good, spec: {} }, 'no-vmi-name'],
    ['status.phase not a string', { ...good, status: { phase: 42 } }, 'bad-phase'],
    ['a transition without a time', { ...good, status: { phaseTransitionTimestamps: [{ phase: 'Pending' }] } }, 'bad-status'],
    ['labels that are not strings', { ...good, metadata: { ...(good.metadata as object), labels: { a: 1 } } }, 'bad-metadata'],
    ['null', null, 'no-metadata'],
  ])('%s', (_, obj, code) => {
    const parsed = parseVmim(obj);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.code).toBe(code);
  });
});

test('a VMIM reads back its phase history', () => {
  expect(must(parseVmim(good)).phaseTimes).toEqual({ Pending: T, Scheduling: T + 1000 });
});

test("a VMI's machine type is the canonical one from status, not the spec's alias", () => {
  const v = must(parseVmi(vmiObject({ name: 'vm-1', namespace: 'apps', uid: 'u', createdMs: T, machineType: 'pc-q35-rhel9.6.0' })));
  expect(v.machineType).toBe('pc-q35-rhel9.6.0');
});

test('timestamps may be Dates, as typed core lists deliver them', () => {
  const node = nodeObject({ name: 'n1' }) as { metadata: Record<string, unknown> };
  node.metadata.creationTimestamp = new Date(T);
  expect(must(parseNode(node)).name).toBe('n1');
});

test('a cordoned NotReady node reads as such, with its hostname label', () => {
  expect(must(parseNode(nodeObject({ name: 'n1', ready: false, cordoned: true, labels: { 'kubernetes.io/hostname': 'n1.example' } })))).toMatchObject({
    ready: false,
    cordoned: true,
    hostname: 'n1.example',
  });
});

test('a target pod reports its VMIM, its unschedulable message and Kube-OVN routing', () => {
  const p = must(parseTargetPod(targetPodObject({ name: 'p', namespace: 'apps', vmimUid: 'vmim-uid', vmimName: 'm', unschedulable: 'no nodes', routed: true })));
  expect(p).toMatchObject({ vmimUid: 'vmim-uid', vmimName: 'm', unschedulableMessage: 'no nodes', networkRouted: true });
});
