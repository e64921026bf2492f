import { ApiException } from '@kubernetes/client-node';
import { Counter, Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createLogger } from './logger.js';
import { type Outcome, type OutcomePolicy } from './outcome.js';
import { ReconcileLoop, type ReconcileLoopOptions } from './reconcileLoop.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const forbiddenMessage = 'virtualmachineinstancemigrations.kubevirt.io is forbidden: User "sa" cannot create resource "virtualmachineinstancemigrations"';
const forbidden = new ApiException(403, 'Unknown API Status Code!', JSON.stringify({ kind: 'Status', reason: 'Forbidden', code: 403, message: forbiddenMessage }), {});

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A loop over scripted outcomes (per key, the last one repeating), with its log lines and counters. */
function scripted(script: Record<string, (Outcome | Error)[]>, opts: Partial<ReconcileLoopOptions<Outcome>> & { policy?: OutcomePolicy } = {}) {
  const registry = new Registry();
  const metrics = {
    reconciles: new Counter({ name: 'test_reconciles_total', help: 'h', labelNames: ['result'] as const, registers: [registry] }),
    errors: new Counter({ name: 'test_errors_total', help: 'h', labelNames: ['reason'] as const, registers: [registry] }),
  };
  const lines: LogLine[] = [];
  const calls: string[] = [];
  const loop = new ReconcileLoop<Outcome>({
    keyName: 'vmi',
    logger: createLogger('test', 'debug', { write: (l: string) => lines.push(JSON.parse(l) as LogLine) }),
    metrics,
    policy: { retryBaseMs: 100, retryMaxMs: 10_000 },
    reconcile: async (key) => {
      const n = calls.filter((k) => k === key).length;
      calls.push(key);
      const steps = script[key]!;
      const step = steps[Math.min(n, steps.length - 1)]!;
      if (step instanceof Error) throw step;
      return step;
    },
    ...opts,
  });
  const count = async (c: Counter<string>, labels: Record<string, string>) =>
    (await c.get()).values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((s, v) => s + v.value, 0);
  return {
    loop,
    calls,
    lines,
    reconciles: (result: string) => count(metrics.reconciles, { result }),
    errors: (reason: string) => count(metrics.errors, { reason }),
    logged: (msg: string) => lines.filter((l) => l.msg === msg),
  };
}

describe('a failed attempt is never silent', () => {
  test('each failure is logged with the API status, reason and message, counted, and retried with growing delays until it succeeds', async () => {
    const retry: Outcome = { kind: 'retry', code: 'vmim-create', error: new Error('creating fallback f-1', { cause: forbidden }) };
    const t = scripted({ 'apps/vm-1': [retry, retry, retry, { kind: 'done' }] });
    t.loop.start();
    t.loop.add('apps/vm-1');
    await vi.advanceTimersByTimeAsync(0);
    expect(t.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(t.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1); // 100 ms
    expect(t.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(200);
    expect(t.calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(400);
    expect(t.calls).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.calls).toHaveLength(4); // success: nothing more to do until something changes

    const failures = t.logged('reconcile failed; retrying with backoff');
    expect(failures.map((l) => [l.attempt, l.retryInMs])).toEqual([
      [1, 100],
      [2, 200],
      [3, 400],
    ]);
    expect(failures[0]).toMatchObject({
      vmi: 'apps/vm-1',
      reason: 'vmim-create',
      status: 403,
      apiReason: 'Forbidden',
      err: `creating fallback f-1: HTTP 403 Forbidden: ${forbiddenMessage}`,
    });
    expect(await t.errors('vmim-create')).toBe(3);
    expect(await t.reconciles('error')).toBe(3);
    expect(await t.reconciles('success')).toBe(1);
    expect(t.loop.failing).toBe(0);
  });

  test('a reconciler that throws is logged as a crash with its stack, counted, and retried', async () => {
    const t = scripted({ a: [new Error('bug in the reconciler'), { kind: 'done' }] });
    t.loop.start();
    t.loop.add('a');
    await vi.advanceTimersByTimeAsync(100);
    expect(t.calls).toEqual(['a', 'a']);
    const crash = t.logged('reconcile crashed; retrying with backoff');
    expect(crash).toHaveLength(1);
    expect(crash[0]!.err).toContain('bug in the reconciler');
    expect(crash[0]!.level).toBe(50); // error
    expect(await t.errors('crash')).toBe(1);
  });

  test('unusable input is logged and counted; a refusal is logged and counted but neither is retried by default', async () => {
    const t = scripted({
      a: [{ kind: 'invalid', reason: 'no spec.vmiName', code: 'no-vmi-name' }],
      b: [{ kind: 'refused', reason: 'not acting any more; create VMIM apps/f-1 not sent' }],
    });
    t.loop.start();
    t.loop.add('a');
    t.loop.add('b');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.calls).toEqual(['a', 'b']);
    expect(t.logged('input unusable; left as it is')[0]).toMatchObject({ vmi: 'a', reason: 'no-vmi-name', problem: 'no spec.vmiName' });
    expect(t.logged('stopped acting mid-reconcile; the rest is left to whoever acts next')[0]).toMatchObject({ vmi: 'b' });
    expect(await t.errors('no-vmi-name')).toBe(1);
    expect(await t.reconciles('invalid')).toBe(1);
    expect(await t.reconciles('refused')).toBe(1);
  });
});

describe('the gate, applied once', () => {
  test('nothing is queued or run while the gate is closed', async () => {
    let open = false;
    const t = scripted({ a: [{ kind: 'done' }] }, { gate: () => open });
    t.loop.start();
    t.loop.add('a');
    t.loop.addAfter('a', 10);
    await vi.advanceTimersByTimeAsync(100);
    expect(t.calls).toEqual([]);
    open = true;
    t.loop.add('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(t.calls).toEqual(['a']);
  });

  test('a key queued before the gate closed is dropped, not run, and the drop is counted', async () => {
    let open = true;
    const t = scripted({ a: [{ kind: 'done' }] }, { gate: () => open });
    t.loop.add('a'); // queued, not started yet
    open = false;
    t.loop.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.calls).toEqual([]);
    expect(await t.reconciles('dropped')).toBe(1);
  });

  test('a failure that ends after the gate closed is still logged and counted, but not retried', async () => {
    let open = true;
    let release!: (o: Outcome) => void;
    const t = scripted({}, { gate: () => open, reconcile: () => new Promise<Outcome>((r) => (release = r)) });
    t.loop.start();
    t.loop.add('a');
    await vi.advanceTimersByTimeAsync(0);
    open = false;
    release({ kind: 'retry', code: 'vmim-create', error: new Error('creating fallback', { cause: forbidden }) });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.logged('reconcile failed; retrying with backoff')).toHaveLength(1);
    expect(await t.errors('vmim-create')).toBe(1);
    expect(t.loop.failing).toBe(0);
  });

  test('clearing (the Lease lost) drops queued and scheduled work with one log line, counting every key', async () => {
    const retry: Outcome = { kind: 'retry', error: new Error('x') };
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    const t = scripted(
      {},
      {
        reconcile: async (key) => {
          if (key === 'a') return retry;
          await blocked;
          return { kind: 'done' };
        },
      },
    );
    const loop = t.loop;
    loop.start();
    loop.add('a'); // fails at once and waits out its backoff
    await vi.advanceTimersByTimeAsync(0);
    loop.add('b'); // in flight
    loop.add('c'); // queued behind it
    loop.clear('stopped leading');
    release();
    await vi.advanceTimersByTimeAsync(60_000);
    const dropped = t.logged('dropped queued reconciles');
    expect(dropped).toEqual([expect.objectContaining({ count: 2, why: 'stopped leading' })]);
    expect(await t.reconciles('dropped')).toBe(2);
    expect(loop.failing).toBe(0);
  });
});

describe('the labeller shape: one key, a resync, files that change', () => {
  const policy: OutcomePolicy = { retryBaseMs: 1_000, retryMaxMs: 300_000, resyncMs: 300_000, retryInvalid: true };

  test('a success looks again after the resync period, and a change brings it forward', async () => {
    const t = scripted(
      {
        node: [
          { kind: 'done', result: 'patched' },
          { kind: 'done', result: 'unchanged' },
        ],
      },
      { policy },
    );
    t.loop.start();
    t.loop.add('node');
    await vi.advanceTimersByTimeAsync(0);
    t.loop.addAfter('node', 500); // a file changed
    await vi.advanceTimersByTimeAsync(500);
    expect(t.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(299_999);
    expect(t.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.calls).toHaveLength(3);
    expect(await t.reconciles('patched')).toBe(1);
    expect(await t.reconciles('unchanged')).toBe(2);
    expect(t.loop.successes).toBe(3);
  });

  test('unusable input is retried with growing delays, each attempt logged and counted', async () => {
    const invalid: Outcome = { kind: 'invalid', reason: 'capabilities_invalid: not-xml: …', code: 'capabilities_invalid' };
    const t = scripted({ node: [invalid, invalid, invalid, { kind: 'done' }] }, { policy });
    t.loop.start();
    t.loop.add('node');
    await vi.advanceTimersByTimeAsync(7_000);
    expect(t.calls).toHaveLength(4);
    expect(t.logged('input unusable; left as it is').map((l) => l.retryInMs)).toEqual([1_000, 2_000, 4_000]);
    expect(await t.errors('capabilities_invalid')).toBe(3);
  });

  test('a reconcile that hangs beyond the limit makes the loop unhealthy', async () => {
    const t = scripted({}, { reconcile: () => new Promise<Outcome>(() => {}) });
    t.loop.start();
    t.loop.add('node');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(t.loop.isHealthy(120_000)).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.loop.isHealthy(120_000)).toBe(false);
  });
});
