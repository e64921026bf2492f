/**
 * The leader-election rule client-go uses, over a coordination.k8s.io/v1 Lease, as a pure
 * function. Expiry is judged on this process's own clock, from when it first saw the current
 * record, never from the holder's `renewTime`: two machines' clocks need not agree.
 */

export interface LeaseRecord {
  readonly holder?: string;
  readonly leaseDurationSeconds?: number;
  readonly acquireTimeMs?: number;
  readonly renewTimeMs?: number;
  readonly transitions: number;
}

export type LeaseAction =
  | { readonly kind: 'create' }
  | { readonly kind: 'renew' }
  | { readonly kind: 'take-over' }
  | { readonly kind: 'wait'; readonly holder: string; readonly remainingMs: number };

export interface LeaseSituation {
  /** The Lease as read; `undefined` when it does not exist. */
  readonly record?: LeaseRecord;
  readonly identity: string;
  readonly nowMs: number;
  /** Local time at which this exact record (holder + renew time) was first observed. */
  readonly observedAtMs: number;
  /** Used when the record carries no duration of its own. */
  readonly leaseDurationMs: number;
}

export function leaseAction(s: LeaseSituation): LeaseAction {
  if (!s.record) return { kind: 'create' };
  if (s.record.holder === s.identity) return { kind: 'renew' };
  if (!s.record.holder) return { kind: 'take-over' }; // released on shutdown
  const durationMs = (s.record.leaseDurationSeconds ?? 0) > 0 ? s.record.leaseDurationSeconds! * 1000 : s.leaseDurationMs;
  const remainingMs = s.observedAtMs + durationMs - s.nowMs;
  return remainingMs <= 0 ? { kind: 'take-over' } : { kind: 'wait', holder: s.record.holder, remainingMs };
}

/** The record to write for an action other than `wait`. */
export function nextLeaseRecord(action: 'create' | 'renew' | 'take-over', s: LeaseSituation, leaseDurationSeconds: number): LeaseRecord {
  const renewing = action === 'renew';
  return {
    holder: s.identity,
    leaseDurationSeconds,
    acquireTimeMs: renewing ? (s.record?.acquireTimeMs ?? s.nowMs) : s.nowMs,
    renewTimeMs: s.nowMs,
    transitions: (s.record?.transitions ?? 0) + (action === 'take-over' ? 1 : 0),
  };
}

/** What a holder writes on graceful shutdown so a successor need not wait out the lease. */
export function releasedLeaseRecord(record: LeaseRecord, nowMs: number): LeaseRecord {
  return { ...record, holder: '', leaseDurationSeconds: 1, renewTimeMs: nowMs };
}
