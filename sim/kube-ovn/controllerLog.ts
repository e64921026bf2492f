/**
 * What kube-ovn-controller says it did with a migration, read from its own log. v1.16.2's
 * `handleAddOrUpdateVMIMigration` (pkg/controller/kubevirt.go) logs a warning and returns without
 * error when, at `Scheduling`, the target pod has no node yet:
 *
 *   VM pod <ns>/<pod> migration setup skipped, source node: <src>, target node: <dst> (migration job UID: <uid>)
 *
 * It is queued again only on the VMIM's next phase change (`enqueueUpdateVMIMigration`), and no later
 * phase sets the options: that migration never gets the multi-chassis port (kube-ovn#6823, fixed by
 * PR #6834 in v1.16.3). The log is the controller's own account, so the report counts what it
 * skipped rather than guessing from timings. Pure.
 */

export interface SkippedSetup {
  readonly uid: string;
  readonly pod: string;
  readonly sourceNode: string;
  /** Empty when the target pod was still unbound: the kube-ovn#6823 case. */
  readonly targetNode: string;
}

const SKIPPED = /VM pod (\S+) migration setup skipped, source node: (\S*), target node: (\S*) \(migration job UID: ([0-9a-f-]+)\)/;

/** Every skipped migration setup in the log, by VMIM UID (the first line for each). */
export function skippedSetups(log: string): Map<string, SkippedSetup> {
  const out = new Map<string, SkippedSetup>();
  for (const line of log.split('\n')) {
    const m = SKIPPED.exec(line);
    if (!m || out.has(m[4]!)) continue;
    out.set(m[4]!, { uid: m[4]!, pod: m[1]!, sourceNode: m[2]!, targetNode: m[3]! });
  }
  return out;
}

const HANDLED = /current vmiMigration (\S+) status (\w+)/;

/**
 * The phases in which kube-ovn-controller handled each VMIM (`namespace/name` → phases), from the line
 * `handleAddOrUpdateVMIMigration` logs for every key it takes from its queue. The handler reads the
 * VMIM as it is then (a GET), not as it was when queued, and only `Scheduling` sets the options: a
 * migration whose target ran before its key came up is handled in `Scheduled` or later and gets none.
 */
export function handledPhases(log: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const line of log.split('\n')) {
    const m = HANDLED.exec(line);
    if (!m) continue;
    const phases = out.get(m[1]!) ?? new Set<string>();
    phases.add(m[2]!);
    out.set(m[1]!, phases);
  }
  return out;
}
