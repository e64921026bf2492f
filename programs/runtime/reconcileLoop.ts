/**
 * The one runtime loop of both kvfleet programs: a keyed work queue (workQueue.ts) whose worker
 * calls the program's reconciler and then owns what happens to the result, as controller-runtime's
 * `reconcileHandler` does. Every outcome is counted in `..._reconciles_total{result}`; every failed
 * attempt is logged with the API server's own words (status, reason, message) and counted in the
 * program's errors counter before it is retried with per-key backoff; a reconciler that throws is
 * logged as the bug it is and retried; work dropped because the process stopped acting is logged
 * and counted too. Nothing fails silently.
 *
 * The leadership gate is applied here, once: a key is queued and a reconcile started only while
 * `gate()` holds, so a reconciler never asks who leads. (A write that must not outlive the Lease is
 * fenced where it is sent, controllerWrites.ts, and comes back as a `refused` outcome.)
 */
import { type Counter } from 'prom-client';
import { apiErrorDetails, describeApiError } from './apiErrors.js';
import { type Logger } from './logger.js';
import { handleOutcome, type Outcome, type OutcomePolicy } from './outcome.js';
import { WorkQueue } from './workQueue.js';

export interface LoopMetrics {
  /** `..._reconciles_total{result}` */
  readonly reconciles: Counter<'result'>;
  /** The program's errors counter, `{reason}`: one per failed attempt. */
  readonly errors: Counter<'reason'>;
}

export interface ReconcileLoopOptions<O extends Outcome> {
  /** What a key names, as the log field: `vmi`, `node`. */
  readonly keyName: string;
  readonly reconcile: (key: string) => Promise<O>;
  readonly logger: Logger;
  readonly metrics: LoopMetrics;
  readonly policy: OutcomePolicy;
  /** @default 1 */
  readonly workers?: number;
  /**
   * May this process act now (holds the Lease, caches synced)? Asked when a key is added and
   * before each reconcile starts.
   * @default always
   */
  readonly gate?: () => boolean;
  /** The `result` label for a program's own outcome, when it says more than `success`. */
  readonly resultOf?: (outcome: O) => string | undefined;
}

/** A reconciler that throws has a bug; its key is retried like any failure, under this reason. */
export const CRASH_REASON = 'crash';

export class ReconcileLoop<O extends Outcome = Outcome> {
  private readonly queue: WorkQueue;
  private readonly failures = new Map<string, number>();
  /** Start time of each reconcile in flight, for the liveness probe. */
  private readonly running = new Map<string, number>();
  private readonly gate: () => boolean;
  private doneCount = 0;

  constructor(private readonly opts: ReconcileLoopOptions<O>) {
    this.queue = new WorkQueue({ workers: opts.workers ?? 1 });
    this.gate = opts.gate ?? (() => true);
  }

  start(): void {
    this.queue.start((key) => this.run(key));
  }

  /** Reconciles `key` soon (once, however often it is added before it runs). */
  add(key: string): void {
    if (this.gate()) this.queue.add(key);
  }

  /** Reconciles `key` after `ms` (a file change settling); an earlier pending wake-up wins. */
  addAfter(key: string, ms: number): void {
    if (this.gate()) this.queue.addAfter(key, ms);
  }

  /**
   * Drops queued and scheduled work (a replica that lost the Lease: the next leader resyncs
   * everything). Logged once and counted per key as `result="dropped"`.
   */
  clear(why: string): void {
    this.dropped(this.queue.clear(), why);
  }

  /**
   * Stops taking work and waits for the reconciles in flight. What was still scheduled is not a
   * loss (a successor or the next start looks at everything again), so it is not counted.
   */
  async stop(): Promise<void> {
    const left = await this.queue.stop();
    this.failures.clear();
    if (left.length > 0) this.opts.logger.debug({ count: left.length }, 'stopped with reconciles still scheduled');
  }

  /** Resolves when nothing is queued or running (scheduled retries do not count). */
  whenIdle(): Promise<void> {
    return this.queue.whenIdle();
  }

  /** False when a reconcile has run longer than `maxRunMs`: a hang the request deadlines missed. */
  isHealthy(maxRunMs: number): boolean {
    const now = Date.now();
    for (const started of this.running.values()) if (now - started > maxRunMs) return false;
    return true;
  }

  /** Reconciles that ended `done` since start (the labeller is ready after its first). */
  get successes(): number {
    return this.doneCount;
  }

  /** Keys whose last attempt failed: each is waiting out its backoff. */
  get failing(): number {
    return this.failures.size;
  }

  private dropped(keys: readonly string[], why: string): void {
    this.failures.clear();
    if (keys.length === 0) return;
    this.opts.metrics.reconciles.inc({ result: 'dropped' }, keys.length);
    this.opts.logger.info({ count: keys.length, why }, 'dropped queued reconciles');
  }

  private async run(key: string): Promise<void> {
    const { logger, metrics, keyName } = this.opts;
    if (!this.gate()) {
      this.failures.delete(key);
      metrics.reconciles.inc({ result: 'dropped' });
      logger.info({ [keyName]: key }, 'not acting; reconcile dropped (whoever acts resyncs it)');
      return;
    }
    this.running.set(key, Date.now());
    let outcome: O | Outcome;
    try {
      outcome = await this.opts.reconcile(key);
    } catch (e) {
      outcome = { kind: 'retry', error: e instanceof Error ? e : new Error(String(e)), code: CRASH_REASON };
    } finally {
      this.running.delete(key);
    }

    const handling = handleOutcome(outcome, this.failures.get(key) ?? 0, this.opts.policy);
    const crashed = outcome.kind === 'retry' && outcome.code === CRASH_REASON;
    const result = (!crashed && this.opts.resultOf?.(outcome as O)) || handling.result;
    metrics.reconciles.inc({ result });
    if (handling.errorReason !== undefined) metrics.errors.inc({ reason: handling.errorReason });
    if (handling.failures > 0) this.failures.set(key, handling.failures);
    else this.failures.delete(key);
    if (outcome.kind === 'done') this.doneCount++;

    const at = { [keyName]: key, result };
    const retryInMs = handling.nextInMs;
    switch (outcome.kind) {
      case 'retry':
        if (crashed) {
          // A throw is a bug in the reconciler, not an API answer: the stack is what helps.
          const { stack, message } = outcome.error;
          logger.error({ ...at, reason: handling.errorReason, attempt: handling.failures, retryInMs, err: stack ?? message }, 'reconcile crashed; retrying with backoff');
        } else {
          const api = apiErrorDetails(outcome.error);
          logger.warn(
            {
              ...at,
              reason: handling.errorReason,
              attempt: handling.failures,
              retryInMs,
              err: describeApiError(outcome.error),
              ...(api.status !== undefined ? { status: api.status } : {}),
              ...(api.reason !== undefined ? { apiReason: api.reason } : {}),
            },
            'reconcile failed; retrying with backoff',
          );
        }
        break;
      case 'invalid':
        logger.warn({ ...at, reason: handling.errorReason, problem: outcome.reason, ...(retryInMs !== undefined ? { retryInMs } : {}) }, 'input unusable; left as it is');
        break;
      case 'refused':
        logger.info({ ...at, problem: outcome.reason }, 'stopped acting mid-reconcile; the rest is left to whoever acts next');
        break;
      default:
        logger.debug({ ...at, ...(retryInMs !== undefined ? { nextInMs: retryInMs } : {}) }, 'reconciled');
    }

    if (retryInMs === undefined) return;
    if (this.gate()) this.queue.addAfter(key, retryInMs);
    else this.failures.delete(key);
  }
}
