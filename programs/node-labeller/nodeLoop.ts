/**
 * The labeller on the shared runtime loop (programs/runtime/reconcileLoop.ts), which logs, counts
 * and retries every outcome for both kvfleet programs. The labeller's shape of it: one key (its
 * Node); a look every `resyncMs` after a success; unusable input retried with backoff too, because
 * a change to a file can come without an event; and results labelled `patched` / `unchanged`.
 */
import { type Logger } from '../runtime/logger.js';
import { ReconcileLoop } from '../runtime/reconcileLoop.js';
import { type LabellerMetrics } from './metrics.js';
import { type NodeLabelReconciler, type ReconcileOutcome } from './nodeLabelReconciler.js';

/** First retry after a failure; doubling up to the resync period. */
const RETRY_BASE_MS = 1_000;

export interface NodeLoopOptions {
  readonly nodeName: string;
  readonly reconciler: Pick<NodeLabelReconciler, 'reconcile'>;
  /** Wait after a success before looking again. */
  readonly resyncMs: number;
  readonly metrics: Pick<LabellerMetrics, 'reconciles' | 'errors'>;
  readonly logger: Logger;
}

export class NodeLoop {
  private readonly loop: ReconcileLoop<ReconcileOutcome>;

  constructor(private readonly opts: NodeLoopOptions) {
    this.loop = new ReconcileLoop<ReconcileOutcome>({
      keyName: 'node',
      reconcile: () => opts.reconciler.reconcile(),
      logger: opts.logger,
      metrics: opts.metrics,
      policy: { retryBaseMs: RETRY_BASE_MS, retryMaxMs: opts.resyncMs, resyncMs: opts.resyncMs, retryInvalid: true },
      resultOf: (o) => (o.kind === 'done' ? (o.patched ? 'patched' : 'unchanged') : undefined),
    });
  }

  start(): void {
    this.loop.start();
    this.loop.add(this.opts.nodeName);
  }

  /**
   * Look again after `delayMs` (to let a burst of file events settle), or right after the run in
   * progress; never later than a look already due.
   */
  trigger(delayMs = 0): void {
    this.loop.addAfter(this.opts.nodeName, delayMs);
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** False only when a run has been going for longer than `maxRunMs` (a hang the request deadline missed). */
  isHealthy(maxRunMs: number): boolean {
    return this.loop.isHealthy(maxRunMs);
  }

  /** Ready once the Node carries labels from this pod's capabilities. */
  isReady(): boolean {
    return this.loop.successes > 0;
  }

  /** Resolves when no run is in progress. */
  whenIdle(): Promise<void> {
    return this.loop.whenIdle();
  }
}
