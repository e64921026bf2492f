import { describe, expect, test } from 'vitest';
import { boundByMigration, neverBoundSeconds, type PodView, TargetPodLedger, targetPodPlacement, type TargetPodRecord } from './targetPods.js';

const MT = 'machine-type.node.kubevirt.io/';
const node = (arch: string, ...types: string[]) => ({ 'kubernetes.io/arch': arch, ...Object.fromEntries(types.map((t) => [MT + t, 'true'])) });
const pod = (name: string, vmi: string, nodeName?: string, migrationUid = `uid-${name}`): PodView => ({
  namespace: 'ns',
  name,
  labels: { 'kubevirt.io': 'virt-launcher', 'kubevirt.io/migrationJobUID': migrationUid },
  annotations: { 'kubevirt.io/domain': vmi },
  ...(nodeName ? { nodeName } : {}),
});
const VMIS: Record<string, { architecture: string; machineType: string }> = {
  'ns/arm': { architecture: 'arm64', machineType: 'virt-rhel9.4.0' },
  'ns/amd': { architecture: 'amd64', machineType: 'pc-q35-rhel8.6.0' },
};
const vmiOf = (k: string) => VMIS[k];

describe('the target-pod ledger', () => {
  const ledger = new TargetPodLedger();
  ledger.node('arm-0', node('arm64', 'virt', 'virt-rhel9.4.0'));
  ledger.node('amd-0', node('amd64', 'q35', 'pc-q35-rhel9.6.0'));
  ledger.pod(pod('p1', 'arm'), vmiOf, 1); // created, Pending
  ledger.pod(pod('p1', 'arm', 'arm-0'), vmiOf, 3); // bound where it belongs
  ledger.pod(pod('p2', 'amd'), vmiOf, 2); // never bound: no node carries pc-q35-rhel8.6.0 any more
  ledger.pod(pod('p3', 'arm', 'amd-0'), vmiOf, 4); // a wrong-arch bind, as if selectors were missing
  ledger.pod({ ...pod('source', 'arm', 'arm-0'), labels: { 'kubevirt.io': 'virt-launcher' } }, vmiOf, 5); // not a target pod
  const records = ledger.records();

  test('keeps target pods only, with the VMI and, once bound, the node as it was labelled then', () => {
    expect(records.map((r) => r.name)).toEqual(['p1', 'p2', 'p3']);
    expect(records[0]).toEqual({
      namespace: 'ns',
      name: 'p1',
      vmi: 'ns/arm',
      migrationUid: 'uid-p1',
      createdAt: 1,
      vmiArchitecture: 'arm64',
      machineType: 'virt-rhel9.4.0',
      node: 'arm-0',
      boundAt: 3,
      nodeArchitecture: 'arm64',
      nodeOffersType: true,
    });
    // Relabelling the node later does not change what it said at the bind.
    ledger.node('arm-0', node('arm64'));
    ledger.pod(pod('p1', 'arm', 'arm-0'), vmiOf, 9);
    expect(ledger.records()[0]!.nodeOffersType).toBe(true);
  });

  test('counts never bound, wrong architecture, lacking the type', () => {
    expect(targetPodPlacement(records)).toEqual({ pods: 3, neverBound: 1, wrongArchitecture: 1, lackingType: 1 });
  });
});

test('a pod of an unknown VMI is kept but judged on nothing it cannot know', () => {
  const r: TargetPodRecord = { namespace: 'ns', name: 'x', vmi: 'ns/gone', migrationUid: 'u', createdAt: 0, node: 'n', nodeArchitecture: 'amd64' };
  expect(targetPodPlacement([r])).toEqual({ pods: 1, neverBound: 0, wrongArchitecture: 0, lackingType: 0 });
});

test('a deletion keeps the record with when it was seen; a never-bound pod counts until then, or until the end', () => {
  const ledger = new TargetPodLedger();
  ledger.node('amd-0', node('amd64', 'q35'));
  ledger.pod(pod('p1', 'amd'), vmiOf, 10);
  ledger.pod(pod('p1', 'amd'), vmiOf, 130, true); // KubeVirt's unschedulable timeout deleted it
  ledger.pod(pod('p1', 'amd'), vmiOf, 140, true); // a repeated event does not move it
  ledger.pod(pod('p2', 'amd', 'amd-0', 'uid-p1'), vmiOf, 150); // the same VMIM's second pod, bound
  ledger.pod(pod('p3', 'amd'), vmiOf, -5); // created before the clock's zero: counted from 0
  const records = ledger.records();
  expect(records[0]!.deletedAt).toBe(130);
  expect(neverBoundSeconds(records, 200)).toBe(120 + 200);
  expect([...boundByMigration(records)]).toEqual([
    ['uid-p1', true],
    ['uid-p3', false],
  ]);
});
