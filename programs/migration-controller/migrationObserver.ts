/**
 * What the controller remembers about each migration between events (the target pod's
 * unschedulable message outlives the pod KubeVirt deletes) and the metrics it records from them.
 * Every replica remembers; only the acting one counts, so a fleet dashboard sums one replica.
 */
import { type Logger } from '../runtime/logger.js';
import { type TargetObservation } from './failureReasons.js';
import { type MigrationMetrics } from './metrics.js';
import { isFinalPhase, type TargetPodView, type VmimView } from './objectViews.js';
import { networkReadiness, phaseDurations } from './phaseTimings.js';

interface Memory {
  unschedulableMessage?: string;
  nodeName?: string;
  routedMs?: number;
  /** Seen in a non-final phase by this process: its end is news, not history. */
  seenActive: boolean;
  /** When this process first saw it Failed: the start of event-to-action latency. */
  failedSeenMs?: number;
  counted: boolean;
  unschedulableCounted: boolean;
  /** Failure reason already counted for this migration (a decision repeats; the count must not). */
  judged?: string;
  /** Reports (log lines, Events) already made for this migration. */
  reported?: Set<string>;
}

export interface ObserverOptions {
  readonly metrics: MigrationMetrics;
  readonly kubeOvn: boolean;
  readonly now: () => number;
  readonly logger: Logger;
  /** True while this replica acts (holds the Lease). */
  readonly counting: () => boolean;
  /** Migrations that finished before this instant belong to a previous leader's figures. */
  readonly countFinishedAfterMs: () => number;
}

// A node-selector mismatch is how KubeVirt's machine-type selector (and kvfleet's pin) shows up.
const SELECTOR_MISMATCH = /node affinity\/selector|node\(s\) didn't match/i;

export class MigrationObserver {
  private readonly memory = new Map<string, Memory>();

  constructor(private readonly opts: ObserverOptions) {}

  private entry(uid: string): Memory {
    let m = this.memory.get(uid);
    if (!m) {
      m = { seenActive: false, counted: false, unschedulableCounted: false };
      this.memory.set(uid, m);
    }
    return m;
  }

  targetObservation(uid: string): TargetObservation | undefined {
    const m = this.memory.get(uid);
    if (!m) return undefined;
    return { ...(m.unschedulableMessage ? { unschedulableMessage: m.unschedulableMessage } : {}), ...(m.nodeName ? { nodeName: m.nodeName } : {}) };
  }

  failedSeenMs(uid: string): number | undefined {
    return this.memory.get(uid)?.failedSeenMs;
  }

  /**
   * Counts a failed migration under the first reason found for it; a later, different verdict
   * (in flight → superseded) does not count it twice.
   */
  judge(uid: string, reason: string, fixable: boolean): void {
    const m = this.entry(uid);
    if (m.judged !== undefined) return;
    m.judged = reason;
    if (this.opts.counting()) this.opts.metrics.failures.inc({ reason, fixable: String(fixable) });
  }

  /** True the first time `what` is reported for this migration in this process. */
  once(uid: string, what: string): boolean {
    const m = this.entry(uid);
    m.reported ??= new Set();
    if (m.reported.has(what)) return false;
    m.reported.add(what);
    return true;
  }

  forget(uid: string): void {
    this.memory.delete(uid);
  }

  get size(): number {
    return this.memory.size;
  }

  observeVmim(v: VmimView): void {
    const m = this.entry(v.uid);
    if (!isFinalPhase(v.phase)) {
      m.seenActive = true;
      return;
    }
    if (v.phase === 'Failed' && m.failedSeenMs === undefined) m.failedSeenMs = this.opts.now();
    if (m.counted || !this.opts.counting()) return;
    const finishedMs = v.phaseTimes[v.phase!] ?? v.createdMs;
    if (!m.seenActive && finishedMs < this.opts.countFinishedAfterMs()) return;
    m.counted = true;
    const { metrics } = this.opts;
    metrics.migrations.inc({ result: v.phase === 'Succeeded' ? 'succeeded' : 'failed', origin: v.kvfleet ? 'kvfleet' : 'user' });
    for (const d of phaseDurations(v.phaseTimes)) metrics.phaseSeconds.observe({ phase: d.phase }, d.seconds);
    if (this.opts.kubeOvn) {
      // KubeVirt's timestamps have 1 s resolution; compare at that resolution, not ours.
      const routedMs = m.routedMs === undefined ? undefined : Math.floor(m.routedMs / 1000) * 1000;
      const n = networkReadiness({
        ...(v.phaseTimes.Scheduling !== undefined ? { schedulingMs: v.phaseTimes.Scheduling } : {}),
        ...(v.phaseTimes.Running !== undefined ? { runningMs: v.phaseTimes.Running } : {}),
        ...(routedMs !== undefined ? { routedMs } : {}),
      });
      if (n.readySeconds !== undefined) metrics.networkReadySeconds.observe(n.readySeconds);
      if (n.runningBeforeReady) {
        metrics.runningBeforeNetworkReady.inc();
        this.opts.logger.warn({ namespace: v.namespace, vmim: v.name }, 'migration reached Running before the target pod network was routed');
      }
    }
  }

  /** `machineType` is the VMI's, when known, for the rejection metric. */
  observeTargetPod(p: TargetPodView, machineType: string | undefined): void {
    const m = this.entry(p.vmimUid);
    if (p.nodeName) m.nodeName = p.nodeName;
    if (p.networkRouted && m.routedMs === undefined) {
      m.routedMs = this.opts.now();
      if (this.opts.kubeOvn && this.opts.counting()) this.opts.metrics.targetNetworkRouted.inc();
    }
    if (!p.unschedulableMessage) return;
    m.unschedulableMessage = p.unschedulableMessage;
    if (m.unschedulableCounted || !this.opts.counting()) return;
    m.unschedulableCounted = true;
    this.opts.metrics.targetUnschedulable.inc();
    if (machineType && SELECTOR_MISMATCH.test(p.unschedulableMessage)) {
      this.opts.metrics.machineTypeRejections.inc({ machine_type: machineType, reason: 'target-unschedulable' });
    }
    this.opts.logger.info(
      { namespace: p.namespace, pod: p.name, vmimUid: p.vmimUid, message: p.unschedulableMessage },
      'migration target pod is unschedulable; a fallback follows when KubeVirt fails the migration',
    );
  }
}
