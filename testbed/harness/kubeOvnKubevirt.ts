/**
 * The smallest stand-in for KubeVirt that kube-ovn-controller needs to see a live migration: the objects
 * virt-controller, virt-handler, the scheduler and the kubelet would write, written directly. What
 * kube-ovn-controller reads (v1.16.2, `pkg/controller/kubevirt.go`, `pod.go`):
 *
 * - a launcher pod is a VM pod when an ownerReference is a `kubevirt.io` VirtualMachineInstance; with
 *   `--keep-vm-ip` its port and IP are named `<vmi>.<namespace>` and shared by every launcher pod of it;
 * - a VMIM is handled only when its `status.migrationState` is set, and on a phase change;
 * - at `Scheduling` the target is the pod labelled `kubevirt.io/migrationJobUID=<vmim uid>` (from its
 *   informer cache) and its `spec.nodeName`; the source node is `vmi.status.migrationState.sourceNode`
 *   (when its `migrationUid` is the VMIM's UID) or `vmi.status.nodeName`;
 * - at `Succeeded`/`Failed` the nodes come from `vmi.status.migrationState` alone.
 *
 * Phases and fields follow ../shared/notes/real-controllers-local.md (virt-handler's order).
 */
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { mergePatch } from './kubeOvn.js';
import { until } from './until.js';

export const LAUNCHER_IMAGE = 'quay.io/kubevirt/virt-launcher:v1.6.1';
const GROUP = 'kubevirt.io';
const VERSION = 'v1';

export interface KubevirtObject {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
}

const vmiSpec = {
  domain: { devices: { interfaces: [{ name: 'default', masquerade: {} }] }, resources: { requests: { memory: '64Mi' } } },
  networks: [{ name: 'default', pod: {} }],
};

async function createCustom(kc: KubeConfig, namespace: string, plural: string, body: Record<string, unknown>): Promise<KubevirtObject> {
  const created = (await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural, body })) as {
    metadata: { name: string; namespace: string; uid: string };
  };
  return { name: created.metadata.name, namespace: created.metadata.namespace, uid: created.metadata.uid };
}

/** A VirtualMachine (runStrategy Always), as a user would create it. */
export function createVm(kc: KubeConfig, namespace: string, name: string): Promise<KubevirtObject> {
  return createCustom(kc, namespace, 'virtualmachines', {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'VirtualMachine',
    metadata: { name, namespace },
    spec: { runStrategy: 'Always', template: { metadata: { labels: { 'kubevirt.io/vm': name } }, spec: vmiSpec } },
  });
}

/**
 * A VMI Running on `node`: owned by `vm` as virt-controller's VM controller creates it, or bare (no
 * owner) as a user creating a VMI directly. The VMI kind has no status subresource (status is written
 * through the object).
 */
export async function createRunningVmi(kc: KubeConfig, namespace: string, name: string, node: string, vm?: KubevirtObject): Promise<KubevirtObject> {
  const vmi = await createCustom(kc, namespace, 'virtualmachineinstances', {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'VirtualMachineInstance',
    metadata: {
      name,
      namespace,
      labels: { 'kubevirt.io/nodeName': node },
      ...(vm && {
        ownerReferences: [{ apiVersion: `${GROUP}/${VERSION}`, kind: 'VirtualMachine', name: vm.name, uid: vm.uid, controller: true, blockOwnerDeletion: true }],
      }),
    },
    spec: vmiSpec,
  });
  await patchVmiStatus(kc, vmi, { phase: 'Running', nodeName: node });
  return vmi;
}

export function patchVmiStatus(kc: KubeConfig, vmi: KubevirtObject, status: Record<string, unknown>, labels?: Record<string, string | null>): Promise<unknown> {
  return mergePatch(kc, `/apis/${GROUP}/${VERSION}/namespaces/${vmi.namespace}/virtualmachineinstances/${vmi.name}`, {
    ...(labels && { metadata: { labels } }),
    status,
  });
}

/**
 * A virt-launcher pod of `vmi`, as virt-controller renders it (owner, labels; a migration target also
 * carries the migration job's label and annotation). Bound to `node` when given (as the scheduler
 * would bind it), else left unbound.
 */
export async function createLauncherPod(kc: KubeConfig, vmi: KubevirtObject, opts: { node?: string; migration?: KubevirtObject; suffix: string }): Promise<V1Pod> {
  return kc.makeApiClient(CoreV1Api).createNamespacedPod({
    namespace: vmi.namespace,
    body: {
      metadata: {
        name: `virt-launcher-${vmi.name}-${opts.suffix}`,
        namespace: vmi.namespace,
        labels: {
          'kubevirt.io': 'virt-launcher',
          'kubevirt.io/created-by': vmi.uid,
          'vm.kubevirt.io/name': vmi.name,
          ...(opts.migration && { 'kubevirt.io/migrationJobUID': opts.migration.uid }),
        },
        annotations: { 'kubevirt.io/domain': vmi.name, ...(opts.migration && { 'kubevirt.io/migrationJobName': opts.migration.name }) },
        ownerReferences: [
          { apiVersion: `${GROUP}/${VERSION}`, kind: 'VirtualMachineInstance', name: vmi.name, uid: vmi.uid, controller: true, blockOwnerDeletion: true },
        ],
      },
      spec: {
        ...(opts.node && { nodeName: opts.node }),
        containers: [{ name: 'compute', image: LAUNCHER_IMAGE }],
      },
    },
  });
}

/** What kube-scheduler does: the Binding of a pod to a node. */
export async function bindPod(kc: KubeConfig, pod: V1Pod, node: string): Promise<void> {
  await kc.makeApiClient(CoreV1Api).createNamespacedPodBinding({
    name: pod.metadata!.name!,
    namespace: pod.metadata!.namespace!,
    body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: pod.metadata!.name! }, target: { apiVersion: 'v1', kind: 'Node', name: node } },
  });
}

/** What the kubelet reports: the pod's phase (Running with the compute container up, or Succeeded). */
export async function setPodPhase(kc: KubeConfig, pod: V1Pod, phase: 'Running' | 'Succeeded'): Promise<void> {
  const now = new Date().toISOString();
  await mergePatch(kc, `/api/v1/namespaces/${pod.metadata!.namespace}/pods/${pod.metadata!.name}/status`, {
    status: {
      phase,
      conditions: [{ type: 'Ready', status: phase === 'Running' ? 'True' : 'False', lastTransitionTime: now }],
      containerStatuses: [
        {
          name: 'compute',
          image: LAUNCHER_IMAGE,
          imageID: '',
          ready: phase === 'Running',
          restartCount: 0,
          state: phase === 'Running' ? { running: { startedAt: now } } : { terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now } },
        },
      ],
    },
  });
}

/**
 * Waits until kube-ovn-controller has allocated the pod's address (`ovn.kubernetes.io/allocated`), which
 * also says its pod informer holds the pod.
 */
export async function waitAllocated(kc: KubeConfig, pod: V1Pod, timeoutMs = 60_000): Promise<V1Pod> {
  return until(
    async () => {
      const p = await kc.makeApiClient(CoreV1Api).readNamespacedPod({ name: pod.metadata!.name!, namespace: pod.metadata!.namespace! });
      return p.metadata?.annotations?.['ovn.kubernetes.io/allocated'] === 'true' ? p : undefined;
    },
    { timeoutMs, intervalMs: 100, what: `kube-ovn-controller allocating pod ${pod.metadata!.namespace}/${pod.metadata!.name}` },
  );
}

export type MigrationPhase = 'Pending' | 'Scheduling' | 'Scheduled' | 'PreparingTarget' | 'TargetReady' | 'Running' | 'Succeeded' | 'Failed';

/** A VMIM as a user (or the evacuation controller) creates it. */
export function createMigration(kc: KubeConfig, vmi: KubevirtObject, name: string): Promise<KubevirtObject> {
  return createCustom(kc, vmi.namespace, 'virtualmachineinstancemigrations', {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'VirtualMachineInstanceMigration',
    metadata: { name, namespace: vmi.namespace, labels: { 'kubevirt.io/vmi-name': vmi.name } },
    spec: { vmiName: vmi.name },
  });
}

/** virt-controller's status write of a VMIM (status subresource): its phase and migrationState. */
export function setMigrationStatus(kc: KubeConfig, vmim: KubevirtObject, phase: MigrationPhase, migrationState: Record<string, unknown>): Promise<unknown> {
  return mergePatch(kc, `/apis/${GROUP}/${VERSION}/namespaces/${vmim.namespace}/virtualmachineinstancemigrations/${vmim.name}/status`, {
    status: { phase, migrationState: { migrationUid: vmim.uid, ...migrationState } },
  });
}
