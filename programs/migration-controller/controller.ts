/**
 * The migration controller, wired: four watches feed the index; the Lease holder's reconcile loop
 * (programs/runtime/reconcileLoop.ts, gated on holding the Lease with synced caches) reconciles VMIs. `startMigrationController` is what main.ts runs and what the API-server tests
 * run in-process with the service account's own kubeconfig.
 */
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { type MatrixDocument } from '../../compatibility/matrixDocument.js';
import { createLogger, type Logger } from '../runtime/logger.js';
import { ReconcileLoop } from '../runtime/reconcileLoop.js';
import { ControllerWrites, type WriteHooks } from './controllerWrites.js';
import { EventSink } from './eventSink.js';
import { LeaderElector } from './leaderElector.js';
import { MalformedObjects } from './malformedObjects.js';
import { createMigrationMetrics, type MigrationMetrics } from './metrics.js';
import { MigrationIndex, vmiKey } from './migrationIndex.js';
import { exportMachineTypeCapacity, machineTypeCapacity } from './machineTypeCapacity.js';
import { MigrationObserver } from './migrationObserver.js';
import { MIGRATION_JOB_UID_LABEL } from '../../compatibility/kubevirtNames.js';
import { type Parsed, parseNode, parseTargetPod, parseVmi, parseVmim } from './objectViews.js';
import { type ControllerSettings } from './settings.js';
import { requestTimeout } from '../runtime/requestTimeout.js';
import { shareConnections } from '../runtime/sharedConnections.js';
import { VmiReconciler } from './vmiReconciler.js';
import { WatchedResource, type WatchSpec } from './watchedResource.js';

export interface MigrationControllerOptions {
  readonly kubeConfig: KubeConfig;
  readonly settings: ControllerSettings;
  /** The cluster's matrix (pools, upgrade plans); without it pools come from node labels only. */
  readonly matrix?: MatrixDocument;
  readonly logger?: Logger;
  readonly metrics?: MigrationMetrics;
  readonly hooks?: WriteHooks;
  readonly now?: () => number;
}

export interface MigrationController {
  readonly identity: string;
  readonly metrics: MigrationMetrics;
  isLeader(): boolean;
  /** Every watch has listed at least once. */
  isReady(): boolean;
  isHealthy(): boolean;
  /** Resolves when no reconcile is queued or running. */
  whenIdle(): Promise<void>;
  /** Graceful: stop acting, finish in-flight work, release the Lease, stop the watches. */
  stop(): Promise<void>;
  /**
   * As if the process were killed: stops at once and keeps the Lease, so a successor waits it
   * out. Synchronous up to its first await, so a write hook can call it mid-reconcile.
   */
  abandon(): Promise<void>;
}

const KUBEVIRT = { group: 'kubevirt.io', version: 'v1' } as const;
const asList = (p: Promise<unknown>) => p as Promise<KubernetesListObject<KubernetesObject>>;
/** A list of 10,000 VMIs takes seconds; one that hangs is restarted by the watch's backoff. */
const LIST_TIMEOUT = requestTimeout(120_000);
/** First retry of a failed reconcile; doubling per failure of the same VMI up to the cap. */
const RETRY_BASE_MS = 200;
const RETRY_MAX_MS = 60_000;

export async function startMigrationController(opts: MigrationControllerOptions): Promise<MigrationController> {
  const { settings } = opts;
  // One keep-alive pool for every request and watch, not a TLS connection per request.
  const kubeConfig = shareConnections(opts.kubeConfig);
  const logger = opts.logger ?? createLogger('migration-controller');
  const metrics = opts.metrics ?? createMigrationMetrics();
  const now = opts.now ?? Date.now;
  const index = new MigrationIndex();
  const waitingForNodes = new Set<string>();
  const malformed = new MalformedObjects();
  let halted = false;
  let abandoned = false;
  let leading = false;
  let leaderSinceMs = 0;

  const elector: LeaderElector = new LeaderElector({
    kubeConfig,
    namespace: settings.namespace,
    name: settings.leaseName,
    identity: settings.identity,
    leaseDurationMs: settings.leaseDurationMs,
    renewDeadlineMs: settings.renewDeadlineMs,
    retryPeriodMs: settings.retryPeriodMs,
    logger,
    now,
    onStartedLeading: () => {
      leading = true;
      leaderSinceMs = now();
      metrics.leader.set(1);
      resyncIfActing();
    },
    onStoppedLeading: () => {
      leading = false;
      metrics.leader.set(0);
      loop.clear('stopped leading; the next leader resyncs every VMI');
    },
  });
  const acting = () => !halted && leading && elector.isLeader() && watches.every((w) => w.hasSynced());

  const observer = new MigrationObserver({
    metrics,
    kubeOvn: settings.kubeOvn,
    now,
    logger,
    counting: acting,
    countFinishedAfterMs: () => leaderSinceMs - settings.leaseDurationMs,
  });
  // Writes need the Lease; a graceful stop still sends the Events already decided, a crash nothing.
  const holdsLease = () => !abandoned && leading && elector.isLeader();
  const writes = new ControllerWrites(kubeConfig, settings.identity, holdsLease, opts.hooks, now);
  const events = new EventSink({ writes, logger, canSend: holdsLease, onDropped: (reason) => metrics.eventsDropped.inc({ reason }) });
  const reconciler = new VmiReconciler({
    index,
    observer,
    writes,
    events,
    settings,
    pools: () => opts.matrix?.pools,
    metrics,
    logger,
    now,
    waitingForNodes,
  });
  const loop = new ReconcileLoop({
    keyName: 'vmi',
    reconcile: (key) => reconciler.reconcile(key),
    logger,
    metrics: { reconciles: metrics.reconciles, errors: metrics.reconcileErrors },
    policy: { retryBaseMs: RETRY_BASE_MS, retryMaxMs: RETRY_MAX_MS },
    workers: settings.workers,
    gate: acting,
  });

  const enqueue = (key: string) => loop.add(key);
  function resyncIfActing() {
    if (!acting()) return;
    for (const key of index.keysWithVmims()) loop.add(key);
  }

  /** Logs and counts a malformed object once per problem, then skips it; a good parse clears it. */
  function accept<T>(kind: string, obj: KubernetesObject, parsed: Parsed<T>): T | undefined {
    const m = obj.metadata;
    const ref = { kind, namespace: m?.namespace, name: m?.name };
    if (parsed.ok) {
      forgetMalformed(ref);
      return parsed.value;
    }
    if (malformed.report(ref, parsed.code)) {
      metrics.malformed.inc({ kind, reason: parsed.code });
      metrics.malformedNow.set(malformed.size);
      logger.warn({ kind, namespace: m?.namespace, name: m?.name, code: parsed.code, reason: parsed.message }, 'skipping malformed object');
    }
    return undefined;
  }
  function forgetMalformed(ref: { kind: string; namespace?: string | undefined; name?: string | undefined }) {
    if (malformed.forget(ref)) metrics.malformedNow.set(malformed.size);
  }

  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const watch = (spec: WatchSpec, onChange: (kind: 'add' | 'update' | 'delete', obj: KubernetesObject) => void) =>
    new WatchedResource(
      kubeConfig,
      spec,
      {
        onChange: (kind, obj) => {
          try {
            onChange(kind, obj);
          } catch (e) {
            // One bad object never stops the watch loop.
            logger.error({ resource: spec.resource, err: (e as Error)?.stack ?? String(e) }, 'event handler failed');
          }
        },
        onSynced: resyncIfActing,
        onRestart: () => metrics.watchRestarts.inc({ resource: spec.resource }),
      },
      logger,
    );

  const watches = [
    watch(
      {
        resource: 'virtualmachineinstancemigrations',
        path: '/apis/kubevirt.io/v1/virtualmachineinstancemigrations',
        list: () => asList(custom.listClusterCustomObject({ ...KUBEVIRT, plural: 'virtualmachineinstancemigrations' }, LIST_TIMEOUT)),
      },
      (kind, obj) => {
        if (kind === 'delete') {
          forgetMalformed({ kind: 'VirtualMachineInstanceMigration', namespace: obj.metadata?.namespace, name: obj.metadata?.name });
          const key = index.deleteVmim(obj.metadata?.namespace ?? '', obj.metadata?.name ?? '', obj.metadata?.uid);
          if (obj.metadata?.uid) observer.forget(obj.metadata.uid);
          if (key) enqueue(key);
          return;
        }
        const v = accept('VirtualMachineInstanceMigration', obj, parseVmim(obj));
        if (!v) return;
        const key = index.putVmim(v);
        observer.observeVmim(v);
        enqueue(key);
      },
    ),
    watch(
      {
        resource: 'virtualmachineinstances',
        path: '/apis/kubevirt.io/v1/virtualmachineinstances',
        list: () => asList(custom.listClusterCustomObject({ ...KUBEVIRT, plural: 'virtualmachineinstances' }, LIST_TIMEOUT)),
      },
      (kind, obj) => {
        if (kind === 'delete') {
          forgetMalformed({ kind: 'VirtualMachineInstance', namespace: obj.metadata?.namespace, name: obj.metadata?.name });
          const key = index.deleteVmi(obj.metadata?.namespace ?? '', obj.metadata?.name ?? '');
          if (index.hasVmims(key)) enqueue(key);
          return;
        }
        const v = accept('VirtualMachineInstance', obj, parseVmi(obj));
        if (!v) return;
        const key = index.putVmi(v);
        // Most VMIs never migrate; only those with VMIMs have anything to reconcile.
        if (index.hasVmims(key)) enqueue(key);
      },
    ),
    watch({ resource: 'nodes', path: '/api/v1/nodes', list: () => asList(core.listNode({}, LIST_TIMEOUT)) }, (kind, obj) => {
      if (kind === 'delete') {
        forgetMalformed({ kind: 'Node', name: obj.metadata?.name });
        index.deleteNode(obj.metadata?.name ?? '');
      } else {
        const n = accept('Node', obj, parseNode(obj));
        if (!n) return;
        index.putNode(n);
      }
      for (const key of waitingForNodes) enqueue(key);
    }),
    watch(
      {
        resource: 'pods',
        path: '/api/v1/pods',
        labelSelector: MIGRATION_JOB_UID_LABEL,
        list: () => asList(core.listPodForAllNamespaces({ labelSelector: MIGRATION_JOB_UID_LABEL }, LIST_TIMEOUT)),
      },
      (kind, obj) => {
        if (kind === 'delete') {
          forgetMalformed({ kind: 'Pod', namespace: obj.metadata?.namespace, name: obj.metadata?.name });
          // A relist reports deletions with the slimmed cached copy: name and labels only.
          const vmimUid = obj.metadata?.labels?.[MIGRATION_JOB_UID_LABEL];
          if (vmimUid) index.deletePod(vmimUid, obj.metadata?.name ?? '');
          return;
        }
        const p = accept('Pod', obj, parseTargetPod(obj));
        if (!p) return;
        index.putPod(p);
        const key = index.vmiKeyOfVmim(p.vmimUid) ?? vmiKey(p.namespace, p.vmimName ?? '');
        observer.observeTargetPod(p, index.vmi(key)?.machineType);
      },
    ),
  ];

  exportMachineTypeCapacity(metrics, () =>
    watches.every((w) => w.hasSynced()) ? machineTypeCapacity(index.vmiViews(), index.nodes.values(), settings.scheduling.machineTypeLabeller) : undefined,
  );
  loop.start();
  for (const w of watches) w.start();
  elector.start();
  logger.info(
    { identity: settings.identity, lease: `${settings.namespace}/${settings.leaseName}`, scheduling: settings.scheduling, kubeOvn: settings.kubeOvn },
    'migration controller started',
  );

  const shutdown = async (release: boolean) => {
    halted = true;
    await elector.stop(release);
    await loop.stop();
    await Promise.all(watches.map((w) => w.stop()));
  };
  return {
    identity: settings.identity,
    metrics,
    isLeader: () => leading && elector.isLeader(),
    isReady: () => !halted && watches.every((w) => w.hasSynced()),
    isHealthy: () => !halted,
    whenIdle: async () => {
      await loop.whenIdle();
      await events.drain();
    },
    stop: async () => {
      if (halted) return;
      logger.info({ identity: settings.identity }, 'stopping migration controller');
      halted = true;
      // Finish the reconcile in flight (and its Events) before giving up the Lease, so no write outlives it.
      await loop.stop();
      await events.drain();
      await shutdown(true);
    },
    abandon: () => {
      halted = true;
      abandoned = true;
      return shutdown(false);
    },
  };
}
