/**
 * How many fallbacks a VMI has had, whether another is allowed now, and which nodes already
 * failed it. Pure: derived from the VMIMs in the cache, so a restarted controller reaches the same
 * answer as the one before it.
 */
import { nextDelayMs } from '../runtime/backoff.js';
import { attemptedTarget, failedAtMs } from './failureReasons.js';
import { type VmimView, type VmiView } from './objectViews.js';

export interface AttemptLimits {
  /** Fallback VMIMs allowed per VMI within the window. */
  readonly fallbackAttempts: number;
  readonly attemptWindowSeconds: number;
  /** Wait before the second fallback; doubles for each one after. */
  readonly backoffBaseSeconds: number;
}

export type AttemptVerdict =
  | { readonly kind: 'exhausted'; readonly used: number; readonly limit: number }
  | { readonly kind: 'ready'; readonly attempt: number }
  | { readonly kind: 'wait'; readonly attempt: number; readonly delayMs: number };

const inWindow = (vmim: VmimView, nowMs: number, limits: AttemptLimits) => vmim.createdMs > nowMs - limits.attemptWindowSeconds * 1000;

/** kvfleet's fallbacks for this VMI incarnation (a recreated VMI starts with a clean slate). */
export function fallbacksOf(vmi: VmiView, siblings: readonly VmimView[]): VmimView[] {
  return siblings.filter((s) => s.kvfleet && (s.kvfleet.vmiUid === undefined || s.kvfleet.vmiUid === vmi.uid));
}

/** Delay before fallback number `attempt` (1-based): none before the first, then base, 2×base… */
export function backoffBeforeAttemptMs(attempt: number, limits: AttemptLimits): number {
  if (attempt <= 1) return 0;
  return nextDelayMs(attempt - 2, limits.backoffBaseSeconds * 1000, limits.attemptWindowSeconds * 1000);
}

export function attemptVerdict(failed: VmimView, vmi: VmiView, siblings: readonly VmimView[], nowMs: number, limits: AttemptLimits): AttemptVerdict {
  const recent = fallbacksOf(vmi, siblings).filter((s) => inWindow(s, nowMs, limits));
  // The label survives even if KubeVirt's own garbage collection removed older fallbacks.
  const chained = failed.kvfleet?.attempt !== undefined && inWindow(failed, nowMs, limits) ? failed.kvfleet.attempt : 0;
  const used = Math.max(recent.length, chained);
  if (used >= limits.fallbackAttempts) return { kind: 'exhausted', used, limit: limits.fallbackAttempts };
  const attempt = used + 1;
  const dueMs = failedAtMs(failed) + backoffBeforeAttemptMs(attempt, limits);
  return dueMs > nowMs ? { kind: 'wait', attempt, delayMs: dueMs - nowMs } : { kind: 'ready', attempt };
}

/** Nodes that failed this VMI within the window: never offered again as a target. */
export function failedTargets(vmi: VmiView, siblings: readonly VmimView[], nowMs: number, limits: AttemptLimits): Set<string> {
  const out = new Set<string>();
  for (const s of siblings) {
    if (s.phase !== 'Failed' || !inWindow(s, nowMs, limits) || s.createdMs < vmi.createdMs) continue;
    const node = attemptedTarget(s, vmi);
    if (node) out.add(node);
  }
  return out;
}
