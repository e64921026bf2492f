/**
 * What one mode's run recorded, and the figures the table reports. Pure: the run loop records facts
 * (each VMIM with its origin and outcome, each drain with what it left, each VMI's launcher at the
 * end), this module counts them. Times are seconds since the step started (real time: the real
 * virt-controller keeps it).
 */
import { type ModeName } from './modes.js';

/** Who created the VMIM: virt-controller's workload updater or evacuation controller, kvfleet's controller, or anyone else. */
export type MigrationOrigin = 'workload-update' | 'evacuation' | 'kvfleet' | 'other';
export type FailureCause = 'unschedulable' | 'other';

export interface MigrationRecord {
  readonly namespace: string;
  readonly name: string;
  readonly vmi: string;
  readonly origin: MigrationOrigin;
  readonly createdAt: number;
  readonly sourceNode?: string;
  /** The node of the target pod, if it was ever bound. */
  readonly targetNode?: string;
  readonly endedAt?: number;
  /** `unfinished`: neither Succeeded nor Failed when the run ended. */
  readonly outcome: 'succeeded' | 'failed' | 'unfinished';
  /** For `failed`: `unschedulable` when no target pod was ever bound (KubeVirt's unschedulable timeout). */
  readonly cause?: FailureCause;
}

export interface LeftVmi {
  readonly namespace: string;
  readonly name: string;
  /** `status.machine.type` */
  readonly machineType: string;
}

/** How a drain ended: the node had no VMIs left (`empty`), or it hit the cap with VMIs still there (`stalled`). */
export type DrainEnd = 'empty' | 'stalled';

export interface DrainRecord {
  readonly node: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly ended: DrainEnd;
  readonly vmisAtStart: number;
  /** VMIs still on the node when the drain gave up. */
  readonly left: readonly LeftVmi[];
}

export interface RunRecord {
  readonly mode: ModeName;
  readonly migrations: readonly MigrationRecord[];
  readonly drains: readonly DrainRecord[];
  /** `namespace/name` of every VMI `kvfleet plan` called stranded before the step. */
  readonly planStranded: readonly string[];
  /** VMIs restarted onto the move-to type before the step (kvfleet mode: the plan's fixes). */
  readonly restartedBeforeStep: readonly string[];
  /** VMIs still on the old launcher image at the end, with their type. */
  readonly outdatedAtEnd: readonly LeftVmi[];
  readonly vmisAtEnd: number;
  /** Step start → every VMI on the new launcher; undefined when that never happened in the run. */
  readonly fullyUpdatedAt?: number;
  /** Step start → the last drain's end. */
  readonly stepSeconds: number;
  readonly duplicateInFlight: number;
}

export interface ModeResult {
  readonly mode: ModeName;
  readonly restartedBeforeStep: number;
  readonly outdatedAtEnd: number;
  readonly outdatedNamedByPlan: number;
  readonly updateMigrations: number;
  readonly updateFailed: number;
  /** Update migrations beyond the first for their VMI: the workload updater trying again. */
  readonly updateRetries: number;
  readonly evacuations: number;
  readonly evacuationsFailed: number;
  readonly kvfleetFallbacks: number;
  readonly drainsStalled: number;
  readonly drains: number;
  readonly drainP50Seconds: number;
  readonly drainMaxSeconds: number;
  /** Undefined when the cluster was never fully updated within the run. */
  readonly fullyUpdatedSeconds?: number;
  readonly stepSeconds: number;
  readonly duplicateInFlight: number;
}

/** Nearest-rank quantile (the smallest value with at least q of the values at or below it); 0 for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export const vmiKey = (v: { readonly namespace: string; readonly name: string }) => `${v.namespace}/${v.name}`;

export function modeResult(run: RunRecord): ModeResult {
  const of = (origin: MigrationOrigin) => run.migrations.filter((m) => m.origin === origin);
  const updates = of('workload-update');
  const evacuations = of('evacuation');
  const perVmi = new Map<string, number>();
  for (const m of updates) perVmi.set(m.vmi, (perVmi.get(m.vmi) ?? 0) + 1);
  const named = new Set(run.planStranded);
  const durations = run.drains.map((d) => d.endedAt - d.startedAt);
  return {
    mode: run.mode,
    restartedBeforeStep: run.restartedBeforeStep.length,
    outdatedAtEnd: run.outdatedAtEnd.length,
    outdatedNamedByPlan: run.outdatedAtEnd.filter((v) => named.has(vmiKey(v))).length,
    updateMigrations: updates.length,
    updateFailed: updates.filter((m) => m.outcome === 'failed').length,
    updateRetries: [...perVmi.values()].reduce((s, n) => s + n - 1, 0),
    evacuations: evacuations.length,
    evacuationsFailed: evacuations.filter((m) => m.outcome === 'failed').length,
    kvfleetFallbacks: of('kvfleet').length,
    drainsStalled: run.drains.filter((d) => d.ended === 'stalled').length,
    drains: run.drains.length,
    drainP50Seconds: quantile(durations, 0.5),
    drainMaxSeconds: quantile(durations, 1),
    ...(run.fullyUpdatedAt !== undefined ? { fullyUpdatedSeconds: run.fullyUpdatedAt } : {}),
    stepSeconds: run.stepSeconds,
    duplicateInFlight: run.duplicateInFlight,
  };
}

/**
 * Counts duplicate in-flight VMIMs from a stream of observations: each VMIM is reported when first
 * seen and when it reaches a final phase (or disappears). A creation that finds another unfinished
 * VMIM of the same VMI counts once.
 */
export class InFlightTracker {
  private readonly open = new Map<string, Set<string>>();
  private readonly seen = new Set<string>();
  duplicates = 0;
  readonly examples: string[] = [];

  /** A VMIM seen unfinished. */
  started(vmiKeyValue: string, vmimUid: string): void {
    if (this.seen.has(vmimUid)) return;
    this.seen.add(vmimUid);
    const set = this.open.get(vmiKeyValue) ?? new Set<string>();
    if (set.size > 0) {
      this.duplicates++;
      if (this.examples.length < 10) this.examples.push(vmiKeyValue);
    }
    set.add(vmimUid);
    this.open.set(vmiKeyValue, set);
  }

  /** A VMIM seen final or deleted. */
  finished(vmiKeyValue: string, vmimUid: string): void {
    this.seen.add(vmimUid);
    this.open.get(vmiKeyValue)?.delete(vmimUid);
  }
}

/**
 * The drain rule: a drain ends when the node hosts no VMIs; it stalls once no VMI has left the node
 * for `drainStallSeconds`, or at `drainCapSeconds`, with VMIs still on it.
 */
export function drainVerdict(
  s: { readonly nowSeconds: number; readonly startedAt: number; readonly vmisOnNode: number; readonly lastProgressAt: number },
  t: { readonly drainStallSeconds: number; readonly drainCapSeconds: number },
): DrainEnd | 'continue' {
  if (s.vmisOnNode === 0) return 'empty';
  if (s.nowSeconds - s.lastProgressAt >= t.drainStallSeconds) return 'stalled';
  if (s.nowSeconds - s.startedAt >= t.drainCapSeconds) return 'stalled';
  return 'continue';
}
