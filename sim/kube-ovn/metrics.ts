/**
 * What the Kube-OVN scenario measures, per migration and per phase, from what was observed: the
 * VMIM's phases and the target pod's binding (API server watches, with their resourceVersions for the
 * order of the writes) and the VM's Logical_Switch_Port changes (the NB database's own monitor). Pure.
 */

export type KubeOvnPhase = 'rolling-drain' | 'targets-wait';
export const KUBE_OVN_PHASES: readonly KubeOvnPhase[] = ['rolling-drain', 'targets-wait'];

/** One port change as the NB monitor delivered it (testbed/harness/kubeOvn.ts PortChange). */
export interface PortOptionsChange {
  readonly at: number;
  readonly options: Readonly<Record<string, string>>;
}

/** One migration as observed. Times are Date.now() milliseconds; rv = the write's resourceVersion. */
export interface ObservedMigration {
  readonly uid: string;
  readonly vmim: string;
  readonly vm: string;
  readonly phase: KubeOvnPhase;
  readonly createdAt: number;
  readonly sourceNode?: string;
  readonly targetNode?: string;
  /** When the VMIM was first seen in `Scheduling`, and that write's resourceVersion. */
  readonly schedulingAt?: number;
  readonly schedulingRv?: number;
  /** When the target pod was first seen bound, and that write's resourceVersion. */
  readonly boundAt?: number;
  readonly boundRv?: number;
  readonly endedAt?: number;
  readonly outcome: 'succeeded' | 'failed' | 'unfinished';
}

/** One migration's result as the report shows it. */
export interface MigrationNetworkRecord {
  readonly vmim: string;
  readonly vm: string;
  readonly phase: KubeOvnPhase;
  readonly sourceNode?: string;
  readonly targetNode?: string;
  /** `unfinished`: still running at the end (its target never started, or it waited behind one that did not). */
  readonly outcome: ObservedMigration['outcome'];
  /** The target pod was bound to a node (kube-ovn-controller had something to set up). */
  readonly targetBound: boolean;
  /**
   * When the migration was created, the VM's port already named one chassis (`requested-chassis`,
   * left by an earlier migration): only that node's ovn-controller may claim it, so a target whose
   * setup is skipped can never start.
   */
  readonly portPinned: boolean;
  /** Milliseconds the target pod waited for a node after the VMIM entered Scheduling (0 when bound first). */
  readonly targetWaitedMs?: number;
  /** kube-ovn-controller logged that it skipped the setup because the target pod had no node (kube-ovn#6823). */
  readonly skippedUnbound: boolean;
  /** kube-ovn-controller handled the VMIM while it was in Scheduling, the only phase that sets the options. */
  readonly handledInScheduling: boolean;
  /** It handled the VMIM, but only once it had left Scheduling (the target already ran): no options. */
  readonly handledOnlyLater: boolean;
  /** The port got both chassis and the RARP activation during this migration. */
  readonly multiChassis: boolean;
  /** Milliseconds from the target pod's binding to the multi-chassis options (when both happened). */
  readonly boundToOptionsMs?: number;
  /** After a successful migration, the port was handed to the target alone (`requested-chassis=<dst>`). */
  readonly handedToTarget: boolean;
}

/** How long after a migration ends its port's final change is still counted as its own. */
export const PORT_SETTLE_MS = 5_000;

const isMultiChassis = (o: Readonly<Record<string, string>>, src: string, dst: string) =>
  o['requested-chassis'] === `${src},${dst}` && o['activation-strategy'] === 'rarp';

/** What kube-ovn-controller's own log says (controllerLog.ts). */
export interface ControllerAccount {
  /** VMIM UIDs whose setup it skipped with the target pod unbound. */
  readonly skippedUnbound: ReadonlySet<string>;
  /** VMIM names it handled while they were in `Scheduling`. */
  readonly handledInScheduling: ReadonlySet<string>;
  /** VMIM names it handled only in a later phase (never in Scheduling) — none with the optimisation off, which handles no VMIM. */
  readonly handledOnlyLater: ReadonlySet<string>;
}

/** The record of one migration, from its observation, every change of its VM's port and the controller's account. */
export function migrationNetworkRecord(m: ObservedMigration, portChanges: readonly PortOptionsChange[], account: ControllerAccount): MigrationNetworkRecord {
  const end = (m.endedAt ?? Number.POSITIVE_INFINITY) + PORT_SETTLE_MS;
  const during = portChanges.filter((c) => c.at >= m.createdAt && c.at <= end);
  const src = m.sourceNode;
  const dst = m.targetNode;
  const options = src && dst ? during.find((c) => isMultiChassis(c.options, src, dst)) : undefined;
  const handed =
    m.outcome === 'succeeded' && dst !== undefined && m.endedAt !== undefined
      ? during.some((c) => c.at >= (options?.at ?? m.createdAt) && c.options['requested-chassis'] === dst)
      : false;
  const before = portChanges.filter((c) => c.at < m.createdAt).at(-1);
  const pinned = (before?.options['requested-chassis'] ?? '').split(',').filter(Boolean).length === 1;
  const waited = m.boundRv !== undefined && m.schedulingRv !== undefined && m.boundRv > m.schedulingRv;
  return {
    vmim: m.vmim,
    vm: m.vm,
    phase: m.phase,
    ...(src ? { sourceNode: src } : {}),
    ...(dst ? { targetNode: dst } : {}),
    outcome: m.outcome,
    targetBound: m.boundAt !== undefined,
    portPinned: pinned,
    ...(m.boundAt !== undefined && m.schedulingAt !== undefined ? { targetWaitedMs: waited ? Math.max(0, m.boundAt - m.schedulingAt) : 0 } : {}),
    skippedUnbound: account.skippedUnbound.has(m.uid),
    handledInScheduling: account.handledInScheduling.has(m.vmim),
    handledOnlyLater: account.handledOnlyLater.has(m.vmim),
    multiChassis: options !== undefined,
    ...(options && m.boundAt !== undefined ? { boundToOptionsMs: Math.max(0, options.at - m.boundAt) } : {}),
    handedToTarget: handed,
  };
}

/** One phase's figures for one mode. */
export interface PhaseSummary {
  readonly migrations: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Neither Succeeded nor Failed at the end. */
  readonly unfinished: number;
  /** Migrations kube-ovn-controller handled in Scheduling with a bound target (it set them up), and how many got the options. */
  readonly setUp: number;
  readonly setUpMultiChassis: number;
  /** Migrations with a bound target that it handled only after Scheduling (the target already ran). */
  readonly handledLate: number;
  readonly multiChassis: number;
  /**
   * Migrations kube-ovn-controller skipped with the target pod unbound; of those, how many got the
   * options anyway, and how many had a port pinned to the source (and of those, how many still finished).
   */
  readonly skippedUnbound: number;
  readonly skippedUnboundMultiChassis: number;
  readonly skippedPinned: number;
  readonly skippedPinnedFinished: number;
  /** The longest a target pod waited for a node after Scheduling. */
  readonly targetWaitedMaxMs: number;
  readonly handedToTarget: number;
  /** Binding → options, over the migrations that got them. */
  readonly boundToOptionsP50Ms?: number;
  readonly boundToOptionsMaxMs?: number;
}

function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function summarisePhase(records: readonly MigrationNetworkRecord[]): PhaseSummary {
  const latencies = records
    .map((r) => r.boundToOptionsMs)
    .filter((x): x is number => x !== undefined)
    .sort((a, b) => a - b);
  const skipped = records.filter((r) => r.skippedUnbound);
  const setUp = records.filter((r) => r.targetBound && r.handledInScheduling && !r.skippedUnbound);
  const p50 = percentile(latencies, 50);
  const max = latencies.at(-1);
  return {
    migrations: records.length,
    succeeded: records.filter((r) => r.outcome === 'succeeded').length,
    failed: records.filter((r) => r.outcome === 'failed').length,
    unfinished: records.filter((r) => r.outcome === 'unfinished').length,
    setUp: setUp.length,
    setUpMultiChassis: setUp.filter((r) => r.multiChassis).length,
    handledLate: records.filter((r) => r.handledOnlyLater).length,
    multiChassis: records.filter((r) => r.multiChassis).length,
    skippedUnbound: skipped.length,
    skippedUnboundMultiChassis: skipped.filter((r) => r.multiChassis).length,
    skippedPinned: skipped.filter((r) => r.portPinned).length,
    skippedPinnedFinished: skipped.filter((r) => r.portPinned && r.outcome !== 'unfinished').length,
    targetWaitedMaxMs: Math.max(0, ...records.map((r) => r.targetWaitedMs ?? 0)),
    handedToTarget: records.filter((r) => r.handedToTarget).length,
    ...(p50 !== undefined ? { boundToOptionsP50Ms: p50 } : {}),
    ...(max !== undefined ? { boundToOptionsMaxMs: max } : {}),
  };
}
