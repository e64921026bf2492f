/**
 * Which of kvfleet's own VMIMs to delete, and when to look again. Only VMIMs carrying kvfleet's
 * managed-by label are ever considered: a user's VMIM is never deleted or changed.
 */
import { type LabelValue } from '../runtime/metricsContract.js';
import { type CONTROLLER_METRICS } from './metrics.js';
import { isFinalPhase, type VmimView, type VmiView } from './objectViews.js';

/** The `reason` of kvfleet_migration_vmims_deleted_total, as the metrics contract lists them. */
export type CleanupReason = LabelValue<typeof CONTROLLER_METRICS.deletions, 'reason'>;

export interface CleanupPlan {
  readonly deletions: readonly { readonly vmim: VmimView; readonly reason: CleanupReason }[];
  /** When the next kept VMIM becomes due; `undefined` when none is waiting. */
  readonly recheckAfterMs?: number;
}

export interface CleanupLimits {
  readonly finishedMigrationTtlSeconds: number;
  /**
   * A fallback is kept at least this long after creation: the attempt limit counts fallbacks in
   * the window, and a deleted one would hand the failure it retried a second fallback.
   */
  readonly attemptWindowSeconds: number;
}

export function planCleanup(vmi: VmiView | undefined, vmims: readonly VmimView[], nowMs: number, limits: CleanupLimits): CleanupPlan {
  const deletions: { vmim: VmimView; reason: CleanupReason }[] = [];
  let recheck: number | undefined;
  for (const vmim of vmims) {
    if (!vmim.kvfleet || vmim.deleting) continue;
    if (!vmi || vmi.deleting) {
      deletions.push({ vmim, reason: 'vmi-gone' });
      continue;
    }
    if ((vmim.kvfleet.vmiUid !== undefined && vmim.kvfleet.vmiUid !== vmi.uid) || vmi.createdMs > vmim.createdMs) {
      deletions.push({ vmim, reason: 'vmi-replaced' });
      continue;
    }
    if (!isFinalPhase(vmim.phase)) continue;
    const finishedMs = vmim.phaseTimes[vmim.phase!] ?? vmim.createdMs;
    const dueMs = Math.max(finishedMs + limits.finishedMigrationTtlSeconds * 1000, vmim.createdMs + limits.attemptWindowSeconds * 1000);
    if (dueMs <= nowMs) deletions.push({ vmim, reason: 'ttl' });
    else recheck = Math.min(recheck ?? Infinity, dueMs - nowMs);
  }
  return { deletions, ...(recheck !== undefined ? { recheckAfterMs: recheck } : {}) };
}
