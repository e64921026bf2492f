import { describe, expect, test } from 'vitest';
import { handledPhases, skippedSetups } from './controllerLog.js';

// Lines as kube-ovn-controller v1.16.2 writes them (klog header, pkg/controller/kubevirt.go).
const UNBOUND =
  'W1207 15:32:33.827101    9299 kubevirt.go:180] VM pod vms/virt-launcher-vm-5-zkznq migration setup skipped, source node: node-0, target node:  (migration job UID: 5f0c1d2e-aaaa-4bbb-8ccc-0123456789ab)';
const SAME_NODE =
  'W1207 15:32:34.000000    9299 kubevirt.go:180] VM pod vms/virt-launcher-vm-4-92l2n migration setup skipped, source node: node-1, target node: node-1 (migration job UID: 11111111-2222-4333-8444-555555555555)';

describe('skippedSetups', () => {
  test('reads the pod, both nodes and the migration UID; an empty target is the unbound case', () => {
    const skips = skippedSetups(['I1207 noise', UNBOUND, SAME_NODE, ''].join('\n'));
    expect([...skips.keys()]).toEqual(['5f0c1d2e-aaaa-4bbb-8ccc-0123456789ab', '11111111-2222-4333-8444-555555555555']);
    expect(skips.get('5f0c1d2e-aaaa-4bbb-8ccc-0123456789ab')).toEqual({
      uid: '5f0c1d2e-aaaa-4bbb-8ccc-0123456789ab',
      pod: 'vms/virt-launcher-vm-5-zkznq',
      sourceNode: 'node-0',
      targetNode: '',
    });
    expect(skips.get('11111111-2222-4333-8444-555555555555')?.targetNode).toBe('node-1');
  });

  test('the first line for a migration wins; other warnings are not skips', () => {
    const later = UNBOUND.replace('target node: ', 'target node: node-2');
    const skips = skippedSetups([UNBOUND, later, 'W1207 x kubevirt.go:1] target pod not yet created for migration job UID abc in phase Scheduling'].join('\n'));
    expect(skips.size).toBe(1);
    expect([...skips.values()][0]!.targetNode).toBe('');
  });
});

describe('handledPhases', () => {
  test('collects every phase the handler logged per VMIM, whether the VMI state was current, stale or nil', () => {
    const log = [
      'I1207 16:09:30.255799   25948 kubevirt.go:134] current vmiMigration vms/kubevirt-evacuation-sm4bw status Pending, vmi MigrationState is nil',
      'I1207 16:09:35.516660   25948 kubevirt.go:134] current vmiMigration vms/kubevirt-evacuation-sm4bw status Scheduled, vmi MigrationState is nil',
      'I1207 16:09:35.800945   25948 kubevirt.go:122] current vmiMigration vms/kubevirt-evacuation-sm4bw status PreparingTarget, target Node node-1, source Node node-5',
      'I1207 16:09:36.000000   25948 kubevirt.go:132] current vmiMigration vms/kubevirt-evacuation-xyz status Scheduling, vmi MigrationState is stale',
    ].join('\n');
    const phases = handledPhases(log);
    expect([...phases.get('vms/kubevirt-evacuation-sm4bw')!]).toEqual(['Pending', 'Scheduled', 'PreparingTarget']);
    expect(phases.get('vms/kubevirt-evacuation-xyz')?.has('Scheduling')).toBe(true);
  });
});
