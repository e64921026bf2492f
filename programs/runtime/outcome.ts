/**
 * What a reconcile can come to, and what the loop does about each (controller-runtime's `Result`,
 * `TerminalError` and `reconcileHandler`, kept as data): the reconciler says what happened, this
 * pure function says how it is counted and when the key is looked at again. Both kvfleet programs
 * go through it, so a failure is handled one way everywhere.
 */
import { nextDelayMs } from './backoff.js';

export type Outcome =
  /** As it should be. `result` refines the metric label (the labeller says `patched` / `unchanged`). */
  | { readonly kind: 'done'; readonly result?: string }
  /** Look again after a wait the decision asked for (a fallback's backoff, a TTL). */
  | { readonly kind: 'after'; readonly ms: number }
  /** Failed (an API error, a timeout); retried with per-key backoff. `code` labels the errors counter. */
  | { readonly kind: 'retry'; readonly error: Error; readonly code?: string }
  /** The input cannot be used; nothing was written. Looked at again when it changes (or with backoff). */
  | { readonly kind: 'invalid'; readonly reason: string; readonly code?: string }
  /** This process stopped acting mid-reconcile and sent nothing more; whoever acts next takes over. */
  | { readonly kind: 'refused'; readonly reason: string };

export interface OutcomePolicy {
  /** First retry delay after a failure; doubles per consecutive failure of the key. */
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** Look at a key again this long after a success; without it, only when something changes. */
  readonly resyncMs?: number;
  /**
   * Retry `invalid` with backoff instead of waiting for a change: the labeller's inputs are files,
   * whose change events can be missed; the controller's are watched objects, whose changes are not.
   * @default false
   */
  readonly retryInvalid?: boolean;
}

export interface Handling {
  /** The `result` label of `..._reconciles_total`. */
  readonly result: string;
  /** The `reason` label of the errors counter, when the attempt failed. */
  readonly errorReason?: string;
  /** When to look at the key again; undefined: only when something changes. */
  readonly nextInMs?: number;
  /** Consecutive failures of the key, this one included (0 after anything but a failure). */
  readonly failures: number;
}

/** How the loop handles `outcome` for a key that had failed `failuresBefore` times in a row. */
export function handleOutcome(outcome: Outcome, failuresBefore: number, policy: OutcomePolicy): Handling {
  const backoff = () => nextDelayMs(failuresBefore, policy.retryBaseMs, policy.retryMaxMs);
  const resync = policy.resyncMs !== undefined ? { nextInMs: policy.resyncMs } : {};
  switch (outcome.kind) {
    case 'done':
      return { result: outcome.result ?? 'success', failures: 0, ...resync };
    case 'after':
      return { result: 'requeue-after', failures: 0, nextInMs: Math.max(0, outcome.ms) };
    case 'retry':
      return { result: 'error', errorReason: outcome.code ?? 'unknown', failures: failuresBefore + 1, nextInMs: backoff() };
    case 'invalid':
      return policy.retryInvalid
        ? { result: 'invalid', errorReason: outcome.code ?? 'invalid', failures: failuresBefore + 1, nextInMs: backoff() }
        : { result: 'invalid', errorReason: outcome.code ?? 'invalid', failures: 0, ...resync };
    case 'refused':
      return { result: 'refused', failures: 0 };
  }
}
