/**
 * The simulated nodes as API objects, and what happens to them during the upgrade: created with
 * capacity, a Ready condition and the labels of their current release; cordoned and tainted
 * `kubevirt.io/drain:NoSchedule` for a drain; NotReady (with the taint the node lifecycle
 * controller would add) for a fault or a re-image; relabelled for their new release. No kubelet runs:
 * the stand-in plays the pods' lives. Writes for one node are serialised, and each write sends the
 * node's whole taint list, so a fault and a drain on one node never undo each other.
 */
import { type BulkApi } from '../../bench/support/bulkApi.js';
import { KUBEVIRT_DRAIN_TAINT, KVM_RESOURCE } from '../../compatibility/kubevirtNames.js';
import { type NodeMachineState } from './nodeCapabilities.js';
import { type ScenarioNode } from './scenario.js';

const MERGE = { contentType: 'application/merge-patch+json' } as const;
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
/** virt-handler's device plugins advertise 1k of each (what a launcher pod may request). */
const KUBEVIRT_DEVICES = { [KVM_RESOURCE]: '1k', 'devices.kubevirt.io/tun': '1k', 'devices.kubevirt.io/vhost-net': '1k' };

interface NodeFlags {
  cordoned: boolean;
  draining: boolean;
  notReady: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const nowIso = () => new Date().toISOString();

function readyCondition(ready: boolean) {
  const t = nowIso();
  return {
    type: 'Ready',
    status: ready ? 'True' : 'False',
    reason: ready ? 'KubeletReady' : 'NodeStatusUnknown',
    message: ready ? 'kubelet is posting ready status' : 'Kubelet stopped posting node status.',
    lastHeartbeatTime: t,
    lastTransitionTime: t,
  };
}

export class SimNodes {
  private readonly flags = new Map<string, NodeFlags>();
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly api: BulkApi) {}

  private taints(f: NodeFlags) {
    return [...(f.draining ? [{ key: KUBEVIRT_DRAIN_TAINT, effect: 'NoSchedule' }] : []), ...(f.notReady ? [{ key: NOT_READY_TAINT, effect: 'NoSchedule' }] : [])];
  }

  /** Runs writes for one node one after another. */
  private serial(node: string, write: () => Promise<void>): Promise<void> {
    const next = (this.queues.get(node) ?? Promise.resolve()).then(write);
    this.queues.set(
      node,
      next.catch(() => undefined),
    );
    return next;
  }

  async create(node: ScenarioNode, state: NodeMachineState): Promise<void> {
    const capacity = { cpu: `${node.capacity.cpuMillis / 1000}`, memory: `${node.capacity.memoryMiB}Mi`, pods: String(node.capacity.pods), ...KUBEVIRT_DEVICES };
    const f: NodeFlags = { cordoned: false, draining: false, notReady: false, labels: { ...state.labels }, annotations: { ...state.annotations } };
    this.flags.set(node.name, f);
    await this.api.must('POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: node.name, labels: f.labels, annotations: f.annotations },
      spec: {},
      status: {
        capacity,
        allocatable: capacity,
        conditions: [readyCondition(true)],
        addresses: [{ type: 'Hostname', address: node.name }],
        nodeInfo: { operatingSystem: 'linux', architecture: 'amd64', kubeletVersion: 'v1.33.2', osImage: node.releaseBefore },
      },
    });
    // TaintNodesByCondition tainted it not-ready at creation; the node lifecycle controller (not running) would lift it.
    await this.api.must('PATCH', `/api/v1/nodes/${node.name}`, { spec: { taints: null } }, MERGE);
  }

  private async writeSpec(node: string): Promise<void> {
    const f = this.flags.get(node)!;
    await this.api.must('PATCH', `/api/v1/nodes/${node}`, { spec: { unschedulable: f.cordoned || null, taints: this.taints(f) } }, MERGE);
  }

  /** `kubectl cordon` plus KubeVirt's drain taint, which its evacuation controller acts on. */
  drain(node: string): Promise<void> {
    return this.serial(node, async () => {
      const f = this.flags.get(node)!;
      f.cordoned = true;
      f.draining = true;
      await this.writeSpec(node);
    });
  }

  setReady(node: string, ready: boolean): Promise<void> {
    return this.serial(node, async () => {
      const f = this.flags.get(node)!;
      f.notReady = !ready;
      // Status first when going down (the kubelet stops), taint after, as the lifecycle controller reacts.
      if (!ready) await this.api.must('PATCH', `/api/v1/nodes/${node}/status`, { status: { conditions: [readyCondition(false)] } }, MERGE);
      await this.writeSpec(node);
      if (ready) await this.api.must('PATCH', `/api/v1/nodes/${node}/status`, { status: { conditions: [readyCondition(true)] } }, MERGE);
    });
  }

  /**
   * The node is back from its re-image: the labels and annotations of its new release (the
   * labellers' work), Ready, drain taint gone, uncordoned.
   */
  reimaged(node: string, state: NodeMachineState, osImage: string): Promise<void> {
    return this.serial(node, async () => {
      const f = this.flags.get(node)!;
      const nulls = (old: Record<string, string>, next: Record<string, string>) => ({
        ...Object.fromEntries(Object.keys(old).map((k) => [k, null])),
        ...next,
      });
      f.cordoned = false;
      f.draining = false;
      f.notReady = false;
      await this.api.must(
        'PATCH',
        `/api/v1/nodes/${node}`,
        {
          metadata: { labels: nulls(f.labels, state.labels), annotations: nulls(f.annotations, state.annotations) },
          spec: { unschedulable: null, taints: this.taints(f) },
        },
        MERGE,
      );
      f.labels = { ...state.labels };
      f.annotations = { ...state.annotations };
      await this.api.must('PATCH', `/api/v1/nodes/${node}/status`, { status: { conditions: [readyCondition(true)], nodeInfo: { osImage } } }, MERGE);
    });
  }
}
