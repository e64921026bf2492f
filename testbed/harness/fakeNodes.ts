import { CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';

export interface FakeNodeOptions {
  readonly labels?: Record<string, string>;
  readonly ready?: boolean;
  readonly unschedulable?: boolean;
}

/**
 * A Node object with capacity and a Ready condition, as a kubelet would report it, so the real
 * kube-scheduler will place pods on it (no kubelet runs: the pods never start).
 */
export async function createFakeNode(kc: KubeConfig, name: string, opts: FakeNodeOptions = {}): Promise<V1Node> {
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNode({
    body: {
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...opts.labels } },
      spec: { unschedulable: opts.unschedulable ?? false },
    },
  });
  if (opts.ready !== false) {
    // The TaintNodesByCondition admission plugin taints every new Node not-ready; the node
    // lifecycle controller (not running here) would lift it once the kubelet reports Ready.
    const created = await core.readNode({ name });
    created.spec = { ...created.spec, taints: (created.spec?.taints ?? []).filter((t) => t.key !== 'node.kubernetes.io/not-ready') };
    await core.replaceNode({ name, body: created });
  }
  const capacity = { cpu: '8', memory: '32Gi', pods: '110' };
  return core.replaceNodeStatus({
    name,
    body: {
      ...(await core.readNode({ name })),
      status: {
        capacity,
        allocatable: capacity,
        conditions: [
          { type: 'Ready', status: opts.ready === false ? 'False' : 'True', reason: 'KubeletReady', lastHeartbeatTime: new Date(), lastTransitionTime: new Date() },
        ],
      },
    },
  });
}
