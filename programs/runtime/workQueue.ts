/**
 * A keyed work queue in the client-go mould: a key is queued at most once, never handled by two
 * workers at once (an add while it is handled queues it again afterwards), and a key can be
 * scheduled for later, the earlier of two wake-ups winning. What a handler's result means (retry,
 * backoff, logging, metrics) is reconcileLoop.ts's business, not the queue's.
 */

export interface WorkQueueOptions {
  readonly workers: number;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly idle: (() => void)[] = [];
  private handler: ((key: string) => Promise<void>) | undefined;
  private active = 0;
  private stopped = false;

  constructor(private readonly opts: WorkQueueOptions) {}

  /** `handler` must not reject; reconcileLoop.ts turns every failure into an outcome. */
  start(handler: (key: string) => Promise<void>): void {
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
    if (ms <= 0) {
      this.add(key);
      return;
    }
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

  /** Drops everything queued or scheduled; in-flight work ends. Returns the keys dropped. */
  clear(): string[] {
    const dropped = new Set([...this.queue, ...this.dirty, ...this.timers.keys()]);
    this.queue.length = 0;
    this.queued.clear();
    this.dirty.clear();
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.pump();
    return [...dropped];
  }

  /** Keys waiting to be handled now (scheduled wake-ups do not count). */
  get length(): number {
    return this.queue.length;
  }

  /** Keys with a wake-up scheduled. */
  get scheduled(): number {
    return this.timers.size;
  }

  /** Resolves when nothing is queued or being handled (scheduled wake-ups do not count). */
  whenIdle(): Promise<void> {
    if (this.active === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  async stop(): Promise<string[]> {
    this.stopped = true;
    const dropped = this.clear();
    await this.whenIdle();
    return dropped;
  }

  private pump(): void {
    while (this.handler && !this.stopped && this.active < this.opts.workers && this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.queued.delete(key);
      this.processing.add(key);
      this.active++;
      void this.run(key);
    }
    if (this.active === 0 && this.queue.length === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  private async run(key: string): Promise<void> {
    try {
      await this.handler!(key);
    } finally {
      this.processing.delete(key);
      this.active--;
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
    }
  }
}
