/**
 * What the upgrade simulator sees of a run, through the API server like any client: a list + watch
 * of VMIs, VMIMs and migration target pods. It keeps the VMIs per node (for the drain rule), one
 * record per VMIM (origin, target node, outcome, cause), the duplicate in-flight VMIMs, and the
 * evidence that kvfleet's policies mutated what they should. Times are simulated seconds.
 */
import { type KubeConfig } from '@kubernetes/client-node';
import { BulkApi } from '../../bench/support/bulkApi.js';
import { until } from '../../test/harness/until.js';
import { MIGRATION_JOB_UID_LABEL, UNSCHEDULABLE_TIMEOUT_ANNOTATION } from '../../compatibility/kubevirtNames.js';
import { HOSTNAME_LABEL, MACHINE_TYPE_LABEL_PREFIX, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../compatibility/labelKeys.js';
import { type FailureCause, InFlightTracker, type MigrationOrigin, type MigrationRecord } from './metrics.js';

type Obj = {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string | null;
  };
  /** VMIM, pod and VMI fields read here (one type: the watches are read the same way). */
  spec?: { vmiName?: string; addedNodeSelector?: Record<string, string>; nodeSelector?: Record<string, string>; nodeName?: string };
  status?: { phase?: string; nodeName?: string; machine?: { type?: string }; migrationState?: { targetNode?: string } };
};

/** KubeVirt's evacuation controller marks its VMIMs with the node it evacuates. */
export const EVACUATION_ANNOTATION = 'kubevirt.io/evacuationMigration';

export interface ObserverClock {
  now(): number;
}

export interface CauseOracle {
  /** How the KubeVirt stand-in ended this VMIM, when it says (asked when the run's records are read). */
  attempt?(namespace: string, name: string): { readonly result: string; readonly cause?: FailureCause } | undefined;
  /** The truth at the time of failure: could `node` run `machineType`? */
  canRun(node: string, machineType: string): boolean;
  /** Was `node` NotReady at any moment in [fromSeconds, toSeconds]? */
  wasNotReady(node: string, fromSeconds: number, toSeconds: number): boolean;
}

interface VmimState {
  namespace: string;
  name: string;
  uid: string;
  vmi: string;
  origin: MigrationOrigin;
  createdAt: number;
  sourceNode?: string;
  targetNode?: string;
  boundAt?: number;
  reachedScheduling: boolean;
  phase?: string;
  endedAt?: number;
  outcome: MigrationRecord['outcome'];
  cause?: FailureCause;
  timeoutAnnotated: boolean;
  pinnedByAddedNodeSelector: boolean;
}

interface TargetPodState {
  vmimUid: string;
  nodeName?: string;
  kvfleetMachineTypeSelector: boolean;
  hostnameSelector: boolean;
}

/** What the policies did to the objects of the run, counted. */
export interface AdmissionEvidence {
  readonly vmims: number;
  readonly vmimsWithUnschedulableTimeout: number;
  readonly targetPods: number;
  readonly targetPodsWithKvfleetMachineTypeSelector: number;
  readonly fallbackVmims: number;
  /** Fallbacks whose target is pinned: by `spec.addedNodeSelector` (≥ 1.6) or by their target pod's hostname selector (< 1.6). */
  readonly fallbacksPinned: number;
}

export interface BoundTarget {
  readonly vmimUid: string;
  readonly node: string;
  readonly sourceNode?: string;
}

const FINAL = new Set(['Succeeded', 'Failed']);

export class RunObserver {
  private readonly vmis = new Map<string, { node?: string; machineType?: string; phase?: string; uid?: string }>();
  private readonly vmims = new Map<string, VmimState>();
  private readonly pods = new Map<string, TargetPodState>();
  private readonly stops: { stop(): void }[] = [];
  readonly inFlight = new InFlightTracker();
  private boundListeners: ((t: BoundTarget) => void)[] = [];
  private stopped = false;
  private readonly errors: string[] = [];

  private constructor(
    private readonly api: BulkApi,
    private readonly clock: ObserverClock,
    private readonly oracle: CauseOracle,
  ) {}

  static async start(kc: KubeConfig, clock: ObserverClock, oracle: CauseOracle): Promise<RunObserver> {
    const o = new RunObserver(await BulkApi.of(kc, 4), clock, oracle);
    await o.follow('/apis/kubevirt.io/v1/virtualmachineinstances', (t, x) => o.onVmi(t, x));
    await o.follow('/apis/kubevirt.io/v1/virtualmachineinstancemigrations', (t, x) => o.onVmim(t, x));
    await o.follow(`/api/v1/pods?labelSelector=${encodeURIComponent(MIGRATION_JOB_UID_LABEL)}`, (t, x) => o.onPod(t, x));
    return o;
  }

  /** List, then watch from the list's resourceVersion; re-watch when the stream ends, re-list on 410. */
  private async follow(path: string, onEvent: (type: string, o: Obj) => void): Promise<void> {
    const sep = path.includes('?') ? '&' : '?';
    const list = async () => {
      // A CRD's storage answers 429 "(re)initializing" for a moment after it is Established.
      const l = await until(() => this.api.json<{ metadata: { resourceVersion: string }; items: Obj[] }>('GET', path), {
        timeoutMs: 60_000,
        intervalMs: 250,
        what: `listing ${path}`,
      });
      for (const item of l.items) onEvent('ADDED', item);
      return l.metadata.resourceVersion;
    };
    let rv = await list();
    const watch = () => {
      if (this.stopped) return;
      const w = this.api.watch(
        `${path}${sep}watch=1&allowWatchBookmarks=true&resourceVersion=${rv}`,
        (type, object) => {
          const o = object as Obj;
          if (type === 'ERROR') {
            // 410 Gone: the resourceVersion is too old; list again.
            w.stop();
            list()
              .then((v) => {
                rv = v;
                watch();
              })
              .catch((e: Error) => this.errors.push(`relist ${path}: ${e.message}`));
            return;
          }
          if (o.metadata?.resourceVersion) rv = o.metadata.resourceVersion;
          if (type !== 'BOOKMARK') onEvent(type, o);
        },
        () => setTimeout(watch, 50),
      );
      this.stops.push(w);
    };
    watch();
  }

  private onVmi(type: string, o: Obj): void {
    const key = `${o.metadata?.namespace}/${o.metadata?.name}`;
    if (type === 'DELETED') {
      this.vmis.delete(key);
      return;
    }
    this.vmis.set(key, { node: o.status?.nodeName, machineType: o.status?.machine?.type, phase: o.status?.phase, uid: o.metadata?.uid });
  }

  private onVmim(type: string, o: Obj): void {
    const uid = o.metadata?.uid;
    if (!uid) return;
    const namespace = o.metadata?.namespace ?? '';
    const vmi = `${namespace}/${o.spec?.vmiName}`;
    let s = this.vmims.get(uid);
    if (!s) {
      const labels = o.metadata?.labels ?? {};
      const annotations = o.metadata?.annotations ?? {};
      const origin: MigrationOrigin =
        labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE ? 'kvfleet' : annotations[EVACUATION_ANNOTATION] !== undefined ? 'evacuation' : 'other';
      const sourceNode = this.vmis.get(vmi)?.node;
      s = {
        namespace,
        name: o.metadata?.name ?? '',
        uid,
        vmi,
        origin,
        createdAt: this.clock.now(),
        ...(sourceNode ? { sourceNode } : {}),
        reachedScheduling: false,
        outcome: 'unfinished',
        timeoutAnnotated: annotations[UNSCHEDULABLE_TIMEOUT_ANNOTATION] !== undefined,
        pinnedByAddedNodeSelector: o.spec?.addedNodeSelector?.[HOSTNAME_LABEL] !== undefined,
      };
      this.vmims.set(uid, s);
    }
    const phase = o.status?.phase;
    const final = FINAL.has(phase ?? '');
    if (type === 'DELETED' || final) this.inFlight.finished(vmi, uid);
    else this.inFlight.started(vmi, uid);
    if (phase && phase !== 'Pending') s.reachedScheduling = true;
    const target = o.status?.migrationState?.targetNode;
    if (target && !s.targetNode) s.targetNode = target;
    if (final && s.outcome === 'unfinished') this.finish(s, phase === 'Succeeded' ? 'succeeded' : 'failed');
    s.phase = phase;
  }

  private finish(s: VmimState, outcome: 'succeeded' | 'failed'): void {
    s.outcome = outcome;
    s.endedAt = this.clock.now();
    if (outcome === 'failed') s.cause = this.seenCause(s);
  }

  /** The cause as read from what was seen (target bound or not, the truth, node readiness); the stand-in's word wins over it. */
  private seenCause(s: VmimState): FailureCause {
    const machineType = this.vmis.get(s.vmi)?.machineType;
    if (s.targetNode) {
      if (machineType && !this.oracle.canRun(s.targetNode, machineType)) return 'machine-type';
      if (this.oracle.wasNotReady(s.targetNode, s.boundAt ?? s.createdAt, s.endedAt ?? this.clock.now())) return 'node-failure';
      return 'other';
    }
    return s.reachedScheduling ? 'unschedulable' : 'other';
  }

  private onPod(type: string, o: Obj): void {
    const vmimUid = o.metadata?.labels?.[MIGRATION_JOB_UID_LABEL];
    const podUid = o.metadata?.uid;
    if (!vmimUid || !podUid) return;
    if (type === 'DELETED') return; // what it showed while it existed is what counts
    const nodeSelector = o.spec?.nodeSelector ?? {};
    let p = this.pods.get(podUid);
    if (!p) {
      p = {
        vmimUid,
        kvfleetMachineTypeSelector: Object.keys(nodeSelector).some((k) => k.startsWith(MACHINE_TYPE_LABEL_PREFIX)),
        hostnameSelector: nodeSelector[HOSTNAME_LABEL] !== undefined,
      };
      this.pods.set(podUid, p);
    }
    const nodeName = o.spec?.nodeName;
    if (nodeName && !p.nodeName) {
      p.nodeName = nodeName;
      const s = this.vmims.get(vmimUid);
      if (s) {
        s.targetNode ??= nodeName;
        s.boundAt ??= this.clock.now();
      }
      const bound: BoundTarget = { vmimUid, node: nodeName, ...(s?.sourceNode ? { sourceNode: s.sourceNode } : {}) };
      for (const l of this.boundListeners) l(bound);
    }
  }

  /** Called for every migration target pod when it is first seen bound to a node. */
  onTargetBound(listener: (t: BoundTarget) => void): () => void {
    this.boundListeners.push(listener);
    return () => {
      this.boundListeners = this.boundListeners.filter((l) => l !== listener);
    };
  }

  /** `namespace/name` of the Running VMIs whose `status.nodeName` is `node`. */
  vmisOn(node: string): string[] {
    return [...this.vmis].filter(([, v]) => v.node === node && v.phase === 'Running').map(([k]) => k);
  }

  vmi(key: string): { node?: string; machineType?: string; phase?: string; uid?: string } | undefined {
    return this.vmis.get(key);
  }

  vmiCount(): number {
    return this.vmis.size;
  }

  /** Every VMIM seen, in creation order; unfinished ones say so. Causes are the stand-in's where it gives one. */
  migrations(): MigrationRecord[] {
    return [...this.vmims.values()]
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((s) => ({ s, told: this.oracle.attempt?.(s.namespace, s.name) }))
      .map(({ s, told }) => ({
        namespace: s.namespace,
        name: s.name,
        vmi: s.vmi,
        origin: s.origin,
        createdAt: s.createdAt,
        ...(s.sourceNode ? { sourceNode: s.sourceNode } : {}),
        ...(s.targetNode ? { targetNode: s.targetNode } : {}),
        ...(s.endedAt !== undefined ? { endedAt: s.endedAt } : {}),
        ...this.outcomeOf(s, told),
        ...(told?.result === 'duplicate' ? { duplicate: true } : {}),
      }));
  }

  /**
   * The outcome as seen, or the stand-in's when the VMIM went before a final phase was seen (a VMI
   * shut down at a re-image takes its unfinished VMIMs with it).
   */
  private outcomeOf(s: VmimState, told: { readonly result: string; readonly cause?: FailureCause } | undefined): Pick<MigrationRecord, 'outcome' | 'cause'> {
    const outcome = s.outcome === 'unfinished' && (told?.result === 'succeeded' || told?.result === 'failed') ? told.result : s.outcome;
    return outcome === 'failed' ? { outcome, cause: told?.cause ?? s.cause ?? 'other' } : { outcome };
  }

  /** VMIMs not final yet for a VMI. */
  unfinishedFor(vmiKey: string): { namespace: string; name: string }[] {
    return [...this.vmims.values()].filter((s) => s.vmi === vmiKey && s.outcome === 'unfinished').map((s) => ({ namespace: s.namespace, name: s.name }));
  }

  evidence(): AdmissionEvidence {
    const vmims = [...this.vmims.values()];
    const pods = [...this.pods.values()];
    const fallbacks = vmims.filter((v) => v.origin === 'kvfleet');
    const podPinned = new Set(pods.filter((p) => p.hostnameSelector).map((p) => p.vmimUid));
    return {
      vmims: vmims.length,
      vmimsWithUnschedulableTimeout: vmims.filter((v) => v.timeoutAnnotated).length,
      targetPods: pods.length,
      targetPodsWithKvfleetMachineTypeSelector: pods.filter((p) => p.kvfleetMachineTypeSelector).length,
      fallbackVmims: fallbacks.length,
      fallbacksPinned: fallbacks.filter((f) => f.pinnedByAddedNodeSelector || podPinned.has(f.uid)).length,
    };
  }

  watchErrors(): readonly string[] {
    return this.errors;
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.stops) s.stop();
    this.api.close();
  }
}
