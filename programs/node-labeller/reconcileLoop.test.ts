import { expect, test } from 'vitest';
import { type ReconcileOutcome } from './nodeLabelReconciler.js';
import { type LoopTimers, ReconcileLoop } from './reconcileLoop.js';

/** A manual clock: timers fire only when the test advances time. */
class ManualTimers implements LoopTimers {
  private t = 0;
  private pending = new Map<number, { at: number; fn: () => void }>();
  private id = 0;
  set(fn: () => void, ms: number): number {
    this.pending.set(++this.id, { at: this.t + ms, fn });
    return this.id;
  }
  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  now(): number {
    return this.t;
  }
  /** Lets time pass without firing anything. */
  advance(ms: number): void {
    this.t += ms;
  }
  /** Delays of the timers waiting now, relative to the current time. */
  waiting(): number[] {
    return [...this.pending.values()].map((p) => p.at - this.t);
  }
  /** Moves to the next timer and fires it. */
  async fireNext(loop: ReconcileLoop): Promise<void> {
    const [id, next] = [...this.pending.entries()].sort(([, a], [, b]) => a.at - b.at)[0]!;
    this.pending.delete(id);
    this.t = next.at;
    next.fn();
    await loop.settled();
  }
}

const done: ReconcileOutcome = { kind: 'done', patched: false };
const invalid: ReconcileOutcome = { kind: 'invalid', reason: 'capabilities_invalid: not-xml' };

function loopWith(outcomes: ReconcileOutcome[]) {
  const timers = new ManualTimers();
  let runs = 0;
  const loop = new ReconcileLoop({
    run: async () => outcomes[Math.min(runs++, outcomes.length - 1)]!,
    resyncMs: 300_000,
    retryDelayMs: (n) => 1_000 * 2 ** n,
    timers,
  });
  return { loop, timers, runs: () => runs };
}

test('the first run starts at once and a success waits the resync period', async () => {
  const { loop, timers, runs } = loopWith([done]);
  loop.start();
  expect(timers.waiting()).toEqual([0]);
  await timers.fireNext(loop);
  expect(runs()).toBe(1);
  expect(timers.waiting()).toEqual([300_000]);
});

test('malformed input is retried with growing delays, and a success resets them', async () => {
  const { loop, timers } = loopWith([invalid, invalid, invalid, done, invalid]);
  loop.start();
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    await timers.fireNext(loop);
    delays.push(...timers.waiting());
  }
  expect(delays).toEqual([1_000, 2_000, 4_000, 300_000, 1_000]);
});

test('a file change brings the next run forward but never pushes it back', async () => {
  const { loop, timers } = loopWith([done]);
  loop.start();
  await timers.fireNext(loop);
  loop.trigger(500);
  expect(timers.waiting()).toEqual([500]);
  loop.trigger(2_000);
  expect(timers.waiting()).toEqual([500]);
});

test('a trigger during a run queues exactly one more run right after it', async () => {
  const timers = new ManualTimers();
  let release!: () => void;
  let runs = 0;
  const loop = new ReconcileLoop({
    run: () =>
      new Promise<ReconcileOutcome>((resolve) => {
        runs++;
        release = () => resolve(done);
      }),
    resyncMs: 300_000,
    timers,
  });
  loop.start();
  const first = timers.fireNext(loop);
  loop.trigger();
  loop.trigger();
  release();
  await first;
  expect(runs).toBe(1);
  expect(timers.waiting()).toEqual([0]);
});

test('a reconciler that throws is treated as a retry, not a crash', async () => {
  const timers = new ManualTimers();
  const loop = new ReconcileLoop({ run: () => Promise.reject(new Error('bug')), resyncMs: 300_000, retryDelayMs: () => 1_000, timers });
  loop.start();
  await timers.fireNext(loop);
  expect(loop.lastOutcome).toMatchObject({ kind: 'retry', error: { message: 'bug' } });
  expect(timers.waiting()).toEqual([1_000]);
});

test('a run that hangs longer than the limit makes the loop unhealthy', async () => {
  const timers = new ManualTimers();
  const loop = new ReconcileLoop({ run: () => new Promise<ReconcileOutcome>(() => {}), resyncMs: 300_000, timers });
  loop.start();
  void timers.fireNext(loop);
  expect(loop.isHealthy(120_000)).toBe(true);
  timers.advance(120_001);
  expect(loop.isHealthy(120_000)).toBe(false);
});
