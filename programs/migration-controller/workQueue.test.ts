import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { type Outcome, WorkQueue } from './workQueue.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A handler whose calls finish only when the test says so. */
function controllable() {
  const calls: string[] = [];
  const pending: ((o: Outcome) => void)[] = [];
  const handler = (key: string) => {
    calls.push(key);
    return new Promise<Outcome>((resolve) => pending.push(resolve));
  };
  const finish = async (o: Outcome = { kind: 'done' }) => {
    pending.shift()!(o);
    await vi.advanceTimersByTimeAsync(0);
  };
  return { calls, pending, handler, finish };
}

describe('WorkQueue', () => {
  test('a key added many times before it is handled is handled once', async () => {
    const h = controllable();
    const q = new WorkQueue({ workers: 1 });
    q.add('busy');
    q.start(h.handler);
    for (let i = 0; i < 5; i++) q.add('a');
    await h.finish();
    await h.finish();
    expect(h.calls).toEqual(['busy', 'a']);
  });

  test('a key is never handled by two workers at once; an add meanwhile runs it again afterwards', async () => {
    const h = controllable();
    const q = new WorkQueue({ workers: 4 });
    q.start(h.handler);
    q.add('a');
    await vi.advanceTimersByTimeAsync(0);
    q.add('a');
    q.add('a');
    expect(h.calls).toEqual(['a']);
    await h.finish();
    expect(h.calls).toEqual(['a', 'a']);
    await h.finish();
    expect(h.calls).toEqual(['a', 'a']);
  });

  test('different keys run in parallel up to the worker count', async () => {
    const h = controllable();
    const q = new WorkQueue({ workers: 2 });
    q.start(h.handler);
    ['a', 'b', 'c'].forEach((k) => q.add(k));
    expect(h.calls).toEqual(['a', 'b']);
    await h.finish();
    expect(h.calls).toEqual(['a', 'b', 'c']);
  });

  test('errors retry with a growing per-key delay; success resets it', async () => {
    const h = controllable();
    const q = new WorkQueue({ workers: 1, retryBaseMs: 100 });
    q.start(h.handler);
    q.add('a');
    await h.finish({ kind: 'retry', error: new Error('boom') });
    await vi.advanceTimersByTimeAsync(99);
    expect(h.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.calls).toHaveLength(2);
    await h.finish({ kind: 'retry', error: new Error('boom') });
    await vi.advanceTimersByTimeAsync(199);
    expect(h.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.calls).toHaveLength(3);
    await h.finish({ kind: 'done' });
    q.add('a');
    await h.finish({ kind: 'retry', error: new Error('again') });
    await vi.advanceTimersByTimeAsync(100);
    expect(h.calls).toHaveLength(5);
  });

  test('a handler that throws is retried, not lost', async () => {
    let n = 0;
    const crashes: string[] = [];
    const q = new WorkQueue({ workers: 1, retryBaseMs: 10, onCrash: (key) => crashes.push(key) });
    q.start(async () => {
      if (n++ === 0) throw new Error('bug');
      return { kind: 'done' };
    });
    q.add('a');
    await vi.advanceTimersByTimeAsync(10);
    expect(n).toBe(2);
    expect(crashes).toEqual(['a']);
  });

  test("'after' wakes the key at the requested time; the earlier of two wake-ups wins", async () => {
    const h = controllable();
    const q = new WorkQueue({ workers: 1 });
    q.start(h.handler);
    q.add('a');
    await h.finish({ kind: 'after', ms: 5_000 });
    q.addAfter('a', 1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.calls).toEqual(['a', 'a']);
  });

  test('clear drops queued and scheduled work (a replica that lost the Lease)', async () => {
    const h = controllable();
    const q = new WorkQueue({ workers: 1 });
    q.start(h.handler);
    q.add('a');
    q.add('b');
    q.addAfter('c', 100);
    q.clear();
    await h.finish();
    await vi.advanceTimersByTimeAsync(200);
    expect(h.calls).toEqual(['a']);
  });
});
