/**
 * The migration controller's manager: it wires the Lease elector, the watches (controllerWatches.ts),
 * the VMI reconciler and the runtime reconcile loop (programs/runtime/reconcileLoop.ts), and owns the
 * lifecycle, as controller-runtime's manager does. The loop reconciles only while this replica holds
 * the Lease with synced caches; writes are fenced on the Lease where they are sent (controllerWrites.ts).
 *
 * Users start it through controller.ts; tests through controllerForTest.ts, which alone passes the
 * seams (write hooks, a clock) and may abandon it.
 */
import { type KubeConfig } from '@kubernetes/client-node';
import { createLogger, type Logger } from '../runtime/logger.js';
import { type Outcome } from '../runtime/outcome.js';
import { ReconcileLoop } from '../runtime/reconcileLoop.js';
import { shareConnections } from '../runtime/sharedConnections.js';
import { type MigrationController, type MigrationControllerOptions } from './controller.js';
import { controllerWatches, ObjectIntake } from './controllerWatches.js';
import { ControllerWrites, type WriteHooks } from './controllerWrites.js';
import { EventSink } from './eventSink.js';
import { LeaderElector } from './leaderElector.js';
import { exportMachineTypeCapacity, machineTypeCapacity } from './machineTypeCapacity.js';
import { createMigrationMetrics, type MigrationMetrics } from './metrics.js';
import { MigrationIndex } from './migrationIndex.js';
import { MigrationObserver } from './migrationObserver.js';
import { type ControllerSettings } from './settings.js';
import { VmiReconciler } from './vmiReconciler.js';
import { type WatchedResource } from './watchedResource.js';

/** What only tests pass (controllerForTest.ts). */
export interface TestSeams {
  /** Called around each write; fault tests kill the controller at an exact point with them. */
  readonly hooks?: WriteHooks;
  /** @default Date.now */
  readonly now?: () => number;
}

/** First retry of a failed reconcile; doubling per failure of the same VMI up to the cap. */
const RETRY_BASE_MS = 200;
const RETRY_MAX_MS = 60_000;

export class ControllerManager implements MigrationController {
  readonly identity: string;
  readonly metrics: MigrationMetrics;
  private readonly settings: ControllerSettings;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly index = new MigrationIndex();
  private readonly elector: LeaderElector;
  private readonly events: EventSink;
  private readonly loop: ReconcileLoop<Outcome>;
  private readonly watches: readonly WatchedResource[];
  private halted = false;
  private abandoned = false;
  private leading = false;
  private leaderSinceMs = 0;

  constructor(opts: MigrationControllerOptions, seams: TestSeams = {}) {
    const { settings } = opts;
    // One keep-alive pool for every request and watch, not a TLS connection per request.
    const kubeConfig = shareConnections(opts.kubeConfig);
    this.settings = settings;
    this.identity = settings.identity;
    this.logger = opts.logger ?? createLogger('migration-controller');
    this.metrics = opts.metrics ?? createMigrationMetrics();
    this.now = seams.now ?? Date.now;
    this.elector = this.leaderElector(kubeConfig);
    const { index, metrics, logger, now } = this;
    const observer = new MigrationObserver({
      metrics,
      kubeOvn: settings.kubeOvn,
      now,
      logger,
      counting: () => this.acting(),
      countFinishedAfterMs: () => this.leaderSinceMs - settings.leaseDurationMs,
    });
    // Writes need the Lease; a graceful stop still sends the Events already decided, a crash nothing.
    const holdsLease = () => !this.abandoned && this.leading && this.elector.isLeader();
    const writes = new ControllerWrites(kubeConfig, settings.identity, holdsLease, seams.hooks, now);
    this.events = new EventSink({ writes, logger, canSend: holdsLease, onDropped: (reason) => metrics.eventsDropped.inc({ reason }) });
    const waitingForNodes = new Set<string>();
    const pools = () => opts.matrix?.pools;
    const reconciler = new VmiReconciler({ index, observer, writes, events: this.events, settings, pools, metrics, logger, now, waitingForNodes });
    this.loop = new ReconcileLoop({
      keyName: 'vmi',
      reconcile: (key) => reconciler.reconcile(key),
      logger,
      metrics: { reconciles: metrics.reconciles, errors: metrics.reconcileErrors },
      policy: { retryBaseMs: RETRY_BASE_MS, retryMaxMs: RETRY_MAX_MS },
      workers: settings.workers,
      gate: () => this.acting(),
    });
    const intake = new ObjectIntake(metrics, logger);
    const context = { index, observer, intake, enqueue: (key: string) => this.loop.add(key), waitingForNodes };
    const watchEvents = { onSynced: () => this.resyncIfActing(), onRestart: (resource: string) => metrics.watchRestarts.inc({ resource }) };
    this.watches = controllerWatches(kubeConfig, context, watchEvents, logger);
  }

  start(): void {
    const { settings } = this;
    exportMachineTypeCapacity(this.metrics, () =>
      this.synced() ? machineTypeCapacity(this.index.vmiViews(), this.index.nodes.values(), settings.scheduling.machineTypeLabeller) : undefined,
    );
    this.loop.start();
    for (const w of this.watches) w.start();
    this.elector.start();
    this.logger.info(
      { identity: settings.identity, lease: `${settings.namespace}/${settings.leaseName}`, scheduling: settings.scheduling, kubeOvn: settings.kubeOvn },
      'migration controller started',
    );
  }

  isLeader(): boolean {
    return this.leading && this.elector.isLeader();
  }

  isReady(): boolean {
    return !this.halted && this.synced();
  }

  isHealthy(): boolean {
    return !this.halted;
  }

  async whenIdle(): Promise<void> {
    await this.loop.whenIdle();
    await this.events.drain();
  }

  async stop(): Promise<void> {
    if (this.halted) return;
    this.logger.info({ identity: this.identity }, 'stopping migration controller');
    this.halted = true;
    // Finish the reconcile in flight (and its Events) before giving up the Lease, so no write outlives it.
    await this.loop.stop();
    await this.events.drain();
    await this.shutdown(true);
  }

  /**
   * As if the process were killed: stops at once and keeps the Lease, so a successor waits it out.
   * Synchronous up to its first await, so a write hook can call it mid-reconcile.
   */
  abandon(): Promise<void> {
    this.halted = true;
    this.abandoned = true;
    return this.shutdown(false);
  }

  private async shutdown(release: boolean): Promise<void> {
    this.halted = true;
    await this.elector.stop(release);
    await this.loop.stop();
    await Promise.all(this.watches.map((w) => w.stop()));
  }

  private synced(): boolean {
    return this.watches.every((w) => w.hasSynced());
  }

  /** Reconciles run only while this replica holds the Lease with synced caches (the loop's gate). */
  private acting(): boolean {
    return !this.halted && this.isLeader() && this.synced();
  }

  private resyncIfActing(): void {
    if (!this.acting()) return;
    for (const key of this.index.keysWithVmims()) this.loop.add(key);
  }

  private leaderElector(kubeConfig: KubeConfig): LeaderElector {
    const { settings, metrics } = this;
    return new LeaderElector({
      kubeConfig,
      namespace: settings.namespace,
      name: settings.leaseName,
      identity: settings.identity,
      leaseDurationMs: settings.leaseDurationMs,
      renewDeadlineMs: settings.renewDeadlineMs,
      retryPeriodMs: settings.retryPeriodMs,
      logger: this.logger,
      now: this.now,
      onStartedLeading: () => {
        this.leading = true;
        this.leaderSinceMs = this.now();
        metrics.leader.set(1);
        this.resyncIfActing();
      },
      onStoppedLeading: () => {
        this.leading = false;
        metrics.leader.set(0);
        this.loop.clear('stopped leading; the next leader resyncs every VMI');
      },
    });
  }
}
