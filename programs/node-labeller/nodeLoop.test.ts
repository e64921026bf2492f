import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { createLogger } from '../runtime/logger.js';
import { createLabellerMetrics } from './metrics.js';
import { type ReconcileOutcome } from './nodeLabelReconciler.js';
import { NodeLoop } from './nodeLoop.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const RESYNC_MS = 300_000;
const patched: ReconcileOutcome = { kind: 'done', patched: true, events: [] };
const unchanged: ReconcileOutcome = { kind: 'done', patched: false, events: [] };
const invalid: ReconcileOutcome = { kind: 'invalid', code: 'capabilities_invalid', reason: '/var/lib/kvfleet/capabilities.xml: not-xml: …' };

/** A loop whose reconciler returns the scripted outcomes in turn (the last one repeating). */
function loopWith(outcomes: (ReconcileOutcome | (() => Promise<ReconcileOutcome>))[]) {
  const metrics = createLabellerMetrics();
  const lines: { msg: string; retryInMs?: number }[] = [];
  let runs = 0;
  const loop = new NodeLoop({
    nodeName: 'worker-1',
    resyncMs: RESYNC_MS,
    metrics,
    logger: createLogger('test', 'info', { write: (l: string) => lines.push(JSON.parse(l)) }),
    reconciler: {
      reconcile: () => {
        const o = outcomes[Math.min(runs++, outcomes.length - 1)]!;
        return typeof o === 'function' ? o() : Promise.resolve(o);
      },
    },
  });
  const reconciles = async (result: string) => (await metrics.reconciles.get()).values.find((v) => v.labels.result === result)?.value ?? 0;
  const errors = async (reason: string) => (await metrics.errors.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;
  return { loop, lines, runs: () => runs, reconciles, errors };
}

test('the first run starts at once, a success waits the resync period, and results are labelled patched / unchanged', async () => {
  const t = loopWith([patched, unchanged]);
  t.loop.start();
  await vi.advanceTimersByTimeAsync(0);
  expect(t.runs()).toBe(1);
  expect(t.loop.isReady()).toBe(true);
  await vi.advanceTimersByTimeAsync(RESYNC_MS - 1);
  expect(t.runs()).toBe(1);
  await vi.advanceTimersByTimeAsync(1);
  expect(t.runs()).toBe(2);
  expect(await t.reconciles('patched')).toBe(1);
  expect(await t.reconciles('unchanged')).toBe(1);
});

test('malformed input is logged, counted and retried with growing delays; a success resets them', async () => {
  const t = loopWith([invalid, invalid, invalid, unchanged, invalid]);
  t.loop.start();
  await vi.advanceTimersByTimeAsync(0);
  await vi.advanceTimersByTimeAsync(1_000 + 2_000 + 4_000);
  expect(t.runs()).toBe(4);
  await vi.advanceTimersByTimeAsync(RESYNC_MS);
  expect(t.runs()).toBe(5);
  const unusable = t.lines.filter((l) => l.msg === 'input unusable; left as it is');
  expect(unusable.map((l) => l.retryInMs)).toEqual([1_000, 2_000, 4_000, 1_000]);
  expect(await t.errors('capabilities_invalid')).toBe(4);
  expect(await t.reconciles('invalid')).toBe(4);
  expect(t.loop.isReady()).toBe(true);
});

test('a file change brings the next run forward but never pushes it back', async () => {
  const t = loopWith([unchanged]);
  t.loop.start();
  await vi.advanceTimersByTimeAsync(0);
  t.loop.trigger(500);
  t.loop.trigger(2_000);
  await vi.advanceTimersByTimeAsync(500);
  expect(t.runs()).toBe(2);
  await vi.advanceTimersByTimeAsync(1_500);
  expect(t.runs()).toBe(2);
});

test('triggers during a run queue exactly one more run right after it', async () => {
  let release!: () => void;
  const t = loopWith([() => new Promise<ReconcileOutcome>((r) => (release = () => r(unchanged))), unchanged]);
  t.loop.start();
  await vi.advanceTimersByTimeAsync(0);
  t.loop.trigger();
  t.loop.trigger();
  release();
  await vi.advanceTimersByTimeAsync(0);
  expect(t.runs()).toBe(2);
  await vi.advanceTimersByTimeAsync(1_000);
  expect(t.runs()).toBe(2);
});

test('a reconciler that throws is logged, counted as a crash and retried, not a crash of the program', async () => {
  const t = loopWith([() => Promise.reject(new Error('bug')), unchanged]);
  t.loop.start();
  await vi.advanceTimersByTimeAsync(1_000);
  expect(t.runs()).toBe(2);
  expect(await t.errors('crash')).toBe(1);
  expect(t.lines.some((l) => l.msg === 'reconcile crashed; retrying with backoff')).toBe(true);
});

test('a run that hangs longer than the limit makes the loop unhealthy', async () => {
  const t = loopWith([() => new Promise<ReconcileOutcome>(() => {})]);
  t.loop.start();
  await vi.advanceTimersByTimeAsync(120_000);
  expect(t.loop.isHealthy(120_000)).toBe(true);
  await vi.advanceTimersByTimeAsync(1);
  expect(t.loop.isHealthy(120_000)).toBe(false);
});
