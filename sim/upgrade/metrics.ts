/**
 * What one mode's run recorded, and the figures the table reports. Pure: the run loop records facts
 * (each VMIM with its origin and outcome, each drain with what it left, each VMI's launcher at the
 * end), this module counts them. Times are seconds since the step started (real time: the real
 * virt-controller keeps it).
 */
import { type ModeName } from './modes.js';
import { neverBoundSeconds, type TargetPodPlacement, targetPodPlacement, type TargetPodRecord } from '../support/targetPods.js';

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
  /** For `failed`: why (`failureCause`). */
  readonly cause?: FailureCause;
}

/**
 * Why a VMIM failed: `unschedulable` when it had target pods (`bound` defined) and none was ever bound
 * (KubeVirt's unschedulable timeout deleted them) and it never named a target node; `other` when it
 * had no target pod at all (rejected, say, while another migration of its VMI ran) or one was bound.
 */
export function failureCause(bound: boolean | undefined, targetNode?: string): FailureCause {
  return bound === false && !targetNode ? 'unschedulable' : 'other';
}

export interface LeftVmi {
  readonly namespace: string;
  readonly name: string;
  /** `status.machine.type` */
  readonly machineType: string;
  /** `spec.architecture` (absent in records from before the mixed-arch scenario: amd64). */
  readonly architecture?: string;
}

/** How a drain ended: the node had no VMIs left (`empty`), or it hit the cap with VMIs still there (`stalled`). */
export type DrainEnd = 'empty' | 'stalled';

export interface DrainRecord {
  readonly node: string;
  /** The node's `kubernetes.io/arch` (absent in records from before the mixed-arch scenario: amd64). */
  readonly architecture?: string;
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
  /** …of them, those whose only fix is holding the step. */
  readonly planHolds?: readonly string[];
  /** VMIs restarted onto the move-to type before the step (kvfleet mode: the plan's fixes). */
  readonly restartedBeforeStep: readonly string[];
  /** VMIs still on the old launcher image at the end, with their type. */
  readonly outdatedAtEnd: readonly LeftVmi[];
  readonly vmisAtEnd: number;
  /** Step start → every VMI on the new launcher; undefined when that never happened in the run. */
  readonly fullyUpdatedAt?: number;
  /** VMIs per `spec.architecture` at the end. */
  readonly vmisByArchitecture?: Readonly<Record<string, number>>;
  /** Step start → every VMI of the architecture on the new launcher (architectures where that happened). */
  readonly fullyUpdatedAtByArchitecture?: Readonly<Record<string, number>>;
  /** Every migration target pod seen, and where it went. */
  readonly targetPods?: readonly TargetPodRecord[];
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
  /** Outdated VMIs at the end whose only fix was holding the step (absent in older results). */
  readonly outdatedHeld?: number;
  /** Where the target pods went (absent in older results). */
  readonly targetPods?: TargetPodPlacement;
  /**
   * Migrations of any origin (update, evacuation, kvfleet fallback) that failed with no target pod
   * ever bound, and how many VMIs they were for (absent in older results).
   */
  readonly unschedulableFailed?: number;
  readonly unschedulableFailedVmis?: number;
  /** Seconds the never-bound target pods existed, summed: migration-slot time nothing could use (targetPods.ts `neverBoundSeconds`; absent in older results). */
  readonly neverBoundTargetPodSeconds?: number;
  /** The figures of each architecture's VMIs and nodes (absent in older results). */
  readonly byArchitecture?: Readonly<Record<string, ArchitectureResult>>;
}

/** One architecture's share of a mode's figures: its VMIs, the drains of its nodes, its target pods. */
export interface ArchitectureResult {
  readonly vmis: number;
  readonly outdatedAtEnd: number;
  /** …of them, VMIs whose only fix was holding the step (when the record has the plan's holds). */
  readonly outdatedHeld?: number;
  readonly drains: number;
  readonly drainsStalled: number;
  readonly drainMaxSeconds: number;
  /** Undefined when some VMI of the architecture was never updated within the run. */
  readonly fullyUpdatedSeconds?: number;
  readonly targetPodsNeverBound: number;
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
  const unschedulable = run.migrations.filter((m) => m.outcome === 'failed' && m.cause === 'unschedulable');
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
    ...(run.planHolds ? { outdatedHeld: run.outdatedAtEnd.filter((v) => run.planHolds!.includes(vmiKey(v))).length } : {}),
    ...(run.targetPods ? { targetPods: targetPodPlacement(run.targetPods) } : {}),
    // Counted where the record has the target pods too: the cause is read from them (observer.ts).
    ...(run.targetPods
      ? {
          unschedulableFailed: unschedulable.length,
          unschedulableFailedVmis: new Set(unschedulable.map((m) => m.vmi)).size,
          neverBoundTargetPodSeconds: neverBoundSeconds(run.targetPods, run.stepSeconds),
        }
      : {}),
    ...(run.vmisByArchitecture ? { byArchitecture: byArchitecture(run, run.vmisByArchitecture) } : {}),
  };
}

/** Records from before architectures were recorded are amd64. */
const archOf = (x: { readonly architecture?: string }) => x.architecture ?? 'amd64';

/** The per-architecture figures: VMIs by `spec.architecture`, drains by the node's, target pods by the VMI's. */
export function byArchitecture(run: RunRecord, vmis: Readonly<Record<string, number>>): Record<string, ArchitectureResult> {
  const out: Record<string, ArchitectureResult> = {};
  for (const arch of Object.keys(vmis).sort()) {
    const drains = run.drains.filter((d) => archOf(d) === arch);
    const updatedAt = run.fullyUpdatedAtByArchitecture?.[arch];
    out[arch] = {
      vmis: vmis[arch]!,
      outdatedAtEnd: run.outdatedAtEnd.filter((v) => archOf(v) === arch).length,
      ...(run.planHolds ? { outdatedHeld: run.outdatedAtEnd.filter((v) => archOf(v) === arch && run.planHolds!.includes(vmiKey(v))).length } : {}),
      drains: drains.length,
      drainsStalled: drains.filter((d) => d.ended === 'stalled').length,
      drainMaxSeconds: quantile(
        drains.map((d) => d.endedAt - d.startedAt),
        1,
      ),
      ...(updatedAt !== undefined ? { fullyUpdatedSeconds: updatedAt } : {}),
      targetPodsNeverBound: targetPodPlacement((run.targetPods ?? []).filter((p) => (p.vmiArchitecture ?? 'amd64') === arch)).neverBound,
    };
  }
  return out;
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

/**
 * When the cluster, and each architecture's VMIs, first had no VMI on an outdated launcher: fed the
 * outdated VMIs (with their `spec.architecture`) after every change.
 */
export class UpdateProgress {
  private overall: number | undefined;
  private readonly perArchitecture = new Map<string, number>();

  constructor(private readonly architectures: readonly string[]) {}

  observe(outdated: readonly { readonly architecture?: string }[], now: number): void {
    if (this.overall === undefined && outdated.length === 0) this.overall = now;
    for (const arch of this.architectures) {
      if (!this.perArchitecture.has(arch) && !outdated.some((v) => (v.architecture ?? 'amd64') === arch)) this.perArchitecture.set(arch, now);
    }
  }

  get fullyUpdatedAt(): number | undefined {
    return this.overall;
  }

  byArchitecture(): Record<string, number> {
    return Object.fromEntries([...this.perArchitecture].sort(([a], [b]) => a.localeCompare(b)));
  }
}
