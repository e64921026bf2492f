/**
 * What one mode's run recorded, and the figures the table reports. Pure: the run loop records
 * facts (each VMIM with its origin, end and cause, each drain with what it left behind), this
 * module counts them. Times are simulated seconds since the run's start.
 */
import { type ModeName } from './modes.js';

export const FAILURE_CAUSES = ['machine-type', 'unschedulable', 'node-failure', 'other'] as const;
export type FailureCause = (typeof FAILURE_CAUSES)[number];

/** Who created the VMIM: KubeVirt's evacuation controller, kvfleet's controller (a fallback), or anyone else. */
export type MigrationOrigin = 'evacuation' | 'kvfleet' | 'other';

export interface MigrationRecord {
  readonly namespace: string;
  readonly name: string;
  readonly vmi: string;
  readonly origin: MigrationOrigin;
  readonly createdAt: number;
  /** The node the VMI ran on when the VMIM was created. */
  readonly sourceNode?: string;
  /** The node the target pod was bound to, if it ever was. */
  readonly targetNode?: string;
  readonly endedAt?: number;
  /** `unfinished`: neither Succeeded nor Failed when the run ended. */
  readonly outcome: 'succeeded' | 'failed' | 'unfinished';
  /** Set for `failed`. */
  readonly cause?: FailureCause;
  /**
   * A second in-flight VMIM for its VMI. KubeVirt's admission refuses these
   * (ensureNoMigrationConflict), so they are no migration attempt: they count in the duplicates
   * column only.
   */
  readonly duplicate?: boolean;
}

export interface LeftVmi {
  readonly namespace: string;
  readonly name: string;
  /** `status.machine.type` */
  readonly machineType: string;
}

/**
 * How a drain ended: the node had no VMIs left (`empty`); every VMI still there could run on no
 * other node in service, and that held for the grace period (`only-unplaceable`); or it hit the time
 * cap with VMIs that could have gone somewhere still there (`time-cap`).
 */
export type DrainEnd = 'empty' | 'only-unplaceable' | 'time-cap';

export interface DrainRecord {
  readonly node: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly ended: DrainEnd;
  readonly vmisAtStart: number;
  /** VMIs still on the node when the drain ended: shut down by the re-image, i.e. stranded. */
  readonly left: readonly LeftVmi[];
}

export interface RunRecord {
  readonly mode: ModeName;
  readonly migrations: readonly MigrationRecord[];
  readonly drains: readonly DrainRecord[];
  /** `namespace/name` of every VMI `kvfleet plan` called stranded before the run. */
  readonly planStranded: readonly string[];
  /** VMIM creations that left a VMI with two unfinished VMIMs at once, as a watch saw them. */
  readonly duplicateInFlight: number;
  /** First drain start → last node back on its new release. */
  readonly upgradeSeconds: number;
}

export interface ModeResult {
  readonly mode: ModeName;
  readonly attempted: number;
  readonly failed: Readonly<Record<FailureCause, number>>;
  readonly failedTotal: number;
  /** VMIs moved off a draining node (a VMI moved twice, by two drains, counts twice). */
  readonly evacuated: number;
  readonly stranded: number;
  readonly strandedNamedByPlan: number;
  /** Migrations beyond one per evacuation. */
  readonly extraAttempts: number;
  readonly duplicateInFlight: number;
  readonly kvfleetFallbacks: number;
  readonly drainP50Seconds: number;
  readonly drainP99Seconds: number;
  readonly upgradeSeconds: number;
  /** Drains that hit the time cap with VMIs that could have gone somewhere. */
  readonly drainsTimedOut: number;
}

/** Nearest-rank quantile (the smallest value with at least q of the values at or below it); 0 for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export const vmiKey = (v: { readonly namespace: string; readonly name: string }) => `${v.namespace}/${v.name}`;

export function modeResult(run: RunRecord): ModeResult {
  const failed = Object.fromEntries(FAILURE_CAUSES.map((c) => [c, 0])) as Record<FailureCause, number>;
  const migrations = run.migrations.filter((m) => !m.duplicate);
  for (const m of migrations) if (m.outcome === 'failed') failed[m.cause ?? 'other']++;
  const evacuated = run.drains.reduce((s, d) => s + d.vmisAtStart - d.left.length, 0);
  const stranded = run.drains.flatMap((d) => d.left.map(vmiKey));
  const named = new Set(run.planStranded);
  const durations = run.drains.map((d) => d.endedAt - d.startedAt);
  return {
    mode: run.mode,
    attempted: migrations.length,
    failed,
    failedTotal: Object.values(failed).reduce((a, b) => a + b, 0),
    evacuated,
    stranded: stranded.length,
    strandedNamedByPlan: stranded.filter((k) => named.has(k)).length,
    extraAttempts: Math.max(0, migrations.length - evacuated),
    duplicateInFlight: run.duplicateInFlight,
    kvfleetFallbacks: migrations.filter((m) => m.origin === 'kvfleet').length,
    drainP50Seconds: quantile(durations, 0.5),
    drainP99Seconds: quantile(durations, 0.99),
    upgradeSeconds: run.upgradeSeconds,
    drainsTimedOut: run.drains.filter((d) => d.ended === 'time-cap').length,
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
 * The drain rule, as a pure decision. A drain ends when the node hosts no VMIs; or when every VMI
 * still on it can run on no other node in service (the truth: no such node's QEMU offers its
 * machine type) and that has held for `unplaceableGraceSeconds`; or after `maxDrainSeconds`, whatever
 * is left. Until then it waits: a VMI that can go somewhere is given the whole time cap.
 */
export function drainVerdict(
  s: {
    readonly nowSeconds: number;
    readonly startedAt: number;
    readonly vmisOnNode: number;
    /** Since when every VMI on the node has been unplaceable; undefined while one is not. */
    readonly onlyUnplaceableSince: number | undefined;
  },
  t: { readonly unplaceableGraceSeconds: number; readonly maxDrainSeconds: number },
): DrainEnd | 'continue' {
  if (s.vmisOnNode === 0) return 'empty';
  if (s.onlyUnplaceableSince !== undefined && s.nowSeconds - s.onlyUnplaceableSince >= t.unplaceableGraceSeconds) return 'only-unplaceable';
  if (s.nowSeconds - s.startedAt >= t.maxDrainSeconds) return 'time-cap';
  return 'continue';
}
