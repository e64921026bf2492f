/**
 * A keyed work queue in the client-go mould: a key is queued at most once, never handled by two
 * workers at once (an add while it is handled queues it again afterwards), errors back off per
 * key, and a handler can ask to be called again after a known wait.
 */
import { nextDelayMs } from '../runtime/backoff.js';

export type Outcome =
  | { readonly kind: 'done' }
  | { readonly kind: 'retry'; readonly error: Error }
  | { readonly kind: 'after'; readonly ms: number }
  | { readonly kind: 'invalid'; readonly reason: string };

export interface WorkQueueOptions {
  readonly workers: number;
  /** First retry delay after an error; doubles per consecutive failure of the key. */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** Called for a handler that throws instead of returning an outcome; the key is retried. */
  readonly onCrash?: (key: string, error: unknown) => void;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private readonly idle: (() => void)[] = [];
  private handler: ((key: string) => Promise<Outcome>) | undefined;
  private active = 0;
  private stopped = false;

  constructor(private readonly opts: WorkQueueOptions) {}

  start(handler: (key: string) => Promise<Outcome>): void {
    this.handler = handler;
    this.stopped = false;
    this.pump();
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  /** Queues `key` after `ms`; an earlier pending wake-up for the key wins. */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    this.timers.set(key, { at, timer });
  }

  /** Drops everything queued or scheduled (a replica that stopped leading); in-flight work ends. */
  clear(): void {
    this.queue.length = 0;
    this.queued.clear();
    this.dirty.clear();
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.failures.clear();
  }

  get length(): number {
    return this.queue.length;
  }

  /** Resolves when nothing is queued or being handled (scheduled wake-ups do not count). */
  whenIdle(): Promise<void> {
    if (this.active === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clear();
    await this.whenIdle();
  }

  private pump(): void {
    while (this.handler && !this.stopped && this.active < this.opts.workers && this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.queued.delete(key);
      this.processing.add(key);
      this.active++;
      void this.run(key);
    }
    if (this.active === 0 && this.queue.length === 0) this.idle.splice(0).forEach((r) => r());
  }

  private async run(key: string): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = await this.handler!(key);
    } catch (e) {
      this.opts.onCrash?.(key, e);
      outcome = { kind: 'retry', error: e instanceof Error ? e : new Error(String(e)) };
    }
    this.processing.delete(key);
    this.active--;
    if (outcome.kind === 'retry') {
      const n = this.failures.get(key) ?? 0;
      this.failures.set(key, n + 1);
      this.addAfter(key, nextDelayMs(n, this.opts.retryBaseMs ?? 200, this.opts.retryMaxMs ?? 60_000));
    } else {
      this.failures.delete(key);
      if (outcome.kind === 'after') this.addAfter(key, outcome.ms);
    }
    if (this.dirty.delete(key)) this.add(key);
    this.pump();
  }
}
