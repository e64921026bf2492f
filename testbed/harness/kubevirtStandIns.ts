/**
 * The smallest stand-ins for what runs beside virt-controller in a KubeVirt cluster, so the real
 * virt-controller (testbed/harness/virtController.ts) can start VMIs and drive migrations against the
 * loopback API server. Each part is named for the component it plays and does only what that
 * component writes to the API (../shared/notes/real-controllers-local.md, checked against kubevirt
 * v1.7.0 `pkg/virt-handler/migration-{source,target}.go`, `pkg/virt-handler/node-labeller/`,
 * `pkg/virt-api/webhooks/validating-webhook/admitters/pod-eviction-admitter.go`):
 *
 * - **kubelet**: registers Nodes (Ready, allocatable incl. `devices.kubevirt.io/{kvm,tun,vhost-net}`,
 *   the `node.kubernetes.io/not-ready` taint lifted as the node lifecycle controller would), runs pods
 *   bound to its nodes (`Running`, every container started and ready), finishes pods being deleted,
 *   and reports a launcher pod `Succeeded` once its QEMU has handed the VM over.
 * - **virt-handler**: its node labeller writes `machine-type.node.kubevirt.io/<type>=true` for every
 *   type and alias of the node's launcher catalogue entry on the node's architecture (what
 *   `node-labeller.sh` → `virsh capabilities` gives), plus `kubevirt.io/schedulable=true` and the
 *   heartbeat; it starts a `Scheduled` VMI (`Running`, `status.machine.type` = the canonical type the
 *   launcher's QEMU resolves, conditions Ready and LiveMigratable) and plays both ends of a
 *   migration: target address → start → target domain ready → completed on the target node.
 * - **virt-api's eviction webhook**: a real validating webhook for `pods/eviction`; an Eviction of a
 *   running launcher pod whose VMI migrates on eviction marks the VMI (`status.evacuationNodeName`)
 *   and is denied, so virt-controller's evacuation controller migrates it instead of the pod dying.
 *
 * Nothing here decides placement, creates pods or migrations: that is virt-controller and kube-scheduler.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KubeConfig } from '@kubernetes/client-node';
import { DOMAIN_ANNOTATION, KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX, KUBEVIRT_SCHEDULABLE_LABEL } from '../../compatibility/kubevirtNames.js';
import { type LauncherEntry } from '../../compatibility/launcherCatalogue.js';
import { type Architecture, DEFAULT_MACHINE_TYPE } from '../../compatibility/machineTypeNames.js';
import { rawRequest } from './rawRequest.js';

// KubeVirt's own names have one home (compatibility/kubevirtNames.ts); these short names read as the stand-ins use them.
const MACHINE_TYPE_LABEL = KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX;
const SCHEDULABLE_LABEL = KUBEVIRT_SCHEDULABLE_LABEL;
const HEARTBEAT_ANNOTATION = 'kubevirt.io/heartbeat';
const NODE_NAME_LABEL = 'kubevirt.io/nodeName';
const MIGRATION_TARGET_NODE_LABEL = 'kubevirt.io/migrationTargetNodeName';
const EVICTION_WEBHOOK = 'kvfleet-standin-virt-launcher-eviction-interceptor';
const VMI_PATH = (ns: string, name?: string) => `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances${name ? `/${name}` : ''}`;

export interface StandInNode {
  readonly name: string;
  /** The launcher whose `node-labeller.sh` ran on the node (the image of its virt-handler's version). */
  readonly launcher: LauncherEntry;
  /** @default 'amd64' */
  readonly architecture?: Architecture;
  readonly labels?: Readonly<Record<string, string>>;
  /** What the kubelet reports as capacity and allocatable. @default 16 CPUs, 64Gi, 110 pods */
  readonly capacity?: { readonly cpu?: string; readonly memory?: string; readonly pods?: string };
}

export interface KubevirtStandInOptions {
  /** Period of the reconcile loop. @default 200 */
  readonly intervalMs?: number;
  /** Register virt-api's eviction webhook (an HTTPS server on a free loopback port). @default true */
  readonly evictionWebhook?: boolean;
  /** Objects handled at once per tick (pods, VMIs): 1 keeps the test bed's order; the simulator's fleets need more. @default 1 */
  readonly concurrency?: number;
  /**
   * Seconds a migration stays in `Running` (libvirt copying memory) before the target domain is
   * ready. @default 0 (one tick)
   */
  readonly migrationSeconds?: (vmi: { readonly memoryBytes: number | undefined }) => number;
  /**
   * Fail a migration, as the source virt-handler reports it, when the target node's launcher entry lacks
   * the VMI's `status.machine.type`: the target libvirt refuses the incoming domain ("Emulator … does
   * not support machine type …", libvirt src/qemu/qemu_validate.c) and virt-launcher marks the
   * migration failed (kubevirt v1.5.0 pkg/virt-launcher/virtwrap/live-migration-source.go
   * setMigrationResult); the target pod then fails (virt-handler tells its launcher to exit). Needed where
   * nothing keeps target pods off such nodes (KubeVirt before 1.5.1);
   * off by default because the upgrade simulator relabels a node (new entry) while target pods of the
   * previous launcher image, whose QEMU still has the type, may run there. @default false
   */
  readonly failMigrationWhenTargetLacksMachineType?: boolean;
  /**
   * The CNI's say before the kubelet starts a bound pod's containers: the sandbox's network must be
   * set up first. kube-ovn-cni waits for ovn-controller on the node to claim the pod's port, which it
   * does only while the port's `requested-chassis` is unset or names that node (OVN ovn-nb(5),
   * Logical_Switch_Port options:requested-chassis); otherwise the pod stays in ContainerCreating ("ovs
   * interface … is not ready after 30s"). Asked again every tick until it says yes. @default always ready
   */
  readonly networkReady?: (pod: {
    readonly namespace: string;
    readonly name: string;
    readonly nodeName: string;
    readonly labels: Readonly<Record<string, string>>;
  }) => Promise<boolean> | boolean;
}

export interface KubevirtStandIns {
  /** kubelet registers the node, then virt-handler's node labeller labels it. */
  addNode(node: StandInNode): Promise<void>;
  /** virt-handler of another version on the node: its labeller relabels from that launcher's entry. */
  relabelNode(name: string, launcher: LauncherEntry): Promise<void>;
  /** POSTs an Eviction for a pod through the API server (virt-api's webhook sees it). */
  evictPod(namespace: string, name: string): Promise<{ status: number; body: string }>;
  /** The stand-in's view of a node: its launcher entry and architecture. */
  node(name: string): StandInNode | undefined;
  /** Every stand-in node's name, in the order added. */
  nodeNames(): string[];
  /** Recent reconcile errors (conflicts are normal; anything else helps a failing test). */
  readonly errors: readonly string[];
  stop(): Promise<void>;
}

type Meta = {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
};
type Container = { name: string; image: string };
type Condition = { type: string; status: string; reason?: string };
type Pod = {
  metadata: Meta;
  spec?: { nodeName?: string; containers?: Container[]; initContainers?: Container[] };
  status?: { phase?: string; containerStatuses?: Record<string, unknown>[] };
};
type MigrationState = {
  migrationUid?: string;
  sourceNode?: string;
  sourcePod?: string;
  targetNode?: string;
  targetPod?: string;
  targetNodeAddress?: string;
  startTimestamp?: string;
  targetNodeDomainReadyTimestamp?: string;
  completed?: boolean;
  failed?: boolean;
};
type Vmi = {
  metadata: Meta;
  spec?: { evictionStrategy?: string; domain?: { machine?: { type?: string }; resources?: { requests?: { memory?: string } } } };
  status?: {
    phase?: string;
    nodeName?: string;
    evacuationNodeName?: string;
    conditions?: Condition[];
    migrationState?: MigrationState;
    machine?: { type?: string };
  };
};
type Vmim = { metadata: Meta; status?: { phase?: string } };
type Node = { metadata: Meta; spec?: { taints?: { key: string }[] }; status?: { addresses?: { type: string; address: string }[] } };
type AdmissionReview = { request?: { uid: string; name: string; namespace: string; dryRun?: boolean } };
type AdmissionResponse = { allowed: boolean; status?: { code: number; message: string } };

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T = unknown>(kc: KubeConfig, method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
  const res = await rawRequest(kc, method, path, body, contentType);
  if (res.status >= 300) throw new ApiError(res.status, `${method} ${path}: HTTP ${res.status}: ${res.body.slice(0, 400)}`);
  return (res.body ? JSON.parse(res.body) : undefined) as T;
}
const MERGE = 'application/merge-patch+json';
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** Runs `work` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  if (limit <= 1) {
    for (const item of items) await work(item);
    return;
  }
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const UNITS: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };
/** `2Gi` → bytes; `undefined` for what is not a plain quantity. */
function memoryBytesOf(q: string | undefined): number | undefined {
  const m = q ? /^(\d+(?:\.\d+)?)([kMGT]i?)?$/.exec(q) : null;
  return m ? Number(m[1]) * UNITS[m[2] ?? '']! : undefined;
}

/** What the stand-ins share: the API, the options, the nodes they play and the errors they met. */
class StandInContext {
  readonly nodes = new Map<string, StandInNode>();
  /** Each node's InternalIP, as its kubelet reported it. */
  readonly nodeAddresses = new Map<string, string>();
  /** Recent reconcile errors, at most 50. */
  readonly errors: string[] = [];
  /** Objects handled at once per tick. */
  readonly concurrency: number;

  constructor(
    readonly kc: KubeConfig,
    readonly opts: KubevirtStandInOptions,
  ) {
    this.concurrency = opts.concurrency ?? 1;
  }

  note(e: unknown): void {
    if (e instanceof ApiError && e.status === 409) return; // a stale resourceVersion: next tick
    this.errors.push(`${new Date().toISOString()} ${(e as Error).message}`);
    if (this.errors.length > 50) this.errors.shift();
  }

  nodeAddress(name: string): string | undefined {
    return this.nodeAddresses.get(name);
  }
}

/** The kubelet of every stand-in node: registers it, runs the pods bound to it, finishes their deletion, ends launchers. */
class Kubelet {
  constructor(private readonly ctx: StandInContext) {}

  async register(node: StandInNode): Promise<void> {
    const arch = node.architecture ?? 'amd64';
    const index = this.ctx.nodes.size + 1;
    await call(this.ctx.kc, 'POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: node.name,
        labels: { 'kubernetes.io/hostname': node.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': arch, ...node.labels },
      },
    });
    await this.liftNotReadyTaint(node.name);
    await call(this.ctx.kc, 'PATCH', `/api/v1/nodes/${node.name}/status`, { status: readyNodeStatus(node, arch, index) }, MERGE);
  }

  // TaintNodesByCondition puts not-ready on every new Node; the node lifecycle controller (not
  // running) lifts it once the kubelet reports Ready.
  private async liftNotReadyTaint(name: string): Promise<void> {
    const created = await call<Node>(this.ctx.kc, 'GET', `/api/v1/nodes/${name}`);
    const taints = (created.spec?.taints ?? []).filter((t) => t.key !== 'node.kubernetes.io/not-ready');
    await call(this.ctx.kc, 'PATCH', `/api/v1/nodes/${name}`, { metadata: { resourceVersion: created.metadata.resourceVersion }, spec: { taints } }, MERGE);
  }

  /** Pods bound to a stand-in node: start them, finish their deletion. */
  async syncPods(pods: Pod[]): Promise<void> {
    await eachLimited(pods, this.ctx.concurrency, async (pod) => {
      const nodeName = pod.spec?.nodeName;
      if (!nodeName || !this.ctx.nodes.has(nodeName)) return;
      const path = `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`;
      try {
        if (pod.metadata.deletionTimestamp) {
          // Containers stopped: the kubelet confirms the deletion.
          await call(this.ctx.kc, 'DELETE', path, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
        } else if ((pod.status?.phase ?? 'Pending') === 'Pending') {
          const labels = pod.metadata.labels ?? {};
          const ready = this.ctx.opts.networkReady?.({ namespace: pod.metadata.namespace ?? '', name: pod.metadata.name, nodeName, labels }) ?? true;
          if (await ready) await this.run(pod, path, nodeName);
        }
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 404)) this.ctx.note(e);
      }
    });
  }

  /** Every container started and ready, init containers completed, an IP from the node's range. */
  private async run(pod: Pod, path: string, nodeName: string): Promise<void> {
    const t = now();
    const uid = pod.metadata.uid;
    const ip = `10.244.${[...this.ctx.nodes.keys()].indexOf(nodeName) + 1}.${(parseInt((uid ?? '0').slice(0, 2), 16) % 250) + 2}`;
    await call(
      this.ctx.kc,
      'PATCH',
      `${path}/status`,
      {
        metadata: { resourceVersion: pod.metadata.resourceVersion },
        status: {
          phase: 'Running',
          hostIP: this.ctx.nodeAddress(nodeName) ?? '192.168.100.1',
          podIP: ip,
          podIPs: [{ ip }],
          startTime: t,
          conditions: [
            { type: 'PodScheduled', status: 'True', lastTransitionTime: t },
            { type: 'Initialized', status: 'True', lastTransitionTime: t },
            { type: 'ContainersReady', status: 'True', lastTransitionTime: t },
            { type: 'Ready', status: 'True', lastTransitionTime: t },
          ],
          initContainerStatuses: (pod.spec?.initContainers ?? []).map((c) => completedContainer(c, uid, t)),
          containerStatuses: (pod.spec?.containers ?? []).map((c) => runningContainer(c, uid, t)),
        },
      },
      MERGE,
    );
  }

  /** The launcher exited: the source's QEMU handed the VM over (pod Succeeded), or `failed` (pod Failed, non-zero exit). */
  async launcherExited(namespace: string, podName: string, failed = false): Promise<void> {
    const path = `/api/v1/namespaces/${namespace}/pods/${podName}`;
    const pod = await call<Pod>(this.ctx.kc, 'GET', path);
    if (pod.status?.phase !== 'Running') return;
    const t = now();
    const reason = failed ? 'PodFailed' : 'PodCompleted';
    await call(
      this.ctx.kc,
      'PATCH',
      `${path}/status`,
      {
        metadata: { resourceVersion: pod.metadata.resourceVersion },
        status: {
          phase: failed ? 'Failed' : 'Succeeded',
          conditions: [
            { type: 'Ready', status: 'False', reason, lastTransitionTime: t },
            { type: 'ContainersReady', status: 'False', reason, lastTransitionTime: t },
          ],
          containerStatuses: (pod.status?.containerStatuses ?? []).map((c) => ({
            ...c,
            ready: false,
            started: false,
            state: {
              terminated: failed ? { exitCode: 2, reason: 'Error', startedAt: t, finishedAt: t } : { exitCode: 0, reason: 'Completed', startedAt: t, finishedAt: t },
            },
          })),
        },
      },
      MERGE,
    );
  }
}

/** The status a kubelet reports for a Ready node: capacity (KubeVirt's device plugins included), addresses, node info. */
function readyNodeStatus(node: StandInNode, arch: Architecture, index: number) {
  const capacity = {
    cpu: node.capacity?.cpu ?? '16',
    memory: node.capacity?.memory ?? '64Gi',
    pods: node.capacity?.pods ?? '110',
    'ephemeral-storage': '100Gi',
    'devices.kubevirt.io/kvm': '1k',
    'devices.kubevirt.io/tun': '1k',
    'devices.kubevirt.io/vhost-net': '1k',
  };
  const t = now();
  return {
    capacity,
    allocatable: capacity,
    addresses: [
      { type: 'InternalIP', address: `192.168.100.${index}` },
      { type: 'Hostname', address: node.name },
    ],
    conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet stand-in', lastHeartbeatTime: t, lastTransitionTime: t }],
    nodeInfo: {
      architecture: arch,
      operatingSystem: 'linux',
      kubeletVersion: 'v1.35.8',
      kubeProxyVersion: '',
      osImage: 'kvfleet stand-in',
      kernelVersion: '',
      containerRuntimeVersion: 'containerd://stand-in',
      machineID: '',
      systemUUID: '',
      bootID: '',
    },
  };
}

function runningContainer(c: Container, podUid: string | undefined, t: string) {
  return {
    name: c.name,
    image: c.image,
    imageID: `${c.image}@sha256:${'0'.repeat(64)}`,
    containerID: `containerd://${podUid}-${c.name}`,
    ready: true,
    started: true,
    restartCount: 0,
    state: { running: { startedAt: t } },
  };
}

function completedContainer(c: Container, podUid: string | undefined, t: string) {
  return {
    ...runningContainer(c, podUid, t),
    started: false,
    state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: t, finishedAt: t } },
  };
}

/** virt-handler on every stand-in node: its node labeller, the heartbeat, and the VMIs it runs and migrates. */
class VirtHandler {
  constructor(
    private readonly ctx: StandInContext,
    private readonly kubelet: Kubelet,
  ) {}

  /** node-labeller.sh + virt-handler's node labeller: the launcher's QEMU types on the node's architecture. */
  async label(name: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.labelOnce(name);
      } catch (e) {
        // Someone else (a cordon, a taint) wrote the node meanwhile: read it again.
        if (!(e instanceof ApiError && e.status === 409) || attempt >= 20) throw e;
      }
    }
  }

  private async labelOnce(name: string): Promise<void> {
    const node = this.ctx.nodes.get(name)!;
    const list = node.launcher.architectures[node.architecture ?? 'amd64'];
    const offered = list ? [...list.machineTypes, ...Object.keys(list.aliases)] : [];
    const current = await call<Node>(this.ctx.kc, 'GET', `/api/v1/nodes/${name}`);
    const labels: Record<string, string | null> = {};
    for (const key of Object.keys(current.metadata.labels ?? {})) if (key.startsWith(MACHINE_TYPE_LABEL)) labels[key] = null;
    for (const t of offered) labels[MACHINE_TYPE_LABEL + t] = 'true';
    labels[SCHEDULABLE_LABEL] = 'true';
    await call(
      this.ctx.kc,
      'PATCH',
      `/api/v1/nodes/${name}`,
      { metadata: { resourceVersion: current.metadata.resourceVersion, labels, annotations: { [HEARTBEAT_ANNOTATION]: now() } } },
      MERGE,
    );
  }

  async heartbeat(): Promise<void> {
    for (const name of this.ctx.nodes.keys()) {
      await call(this.ctx.kc, 'PATCH', `/api/v1/nodes/${name}`, { metadata: { annotations: { [HEARTBEAT_ANNOTATION]: now() } } }, MERGE);
    }
  }

  /** The canonical type the launcher's QEMU on `nodeName` gives the VMI's spec type; undefined when it has none. */
  private machineType(vmi: Vmi, nodeName: string): string | undefined {
    const node = this.ctx.nodes.get(nodeName)!;
    const arch = node.architecture ?? 'amd64';
    const list = node.launcher.architectures[arch];
    const wanted = vmi.spec?.domain?.machine?.type || DEFAULT_MACHINE_TYPE[arch];
    const canonical = list?.aliases[wanted] ?? wanted;
    return list?.machineTypes.includes(canonical) ? canonical : undefined;
  }

  /** With `failMigrationWhenTargetLacksMachineType`: the target node's launcher lacks the VMI's canonical type. */
  private targetLacksType(vmi: Vmi, targetNode: string): boolean {
    const type = vmi.status?.machine?.type;
    if (!this.ctx.opts.failMigrationWhenTargetLacksMachineType || !type) return false;
    const node = this.ctx.nodes.get(targetNode)!;
    return !(node.launcher.architectures[node.architecture ?? 'amd64']?.machineTypes ?? []).includes(type);
  }

  async syncVmis(vmis: Vmi[], migrations: Vmim[], pods: Pod[]): Promise<void> {
    await eachLimited(vmis, this.ctx.concurrency, async (vmi) => {
      try {
        await this.syncVmi(vmi, migrations, pods);
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 404)) this.ctx.note(e);
      }
    });
  }

  private async syncVmi(vmi: Vmi, migrations: Vmim[], pods: Pod[]): Promise<void> {
    const st = vmi.status ?? {};
    const node = st.nodeName !== undefined && this.ctx.nodes.has(st.nodeName) ? st.nodeName : undefined;
    // Start: virt-controller handed the VMI over (Scheduled, pod running on the node).
    if (st.phase === 'Scheduled' && node && !vmi.metadata.deletionTimestamp) return this.startVmi(vmi, node);
    // Shutdown: the VMI is being deleted; the domain stops.
    if (vmi.metadata.deletionTimestamp && node && st.phase === 'Running') return this.patchVmi(vmi, { status: { phase: 'Succeeded' } });
    await this.migrationStep(vmi, migrations, pods);
  }

  /** A merge patch of the VMI, conditional on the resourceVersion it was read at. */
  private async patchVmi(vmi: Vmi, body: Record<string, unknown>): Promise<void> {
    const metadata = { resourceVersion: vmi.metadata.resourceVersion, ...(body.metadata as object) };
    await call(this.ctx.kc, 'PATCH', VMI_PATH(vmi.metadata.namespace!, vmi.metadata.name), { ...body, metadata }, MERGE);
  }

  /** The domain runs with the canonical machine type the node's QEMU gives it; Failed when it offers none. */
  private async startVmi(vmi: Vmi, node: string): Promise<void> {
    const type = this.machineType(vmi, node);
    if (!type) {
      await this.patchVmi(vmi, { status: { phase: 'Failed', reason: 'MachineTypeNotOffered' } });
      return;
    }
    const t = now();
    const keep = (vmi.status?.conditions ?? []).filter((c) => c.type !== 'Ready' && c.type !== 'LiveMigratable');
    await this.patchVmi(vmi, {
      status: {
        phase: 'Running',
        machine: { type },
        selinuxContext: 'none',
        migrationMethod: 'LiveMigration',
        currentCPUTopology: { cores: 1, sockets: 1, threads: 1 },
        guestOSInfo: {},
        conditions: [
          ...keep,
          { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: t },
          { type: 'LiveMigratable', status: 'True', lastProbeTime: null, lastTransitionTime: t },
        ],
      },
    });
  }

  /** Migration, both ends (source and target virt-handler), one step per tick. */
  private async migrationStep(vmi: Vmi, migrations: Vmim[], pods: Pod[]): Promise<void> {
    const ns = vmi.metadata.namespace!;
    const ms = vmi.status?.migrationState;
    if (!ms || ms.completed || ms.failed || !ms.targetNode || !this.ctx.nodes.has(ms.targetNode) || !ms.targetPod) return;
    const vmim = migrations.find((m) => m.metadata.uid === ms.migrationUid && m.metadata.namespace === ns);
    const phase = vmim?.status?.phase;
    if (!phase) return;
    const t = now();
    if (!ms.targetNodeAddress && (phase === 'Scheduled' || phase === 'PreparingTarget')) {
      // Target virt-handler: the target launcher is listening.
      await this.patchVmi(vmi, {
        status: {
          migrationState: {
            targetNodeAddress: this.ctx.nodeAddress(ms.targetNode) ?? '127.0.0.1',
            targetDirectMigrationNodePorts: { '49152': 0, '49153': 0 },
            targetNodeDomainDetected: true,
          },
        },
      });
    } else if (ms.targetNodeAddress && !ms.startTimestamp && phase === 'TargetReady' && this.targetLacksType(vmi, ms.targetNode)) {
      await this.failMigrationForMachineType(vmi, ms.targetPod, t);
    } else if (ms.targetNodeAddress && !ms.startTimestamp && phase === 'TargetReady') {
      // Source virt-handler: libvirt started the migration.
      await this.patchVmi(vmi, { status: { migrationState: { startTimestamp: t, mode: 'PreCopy' } } });
    } else if (ms.startTimestamp && !ms.targetNodeDomainReadyTimestamp && phase === 'Running') {
      // libvirt copies the memory for `migrationSeconds`, then the domain runs on the target (target virt-handler).
      const seconds = this.ctx.opts.migrationSeconds?.({ memoryBytes: memoryBytesOf(vmi.spec?.domain?.resources?.requests?.memory) }) ?? 0;
      if (Date.now() - Date.parse(ms.startTimestamp) < seconds * 1000) return;
      await this.patchVmi(vmi, { status: { migrationState: { targetNodeDomainReadyTimestamp: t } } });
    } else if (ms.targetNodeDomainReadyTimestamp && phase === 'Running') {
      await this.completeMigration(vmi, ms, ms.targetNode, pods, t);
    }
  }

  private async failMigrationForMachineType(vmi: Vmi, targetPod: string, t: string): Promise<void> {
    // Source virt-handler: libvirt's migrate call failed at once, the target QEMU lacking the type.
    const type = vmi.status?.machine?.type;
    const failureReason = `unsupported configuration: Emulator '/usr/libexec/qemu-kvm' does not support machine type '${type}'`;
    await this.patchVmi(vmi, { status: { migrationState: { startTimestamp: t, endTimestamp: t, completed: true, failed: true, failureReason } } });
    // Target virt-handler: "signal the target pod it's okay to exit" (v1.5.0 pkg/virt-handler/vm.go
    // SignalTargetPodCleanup); its launcher, which never got a domain, panics on that early-exit signal
    // (cmd/virt-launcher/virt-launcher.go waitForDomainUUID) and the pod fails. Until then virt-controller's
    // evacuation controller creates no new migration for the VMI (VMIActivePodsCount > 1).
    await this.kubelet.launcherExited(vmi.metadata.namespace!, targetPod, true);
  }

  private async completeMigration(vmi: Vmi, ms: MigrationState, targetNode: string, pods: Pod[], t: string): Promise<void> {
    // Source and target virt-handler: migration done, the VMI belongs to the target node
    // (migration-source.go updateStatus, migration-target.go ackMigrationCompletion).
    await this.patchVmi(vmi, {
      metadata: { labels: { [NODE_NAME_LABEL]: targetNode, [MIGRATION_TARGET_NODE_LABEL]: null, 'kubevirt.io/outdatedLauncherImage': null } },
      status: {
        nodeName: targetNode,
        evacuationNodeName: null,
        launcherContainerImageVersion: null,
        migrationTransport: 'Unix',
        migrationState: { completed: true, endTimestamp: t },
      },
    });
    // The source launcher exits once the domain is gone from its node.
    const sourcePod = sourceLauncherPod(vmi, ms, pods);
    if (sourcePod) await this.kubelet.launcherExited(vmi.metadata.namespace!, sourcePod.metadata.name);
  }
}

/** The migration's source pod: the one it names, else the VMI's launcher running on the source node. */
function sourceLauncherPod(vmi: Vmi, ms: MigrationState, pods: Pod[]): Pod | undefined {
  const ns = vmi.metadata.namespace!;
  const source = ms.sourcePod;
  return (
    (source && pods.find((p) => p.metadata.namespace === ns && p.metadata.name === source)) ||
    pods.find(
      (p) =>
        p.metadata.namespace === ns &&
        p.metadata.annotations?.[DOMAIN_ANNOTATION] === vmi.metadata.name &&
        p.spec?.nodeName === ms.sourceNode &&
        p.status?.phase === 'Running',
    )
  );
}

/** virt-api's eviction webhook: an HTTPS server on a free loopback port and its ValidatingWebhookConfiguration. */
class EvictionWebhook {
  private server: Server | undefined;
  private certDir: string | undefined;

  constructor(private readonly ctx: StandInContext) {}

  /** pod-eviction-admitter.go admitLauncherPod: mark the VMI for evacuation, deny the eviction. */
  async admit(review: AdmissionReview): Promise<AdmissionResponse> {
    const { kc } = this.ctx;
    const req = review.request;
    if (!req) return { allowed: true };
    const deny = (message: string) => ({ allowed: false, status: { code: 429, message } });
    let pod: Pod & { spec?: { nodeName?: string } };
    try {
      pod = await call<Pod>(kc, 'GET', `/api/v1/namespaces/${req.namespace}/pods/${req.name}`);
    } catch {
      return { allowed: true };
    }
    const phase = pod.status?.phase;
    if (pod.metadata.labels?.['kubevirt.io'] !== 'virt-launcher' || phase === 'Succeeded' || phase === 'Failed') return { allowed: true };
    const vmiName = pod.metadata.annotations?.[DOMAIN_ANNOTATION];
    if (!vmiName) return { allowed: true };
    let vmi: Vmi;
    try {
      vmi = await call<Vmi>(kc, 'GET', VMI_PATH(req.namespace, vmiName));
    } catch (e) {
      return deny(`kubevirt failed getting the vmi: ${(e as Error).message}`);
    }
    // migrations.VMIEvictionStrategy: the VMI's own, else the cluster's (KubeVirt CR spec.configuration.evictionStrategy).
    const strategy = vmi.spec?.evictionStrategy ?? (await this.clusterEvictionStrategy());
    if (!strategy || strategy === 'None') return { allowed: true };
    const migratable = (vmi.status?.conditions ?? []).some((c) => c.type === 'LiveMigratable' && c.status === 'True');
    if (strategy === 'LiveMigrate' && !migratable) return deny(`VMI ${vmiName} is configured with an eviction strategy but is not live-migratable`);
    if (strategy === 'LiveMigrateIfPossible' && !migratable) return { allowed: true };
    const message = `Eviction triggered evacuation of VMI "${req.namespace}/${vmiName}"`;
    if (vmi.status?.evacuationNodeName) return deny(`Evacuation in progress: ${message}`);
    if (vmi.status?.nodeName !== pod.spec?.nodeName) return deny('Eviction request for target Pod');
    if (!req.dryRun) {
      await call(kc, 'PATCH', VMI_PATH(req.namespace, vmiName), { status: { evacuationNodeName: pod.spec?.nodeName } }, MERGE);
    }
    return deny(message);
  }

  private async clusterEvictionStrategy(): Promise<string | undefined> {
    const list = await call<{ items: { spec?: { configuration?: { evictionStrategy?: string } } }[] }>(this.ctx.kc, 'GET', '/apis/kubevirt.io/v1/kubevirts');
    return list.items[0]?.spec?.configuration?.evictionStrategy;
  }

  async start(): Promise<void> {
    this.certDir = mkdtempSync(join(tmpdir(), 'kvfleet-virt-api-'));
    const { cert, key } = selfSignedCert(this.certDir, 'virt-api-standin');
    const port = await this.serve(cert, key);
    await this.register(port, cert);
  }

  /** Answers AdmissionReviews over HTTPS on a free loopback port; returns the port. */
  private async serve(cert: string, key: string): Promise<number> {
    const server = createServer({ cert, key }, (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        const review = JSON.parse(body || '{}') as AdmissionReview;
        this.admit(review)
          .catch((e: Error): AdmissionResponse => ({ allowed: false, status: { code: 500, message: e.message } }))
          .then((response) => {
            res.setHeader('Content-Type', 'application/json');
            res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request?.uid, ...response } }));
          });
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return (server.address() as { port: number }).port;
  }

  private async register(port: number, cert: string): Promise<void> {
    await call(this.ctx.kc, 'POST', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: EVICTION_WEBHOOK },
      webhooks: [
        {
          name: 'virt-launcher-eviction-interceptor.kubevirt.io',
          clientConfig: { url: `https://127.0.0.1:${port}/launcher-eviction-validate`, caBundle: Buffer.from(cert).toString('base64') },
          rules: [{ operations: ['*'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods/eviction'], scope: '*' }],
          // As virt-operator registers it (components/webhooks.go): Fail, launcher pods only.
          failurePolicy: 'Fail',
          sideEffects: 'NoneOnDryRun',
          admissionReviewVersions: ['v1'],
          timeoutSeconds: 10,
          matchConditions: [{ name: 'only-vms', expression: 'object.metadata.name.startsWith("virt-launcher")' }],
        },
      ],
    });
  }

  async stop(): Promise<void> {
    await rawRequest(this.ctx.kc, 'DELETE', `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${EVICTION_WEBHOOK}`).catch(() => undefined);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    if (this.certDir) rmSync(this.certDir, { recursive: true, force: true });
  }
}

/** Every `intervalMs`: list pods, VMIs and migrations, let the kubelet then virt-handler act; virt-handler's heartbeat every 30 s. */
class ReconcileLoop {
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private lastHeartbeat = 0;

  constructor(
    private readonly ctx: StandInContext,
    private readonly kubelet: Kubelet,
    private readonly virtHandler: VirtHandler,
  ) {}

  start(): void {
    this.lastHeartbeat = Date.now();
    this.loop();
  }

  /** Stops scheduling ticks and waits for the one under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private loop(): void {
    if (this.stopped) return;
    this.running = this.tick()
      .catch((e: unknown) => this.ctx.note(e))
      .then(() => {
        if (!this.stopped) this.timer = setTimeout(() => this.loop(), this.ctx.opts.intervalMs ?? 200);
      });
  }

  private async tick(): Promise<void> {
    const { kc } = this.ctx;
    const [pods, vmis, migrations] = await Promise.all([
      call<{ items: Pod[] }>(kc, 'GET', '/api/v1/pods').then((l) => l.items),
      call<{ items: Vmi[] }>(kc, 'GET', '/apis/kubevirt.io/v1/virtualmachineinstances').then((l) => l.items),
      call<{ items: Vmim[] }>(kc, 'GET', '/apis/kubevirt.io/v1/virtualmachineinstancemigrations').then((l) => l.items),
    ]);
    await this.kubelet.syncPods(pods);
    await this.virtHandler.syncVmis(vmis, migrations, pods);
    if (Date.now() - this.lastHeartbeat > 30_000) {
      this.lastHeartbeat = Date.now();
      await this.virtHandler.heartbeat();
    }
  }
}

export async function startKubevirtStandIns(kc: KubeConfig, opts: KubevirtStandInOptions = {}): Promise<KubevirtStandIns> {
  const ctx = new StandInContext(kc, opts);
  const kubelet = new Kubelet(ctx);
  const virtHandler = new VirtHandler(ctx, kubelet);
  const evictionWebhook = new EvictionWebhook(ctx);
  const loop = new ReconcileLoop(ctx, kubelet, virtHandler);
  if (opts.evictionWebhook !== false) await evictionWebhook.start();
  loop.start();

  return {
    async addNode(node) {
      await kubelet.register(node);
      ctx.nodes.set(node.name, node);
      const registered = await call<Node>(kc, 'GET', `/api/v1/nodes/${node.name}`);
      const ip = (registered.status?.addresses ?? []).find((a) => a.type === 'InternalIP')?.address;
      if (ip) ctx.nodeAddresses.set(node.name, ip);
      await virtHandler.label(node.name);
    },
    async relabelNode(name, launcher) {
      const node = ctx.nodes.get(name);
      if (!node) throw new Error(`no stand-in node ${name}`);
      ctx.nodes.set(name, { ...node, launcher });
      await virtHandler.label(name);
    },
    async evictPod(namespace, name) {
      return rawRequest(kc, 'POST', `/api/v1/namespaces/${namespace}/pods/${name}/eviction`, {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name, namespace },
      });
    },
    node: (name) => ctx.nodes.get(name),
    nodeNames: () => [...ctx.nodes.keys()],
    errors: ctx.errors,
    async stop() {
      await loop.stop();
      await evictionWebhook.stop();
    },
  };
}

/** A self-signed certificate for 127.0.0.1 (openssl), for the loopback HTTPS servers of the test bed. */
export function selfSignedCert(dir: string, commonName: string): { cert: string; key: string; certFile: string; keyFile: string } {
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      `/CN=${commonName}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}
