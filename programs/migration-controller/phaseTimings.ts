/**
 * Durations read off a migration's phase history, and the Kube-OVN network cut-over relative to
 * it. Pure: timestamps in, seconds out.
 */
import { FINAL_PHASES, VMIM_PHASES } from './objectViews.js';

// Known phases only: a phase label taken from arbitrary status text would make the metric's
// cardinality unbounded.
const KNOWN_PHASES: readonly string[] = [...VMIM_PHASES, 'WaitingForSync', 'Synchronizing'];

export interface PhaseDuration {
  readonly phase: string;
  readonly seconds: number;
}

/**
 * Time spent in each phase the migration passed through: from entering it to entering the next.
 * Final phases have no duration; phases KubeVirt never recorded are simply absent.
 */
export function phaseDurations(phaseTimes: Readonly<Record<string, number>>): PhaseDuration[] {
  const order = (p: string) => KNOWN_PHASES.indexOf(p);
  const entries = Object.entries(phaseTimes)
    .filter(([phase]) => order(phase) >= 0)
    .sort(([pa, a], [pb, b]) => a - b || order(pa) - order(pb));
  const out: PhaseDuration[] = [];
  for (let i = 0; i + 1 < entries.length; i++) {
    const [phase, start] = entries[i]!;
    if (FINAL_PHASES.includes(phase)) continue;
    out.push({ phase, seconds: Math.max(0, (entries[i + 1]![1] - start) / 1000) });
  }
  return out;
}

export interface NetworkTimeline {
  /** When the VMIM entered Scheduling: Kube-OVN sets the multi-chassis binding then. */
  readonly schedulingMs?: number;
  readonly runningMs?: number;
  /** When the controller first saw `ovn.kubernetes.io/routed: "true"` on the target pod. */
  readonly routedMs?: number;
}

export interface NetworkReadiness {
  /** Scheduling → target network ready, when both are known. */
  readonly readySeconds?: number;
  /** The migration reached Running while the target pod's network was not (yet) routed. */
  readonly runningBeforeReady: boolean;
}

export function networkReadiness(t: NetworkTimeline): NetworkReadiness {
  const readySeconds = t.schedulingMs !== undefined && t.routedMs !== undefined ? Math.max(0, (t.routedMs - t.schedulingMs) / 1000) : undefined;
  return {
    ...(readySeconds !== undefined ? { readySeconds } : {}),
    runningBeforeReady: t.runningMs !== undefined && (t.routedMs === undefined || t.routedMs > t.runningMs),
  };
}
