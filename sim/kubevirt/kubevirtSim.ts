/**
 * KubeVirt's part of the upgrade simulator, played against a real API server and the real
 * kube-scheduler: virt-controller's migration controller and evacuation controller, virt-api's
 * one-in-flight-VMIM admission rule, and as much of virt-handler (migration progress), virt-launcher
 * (a migration fails when the target's QEMU cannot run the machine type), the kubelet (a bound
 * target pod starts) and the garbage collector (a deleted VMI's pods go) as a migration needs.
 *
 * Followed, at kubevirt/kubevirt v1.6.2 (v1.5.0 where it differs), with the function named at
 * each step below: `pkg/virt-controller/watch/migration/migration.go` (execute, updateStatus,
 * processMigrationPhase, sync, handleMigrationBackoff, handleTargetPodCreation, createTargetPod,
 * handlePendingPodTimeout, handleTargetPodHandoff, handlePreHandoffMigrationCancel,
 * garbageCollectFinalizedMigrations, findRunningMigrations, outboundMigrationsOnNode,
 * canMigrateVMI), `pkg/virt-controller/watch/drain/evacuation/evacuation.go` (see evacuation.ts),
 * `pkg/virt-controller/services/template.go` (see launcherPod.ts),
 * `pkg/virt-api/webhooks/validating-webhook/admitters/migration-create-admitter.go`
 * (ensureNoMigrationConflict), `pkg/virt-handler/migration-target.go` (ackMigrationCompletion) and
 * `migration-source.go` (failure reporting).
 *
 * Simplified (each also noted where it happens):
 * - The one-in-flight rule is applied after the fact: the simulator cannot refuse a create, so a
 *   second in-flight VMIM for a VMI is marked Failed at once and counted as a duplicate.
 * - Migration progress after hand-off is timed, not computed: PreparingTarget lasts
 *   `targetPrepareSeconds`, Running lasts `migrationSeconds(vmi)`; a target whose hypervisor cannot
 *   run the VMI's `status.machine.type` (`canRun`) fails `incompatibleFailSeconds` into Running
 *   (libvirt starts the incoming QEMU after the source has begun the migration).
 * - A target or source node that is not Ready for `nodeFailureDetectionSeconds` while the target pod
 *   is bound fails the migration (cause `node-failure`); in a cluster that is libvirt's keepalive on
 *   a started migration, or the node lifecycle controller evicting a target pod that never started.
 * - The kubelet's part: a bound target pod on a Ready node is marked Running after
 *   `podStartSeconds`; a finished source pod and a failed target pod are deleted rather than left
 *   Succeeded/Failed (the scheduler frees their capacity either way).
 * - The source VMI's `status.evacuationNodeName` path works, but nothing here implements the
 *   pod-eviction webhook that sets it; drains use the `kubevirt.io/drain` taint.
 * - Timestamps written are real wall-clock times with milliseconds (KubeVirt writes whole seconds),
 *   so simulated durations survive the round trip through `phaseTransitionTimestamps`.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
} from '@kubernetes/client-node';
import { schedulingContractOf } from '../../compatibility/kubevirtVersions.js';
import { WatchedResource, type WatchSpec } from '../../programs/migration-controller/watchedResource.js';
import { describeApiError } from '../../programs/runtime/apiErrors.js';
import { createLogger, type Logger } from '../../programs/runtime/logger.js';
import { makeApiClientWithTimeout, requestTimeout } from '../../programs/runtime/requestTimeout.js';
import { WorkQueue } from '../../programs/runtime/workQueue.js';
import { ApiCalls, isConflict, isNotFound, SimStoppedError } from './apiCalls.js';
import { type EvacuationVmi, evacuationVmim, planEvacuation, vmisToMigrate } from './evacuation.js';
import { FAILURE_CAUSES, type FailureCause, type FailureEvent, failureCause, failureMessage } from './failureCause.js';
import { createFleetObjects, type FleetVmi, runningPodStatus } from './fleet.js';
import { type LauncherRenderOptions, renderMigrationTargetPod } from './launcherPod.js';
import {
  DEFAULT_CATCH_ALL_TIMEOUT_SECONDS,
  DEFAULT_LIMITS,
  DEFAULT_UNSCHEDULABLE_TIMEOUT_SECONDS,
  finalizedMigrationsToCollect,
  isDuplicateVmim,
  MIGRATION_BACKOFF_BASE_SECONDS,
  type MigrationLimits,
  migrationBackoffRemaining,
  pendingPodTimeout,
  runningMigrations,
  targetPodGate,
  timeoutFromAnnotation,
  type VmimFacts,
} from './migrationRules.js';
import {
  ABORT_REQUESTED_CONDITION,
  APP_LABEL,
  EVACUATION_MIGRATION_ANNOTATION,
  IGNORE_BACKOFF_ANNOTATION,
  isFinalPhase,
  isHandedOffPhase,
  isTargetCreatedPhase,
  KUBEVIRT_DRAIN_TAINT,
  MIGRATION_FINALIZER,
  MIGRATION_JOB_UID_LABEL,
  MIGRATION_SELECTOR_LABEL,
  MIGRATION_TARGET_NODE_NAME_LABEL,
  NODE_NAME_LABEL,
  PENDING_TIMEOUT_ANNOTATION,
  UNSCHEDULABLE_TIMEOUT_ANNOTATION,
  VIRT_LAUNCHER,
  VMIMS,
  VMIS,
  type VmimPhase,
  WORKLOAD_UPDATE_MIGRATION_ANNOTATION,
} from './names.js';
import {
  type EvictionStrategy,
  isDeleting,
  isLiveMigratable,
  isPodPendingUnschedulable,
  isPodReady,
  isVmiFinal,
  isVmiMigrating,
  keyOf,
  type MigrationStateRaw,
  type Node,
  nodeReadyCondition,
  nsName,
  type Pod,
  podIsDown,
  podVmiUid,
  type RawVmi,
  type RawVmim,
  resourceVersionNumber,
  timeMs,
  vmiMachineType,
} from './objects.js';
import { SimClock } from './simClock.js';
import { Store } from './store.js';

/** What `migrationSeconds` is told about the VMI being migrated. */
export interface SimVmiInfo {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly nodeName?: string;
  /** `status.machine.type`, else the spec's. */
  readonly machineType?: string;
  /** `spec.domain.memory.guest`, else the memory request. */
  readonly memory?: string;
}

/** Durations of the simulated components, in simulated seconds. */
export interface SimTimings {
  /** Bound target pod → Running (kubelet start of virt-launcher). @default 2 */
  readonly podStartSeconds: number;
  /** PreparingTarget → TargetReady (target virt-handler prepares the domain environment). @default 1 */
  readonly targetPrepareSeconds: number;
  /** Running → Failed when the target cannot run the machine type. @default 1 */
  readonly incompatibleFailSeconds: number;
  /** A node NotReady this long during a migration fails it. @default 30 */
  readonly nodeFailureDetectionSeconds: number;
  /** `defaultUnschedulablePendingTimeoutSeconds` (VMIM annotation overrides). @default 300 */
  readonly unschedulableTimeoutSeconds: number;
  /** `defaultCatchAllPendingTimeoutSeconds` (VMIM annotation overrides). @default 900 */
  readonly catchAllTimeoutSeconds: number;
  /** handleMigrationBackoff's first step, doubled per consecutive failure. @default 20 */
  readonly backoffBaseSeconds: number;
}

export const DEFAULT_TIMINGS: SimTimings = {
  podStartSeconds: 2,
  targetPrepareSeconds: 1,
  incompatibleFailSeconds: 1,
  nodeFailureDetectionSeconds: 30,
  unschedulableTimeoutSeconds: DEFAULT_UNSCHEDULABLE_TIMEOUT_SECONDS,
  catchAllTimeoutSeconds: DEFAULT_CATCH_ALL_TIMEOUT_SECONDS,
  backoffBaseSeconds: MIGRATION_BACKOFF_BASE_SECONDS,
};

export interface KubevirtSimOptions {
  /** Admin credentials: the simulator plays virt-controller, virt-handler, the kubelet and the garbage collector. */
  readonly kubeConfig: KubeConfig;
  /**
   * The simulated KubeVirt release ('1.5.0', '1.6.2'…). Through compatibility/kubevirtVersions.ts it
   * decides the target pod's node selector: KubeVirt's own `machine-type.node.kubevirt.io/<type>`
   * from 1.5.1, the VMIM's `spec.addedNodeSelector` from 1.6.0.
   */
  readonly kubevirtVersion: string;
  /** @default a new SimClock (10 real ms per simulated second) */
  readonly clock?: SimClock;
  /** @default { parallelMigrationsPerCluster: 5, parallelOutboundMigrationsPerNode: 2 } */
  readonly limits?: Partial<MigrationLimits>;
  /** The truth: whether the hypervisor of `nodeName` runs `machineType` (canonical). */
  readonly canRun: (nodeName: string, machineType: string) => boolean;
  /** Simulated seconds a migration spends in Running. @default () => 10 */
  readonly migrationSeconds?: (vmi: SimVmiInfo) => number;
  /** @default the Node object's Ready condition (an unknown node is not Ready) */
  readonly isNodeReady?: (nodeName: string) => boolean;
  /** Watch and act in this namespace only (tests). @default every namespace */
  readonly namespace?: string;
  readonly timings?: Partial<SimTimings>;
  /** KubeVirt CR `spec.configuration.evictionStrategy`, for VMIs without their own. @default 'LiveMigrate' */
  readonly clusterEvictionStrategy?: EvictionStrategy;
  /** @default 'kubevirt.io/drain' */
  readonly drainTaintKey?: string;
  /** @default `quay.io/kubevirt/virt-launcher:v<kubevirtVersion>` */
  readonly launcherImage?: string;
  /** Launcher pods limit KubeVirt's device-plugin resources (kvm, tun, vhost-net); nodes must advertise them. @default false */
  readonly deviceResources?: boolean;
  /** API requests in flight at once. @default 16 */
  readonly maxConcurrentRequests?: number;
  /** Reconciles in flight at once. @default 16 */
  readonly workers?: number;
  /** Put KubeVirt's `kubevirt.io/migrationJobFinalize` on VMIMs (as virt-api's mutator does) and honour it. @default true */
  readonly finalizers?: boolean;
  /** @default pino at `$KVFLEET_SIM_LOG` or 'warn' */
  readonly logger?: Logger;
  /** Called once per migration attempt when it ends (succeeded, failed, duplicate). */
  readonly onAttemptFinished?: (attempt: MigrationAttempt) => void;
}

export type MigrationOrigin = 'evacuation' | 'other';
export type AttemptResult = 'in-flight' | 'succeeded' | 'failed' | 'duplicate';

/** One VMIM as the simulator saw it through. Times are simulated seconds. */
export interface MigrationAttempt {
  /** `namespace/name` of the VMI. */
  readonly vmi: string;
  readonly vmim: string;
  readonly uid: string;
  readonly origin: MigrationOrigin;
  readonly createdAt: number;
  result: AttemptResult;
  sourceNode?: string;
  targetNode?: string;
  cause?: FailureCause;
  /** KubeVirt's text for the failure. */
  reason?: string;
  /** When the target pod was created (KubeVirt's pending-pod timeouts run from here). */
  targetPodCreatedAt?: number;
  endedAt?: number;
  /** Phase → when it was entered. */
  phases: Partial<Record<VmimPhase, number>>;
}

export interface SimStats {
  /** VMIMs accepted (not duplicates), by origin: evacuation = carries `kubevirt.io/evacuationMigration`. */
  readonly created: { readonly evacuation: number; readonly other: number };
  readonly succeeded: number;
  readonly failed: Readonly<Record<FailureCause, number>>;
  /** VMIMs KubeVirt's admission would have refused: another VMIM of the VMI was in flight. */
  readonly duplicates: number;
  readonly duplicatesByOrigin: { readonly evacuation: number; readonly other: number };
  /** Accepted VMIMs not finished yet. */
  readonly inFlight: number;
  /** The most accepted, unfinished VMIMs one VMI ever had at once (KubeVirt's rule: 1). */
  readonly maxInFlightPerVmi: number;
  /** The most migrations counted as running (findRunningMigrations) at once, and per source node. */
  readonly maxRunning: number;
  readonly maxOutboundPerNode: number;
  readonly api: { readonly calls: number; readonly retries: number; readonly errors: number };
  /** Per VMI (`namespace/name`), its attempts in creation order. */
  readonly history: Readonly<Record<string, readonly MigrationAttempt[]>>;
}

/** What the simulator remembers of a VMIM beyond the object. */
interface MigrationRecord {
  readonly key: string;
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly vmiKey: string;
  readonly origin: MigrationOrigin;
  /** Resource version at first sight: creation order (nobody updates a VMIM before the simulator does). */
  readonly order: number;
  /** Seen already final when the simulator started: not counted. */
  readonly preexisting: boolean;
  state: 'new' | 'accepted' | 'duplicate';
  attempt?: MigrationAttempt;
  phaseAt: Partial<Record<string, number>>;
  podCreatedAt?: number;
  podBoundAt?: number;
  /** Why the simulator deleted the target pod, for the failure that follows. */
  podDeletedFor?: FailureEvent;
  runningFor?: number;
  notReadySince?: number;
  /** A failure decided and waiting to be written. */
  failure?: FailureEvent;
}

type Requeue = number | undefined;

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const LIST_TIMEOUT = requestTimeout(120_000);
const asList = (p: Promise<unknown>) => p as Promise<KubernetesListObject<KubernetesObject>>;
const DONE = undefined;

export class KubevirtSim {
  readonly clock: SimClock;
  readonly limits: MigrationLimits;
  readonly timings: SimTimings;
  readonly kubevirtVersion: string;
  private readonly opts: KubevirtSimOptions;
  private readonly logger: Logger;
  private readonly api: ApiCalls;
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly render: LauncherRenderOptions;
  private readonly drainTaintKey: string;
  private readonly useFinalizers: boolean;

  private readonly vmims = new Store<RawVmim>(keyOf);
  private readonly vmis = new Store<RawVmi>(keyOf);
  private readonly pods = new Store<Pod>(keyOf);
  private readonly nodes = new Store<Node>((n) => n.metadata?.name ?? '');
  private readonly records = new Map<string, MigrationRecord>();
  private readonly history = new Map<string, MigrationAttempt[]>();

  private readonly migrationQueue: WorkQueue;
  private readonly evacuationQueue: WorkQueue;
  private readonly cleanupQueue = new WorkQueue({ workers: 2 });
  private readonly watches: WatchedResource[] = [];
  private pendingTargetCreations = 0;
  /** Highest resource version the VMIM watch has delivered: every VMIM created before it is known. */
  private vmimWatchRv = 0;
  private started = false;
  private synced = false;
  private stopped = false;
  private readonly counters = {
    created: { evacuation: 0, other: 0 },
    succeeded: 0,
    failed: Object.fromEntries(FAILURE_CAUSES.map((c) => [c, 0])) as Record<FailureCause, number>,
    duplicates: { evacuation: 0, other: 0 },
    maxInFlightPerVmi: 0,
    maxRunning: 0,
    maxOutboundPerNode: 0,
  };

  constructor(opts: KubevirtSimOptions) {
    schedulingContractOf(opts.kubevirtVersion); // fail fast on a version nothing can be read from
    this.opts = opts;
    this.kubevirtVersion = opts.kubevirtVersion;
    this.clock = opts.clock ?? new SimClock();
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.timings = { ...DEFAULT_TIMINGS, ...opts.timings };
    this.logger = opts.logger ?? createLogger('kvfleet-sim-kubevirt', process.env.KVFLEET_SIM_LOG ?? 'warn');
    this.api = new ApiCalls(opts.maxConcurrentRequests ?? 16, this.logger);
    this.custom = makeApiClientWithTimeout(opts.kubeConfig, CustomObjectsApi, 30_000, 'kvfleet-sim-kubevirt');
    this.core = makeApiClientWithTimeout(opts.kubeConfig, CoreV1Api, 30_000, 'kvfleet-sim-kubevirt');
    this.render = {
      kubevirtVersion: opts.kubevirtVersion,
      ...(opts.launcherImage ? { launcherImage: opts.launcherImage } : {}),
      ...(opts.deviceResources ? { deviceResources: true } : {}),
    };
    this.drainTaintKey = opts.drainTaintKey ?? KUBEVIRT_DRAIN_TAINT;
    this.useFinalizers = opts.finalizers ?? true;
    const workers = opts.workers ?? 16;
    this.migrationQueue = new WorkQueue({ workers });
    this.evacuationQueue = new WorkQueue({ workers: Math.max(1, Math.ceil(workers / 4)) });

    this.vmims.addIndex('vmi', (m) => [nsName(m.metadata.namespace ?? '', m.spec?.vmiName ?? '')]);
    this.vmims.addIndex('uid', (m) => (m.metadata.uid ? [m.metadata.uid] : []));
    this.vmis.addIndex('node', (v) => (v.status?.nodeName ? [v.status.nodeName] : []));
    this.vmis.addIndex('uid', (v) => (v.metadata.uid ? [v.metadata.uid] : []));
    this.pods.addIndex('vmiUid', (p) => {
      const uid = podVmiUid(p);
      return uid ? [uid] : [];
    });
    this.pods.addIndex('job', (p) => {
      const uid = p.metadata?.labels?.[MIGRATION_JOB_UID_LABEL];
      return uid ? [uid] : [];
    });
  }

  // ─── public API ────────────────────────────────────────────────────────────────────────────

  /** Lists and watches VMIMs, VMIs, virt-launcher pods and nodes, then starts acting. */
  async start(): Promise<void> {
    if (this.started) throw new Error('KubevirtSim.start() called twice');
    this.started = true;
    const ns = this.opts.namespace;
    const custom = this.opts.kubeConfig.makeApiClient(CustomObjectsApi);
    const core = this.opts.kubeConfig.makeApiClient(CoreV1Api);
    const collection = (plural: string) => (ns ? `/apis/kubevirt.io/v1/namespaces/${ns}/${plural}` : `/apis/kubevirt.io/v1/${plural}`);
    const listCustom = (plural: string) =>
      ns
        ? asList(custom.listNamespacedCustomObject({ ...VMIMS, plural, namespace: ns }, LIST_TIMEOUT))
        : asList(custom.listClusterCustomObject({ ...VMIMS, plural }, LIST_TIMEOUT));
    const launcherSelector = `${APP_LABEL}=${VIRT_LAUNCHER}`;
    const specs: [WatchSpec, (kind: 'add' | 'update' | 'delete', o: KubernetesObject) => void][] = [
      [{ resource: 'nodes', path: '/api/v1/nodes', list: () => asList(core.listNode({}, LIST_TIMEOUT)) }, (k, o) => this.onNode(k, o as Node)],
      [{ resource: 'vmis', path: collection(VMIS.plural), list: () => listCustom(VMIS.plural) }, (k, o) => this.onVmi(k, o as unknown as RawVmi)],
      [
        {
          resource: 'pods',
          path: ns ? `/api/v1/namespaces/${ns}/pods` : '/api/v1/pods',
          labelSelector: launcherSelector,
          list: () =>
            asList(
              ns
                ? core.listNamespacedPod({ namespace: ns, labelSelector: launcherSelector }, LIST_TIMEOUT)
                : core.listPodForAllNamespaces({ labelSelector: launcherSelector }, LIST_TIMEOUT),
            ),
        },
        (k, o) => this.onPod(k, o as Pod),
      ],
      [{ resource: 'vmims', path: collection(VMIMS.plural), list: () => listCustom(VMIMS.plural) }, (k, o) => this.onVmim(k, o as unknown as RawVmim)],
    ];
    for (const [spec, onChange] of specs) {
      const w = new WatchedResource(
        this.opts.kubeConfig,
        spec,
        {
          onChange: (kind, obj) => {
            try {
              // ListWatch slims the object after the handler returns: keep a copy of our own.
              onChange(kind, structuredClone(obj));
            } catch (e) {
              this.logger.error({ resource: spec.resource, err: (e as Error)?.stack ?? String(e) }, 'event handler failed');
            }
          },
        },
        this.logger,
      );
      this.watches.push(w);
      w.start();
    }
    const deadline = Date.now() + 60_000;
    while (!this.watches.every((w) => w.hasSynced())) {
      if (this.stopped) return;
      if (Date.now() > deadline) throw new Error('KubevirtSim: watches did not sync within 60 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    this.synced = true;
    if (![...this.nodes.values()].some((n) => n.metadata?.labels?.['kubevirt.io/schedulable'] === 'true')) {
      this.logger.warn('no node is labelled kubevirt.io/schedulable=true: every target pod will be unschedulable (label nodes with kubevirtNodeLabels())');
    }
    this.migrationQueue.start(this.handler(this.migrationQueue, 'migration', (k) => this.syncMigration(k)));
    this.evacuationQueue.start(this.handler(this.evacuationQueue, 'evacuation', (k) => this.syncEvacuation(k)));
    this.cleanupQueue.start(this.handler(this.cleanupQueue, 'cleanup', (k) => this.syncVmiCleanup(k)));
  }

  /**
   * Creates running VMIs and their source virt-launcher pods, bound to their nodes (see fleet.ts).
   * May be called before or after start().
   */
  async createVmis(vmis: readonly FleetVmi[]): Promise<void> {
    await createFleetObjects(
      {
        custom: this.custom,
        core: this.core,
        api: this.api,
        clock: this.clock,
        render: this.render,
        onVmi: (v) => this.vmis.upsert(v),
        onPod: (p) => this.pods.upsert(p),
      },
      vmis,
    );
  }

  stats(): SimStats {
    const history: Record<string, MigrationAttempt[]> = {};
    for (const [k, list] of this.history) history[k] = list.map((a) => ({ ...a, phases: { ...a.phases } }));
    let inFlight = 0;
    for (const r of this.records.values()) if (r.attempt?.result === 'in-flight') inFlight++;
    const c = this.counters;
    return {
      created: { ...c.created },
      succeeded: c.succeeded,
      failed: { ...c.failed },
      duplicates: c.duplicates.evacuation + c.duplicates.other,
      duplicatesByOrigin: { ...c.duplicates },
      inFlight,
      maxInFlightPerVmi: c.maxInFlightPerVmi,
      maxRunning: c.maxRunning,
      maxOutboundPerNode: c.maxOutboundPerNode,
      api: { ...this.api.counts },
      history,
    };
  }

  /**
   * Resolves true once no VMIM is unfinished, no reconcile is queued or running and no request is in
   * flight, and that has held for `quietSimSeconds`; false when `timeoutSimSeconds` pass first. A
   * drained node holding a VMI no node can take never settles (KubeVirt retries its evacuation for
   * ever): bound the wait.
   */
  async settled(opts: { quietSimSeconds?: number; timeoutSimSeconds?: number } = {}): Promise<boolean> {
    const quiet = opts.quietSimSeconds ?? 10;
    const deadline = this.clock.now() + (opts.timeoutSimSeconds ?? 3_600);
    let quietSince: number | undefined;
    while (!this.stopped) {
      const now = this.clock.now();
      if (this.isQuiet()) {
        quietSince ??= now;
        if (now - quietSince >= quiet) return true;
      } else quietSince = undefined;
      if (now >= deadline) return false;
      await new Promise((r) => setTimeout(r, Math.max(5, Math.min(50, this.clock.toRealMs(0.5)))));
    }
    return false;
  }

  /**
   * Stops acting: queues drain (reconciles in progress end at their next request), watches stop.
   * With `releaseFinalizers` (default true) KubeVirt's finalizer is taken off the VMIMs still in
   * flight so that their namespace can be deleted; a stopped virt-controller would leave it.
   */
  async stop(opts: { releaseFinalizers?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.api.stop();
    await Promise.all([this.migrationQueue.stop(), this.evacuationQueue.stop(), this.cleanupQueue.stop()]);
    await Promise.all(this.watches.map((w) => w.stop().catch(() => undefined)));
    if ((opts.releaseFinalizers ?? true) && this.useFinalizers) {
      for (const m of this.vmims.values()) {
        if (!m.metadata.finalizers?.includes(MIGRATION_FINALIZER)) continue;
        const finalizers = m.metadata.finalizers.filter((f) => f !== MIGRATION_FINALIZER);
        await this.custom
          .patchNamespacedCustomObject({ ...VMIMS, namespace: m.metadata.namespace!, name: m.metadata.name!, body: { metadata: { finalizers } } }, MERGE)
          .catch((e: unknown) => this.logger.debug({ vmim: keyOf(m), err: describeApiError(e) }, 'could not release finalizer'));
      }
    }
  }

  // ─── event handlers ────────────────────────────────────────────────────────────────────────

  private onVmim(kind: 'add' | 'update' | 'delete', m: RawVmim): void {
    const key = keyOf(m);
    this.vmimWatchRv = Math.max(this.vmimWatchRv, resourceVersionNumber(m));
    if (kind === 'delete') this.vmims.remove(key, m);
    else if (!this.vmims.upsert(m)) return;
    if (kind !== 'delete') this.recordOf(m);
    this.migrationQueue.add(key);
    this.enqueueEvacuationForVmi(nsName(m.metadata.namespace ?? '', m.spec?.vmiName ?? ''));
  }

  private onVmi(kind: 'add' | 'update' | 'delete', v: RawVmi): void {
    const key = keyOf(v);
    const old = this.vmis.get(key);
    if (kind === 'delete') {
      this.vmis.remove(key, v);
      if (v.metadata.uid) this.cleanupQueue.add(v.metadata.uid);
    } else if (!this.vmis.upsert(v)) return;
    for (const k of this.vmims.keysBy('vmi', key)) this.migrationQueue.add(k);
    for (const node of new Set([old?.status?.nodeName, v.status?.nodeName])) if (node) this.evacuationQueue.add(node);
  }

  private onPod(kind: 'add' | 'update' | 'delete', p: Pod): void {
    const key = keyOf(p);
    if (kind === 'delete') this.pods.remove(key, p);
    else if (!this.pods.upsert(p)) return;
    const job = p.metadata?.labels?.[MIGRATION_JOB_UID_LABEL];
    if (job) for (const k of this.vmims.keysBy('uid', job)) this.migrationQueue.add(k);
    // KubeVirt re-evaluates the node when the VMI's status changes with its pods (activePods); a
    // launcher pod going away is what lets a waiting evacuation candidate through.
    const vmiUid = podVmiUid(p);
    if (kind === 'delete' && vmiUid) for (const v of this.vmis.by('uid', vmiUid)) if (v.status?.nodeName) this.evacuationQueue.add(v.status.nodeName);
  }

  private onNode(kind: 'add' | 'update' | 'delete', n: Node): void {
    const name = n.metadata?.name ?? '';
    if (kind === 'delete') this.nodes.remove(name, n);
    else if (!this.nodes.upsert(n)) return;
    this.evacuationQueue.add(name);
    // Node failure detection: wake the migrations that involve this node.
    for (const r of this.records.values()) {
      if (r.attempt?.result !== 'in-flight') continue;
      const vmi = this.vmis.get(r.vmiKey);
      const pod = this.targetPodOf(r.uid);
      if (pod?.spec?.nodeName === name || vmi?.status?.nodeName === name) this.migrationQueue.add(r.key);
    }
  }

  private enqueueEvacuationForVmi(vmiKey: string): void {
    const node = this.vmis.get(vmiKey)?.status?.nodeName;
    if (node) this.evacuationQueue.add(node);
  }

  private handler(queue: WorkQueue, what: string, sync: (key: string) => Promise<Requeue>): (key: string) => Promise<void> {
    const failures = new Map<string, number>();
    return async (key: string) => {
      if (this.stopped) return;
      try {
        const after = await sync(key);
        failures.delete(key);
        if (after !== undefined && !this.stopped) {
          if (after <= 0) queue.add(key);
          else queue.addAfter(key, this.clock.toRealMs(after));
        }
      } catch (e) {
        if (e instanceof SimStoppedError || this.stopped) return;
        const n = failures.get(key) ?? 0;
        failures.set(key, n + 1);
        const delay = Math.min(0.5 * 2 ** n, 60);
        this.logger.warn({ what, key, attempt: n + 1, retryInSimSeconds: delay, err: describeApiError(e) }, 'reconcile failed; retrying');
        queue.addAfter(key, this.clock.toRealMs(delay));
      }
    };
  }

  // ─── records and accounting ────────────────────────────────────────────────────────────────

  private recordOf(m: RawVmim): MigrationRecord {
    const key = keyOf(m);
    let r = this.records.get(key);
    if (r && r.uid === m.metadata.uid) return r;
    const annotations = m.metadata.annotations ?? {};
    r = {
      key,
      uid: m.metadata.uid ?? '',
      namespace: m.metadata.namespace ?? '',
      name: m.metadata.name ?? '',
      vmiKey: nsName(m.metadata.namespace ?? '', m.spec?.vmiName ?? ''),
      origin: EVACUATION_MIGRATION_ANNOTATION in annotations ? 'evacuation' : 'other',
      order: resourceVersionNumber(m),
      preexisting: !this.synced && isFinalPhase(m.status?.phase),
      state: isFinalPhase(m.status?.phase) ? 'accepted' : 'new',
      phaseAt: {},
    };
    this.records.set(key, r);
    return r;
  }

  private newAttempt(r: MigrationRecord, result: AttemptResult): MigrationAttempt {
    const attempt: MigrationAttempt = { vmi: r.vmiKey, vmim: r.name, uid: r.uid, origin: r.origin, createdAt: this.clock.now(), result, phases: {} };
    r.attempt = attempt;
    const list = this.history.get(r.vmiKey) ?? [];
    list.push(attempt);
    this.history.set(r.vmiKey, list);
    return attempt;
  }

  private accept(r: MigrationRecord): void {
    r.state = 'accepted';
    if (r.preexisting) return;
    this.newAttempt(r, 'in-flight');
    this.counters.created[r.origin]++;
    let inFlight = 0;
    for (const k of this.vmims.keysBy('vmi', r.vmiKey)) if (this.records.get(k)?.attempt?.result === 'in-flight') inFlight++;
    this.counters.maxInFlightPerVmi = Math.max(this.counters.maxInFlightPerVmi, inFlight);
  }

  private finishAttempt(r: MigrationRecord, result: 'succeeded' | 'failed', event?: FailureEvent): void {
    const a = r.attempt;
    if (a?.result !== 'in-flight') return;
    a.result = result;
    // The time written into the VMIM's phaseTransitionTimestamps when the simulator ended it.
    a.endedAt = (result === 'succeeded' ? a.phases.Succeeded : a.phases.Failed) ?? this.clock.now();
    if (result === 'succeeded') this.counters.succeeded++;
    else {
      const cause = event ? failureCause(event) : 'other';
      a.cause = cause;
      a.reason = event ? failureMessage(event) : 'unknown';
      this.counters.failed[cause]++;
    }
    this.logger.info({ vmim: r.key, vmi: r.vmiKey, result, cause: a.cause, target: a.targetNode }, 'migration finished');
    this.opts.onAttemptFinished?.({ ...a, phases: { ...a.phases } });
  }

  /** Records when the VMIM entered `phase`: the time written into its phaseTransitionTimestamps. */
  private notePhase(r: MigrationRecord, phase: string, at: number): void {
    r.phaseAt[phase] = at;
    if (r.attempt) r.attempt.phases[phase as VmimPhase] = at;
  }

  private facts(m: RawVmim): VmimFacts {
    const a = m.metadata.annotations ?? {};
    const failed = m.status?.phaseTransitionTimestamps?.find((t) => t.phase === 'Failed');
    const failedMs = timeMs(failed?.phaseTransitionTimestamp);
    const r = this.records.get(keyOf(m));
    return {
      uid: m.metadata.uid ?? '',
      name: m.metadata.name ?? '',
      ...(m.status?.phase ? { phase: m.status.phase } : {}),
      deleting: isDeleting(m),
      order: r?.order ?? resourceVersionNumber(m),
      backoffEligible: EVACUATION_MIGRATION_ANNOTATION in a || WORKLOAD_UPDATE_MIGRATION_ANNOTATION in a,
      ignoreBackoff: IGNORE_BACKOFF_ANNOTATION in a,
      ...(failedMs !== undefined ? { failedAt: this.clock.simAt(failedMs) } : {}),
      hasTargetPod: this.pods.keysBy('job', m.metadata.uid ?? '').length > 0,
    };
  }

  private targetPodOf(vmimUid: string): Pod | undefined {
    return this.pods.by('job', vmimUid)[0];
  }

  private activePodsOf(vmi: RawVmi): Pod[] {
    return this.pods.by('vmiUid', vmi.metadata.uid ?? '').filter((p) => !podIsDown(p));
  }

  /** controller.CurrentVMIPod: the newest pod of the VMI on its node. */
  private sourcePodOf(vmi: RawVmi): Pod | undefined {
    const pods = this.pods.by('vmiUid', vmi.metadata.uid ?? '').filter((p) => !vmi.status?.nodeName || p.spec?.nodeName === vmi.status.nodeName);
    return pods.sort((a, b) => (timeMs(b.metadata?.creationTimestamp) ?? 0) - (timeMs(a.metadata?.creationTimestamp) ?? 0))[0];
  }

  private nodeReady(name: string): boolean {
    if (this.opts.isNodeReady) return this.opts.isNodeReady(name);
    return nodeReadyCondition(this.nodes.get(name));
  }

  private runningMemo: { at: string; value: { running: VmimFacts[]; vmiOf: (f: VmimFacts) => RawVmi | undefined } } | undefined;

  /** findRunningMigrations over the cache, memoised until the cache changes. */
  private runningNow(): { running: VmimFacts[]; vmiOf: (f: VmimFacts) => RawVmi | undefined } {
    const at = `${this.vmims.version}/${this.pods.version}/${this.vmis.version}`;
    if (this.runningMemo?.at === at) return this.runningMemo.value;
    const value = this.computeRunning();
    this.runningMemo = { at, value };
    return value;
  }

  private computeRunning(): { running: VmimFacts[]; vmiOf: (f: VmimFacts) => RawVmi | undefined } {
    const byUid = new Map<string, RawVmi | undefined>();
    const all: VmimFacts[] = [];
    for (const m of this.vmims.values()) {
      if (isFinalPhase(m.status?.phase) || this.records.get(keyOf(m))?.state === 'duplicate') continue;
      all.push(this.facts(m));
      byUid.set(m.metadata.uid ?? '', this.vmis.get(nsName(m.metadata.namespace ?? '', m.spec.vmiName)));
    }
    return { running: runningMigrations(all), vmiOf: (f) => byUid.get(f.uid) };
  }

  /** outboundMigrationsOnNode: running migrations whose VMI is on `node` or has it as migration source. */
  private outboundFrom(node: string, running: readonly VmimFacts[], vmiOf: (f: VmimFacts) => RawVmi | undefined): number {
    return running.filter((f) => {
      const v = vmiOf(f);
      return v && (v.status?.nodeName === node || v.status?.migrationState?.sourceNode === node);
    }).length;
  }

  private noteConcurrency(): void {
    const { running, vmiOf } = this.runningNow();
    this.counters.maxRunning = Math.max(this.counters.maxRunning, running.length);
    const perNode = new Map<string, number>();
    for (const f of running) {
      const vmi = vmiOf(f);
      const state = vmi?.status?.migrationState;
      const node = (state?.migrationUid === f.uid ? state.sourceNode : undefined) ?? vmi?.status?.nodeName;
      if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1);
    }
    for (const n of perNode.values()) this.counters.maxOutboundPerNode = Math.max(this.counters.maxOutboundPerNode, n);
  }

  private isQuiet(): boolean {
    if (this.api.inFlight > 0 || this.pendingTargetCreations > 0) return false;
    if (this.migrationQueue.length > 0 || this.evacuationQueue.length > 0 || this.cleanupQueue.length > 0) return false;
    for (const m of this.vmims.values()) if (!isFinalPhase(m.status?.phase)) return false;
    return true;
  }

  // ─── API writes (write-through) ────────────────────────────────────────────────────────────

  /** Status subresource write of the VMIM, recording the phase transition as SetVMIMigrationPhaseTransitionTimestamp does. */
  private async writeVmimStatus(m: RawVmim, r: MigrationRecord, phase: VmimPhase | undefined, extra: NonNullable<RawVmim['status']> = {}): Promise<boolean> {
    const transitions = [...(m.status?.phaseTransitionTimestamps ?? [])];
    const at = this.clock.timestamp();
    if (phase && phase !== m.status?.phase && !transitions.some((t) => t.phase === phase)) {
      transitions.push({ phase, phaseTransitionTimestamp: at });
    }
    const body = { status: { ...(phase ? { phase } : {}), phaseTransitionTimestamps: transitions, ...extra } };
    try {
      const updated = (await this.api.call(`vmim ${r.key} → ${phase ?? 'status'}`, () =>
        this.custom.patchNamespacedCustomObjectStatus({ ...VMIMS, namespace: r.namespace, name: r.name, body }, MERGE),
      )) as RawVmim;
      this.vmims.upsert(updated);
    } catch (e) {
      if (isNotFound(e)) {
        this.vmims.remove(r.key);
        return false;
      }
      throw e;
    }
    if (phase) this.notePhase(r, phase, this.clock.simAt(Date.parse(at)));
    return true;
  }

  /** Merge patch of the VMI (it has no status subresource: status goes through the main resource). */
  private async patchVmi(vmi: RawVmi, body: Record<string, unknown>, what: string): Promise<RawVmi | undefined> {
    try {
      const updated = (await this.api.call(`vmi ${keyOf(vmi)} ${what}`, () =>
        this.custom.patchNamespacedCustomObject({ ...VMIS, namespace: vmi.metadata.namespace!, name: vmi.metadata.name!, body }, MERGE),
      )) as RawVmi;
      this.vmis.upsert(updated);
      return updated;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  private async deletePod(pod: Pod, why: string): Promise<void> {
    const namespace = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    try {
      await this.api.call(`delete pod ${namespace}/${name} (${why})`, () => this.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 }));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    this.pods.remove(`${namespace}/${name}`, pod);
  }

  private async deleteVmim(m: RawVmim, why: string): Promise<void> {
    try {
      await this.api.call(`delete vmim ${keyOf(m)} (${why})`, () =>
        this.custom.deleteNamespacedCustomObject({ ...VMIMS, namespace: m.metadata.namespace!, name: m.metadata.name! }),
      );
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Sets the VMIM's finalizers and selector label (virt-api's mutator, migration.go ensureSelectorLabelPresent). */
  private async patchVmimMeta(m: RawVmim, meta: { finalizers?: string[]; labels?: Record<string, string> }): Promise<void> {
    let current = m;
    try {
      const updated = (await this.api.call(
        `vmim ${keyOf(m)} metadata`,
        () =>
          this.custom.patchNamespacedCustomObject(
            {
              ...VMIMS,
              namespace: current.metadata.namespace!,
              name: current.metadata.name!,
              body: { metadata: { resourceVersion: current.metadata.resourceVersion, ...meta } },
            },
            MERGE,
          ),
        {
          retryConflict: true,
          beforeRetry: async () => {
            current = (await this.custom.getNamespacedCustomObject({ ...VMIMS, namespace: m.metadata.namespace!, name: m.metadata.name! })) as RawVmim;
            this.vmims.upsert(current);
            if (meta.finalizers) {
              const base = current.metadata.finalizers ?? [];
              meta.finalizers = meta.finalizers.includes(MIGRATION_FINALIZER)
                ? [...new Set([...base, MIGRATION_FINALIZER])]
                : base.filter((f) => f !== MIGRATION_FINALIZER);
            }
          },
        },
      )) as RawVmim;
      this.vmims.upsert(updated);
    } catch (e) {
      if (isNotFound(e)) this.vmims.remove(keyOf(m));
      else if (!isConflict(e)) throw e;
    }
  }

  // ─── the migration controller ──────────────────────────────────────────────────────────────

  /** One step of migration.go execute → updateStatus / sync for one VMIM. */
  private async syncMigration(key: string): Promise<Requeue> {
    const m = this.vmims.get(key);
    const r = this.records.get(key);
    if (!m) {
      if (r) await this.vmimGone(r);
      return DONE;
    }
    if (!r || r.uid !== m.metadata.uid) {
      this.recordOf(m);
      return 0;
    }
    const phase = m.status?.phase;
    if (isFinalPhase(phase)) return this.finalized(m, r);

    // virt-api: one in-flight VMIM per VMI (migration-create-admitter.go ensureNoMigrationConflict).
    if (r.state === 'new') {
      // Decide only once the watch has delivered this VMIM: then every VMIM created before it is in
      // the cache, and "older" means what it meant to the admission webhook.
      if (r.order > this.vmimWatchRv) return DONE;
      const siblings = this.vmims.by('vmi', r.vmiKey).map((s) => this.facts(s));
      const mine = this.facts(m);
      if (isDuplicateVmim(mine, siblings, (uid) => this.records.get(this.vmims.keysBy('uid', uid)[0] ?? '')?.state === 'duplicate')) {
        r.state = 'duplicate';
        const attempt = this.newAttempt(r, 'duplicate');
        attempt.endedAt = attempt.createdAt;
        attempt.reason = `in-flight migration detected. Active migration job is currently already in progress for VMI ${m.spec.vmiName}.`;
        this.counters.duplicates[r.origin]++;
        this.logger.info({ vmim: key, vmi: r.vmiKey, origin: r.origin }, 'duplicate in-flight VMIM refused');
        this.opts.onAttemptFinished?.({ ...attempt, phases: {} });
      } else this.accept(r);
    }
    if (r.state === 'duplicate') {
      await this.writeVmimStatus(m, r, 'Failed');
      return 0;
    }

    const vmi = this.vmis.get(r.vmiKey) ?? (await this.readVmi(r));
    // execute: a VMIM whose VMI does not exist is deleted.
    if (!vmi) return this.vmiGone(m, r);

    // virt-api's create mutator adds the selector label and the finalizer; execute() adds the label too.
    if (!isDeleting(m)) {
      const wantsFinalizer = this.useFinalizers && !m.metadata.finalizers?.includes(MIGRATION_FINALIZER);
      const wantsLabel = m.metadata.labels?.[MIGRATION_SELECTOR_LABEL] !== m.spec.vmiName;
      if (wantsFinalizer || wantsLabel) {
        await this.patchVmimMeta(m, {
          ...(wantsFinalizer ? { finalizers: [...(m.metadata.finalizers ?? []), MIGRATION_FINALIZER] } : {}),
          ...(wantsLabel ? { labels: { [MIGRATION_SELECTOR_LABEL]: m.spec.vmiName } } : {}),
        });
        return 0;
      }
    }

    const pod = this.targetPodOf(r.uid);
    const handedOff = isHandedOffPhase(phase);
    const state = vmi.status?.migrationState ?? undefined;
    const ownsState = state?.migrationUid === r.uid;

    // updateStatus, in its order.
    if (isVmiFinal(vmi) || isDeleting(vmi)) return this.fail(m, r, vmi, { kind: 'vmi-gone' });
    if (isDeleting(m) && !handedOff) return this.fail(m, r, vmi, { kind: 'aborted' }, { abort: true });
    if (pod && podIsDown(pod)) return this.fail(m, r, vmi, { kind: 'target-pod-gone', nodeReady: this.nodeReady(pod.spec?.nodeName ?? '') });
    if (isTargetCreatedPhase(phase) && !pod) {
      const event = r.podDeletedFor ?? r.failure ?? { kind: 'target-pod-gone' };
      // handleMarkMigrationFailedOnVMI: after hand-off the VMI's migration state is marked failed too.
      return handedOff ? this.failOnSource(m, r, vmi, event) : this.fail(m, r, vmi, event);
    }
    if (handedOff && !ownsState) return this.fail(m, r, vmi, { kind: 'state-lost' });
    if (handedOff && state?.failed) return this.fail(m, r, vmi, r.failure ?? { kind: 'target-pod-gone' });
    if (isDeleting(m) && handedOff) return this.abortHandedOff(m, r, vmi);

    const nodeFailure = await this.checkNodeFailure(m, r, vmi, pod, handedOff);
    if (nodeFailure !== 'ok') return nodeFailure;

    switch (phase) {
      case undefined:
      case '':
        return this.toPending(m, r, vmi);
      case 'Pending':
        return this.pending(m, r, vmi, pod);
      case 'Scheduling':
        return this.scheduling(m, r, pod!);
      case 'Scheduled':
        return this.handoff(m, r, vmi, pod!);
      case 'PreparingTarget':
        return this.prepareTarget(m, r, vmi);
      case 'TargetReady':
        return this.startMigration(m, r, vmi);
      case 'Running':
        return this.running(m, r, vmi);
      default:
        this.logger.warn({ vmim: key, phase }, 'VMIM in a phase the simulator does not play; leaving it');
        return DONE;
    }
  }

  /** processMigrationPhase, phase unset: canMigrateVMI, then Pending (SetSourcePod records the source pod). */
  private async toPending(m: RawVmim, r: MigrationRecord, vmi: RawVmi): Promise<Requeue> {
    const owner = vmi.status?.migrationState?.migrationUid;
    if (owner && owner !== r.uid) {
      const other = this.vmims.by('uid', owner)[0];
      if (other && !isFinalPhase(other.status?.phase)) return this.fail(m, r, vmi, { kind: 'not-eligible' });
    }
    const source = this.sourcePodOf(vmi);
    if (r.attempt) r.attempt.sourceNode = vmi.status?.nodeName;
    await this.writeVmimStatus(m, r, 'Pending', source ? { migrationState: { sourcePod: source.metadata!.name! } } : {});
    return 0;
  }

  /** sync, phase Pending: handleMigrationBackoff, then handleTargetPodCreation / createTargetPod; Scheduling once the pod exists. */
  private async pending(m: RawVmim, r: MigrationRecord, vmi: RawVmi, pod: Pod | undefined): Promise<Requeue> {
    if (pod) {
      await this.writeVmimStatus(m, r, 'Scheduling');
      return 0;
    }
    const now = this.clock.now();
    const siblings = this.vmims.by('vmi', r.vmiKey).map((s) => this.facts(s));
    const wait = migrationBackoffRemaining(this.facts(m), siblings, now, this.timings.backoffBaseSeconds);
    if (wait > 0) {
      this.logger.debug({ vmim: r.key, waitSimSeconds: wait }, 'backoff migrating vmi');
      return wait;
    }
    if (vmi.status?.phase !== 'Running') return DONE; // "target pod not created because vmi is not running"
    const source = this.sourcePodOf(vmi);
    if (!source) return DONE; // sudden deletes: the VMI's end will fail the migration

    const { running, vmiOf } = this.runningNow();
    const gate = targetPodGate({
      pendingCreations: this.pendingTargetCreations,
      activePodsForVmi: this.activePodsOf(vmi).length,
      running: running.length,
      outboundFromSourceNode: this.outboundFrom(vmi.status?.nodeName ?? '', running, vmiOf),
      limits: this.limits,
    });
    if (gate.kind === 'wait') return gate.afterSeconds;

    const body = renderMigrationTargetPod(vmi, m, this.render);
    this.pendingTargetCreations++;
    let created: V1Pod;
    try {
      created = await this.api.call(`create target pod for ${r.key}`, () => this.core.createNamespacedPod({ namespace: r.namespace, body }), {
        retryConflict: true,
      });
    } finally {
      this.pendingTargetCreations--;
    }
    this.pods.upsert(created);
    r.podCreatedAt = this.clock.now();
    if (r.attempt) r.attempt.targetPodCreatedAt = r.podCreatedAt;
    this.noteConcurrency();
    await this.writeVmimStatus(m, r, 'Scheduling');
    return 0;
  }

  /**
   * Scheduling: the real kube-scheduler places the pod. Bound to a Ready node, the kubelet (played
   * here) starts it after `podStartSeconds`; then Scheduled. Meanwhile handlePendingPodTimeout.
   */
  private async scheduling(m: RawVmim, r: MigrationRecord, pod: Pod): Promise<Requeue> {
    if (isPodReady(pod)) {
      if (r.attempt) r.attempt.targetNode = pod.spec?.nodeName;
      await this.writeVmimStatus(m, r, 'Scheduled');
      return 0;
    }
    const now = this.clock.now();
    r.podCreatedAt ??= this.clock.simAt(timeMs(pod.metadata?.creationTimestamp) ?? this.clock.realAt(now));
    const node = pod.spec?.nodeName;
    let kubeletWait: number | undefined;
    if (node && pod.status?.phase !== 'Running' && !isDeleting(pod)) {
      r.podBoundAt ??= now;
      if (this.nodeReady(node)) {
        const left = r.podBoundAt + this.timings.podStartSeconds - now;
        if (left <= 0) {
          await this.startPod(pod);
          return 0;
        }
        kubeletWait = left;
      }
    }
    // handlePendingPodTimeout: only a Pending pod not being deleted.
    if (pod.status?.phase && pod.status.phase !== 'Pending') return kubeletWait;
    if (isDeleting(pod)) return kubeletWait;
    const annotations = m.metadata.annotations ?? {};
    const decision = pendingPodTimeout({
      secondsPending: now - r.podCreatedAt,
      unschedulable: isPodPendingUnschedulable(pod),
      unschedulableTimeout: timeoutFromAnnotation(annotations, UNSCHEDULABLE_TIMEOUT_ANNOTATION, this.timings.unschedulableTimeoutSeconds),
      catchAllTimeout: timeoutFromAnnotation(annotations, PENDING_TIMEOUT_ANNOTATION, this.timings.catchAllTimeoutSeconds),
    });
    if (decision.kind === 'delete') {
      const podName = `${pod.metadata!.namespace}/${pod.metadata!.name}`;
      r.podDeletedFor =
        decision.why === 'unschedulable'
          ? { kind: 'unschedulable-timeout', pod: podName }
          : { kind: 'pending-timeout', pod: podName, ...(node ? { boundTo: node, nodeReady: this.nodeReady(node) } : {}) };
      await this.deletePod(pod, decision.message.replace('%s', podName));
      return 0;
    }
    return kubeletWait === undefined ? decision.afterSeconds : Math.min(kubeletWait, decision.afterSeconds);
  }

  /** The kubelet's part: the bound target pod runs (compute container started, Ready, unpaused). */
  private async startPod(pod: Pod): Promise<void> {
    const body = { status: runningPodStatus(pod, this.clock.timestamp()) };
    try {
      const updated = await this.api.call(`start pod ${keyOf(pod)}`, () =>
        this.core.patchNamespacedPodStatus({ namespace: pod.metadata!.namespace!, name: pod.metadata!.name!, body }, MERGE),
      );
      this.pods.upsert(updated);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /**
   * handleTargetPodHandoff: the VMI's migration state names this VMIM, the target node and pod, and
   * the VMI gets label `kubevirt.io/migrationTargetNodeName`; then PreparingTarget (IsTargetPreparing).
   */
  private async handoff(m: RawVmim, r: MigrationRecord, vmi: RawVmi, pod: Pod): Promise<Requeue> {
    const target = pod.spec?.nodeName ?? '';
    if (vmi.status?.migrationState?.migrationUid !== r.uid) {
      const state: MigrationStateRaw = {
        migrationUid: r.uid,
        targetNode: target,
        sourceNode: vmi.status?.nodeName ?? '',
        targetPod: pod.metadata?.name ?? '',
        ...(m.status?.migrationState?.sourcePod ? { sourcePod: m.status.migrationState.sourcePod } : {}),
      };
      const updated = await this.patchVmi(
        vmi,
        { metadata: { labels: { [MIGRATION_TARGET_NODE_NAME_LABEL]: target } }, status: { migrationState: replacing(vmi.status?.migrationState, state) } },
        'hand-off',
      );
      if (!updated) return 0;
    }
    if (r.attempt) {
      r.attempt.targetNode = target;
      r.attempt.sourceNode ??= vmi.status?.nodeName;
    }
    await this.writeVmimStatus(m, r, 'PreparingTarget');
    return 0;
  }

  /** virt-handler on the target prepares, then reports its address: TargetReady. */
  private async prepareTarget(m: RawVmim, r: MigrationRecord, vmi: RawVmi): Promise<Requeue> {
    const entered = this.phaseEntered(m, r, 'PreparingTarget');
    const left = entered + this.timings.targetPrepareSeconds - this.clock.now();
    if (left > 0) return left;
    const state = vmi.status!.migrationState!;
    if (!state.targetNodeAddress) {
      const node = this.nodes.get(state.targetNode ?? '');
      const address = node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? state.targetNode ?? '';
      if (!(await this.patchVmi(vmi, { status: { migrationState: { targetNodeAddress: address } } }, 'target ready'))) return 0;
    }
    await this.writeVmimStatus(m, r, 'TargetReady');
    return 0;
  }

  /** virt-handler on the source starts the live migration (its start timestamp): Running. */
  private async startMigration(m: RawVmim, r: MigrationRecord, vmi: RawVmi): Promise<Requeue> {
    if (!vmi.status?.migrationState?.startTimestamp) {
      const body = { status: { migrationState: { startTimestamp: this.clock.timestamp(), mode: 'PreCopy' } } };
      if (!(await this.patchVmi(vmi, body, 'migration started'))) return 0;
    }
    await this.writeVmimStatus(m, r, 'Running');
    return 0;
  }

  /**
   * Running: the target's QEMU starts the incoming domain. If its hypervisor cannot run the VMI's
   * machine type, virt-launcher on the source reports the failure (migration-source.go) and the VMIM
   * fails ("source node reported migration failed"); otherwise, after `migrationSeconds`, the target
   * takes the VMI over (migration-target.go ackMigrationCompletion) and the VMIM succeeds.
   */
  private async running(m: RawVmim, r: MigrationRecord, vmi: RawVmi): Promise<Requeue> {
    const state = vmi.status!.migrationState!;
    const target = state.targetNode ?? '';
    const machineType = vmiMachineType(vmi) ?? '';
    const entered = this.phaseEntered(m, r, 'Running');
    const now = this.clock.now();
    if (!this.opts.canRun(target, machineType)) {
      const left = entered + this.timings.incompatibleFailSeconds - now;
      if (left > 0) return left;
      return this.failOnSource(m, r, vmi, { kind: 'incompatible-target', node: target, machineType });
    }
    r.runningFor ??= Math.max(0, this.opts.migrationSeconds?.(this.vmiInfo(vmi)) ?? 10);
    const left = entered + r.runningFor - now;
    if (left > 0) return left;
    return this.succeed(m, r, vmi);
  }

  private vmiInfo(vmi: RawVmi): SimVmiInfo {
    const memory = vmi.spec.domain.memory?.guest ?? vmi.spec.domain.resources?.requests?.memory;
    const machineType = vmiMachineType(vmi);
    return {
      namespace: vmi.metadata.namespace ?? '',
      name: vmi.metadata.name ?? '',
      uid: vmi.metadata.uid ?? '',
      ...(vmi.status?.nodeName ? { nodeName: vmi.status.nodeName } : {}),
      ...(machineType ? { machineType } : {}),
      ...(memory ? { memory } : {}),
    };
  }

  private async succeed(m: RawVmim, r: MigrationRecord, vmi: RawVmi): Promise<Requeue> {
    const state = vmi.status!.migrationState!;
    const target = state.targetNode ?? '';
    const sourceNode = state.sourceNode ?? vmi.status?.nodeName;
    if (!state.completed) {
      const now = this.clock.timestamp();
      const updated = await this.patchVmi(
        vmi,
        {
          metadata: { labels: { [NODE_NAME_LABEL]: target, [MIGRATION_TARGET_NODE_NAME_LABEL]: null } },
          status: {
            nodeName: target,
            evacuationNodeName: null,
            migrationTransport: 'Unix',
            migrationState: { completed: true, endTimestamp: now, targetNodeDomainDetected: true, targetNodeDomainReadyTimestamp: now },
          },
        },
        'migration completed',
      );
      if (!updated) return 0;
      vmi = updated;
    }
    // The source virt-launcher exits once the domain has left; deleting it frees its node the same way.
    for (const p of this.pods.by('vmiUid', vmi.metadata.uid ?? '')) {
      if (sourceNode && p.spec?.nodeName === sourceNode && sourceNode !== target) await this.deletePod(p, 'migration source finished');
    }
    if (await this.writeVmimStatus(m, r, 'Succeeded', { migrationState: vmi.status?.migrationState ?? null })) this.finishAttempt(r, 'succeeded');
    if (sourceNode) this.evacuationQueue.add(sourceNode);
    return 0;
  }

  /** migration-source.go: the source reports the migration failed on the VMI; then the VMIM fails. */
  private async failOnSource(m: RawVmim, r: MigrationRecord, vmi: RawVmi, event: FailureEvent): Promise<Requeue> {
    r.failure ??= event;
    const state = vmi.status?.migrationState;
    if (state?.migrationUid === r.uid && !state.failed) {
      const body = {
        metadata: { labels: { [MIGRATION_TARGET_NODE_NAME_LABEL]: null } },
        status: { migrationState: { failed: true, completed: true, endTimestamp: this.clock.timestamp(), failureReason: failureMessage(r.failure) } },
      };
      const updated = await this.patchVmi(vmi, body, 'migration failed');
      if (updated) vmi = updated;
    }
    return this.fail(m, r, vmi, r.failure);
  }

  /** Deleted after hand-off: markMigrationAbortInVmiStatus, virt-handler aborts, the VMIM fails with the abort condition. */
  private async abortHandedOff(m: RawVmim, r: MigrationRecord, vmi: RawVmi): Promise<Requeue> {
    const state = vmi.status?.migrationState;
    if (state?.migrationUid === r.uid && !state.abortStatus) {
      const body = {
        metadata: { labels: { [MIGRATION_TARGET_NODE_NAME_LABEL]: null } },
        status: { migrationState: { abortRequested: true, abortStatus: 'Succeeded', failed: true, completed: true, endTimestamp: this.clock.timestamp() } },
      };
      const updated = await this.patchVmi(vmi, body, 'migration aborted');
      if (updated) vmi = updated;
    }
    return this.fail(m, r, vmi, { kind: 'aborted' }, { abort: true });
  }

  /**
   * A node NotReady while the target pod is bound: the migration cannot go on. After
   * `nodeFailureDetectionSeconds` it fails; if it was handed off, the source reports it on the VMI.
   */
  private async checkNodeFailure(m: RawVmim, r: MigrationRecord, vmi: RawVmi, pod: Pod | undefined, handedOff: boolean): Promise<Requeue | 'ok'> {
    const target = pod?.spec?.nodeName ?? (handedOff ? vmi.status?.migrationState?.targetNode : undefined);
    if (!target) {
      r.notReadySince = undefined;
      return 'ok';
    }
    const source = vmi.status?.nodeName;
    const bad: { node: string; role: 'target' | 'source' } | undefined = !this.nodeReady(target)
      ? { node: target, role: 'target' }
      : handedOff && source && !this.nodeReady(source)
        ? { node: source, role: 'source' }
        : undefined;
    if (!bad) {
      r.notReadySince = undefined;
      return 'ok';
    }
    const now = this.clock.now();
    r.notReadySince ??= now;
    const left = r.notReadySince + this.timings.nodeFailureDetectionSeconds - now;
    if (left > 0) {
      // Keep the rest of the state machine from moving on while the node is gone, but let the
      // timers already set (pending timeouts) still count.
      return left;
    }
    const event: FailureEvent = { kind: 'node-not-ready', node: bad.node, role: bad.role };
    if (handedOff) return this.failOnSource(m, r, vmi, event);
    return this.fail(m, r, vmi, event);
  }

  /**
   * failMigration (phase Failed) with the VMI's migration state copied when it belongs to this VMIM
   * (updateStatus, final branch), the abort condition when cancelled, then the target pod goes.
   */
  private async fail(m: RawVmim, r: MigrationRecord, vmi: RawVmi | undefined, event: FailureEvent, opts: { abort?: boolean } = {}): Promise<Requeue> {
    r.failure ??= event;
    const extra: NonNullable<RawVmim['status']> = {};
    if (opts.abort && !(m.status?.conditions ?? []).some((c) => c.type === ABORT_REQUESTED_CONDITION)) {
      extra.conditions = [...(m.status?.conditions ?? []), { type: ABORT_REQUESTED_CONDITION, status: 'True', lastProbeTime: this.clock.timestamp() }];
    }
    const state = vmi?.status?.migrationState;
    if (state?.migrationUid === r.uid) extra.migrationState = state;
    const pod = this.targetPodOf(r.uid);
    if (r.attempt && pod?.spec?.nodeName) r.attempt.targetNode ??= pod.spec.nodeName;
    if (!(await this.writeVmimStatus(m, r, 'Failed', extra))) return 0;
    this.finishAttempt(r, 'failed', r.failure);
    if (pod) await this.deletePod(pod, 'migration failed');
    return 0;
  }

  /** A final VMIM: drop the finalizer, clear a leftover target pod, garbage-collect old VMIMs of the VMI. */
  private async finalized(m: RawVmim, r: MigrationRecord): Promise<Requeue> {
    if (r.attempt?.result === 'in-flight') {
      // Finished by someone else (or before a restart): count what the status says.
      if (m.status?.phase === 'Succeeded') this.finishAttempt(r, 'succeeded');
      else this.finishAttempt(r, 'failed', r.failure ?? r.podDeletedFor ?? { kind: 'target-pod-gone' });
    }
    if (m.metadata.finalizers?.includes(MIGRATION_FINALIZER)) {
      await this.patchVmimMeta(m, { finalizers: m.metadata.finalizers.filter((f) => f !== MIGRATION_FINALIZER) });
      return 0;
    }
    const vmi = this.vmis.get(r.vmiKey);
    const pod = this.targetPodOf(r.uid);
    if (pod && m.status?.phase === 'Failed' && pod.spec?.nodeName !== vmi?.status?.nodeName) await this.deletePod(pod, 'failed migration target');
    if (vmi && !isDeleting(m)) {
      const collect = finalizedMigrationsToCollect(this.vmims.by('vmi', r.vmiKey).map((s) => this.facts(s)));
      for (const name of collect) {
        const old = this.vmims.get(nsName(r.namespace, name));
        if (old) await this.deleteVmim(old, 'garbage collection: more than 5 finished migrations');
      }
    }
    return DONE;
  }

  /** execute: "Deleting migration for deleted vmi". An unfinished one is counted as failed first. */
  private async vmiGone(m: RawVmim, r: MigrationRecord): Promise<Requeue> {
    r.failure ??= { kind: 'vmi-gone' };
    if (r.attempt?.result === 'in-flight') this.finishAttempt(r, 'failed', r.failure);
    const pod = this.targetPodOf(r.uid);
    if (pod) await this.deletePod(pod, 'VMI gone');
    if (m.metadata.finalizers?.includes(MIGRATION_FINALIZER)) {
      await this.patchVmimMeta(m, { finalizers: m.metadata.finalizers.filter((f) => f !== MIGRATION_FINALIZER) });
    }
    if (!isDeleting(m)) await this.deleteVmim(m, 'VMI gone');
    return DONE;
  }

  /** The VMIM object is gone (deleted without a finalizer, or garbage-collected). */
  private async vmimGone(r: MigrationRecord): Promise<void> {
    this.records.delete(r.key);
    if (r.attempt?.result !== 'in-flight') return;
    this.finishAttempt(r, 'failed', { kind: 'aborted' });
    const pod = this.targetPodOf(r.uid);
    if (pod) await this.deletePod(pod, 'migration deleted');
    const vmi = this.vmis.get(r.vmiKey);
    const state = vmi?.status?.migrationState;
    if (vmi && state?.migrationUid === r.uid && !state.completed) {
      await this.patchVmi(
        vmi,
        {
          metadata: { labels: { [MIGRATION_TARGET_NODE_NAME_LABEL]: null } },
          status: { migrationState: { abortRequested: true, abortStatus: 'Succeeded', failed: true, completed: true, endTimestamp: this.clock.timestamp() } },
        },
        'migration deleted',
      );
    }
  }

  /** The garbage collector's part for a deleted VMI: its launcher pods go (owner references). */
  private async syncVmiCleanup(vmiUid: string): Promise<Requeue> {
    if (this.vmis.by('uid', vmiUid).length > 0) return DONE;
    for (const p of this.pods.by('vmiUid', vmiUid)) await this.deletePod(p, 'VMI deleted');
    return DONE;
  }

  /** The VMI from the API server when the cache lacks it (its watch may lag the VMIM's). */
  private async readVmi(r: MigrationRecord): Promise<RawVmi | undefined> {
    const [namespace, name] = [r.namespace, r.vmiKey.slice(r.namespace.length + 1)];
    try {
      const vmi = (await this.api.call(`read vmi ${r.vmiKey}`, () => this.custom.getNamespacedCustomObject({ ...VMIS, namespace, name }))) as RawVmi;
      this.vmis.upsert(vmi);
      return this.vmis.get(r.vmiKey);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  private phaseEntered(m: RawVmim, r: MigrationRecord, phase: string): number {
    const known = r.phaseAt[phase];
    if (known !== undefined) return known;
    const t = timeMs(m.status?.phaseTransitionTimestamps?.find((x) => x.phase === phase)?.phaseTransitionTimestamp);
    const at = t !== undefined ? this.clock.simAt(t) : this.clock.now();
    r.phaseAt[phase] = at;
    return at;
  }

  // ─── the evacuation controller ─────────────────────────────────────────────────────────────

  /** evacuation.go execute + sync for one node (see evacuation.ts for the rules). */
  private async syncEvacuation(nodeName: string): Promise<Requeue> {
    const node = this.nodes.get(nodeName);
    if (!node) return DONE;
    const vmisOnNode: EvacuationVmi[] = this.vmis.by('node', nodeName).map((v) => ({
      namespace: v.metadata.namespace ?? '',
      name: v.metadata.name ?? '',
      ...(v.status?.nodeName ? { nodeName: v.status.nodeName } : {}),
      ...(v.status?.evacuationNodeName ? { evacuationNodeName: v.status.evacuationNodeName } : {}),
      final: isVmiFinal(v),
      deleting: isDeleting(v),
      ...(v.spec.evictionStrategy ? { evictionStrategy: v.spec.evictionStrategy } : {}),
      liveMigratable: isLiveMigratable(v),
      migrating: isVmiMigrating(v),
      activePods: this.activePodsOf(v).length,
    }));
    const nodeFacts = { name: nodeName, taints: (node.spec?.taints ?? []).map((t) => ({ key: t.key, effect: t.effect })) };
    const base = {
      node: nodeFacts,
      drainTaintKey: this.drainTaintKey,
      vmisOnNode,
      clusterEvictionStrategy: this.opts.clusterEvictionStrategy ?? 'LiveMigrate',
      limits: this.limits,
    } as const;
    if (vmisToMigrate({ ...base, unfinished: [] }).length === 0) return DONE;
    const unfinished = [...this.vmims.values()]
      .filter((m) => !isFinalPhase(m.status?.phase) && this.records.get(keyOf(m))?.state !== 'duplicate')
      .map((m) => ({ namespace: m.metadata.namespace ?? '', vmiName: m.spec.vmiName, ...(m.status?.phase ? { phase: m.status.phase } : {}) }));
    const plan = planEvacuation({ ...base, unfinished });
    if (plan.create.length > 0) this.logger.debug({ node: nodeName, create: plan.create.length, reason: plan.reason }, 'evacuating');
    const results = await Promise.allSettled(
      plan.create.map(async (v) => {
        const body = evacuationVmim(v.namespace, v.name, nodeName, this.useFinalizers);
        const created = (await this.api.call(
          `create evacuation VMIM for ${v.namespace}/${v.name}`,
          () => this.custom.createNamespacedCustomObject({ ...VMIMS, namespace: v.namespace, body }),
          { retryConflict: true },
        )) as RawVmim;
        if (this.vmims.upsert(created)) this.recordOf(created);
        this.migrationQueue.add(keyOf(created));
      }),
    );
    const failed = results.find((x): x is PromiseRejectedResult => x.status === 'rejected');
    if (failed) throw failed.reason;
    return plan.requeueAfterSeconds;
  }
}

/** A JSON merge patch value that replaces `old` by `next`: keys of `old` missing from `next` become null. */
function replacing(old: object | null | undefined, next: object): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const k of Object.keys(old ?? {})) patch[k] = null;
  return Object.assign(patch, next);
}
