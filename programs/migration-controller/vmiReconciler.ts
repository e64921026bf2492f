/**
 * Reconciles one VMI: cleans up kvfleet's own VMIMs for it, then decides about its latest failed
 * migration and acts. Level-based: it reads the index (current state) and never the event that
 * woke it, so repeating it after a restart or relist changes nothing that is already right.
 */
import { type ResolvedPool } from '../../compatibility/poolMachineTypes.js';
import { type Logger } from '../runtime/logger.js';
import { planCleanup } from './cleanupDecision.js';
import { type Outcome } from '../runtime/outcome.js';
import { type ControllerWrites, type VmiEvent, WriteRefused } from './controllerWrites.js';
import { type EventSink } from './eventSink.js';
import { decideFallback, type FallbackDecision } from './fallbackDecision.js';
import { type MigrationMetrics } from './metrics.js';
import { type MigrationIndex } from './migrationIndex.js';
import { type MigrationObserver } from './migrationObserver.js';
import { type VmimView, type VmiView } from './objectViews.js';
import { type ControllerSettings } from './settings.js';

export interface ReconcilerDeps {
  readonly index: MigrationIndex;
  readonly observer: MigrationObserver;
  readonly writes: ControllerWrites;
  readonly settings: ControllerSettings;
  readonly pools: () => readonly ResolvedPool[] | undefined;
  readonly metrics: MigrationMetrics;
  readonly logger: Logger;
  readonly now: () => number;
  /** VMIs waiting for a compatible node; node changes wake them. */
  readonly waitingForNodes: Set<string>;
  readonly events: Pick<EventSink, 'record'>;
}

type Decision<K extends FallbackDecision['kind']> = Extract<FallbackDecision, { kind: K }>;
/** Where a decision's log lines point. */
type LogPlace = { readonly namespace: string; readonly vmi: string; readonly vmim: string };

/** The VMIM a decision is about: the newest, a fallback ranking after the VMIM it retries. */
export function latestVmim(vmims: readonly VmimView[]): VmimView | undefined {
  const live = vmims.filter((v) => !v.deleting || v.phase === 'Failed');
  return live.reduce<VmimView | undefined>((best, v) => {
    if (!best) return v;
    if (v.createdMs !== best.createdMs) return v.createdMs > best.createdMs ? v : best;
    if (v.kvfleet?.fallbackOfUid === best.uid) return v;
    if (best.kvfleet?.fallbackOfUid === v.uid) return best;
    return v.name > best.name ? v : best;
  }, undefined);
}

export class VmiReconciler {
  constructor(private readonly d: ReconcilerDeps) {}

  /**
   * Runs only while this replica acts (the loop's gate, reconcileLoop.ts); a write that would
   * outlive the Lease is refused where it is sent and ends the reconcile as `refused`.
   */
  async reconcile(key: string): Promise<Outcome> {
    const { index, settings, logger, metrics } = this.d;
    const now = this.d.now();
    const vmi = index.vmi(key);
    const vmims = index.vmimsOf(key);

    const cleanup = planCleanup(vmi, vmims, now, settings.migration);
    for (const { vmim, reason } of cleanup.deletions) {
      let result: 'deleted' | 'gone';
      try {
        result = await this.d.writes.deleteVmim(vmim.namespace, vmim.name, vmim.uid);
      } catch (e) {
        if (e instanceof WriteRefused) return { kind: 'refused', reason: e.message };
        return { kind: 'retry', code: 'vmim-delete', error: new Error(`deleting ${vmim.namespace}/${vmim.name}`, { cause: e }) };
      }
      if (result === 'deleted') {
        metrics.deletions.inc({ reason });
        logger.info({ namespace: vmim.namespace, vmim: vmim.name, vmi: vmim.vmiName, reason }, 'deleted kvfleet VMIM');
      }
    }
    const deleted = new Set(cleanup.deletions.map((d) => d.vmim.uid));
    const remaining = vmims.filter((v) => !deleted.has(v.uid));

    this.d.waitingForNodes.delete(key);
    const failed = latestVmim(remaining);
    let outcome: Outcome = { kind: 'done' };
    if (failed?.phase === 'Failed' && vmi) {
      outcome = await this.decideAndAct(key, failed, remaining);
    } else if (failed?.phase === 'Failed') {
      this.d.observer.judge(failed.uid, 'VmiGone', false);
    }
    if (cleanup.recheckAfterMs !== undefined) {
      const after = cleanup.recheckAfterMs;
      if (outcome.kind === 'done' || (outcome.kind === 'after' && outcome.ms > after)) outcome = { kind: 'after', ms: after };
    }
    return outcome;
  }

  private async decideAndAct(key: string, failed: VmimView, siblings: VmimView[]): Promise<Outcome> {
    const vmi = this.d.index.vmi(key)!;
    const decision = this.decide(failed, vmi, siblings);
    const where = { namespace: failed.namespace, vmi: vmi.name, vmim: failed.name };
    if (decision.kind === 'skip') return this.skip(failed, vmi, decision, where);
    this.d.observer.judge(failed.uid, decision.reason, true);
    if (decision.kind === 'wait') {
      this.d.logger.debug({ ...where, attempt: decision.attempt, waitMs: decision.delayMs }, 'fallback waits out its backoff');
      return { kind: 'after', ms: decision.delayMs };
    }
    if (decision.kind === 'no-target') return this.noTarget(key, failed, vmi, decision, where);
    return this.createFallback(failed, vmi, decision, where);
  }

  /** The pure decision (fallbackDecision.ts) over what the index and the observer know now. */
  private decide(failed: VmimView, vmi: VmiView, siblings: VmimView[]): FallbackDecision {
    const { index, observer, settings } = this.d;
    const pools = this.d.pools();
    const targetPod = index.targetPod(failed.uid);
    const observed = observer.targetObservation(failed.uid);
    return decideFallback({
      failed,
      vmi,
      siblings,
      ...(targetPod ? { targetPod } : {}),
      ...(observed ? { observed } : {}),
      nodes: index.nodes,
      nowMs: this.d.now(),
      settings: settings.migration,
      scheduling: settings.scheduling,
      ...(pools ? { pools } : {}),
    });
  }

  /** No fallback: judged, logged once, and an Event once the attempts are used up. */
  private skip(failed: VmimView, vmi: VmiView, decision: Decision<'skip'>, where: LogPlace): Outcome {
    const { observer, logger } = this.d;
    observer.judge(failed.uid, decision.reason, decision.reason === 'AttemptsExhausted');
    if (observer.once(failed.uid, `skip:${decision.reason}`)) {
      logger.info({ ...where, reason: decision.reason, detail: decision.detail }, 'no fallback for failed migration');
      if (decision.reason === 'AttemptsExhausted') {
        this.event({
          vmi,
          type: 'Warning',
          reason: 'MigrationFallbackExhausted',
          message: `No further fallback for migration ${failed.name}: ${decision.detail}`,
          dedupeKey: `exhausted/${failed.uid}`,
        });
      }
    }
    return { kind: 'done' };
  }

  /** Fixable, but no node can take the VM: wait for node changes; counted, logged and recorded once. */
  private noTarget(key: string, failed: VmimView, vmi: VmiView, decision: Decision<'no-target'>, where: LogPlace): Outcome {
    const { observer, logger, metrics } = this.d;
    this.d.waitingForNodes.add(key);
    if (observer.once(failed.uid, 'no-target')) {
      metrics.noTarget.inc();
      metrics.machineTypeRejections.inc({ machine_type: decision.machineType, reason: 'no-compatible-node' });
      logger.warn({ ...where, machineType: decision.machineType, pools: decision.hostingPools, detail: decision.detail }, 'no compatible migration target');
      this.event({
        vmi,
        type: 'Warning',
        reason: 'NoCompatibleMigrationTarget',
        message: `Migration ${failed.name} failed (${decision.reason}) and ${decision.detail}`,
        dedupeKey: `no-target/${failed.uid}`,
      });
    }
    return { kind: 'done' };
  }

  /** Creates the fallback VMIM; a created one is counted, logged and recorded as an Event. */
  private async createFallback(failed: VmimView, vmi: VmiView, decision: Decision<'create'>, where: LogPlace): Promise<Outcome> {
    const { observer, settings, logger, metrics, writes } = this.d;
    let result: 'created' | 'exists';
    try {
      result = await writes.createVmim(decision.vmim);
    } catch (e) {
      if (e instanceof WriteRefused) return { kind: 'refused', reason: e.message };
      // KubeVirt's admission answers "in-flight migration detected" while another VMIM runs, and a
      // forbidden create (RBAC) heals when the RBAC does: both are retried with backoff.
      return { kind: 'retry', code: 'vmim-create', error: new Error(`creating fallback ${decision.vmim.metadata.name}`, { cause: e }) };
    }
    if (result === 'exists') {
      logger.info({ ...where, fallback: decision.vmim.metadata.name }, 'fallback already exists');
      return { kind: 'done' };
    }
    metrics.fallbacks.inc({ reason: decision.reason });
    if (decision.reason === 'IncompatibleTarget') {
      metrics.machineTypeRejections.inc({ machine_type: vmi.machineType!, reason: 'incompatible-target' });
    }
    const seenMs = observer.failedSeenMs(failed.uid);
    if (seenMs !== undefined && decision.attempt === 1) metrics.actionLatency.observe(Math.max(0, this.d.now() - seenMs) / 1000);
    logger.info(
      { ...where, fallback: decision.vmim.metadata.name, target: decision.target.node, attempt: decision.attempt, reason: decision.reason, detail: decision.detail },
      'created fallback migration',
    );
    this.event({
      vmi,
      type: 'Normal',
      reason: 'MigrationFallbackCreated',
      message:
        `Migration ${failed.name} failed (${decision.reason}: ${decision.detail}); created ${decision.vmim.metadata.name} ` +
        `pinned to node ${decision.target.node}${decision.target.pool ? ` (pool ${decision.target.pool})` : ''}, ` +
        `attempt ${decision.attempt} of ${settings.migration.fallbackAttempts}`,
      dedupeKey: `fallback/${failed.uid}`,
    });
    return { kind: 'done' };
  }

  /** Events are best effort and sent off the reconcile path (eventSink.ts), which fences them too. */
  private event(e: VmiEvent): void {
    this.d.events.record(e);
  }
}
