import { expect, test } from 'vitest';
import { nextDelayMs } from './backoff.js';

test('delays double from the base and stop at the cap', () => {
  expect([0, 1, 2, 3, 10].map((n) => nextDelayMs(n, 100, 1_000))).toEqual([100, 200, 400, 800, 1_000]);
});
