import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { WorkQueue } from './workQueue.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A handler whose calls finish only when the test says so. */
function controllable() {
  const calls: string[] = [];
  const pending: (() => void)[] = [];
  const handler = (key: string) => {
    calls.push(key);
    return new Promise<void>((resolve) => pending.push(resolve));
  };
  const finish = async () => {
    pending.shift()!();
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
    for (const k of ['a', 'b', 'c']) q.add(k);
    expect(h.calls).toEqual(['a', 'b']);
    await h.finish();
    expect(h.calls).toEqual(['a', 'b', 'c']);
  });

  test('a scheduled key wakes at its time; the earlier of two wake-ups wins and a later one never postpones it', async () => {
    const h = controllable();
    const q = new WorkQueue({ workers: 1 });
    q.start(h.handler);
    q.addAfter('a', 5_000);
    q.addAfter('a', 1_000);
    q.addAfter('a', 2_000);
    expect(q.scheduled).toBe(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(h.calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.calls).toEqual(['a']);
    await h.finish();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.calls).toEqual(['a']);
  });

  test('clear drops queued and scheduled work and says which keys it dropped', async () => {
    const h = controllable();
    const q = new WorkQueue({ workers: 1 });
    q.start(h.handler);
    q.add('a');
    q.add('b');
    q.addAfter('c', 100);
    expect(q.clear().sort()).toEqual(['b', 'c']);
    await h.finish();
    await vi.advanceTimersByTimeAsync(200);
    expect(h.calls).toEqual(['a']);
  });

  test('whenIdle waits for the work in flight; stop takes no more', async () => {
    const h = controllable();
    const q = new WorkQueue({ workers: 1 });
    q.start(h.handler);
    q.add('a');
    let idle = false;
    const stopped = q.stop().then(() => (idle = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(idle).toBe(false);
    await h.finish();
    await stopped;
    q.add('b');
    expect(h.calls).toEqual(['a']);
  });
});
