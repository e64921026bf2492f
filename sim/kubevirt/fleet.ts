/**
 * The fleet's starting state: running VMIs as virt-controller and virt-handler leave them, each with
 * its source virt-launcher pod bound to its node (created with `spec.nodeName`, bypassing the
 * scheduler, which still accounts its requests on that node) and marked Running as the kubelet
 * would. Also the node labels and node conditions KubeVirt and the kubelet maintain, for the
 * orchestrator's nodes and fault injection.
 */
import { CoreV1Api, type CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions, type V1Node, type V1Taint } from '@kubernetes/client-node';
import { type ApiCalls, isConflict } from './apiCalls.js';
import { type LauncherRenderOptions, renderInitialLauncherPod } from './launcherPod.js';
import { ARCH_LABEL, KUBEVIRT_DRAIN_TAINT, KUBEVIRT_SCHEDULABLE_LABEL, NODE_NAME_LABEL, NOT_READY_TAINT, UNPAUSED_CONDITION, VMIS } from './names.js';
import { type EvictionStrategy, type Labels, type Pod, type RawVmi } from './objects.js';
import { type SimClock } from './simClock.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface FleetVmi {
  readonly namespace: string;
  readonly name: string;
  /** The node it runs on now. */
  readonly node: string;
  /** `status.machine.type`: the canonical type QEMU resolved at start (e.g. `pc-q35-rhel9.6.0`). */
  readonly machineType: string;
  /** `spec.domain.machine.type` as the VM asked: the alias `q35` or a pinned type. @default 'q35' */
  readonly specMachineType?: string;
  /** Guest memory and memory request. @default '1Gi' */
  readonly memory?: string;
  /** CPU request. @default '100m' (one vCPU at KubeVirt's default cpuAllocationRatio of 10) */
  readonly cpu?: string;
  readonly labels?: Labels;
  /** `spec.nodeSelector`, copied onto every launcher pod. */
  readonly nodeSelector?: Labels;
  /** @default unset: the cluster's evictionStrategy applies */
  readonly evictionStrategy?: EvictionStrategy;
  /** Condition `LiveMigratable`. @default true */
  readonly liveMigratable?: boolean;
  /** `spec.architecture` (virt-api's defaulting sets it; KubeVirt selects `kubernetes.io/arch` on it). @default 'amd64' */
  readonly architecture?: string;
}

/** A running VMI with its status, as the fleet helper creates it (before its UID exists). */
export function fleetVmiManifest(v: FleetVmi): RawVmi {
  const memory = v.memory ?? '1Gi';
  const live = v.liveMigratable ?? true;
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { name: v.name, namespace: v.namespace, labels: { ...(v.labels ?? {}), [NODE_NAME_LABEL]: v.node } },
    spec: {
      domain: {
        devices: {},
        machine: { type: v.specMachineType ?? 'q35' },
        memory: { guest: memory },
        resources: { requests: { memory, cpu: v.cpu ?? '100m' } },
      },
      architecture: v.architecture ?? 'amd64',
      ...(v.evictionStrategy ? { evictionStrategy: v.evictionStrategy } : {}),
      ...(v.nodeSelector ? { nodeSelector: { ...v.nodeSelector } } : {}),
    },
    status: {
      phase: 'Running',
      nodeName: v.node,
      machine: { type: v.machineType },
      migrationMethod: 'LiveMigration',
      migrationTransport: 'Unix',
      qosClass: 'Burstable',
      conditions: [
        { type: 'Ready', status: 'True' },
        { type: 'LiveMigratable', status: live ? 'True' : 'False', ...(live ? {} : { reason: 'DisksNotLiveMigratable', message: 'simulated' }) },
      ],
    },
  };
}

export interface FleetDeps {
  readonly custom: CustomObjectsApi;
  readonly core: CoreV1Api;
  readonly api: ApiCalls;
  readonly clock: SimClock;
  readonly render: LauncherRenderOptions;
  readonly onVmi?: (v: RawVmi) => void;
  readonly onPod?: (p: Pod) => void;
}

/** The kubelet's report of a started virt-launcher pod. */
export function runningPodStatus(pod: Pod, at: string): Record<string, unknown> {
  const cond = (type: string) => ({ type, status: 'True', lastTransitionTime: at });
  return {
    phase: 'Running',
    startTime: at,
    conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready', UNPAUSED_CONDITION].map(cond),
    containerStatuses: [
      { name: 'compute', ready: true, started: true, restartCount: 0, image: pod.spec?.containers?.[0]?.image ?? '', imageID: '', state: { running: { startedAt: at } } },
    ],
  };
}

/** Creates every VMI, then its source launcher pod (bound), then marks the pod Running. Concurrency is the ApiCalls bound. */
export async function createFleetObjects(deps: FleetDeps, vmis: readonly FleetVmi[]): Promise<void> {
  const results = await Promise.allSettled(
    vmis.map(async (v) => {
      const vmi = (await deps.api.call(`create vmi ${v.namespace}/${v.name}`, () =>
        deps.custom.createNamespacedCustomObject({ ...VMIS, namespace: v.namespace, body: fleetVmiManifest(v) }),
      )) as RawVmi;
      deps.onVmi?.(vmi);
      const body = renderInitialLauncherPod(vmi, v.node, deps.render);
      const pod = await deps.api.call(`create launcher pod for ${v.namespace}/${v.name}`, () => deps.core.createNamespacedPod({ namespace: v.namespace, body }), {
        retryConflict: true,
      });
      deps.onPod?.(pod);
      const running = await deps.api.call(`start launcher pod ${v.namespace}/${pod.metadata!.name}`, () =>
        deps.core.patchNamespacedPodStatus({ namespace: v.namespace, name: pod.metadata!.name!, body: { status: runningPodStatus(pod, deps.clock.timestamp()) } }, MERGE),
      );
      deps.onPod?.(running);
    }),
  );
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    const first = failures[0]!.reason as Error;
    throw new Error(`${failures.length} of ${vmis.length} VMIs could not be created; first: ${first?.message ?? String(first)}`, { cause: first });
  }
}

/**
 * The labels virt-handler and the kubelet put on every KubeVirt node that every launcher pod
 * selects on (nodeselectorrenderer.go): `kubevirt.io/schedulable: "true"` and the architecture.
 * Machine-type labels are the orchestrator's (test/support/virtHandlerLabels.ts, the labeller).
 */
export function kubevirtNodeLabels(arch = 'amd64'): Labels {
  return { [KUBEVIRT_SCHEDULABLE_LABEL]: 'true', [ARCH_LABEL]: arch };
}

async function updateNode(kc: KubeConfig, name: string, change: (n: V1Node) => void, status: boolean): Promise<V1Node> {
  const core = kc.makeApiClient(CoreV1Api);
  for (let attempt = 0; ; attempt++) {
    const node = await core.readNode({ name });
    change(node);
    try {
      return status ? await core.replaceNodeStatus({ name, body: node }) : await core.replaceNode({ name, body: node });
    } catch (e) {
      if (!isConflict(e) || attempt >= 10) throw e;
    }
  }
}

/**
 * Sets a node's Ready condition as its kubelet (or its silence) would, plus the taints the node
 * lifecycle controller derives from it (`node.kubernetes.io/not-ready`, NoSchedule and NoExecute),
 * which is what keeps the real scheduler from placing pods there (no controller-manager runs in the
 * test bed). Readiness back: condition True, taints removed.
 */
export async function setNodeReady(kc: KubeConfig, name: string, ready: boolean): Promise<void> {
  const now = new Date();
  await updateNode(
    kc,
    name,
    (n) => {
      const conditions = (n.status?.conditions ?? []).filter((c) => c.type !== 'Ready');
      conditions.push({
        type: 'Ready',
        status: ready ? 'True' : 'Unknown',
        reason: ready ? 'KubeletReady' : 'NodeStatusUnknown',
        message: ready ? 'kubelet is posting ready status' : 'Kubelet stopped posting node status.',
        lastHeartbeatTime: now,
        lastTransitionTime: now,
      });
      n.status = { ...n.status, conditions };
    },
    true,
  );
  await updateNode(
    kc,
    name,
    (n) => {
      const taints: V1Taint[] = (n.spec?.taints ?? []).filter((t) => t.key !== NOT_READY_TAINT);
      if (!ready) taints.push({ key: NOT_READY_TAINT, effect: 'NoSchedule' }, { key: NOT_READY_TAINT, effect: 'NoExecute', timeAdded: now });
      n.spec = { ...n.spec, taints };
    },
    false,
  );
}

/**
 * Starts or ends KubeVirt's (deprecated, taint-based) node evacuation: the `kubevirt.io/drain:NoSchedule`
 * taint, optionally with a cordon as `kubectl drain` does.
 */
export async function setDrainTaint(kc: KubeConfig, name: string, drain: boolean, opts: { cordon?: boolean; taintKey?: string } = {}): Promise<void> {
  const key = opts.taintKey ?? KUBEVIRT_DRAIN_TAINT;
  await updateNode(
    kc,
    name,
    (n) => {
      const taints: V1Taint[] = (n.spec?.taints ?? []).filter((t) => !(t.key === key && t.effect === 'NoSchedule'));
      if (drain) taints.push({ key, value: 'draining', effect: 'NoSchedule' });
      n.spec = { ...n.spec, taints, ...(opts.cordon !== undefined ? { unschedulable: opts.cordon } : {}) };
    },
    false,
  );
}
