/**
 * Plays KubeVirt (and the scheduler, and Kube-OVN) against a real API server for the controller's
 * tests and bench: creates VMIs and VMIMs from the shared CRDs, moves VMIM phases through the status
 * subresource (a VMI has none: its status goes through the main resource), and creates migration
 * target pods with the labels KubeVirt gives them. Admin credentials; never used by the program.
 */
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type KubernetesObject, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../compatibility/labelKeys.js';
import { iso, nodeObject, type NodeSpec, targetPodObject, vmimObject, vmiObject, type VmiSpec } from './syntheticMigrationObjects.js';

const KUBEVIRT = { group: 'kubevirt.io', version: 'v1' } as const;
const VMIMS = { ...KUBEVIRT, plural: 'virtualmachineinstancemigrations' } as const;
const VMIS = { ...KUBEVIRT, plural: 'virtualmachineinstances' } as const;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface RawVmim extends KubernetesObject {
  spec: { vmiName?: string; addedNodeSelector?: Record<string, string> };
  status?: { phase?: string; phaseTransitionTimestamps?: { phase: string; phaseTransitionTimestamp: string }[] };
}

export class KubevirtStandIn {
  readonly custom: CustomObjectsApi;
  readonly core: CoreV1Api;

  constructor(kc: KubeConfig) {
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.core = kc.makeApiClient(CoreV1Api);
  }

  /** A Ready node (status written through the status subresource, as the kubelet does). */
  async createNode(spec: NodeSpec): Promise<void> {
    const o = nodeObject(spec) as { metadata: Record<string, unknown>; status: unknown; spec: unknown };
    const { uid: _uid, creationTimestamp: _created, ...metadata } = o.metadata;
    try {
      await this.core.createNode({ body: { apiVersion: 'v1', kind: 'Node', metadata, spec: o.spec } as never });
    } catch (e) {
      if ((e as { code?: number }).code !== 409) throw e;
    }
    await this.core.patchNodeStatus({ name: spec.name, body: { status: o.status } }, merge);
  }

  async createVmi(spec: Omit<VmiSpec, 'uid' | 'createdMs'>): Promise<KubernetesObject> {
    return this.custom.createNamespacedCustomObject({ ...VMIS, namespace: spec.namespace, body: vmiObject(spec) });
  }

  async deleteVmi(namespace: string, name: string): Promise<void> {
    await this.custom.deleteNamespacedCustomObject({ ...VMIS, namespace, name });
  }

  async createVmim(namespace: string, name: string, vmiName: string, extra: { finalizers?: string[]; spec?: Record<string, unknown> } = {}): Promise<RawVmim> {
    const body = vmimObject({ name, namespace, vmiName }) as unknown as RawVmim & { metadata: Record<string, unknown> };
    delete (body as { status?: unknown }).status;
    if (extra.finalizers) body.metadata.finalizers = extra.finalizers;
    if (extra.spec) body.spec = extra.spec as RawVmim['spec'];
    return this.custom.createNamespacedCustomObject({ ...VMIMS, namespace, body });
  }

  async getVmim(namespace: string, name: string): Promise<RawVmim> {
    return this.custom.getNamespacedCustomObject({ ...VMIMS, namespace, name });
  }

  async listVmims(namespace: string, labelSelector?: string): Promise<RawVmim[]> {
    const list = (await this.custom.listNamespacedCustomObject({ ...VMIMS, namespace, ...(labelSelector ? { labelSelector } : {}) })) as { items: RawVmim[] };
    return list.items;
  }

  /** kvfleet's fallbacks in a namespace, oldest first. */
  async fallbacks(namespace: string): Promise<RawVmim[]> {
    const items = await this.listVmims(namespace, `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`);
    return items.sort((a, b) => Number(a.metadata?.labels?.['kvfleet.io/attempt'] ?? 0) - Number(b.metadata?.labels?.['kvfleet.io/attempt'] ?? 0));
  }

  /**
   * Moves a VMIM to `phase` through the status subresource, recording the transition as KubeVirt
   * does (`at` defaults to now), plus any other status fields.
   */
  async setPhase(namespace: string, name: string, phase: string, extra: Record<string, unknown> = {}, atMs = Date.now()): Promise<void> {
    const current = await this.getVmim(namespace, name);
    const transitions = [...(current.status?.phaseTransitionTimestamps ?? []), { phase, phaseTransitionTimestamp: iso(atMs) }];
    await this.custom.patchNamespacedCustomObjectStatus(
      { ...VMIMS, namespace, name, body: { status: { phase, phaseTransitionTimestamps: transitions, ...extra } } },
      merge,
    );
  }

  /** A migration target pod for `vmim`, Pending and Unschedulable with the scheduler's message, or bound to a node. */
  async createTargetPod(vmim: RawVmim, opts: { unschedulable?: string; nodeName?: string; routed?: boolean }): Promise<string> {
    const namespace = vmim.metadata!.namespace!;
    const name = `virt-launcher-${vmim.spec.vmiName}-${vmim.metadata!.uid!.slice(0, 5)}`;
    const o = targetPodObject({ name, namespace, vmimUid: vmim.metadata!.uid!, vmimName: vmim.metadata!.name!, ...opts }) as {
      metadata: Record<string, unknown>;
      spec: unknown;
      status: unknown;
    };
    const { uid: _uid, creationTimestamp: _created, ...metadata } = o.metadata;
    await this.core.createNamespacedPod({ namespace, body: { apiVersion: 'v1', kind: 'Pod', metadata, spec: o.spec } as never });
    await this.core.patchNamespacedPodStatus({ namespace, name, body: { status: o.status } }, merge);
    return name;
  }

  async annotatePod(namespace: string, name: string, annotations: Record<string, string>): Promise<void> {
    await this.core.patchNamespacedPod({ namespace, name, body: { metadata: { annotations } } }, merge);
  }

  async deletePod(namespace: string, name: string): Promise<void> {
    await this.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 });
  }

  /**
   * KubeVirt's unschedulable path: target pod Unschedulable, then after the timeout the pod is
   * deleted and the VMIM fails from Scheduling.
   */
  async failUnschedulable(vmim: RawVmim, message: string): Promise<void> {
    const ns = vmim.metadata!.namespace!;
    const name = vmim.metadata!.name!;
    if (!vmim.status?.phase) await this.setPhase(ns, name, 'Pending');
    await this.setPhase(ns, name, 'Scheduling');
    const pod = await this.createTargetPod(vmim, { unschedulable: message });
    await this.deletePod(ns, pod);
    await this.setPhase(ns, name, 'Failed');
  }

  /** Removes every VMIM (finalizers too), VMI and target pod of a namespace: no test sees another's. */
  async purge(namespace: string): Promise<void> {
    for (const v of await this.listVmims(namespace)) {
      const name = v.metadata!.name!;
      if (v.metadata?.finalizers?.length) {
        await this.custom.patchNamespacedCustomObject({ ...VMIMS, namespace, name, body: { metadata: { finalizers: null } } }, merge);
      }
      await this.custom.deleteNamespacedCustomObject({ ...VMIMS, namespace, name }).catch(() => undefined);
    }
    const vmis = (await this.custom.listNamespacedCustomObject({ ...VMIS, namespace })) as { items: KubernetesObject[] };
    for (const v of vmis.items) await this.deleteVmi(namespace, v.metadata!.name!).catch(() => undefined);
    await this.core.deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 });
  }

  async events(namespace: string, reason?: string) {
    const list = await this.core.listNamespacedEvent({ namespace });
    return list.items.filter((e) => reason === undefined || e.reason === reason);
  }
}
