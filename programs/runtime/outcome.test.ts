import { describe, expect, test } from 'vitest';
import { handleOutcome, type Outcome, type OutcomePolicy } from './outcome.js';

const controller: OutcomePolicy = { retryBaseMs: 200, retryMaxMs: 60_000 };
const labeller: OutcomePolicy = { retryBaseMs: 1_000, retryMaxMs: 300_000, resyncMs: 300_000, retryInvalid: true };
const forbidden = new Error('creating fallback x');

describe('every outcome is counted, and a failure is always retried', () => {
  test.each<[string, OutcomePolicy, Outcome, number, ReturnType<typeof handleOutcome>]>([
    ['success without a resync waits for the next change', controller, { kind: 'done' }, 3, { result: 'success', failures: 0 }],
    ['success with a resync looks again after it', labeller, { kind: 'done', result: 'patched' }, 0, { result: 'patched', failures: 0, nextInMs: 300_000 }],
    ['a wait the decision asked for is kept', controller, { kind: 'after', ms: 4_000 }, 0, { result: 'requeue-after', failures: 0, nextInMs: 4_000 }],
    [
      'a first failure retries after the base delay',
      controller,
      { kind: 'retry', error: forbidden, code: 'vmim-create' },
      0,
      { result: 'error', errorReason: 'vmim-create', failures: 1, nextInMs: 200 },
    ],
    [
      'the fourth failure in a row waits 8× the base',
      controller,
      { kind: 'retry', error: forbidden, code: 'vmim-create' },
      3,
      { result: 'error', errorReason: 'vmim-create', failures: 4, nextInMs: 1_600 },
    ],
    ['backoff stops at the cap', controller, { kind: 'retry', error: forbidden }, 30, { result: 'error', errorReason: 'unknown', failures: 31, nextInMs: 60_000 }],
    [
      'invalid input waits for a change when changes are watched',
      controller,
      { kind: 'invalid', reason: 'no spec.vmiName', code: 'no-vmi-name' },
      2,
      { result: 'invalid', errorReason: 'no-vmi-name', failures: 0 },
    ],
    [
      'invalid input backs off when changes can be missed (files)',
      labeller,
      { kind: 'invalid', reason: 'not-xml', code: 'capabilities_invalid' },
      2,
      { result: 'invalid', errorReason: 'capabilities_invalid', failures: 3, nextInMs: 4_000 },
    ],
    [
      'a refusal (no longer acting) is counted, not retried, not an error',
      controller,
      { kind: 'refused', reason: 'lost the Lease' },
      2,
      { result: 'refused', failures: 0 },
    ],
  ])('%s', (_what, policy, outcome, failuresBefore, expected) => {
    expect(handleOutcome(outcome, failuresBefore, policy)).toEqual(expected);
  });
});

test('the labeller keeps its delays: 1 s, 2 s, 4 s … then the resync period once it succeeds', () => {
  const invalid: Outcome = { kind: 'invalid', reason: 'not-xml', code: 'capabilities_invalid' };
  const delays: number[] = [];
  let failures = 0;
  for (const o of [invalid, invalid, invalid, { kind: 'done' } as Outcome, invalid]) {
    const h = handleOutcome(o, failures, labeller);
    failures = h.failures;
    delays.push(h.nextInMs!);
  }
  expect(delays).toEqual([1_000, 2_000, 4_000, 300_000, 1_000]);
});
