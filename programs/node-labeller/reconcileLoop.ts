/**
 * Runs one reconcile at a time: on start, on every trigger (a file changed), every `resyncMs`
 * after a success, and after a failure with exponential backoff. A trigger during a run queues
 * exactly one more run. Time is injected so tests need no sleeps.
 */
import { nextDelayMs } from '../runtime/backoff.js';
import { type ReconcileOutcome } from './nodeLabelReconciler.js';

export interface LoopTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
  now(): number;
}

export const realTimers: LoopTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
  now: () => Date.now(),
};

export interface ReconcileLoopOptions {
  readonly run: () => Promise<ReconcileOutcome>;
  /** Wait after a success before looking again. */
  readonly resyncMs: number;
  /** @default nextDelayMs(attempt, 1 s, resyncMs) */
  readonly retryDelayMs?: (attempt: number) => number;
  /** @default realTimers */
  readonly timers?: LoopTimers;
  /** Called after every run, e.g. for logging. */
  readonly onOutcome?: (outcome: ReconcileOutcome, nextInMs: number) => void;
}

export class ReconcileLoop {
  private readonly opts: ReconcileLoopOptions;
  private readonly timers: LoopTimers;
  private timer: unknown;
  private dueAt = Infinity;
  private running = false;
  private again = false;
  private stopped = true;
  private failures = 0;
  private runStartedAt: number | undefined;
  /** Resolves when the current run ends (tests and shutdown wait on it). */
  private current: Promise<void> = Promise.resolve();
  lastOutcome: ReconcileOutcome | undefined;
  successes = 0;

  constructor(opts: ReconcileLoopOptions) {
    this.opts = opts;
    this.timers = opts.timers ?? realTimers;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
    await this.current;
  }

  /** Look again soon (after `delayMs`, to let a burst of file events settle), or right after the current run. */
  trigger(delayMs = 0): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(delayMs);
  }

  /** False only when a run has been going for longer than `maxRunMs` (a hung API call). */
  isHealthy(maxRunMs: number): boolean {
    return this.runStartedAt === undefined || this.timers.now() - this.runStartedAt <= maxRunMs;
  }

  /** Waits for the run in progress, if any. */
  settled(): Promise<void> {
    return this.current;
  }

  private schedule(ms: number): void {
    const at = this.timers.now() + ms;
    // Keep an earlier wake-up: a resync timer must not postpone a file-change trigger.
    if (this.timer !== undefined) {
      if (at >= this.dueAt) return;
      this.timers.clear(this.timer);
    }
    this.dueAt = at;
    this.timer = this.timers.set(() => {
      this.timer = undefined;
      this.dueAt = Infinity;
      this.current = this.runOnce();
    }, ms);
  }

  private async runOnce(): Promise<void> {
    if (this.stopped) return;
    this.running = true;
    this.again = false;
    this.runStartedAt = this.timers.now();
    let outcome: ReconcileOutcome;
    try {
      outcome = await this.opts.run();
    } catch (e) {
      // The reconciler returns its failures; a throw is a bug, treated like any retryable error.
      outcome = { kind: 'retry', error: e instanceof Error ? e : new Error(String(e)) };
    }
    this.running = false;
    this.runStartedAt = undefined;
    this.lastOutcome = outcome;
    let next: number;
    if (outcome.kind === 'done') {
      this.failures = 0;
      this.successes++;
      next = this.opts.resyncMs;
    } else {
      const delay = this.opts.retryDelayMs ?? ((n: number) => nextDelayMs(n, 1_000, this.opts.resyncMs));
      next = delay(this.failures++);
    }
    if (this.again) next = 0;
    this.opts.onOutcome?.(outcome, next);
    if (!this.stopped) this.schedule(next);
  }
}
