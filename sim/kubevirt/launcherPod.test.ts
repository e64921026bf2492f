import { describe, expect, it } from 'vitest';
import { launcherNodeSelector, renderInitialLauncherPod, renderLauncherPod, renderMigrationTargetPod } from './launcherPod.js';
import { schedulingContractOf } from '../../compatibility/kubevirtVersions.js';
import { type RawVmi, type RawVmim } from './objects.js';

const vmi = (over: Partial<RawVmi['spec']> = {}, statusType: string | null = 'pc-q35-rhel9.6.0'): RawVmi => ({
  metadata: {
    name: 'db-1',
    namespace: 'apps',
    uid: 'vmi-uid-1',
    labels: { app: 'db' },
    annotations: { note: 'x', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
  },
  spec: {
    domain: { devices: {}, machine: { type: 'q35' }, memory: { guest: '2Gi' }, resources: { requests: { cpu: '200m' } } },
    architecture: 'amd64',
    nodeSelector: { zone: 'a' },
    ...over,
  },
  status: { phase: 'Running', nodeName: 'n1', ...(statusType ? { machine: { type: statusType } } : {}) },
});

const vmim = (addedNodeSelector?: Record<string, string>): RawVmim => ({
  metadata: { name: 'mig-1', namespace: 'apps', uid: 'vmim-uid-1' },
  spec: { vmiName: 'db-1', ...(addedNodeSelector ? { addedNodeSelector } : {}) },
});

const MT = 'machine-type.node.kubevirt.io/pc-q35-rhel9.6.0';

describe('target pod nodeSelector per KubeVirt version', () => {
  const added = { zone: 'b', 'kubernetes.io/hostname': 'n3' };

  it.each([
    ['1.4.1', { 'kubevirt.io/schedulable': 'true', 'kubernetes.io/arch': 'amd64', zone: 'a' }],
    ['1.5.0', { 'kubevirt.io/schedulable': 'true', 'kubernetes.io/arch': 'amd64', zone: 'a' }],
    ['1.5.1', { 'kubevirt.io/schedulable': 'true', 'kubernetes.io/arch': 'amd64', zone: 'a', [MT]: 'true' }],
    ['1.5.3', { 'kubevirt.io/schedulable': 'true', 'kubernetes.io/arch': 'amd64', zone: 'a', [MT]: 'true' }],
    // ≥ 1.6: addedNodeSelector merged under the template's selector: the VM's zone wins, the hostname is added.
    ['1.6.0', { 'kubevirt.io/schedulable': 'true', 'kubernetes.io/arch': 'amd64', zone: 'a', [MT]: 'true', 'kubernetes.io/hostname': 'n3' }],
    ['1.6.2', { 'kubevirt.io/schedulable': 'true', 'kubernetes.io/arch': 'amd64', zone: 'a', [MT]: 'true', 'kubernetes.io/hostname': 'n3' }],
  ])('%s', (version, expected) => {
    const pod = renderMigrationTargetPod(vmi(), vmim(added), { kubevirtVersion: version });
    expect(pod.spec?.nodeSelector).toEqual(expected);
  });

  it('selects on status.machine.type (canonical), falling back to the spec type before virt-handler reported one', () => {
    const c = schedulingContractOf('1.6.2');
    expect(launcherNodeSelector(vmi(), c)[MT]).toBe('true');
    const early = launcherNodeSelector(vmi({}, null), c);
    expect(early['machine-type.node.kubevirt.io/q35']).toBe('true');
    expect(early[MT]).toBeUndefined();
  });

  it("the machine-type label is set after the VM's own selector (nodeselectorrenderer Render order)", () => {
    const pinned = vmi({ nodeSelector: { [MT]: 'false' } });
    expect(launcherNodeSelector(pinned, schedulingContractOf('1.6.2'))[MT]).toBe('true');
  });

  it('the initial launcher pod carries the spec type and is bound to its node', () => {
    const pod = renderInitialLauncherPod(vmi(), 'n1', { kubevirtVersion: '1.6.2' });
    expect(pod.spec?.nodeName).toBe('n1');
    expect(pod.spec?.nodeSelector?.['machine-type.node.kubevirt.io/q35']).toBe('true');
    expect(pod.spec?.affinity).toBeUndefined();
  });
});

describe('target pod identity, anti-affinity and resources', () => {
  const pod = renderMigrationTargetPod(vmi({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone' }] } } }), vmim(), {
    kubevirtVersion: '1.6.2',
  });

  it('has KubeVirt labels and annotations', () => {
    expect(pod.metadata?.generateName).toBe('virt-launcher-db-1-');
    expect(pod.metadata?.labels).toEqual({
      app: 'db',
      'kubevirt.io': 'virt-launcher',
      'kubevirt.io/created-by': 'vmi-uid-1',
      'vm.kubevirt.io/name': 'db-1',
      'kubevirt.io/migrationJobUID': 'vmim-uid-1',
    });
    expect(pod.metadata?.annotations).toMatchObject({ 'kubevirt.io/domain': 'db-1', 'kubevirt.io/migrationJobName': 'mig-1', note: 'x' });
    expect(pod.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toBeUndefined();
    expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'VirtualMachineInstance', uid: 'vmi-uid-1', controller: true });
  });

  it("appends the required anti-affinity on kubevirt.io/created-by to the VMI's own terms", () => {
    expect(pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { topologyKey: 'zone' },
      { labelSelector: { matchLabels: { 'kubevirt.io/created-by': 'vmi-uid-1' } }, topologyKey: 'kubernetes.io/hostname' },
    ]);
  });

  it('copies the memory (guest memory when no request) and CPU requests', () => {
    expect(pod.spec?.containers?.[0]?.resources?.requests).toEqual({ memory: '2Gi', cpu: '200m' });
    expect(pod.spec?.containers?.[0]?.image).toBe('quay.io/kubevirt/virt-launcher:v1.6.2');
    expect(pod.spec?.readinessGates).toEqual([{ conditionType: 'kubevirt.io/virtual-machine-unpaused' }]);
  });

  it("limits KubeVirt's device-plugin resources when asked", () => {
    const withDevices = renderMigrationTargetPod(vmi(), vmim(), { kubevirtVersion: '1.6.2', deviceResources: true });
    expect(withDevices.spec?.containers?.[0]?.resources?.limits).toEqual({
      'devices.kubevirt.io/kvm': '1',
      'devices.kubevirt.io/tun': '1',
      'devices.kubevirt.io/vhost-net': '1',
    });
    expect(pod.spec?.containers?.[0]?.resources?.limits).toBeUndefined();
  });

  it('a plain launcher pod has no anti-affinity and no migration identity', () => {
    const plain = renderLauncherPod(vmi(), { kubevirtVersion: '1.6.2' });
    expect(plain.spec?.affinity).toBeUndefined();
    expect(plain.metadata?.labels?.['kubevirt.io/migrationJobUID']).toBeUndefined();
  });
});
