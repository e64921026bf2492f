import { expect, test } from 'vitest';
import { seededRandom } from './prng.js';

test('one seed gives one sequence; another seed another', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const c = seededRandom(43);
  const seq = (r: ReturnType<typeof seededRandom>) => Array.from({ length: 20 }, () => r.next());
  const first = seq(a);
  expect(seq(b)).toEqual(first);
  expect(seq(c)).not.toEqual(first);
  for (const x of first) expect(x >= 0 && x < 1).toBe(true);
});

test('int, pick, weighted and shuffle stay in range and are roughly fair', () => {
  const r = seededRandom(1);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 4000; i++) counts[r.int(4)]!++;
  for (const n of counts) expect(n).toBeGreaterThan(850);
  const w = { a: 1, b: 3 };
  let b = 0;
  for (let i = 0; i < 4000; i++) if (r.weighted(w) === 'b') b++;
  expect(b / 4000).toBeGreaterThan(0.7);
  expect(b / 4000).toBeLessThan(0.8);
  expect(r.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
  expect(['x', 'y']).toContain(r.pick(['x', 'y']));
  expect(() => r.pick([])).toThrow(/empty/);
  expect(() => seededRandom(1.5)).toThrow(/integer/);
});
