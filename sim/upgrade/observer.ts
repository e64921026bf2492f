/**
 * What the upgrade simulator sees of a run, through the API server like any client: a list + watch
 * of VMIs, VMIMs, Nodes and migration target pods. It keeps each VMI's node, architecture, type and
 * launcher image (for the drain rule and the outdated count), one record per VMIM (origin, target
 * node, outcome), the duplicate in-flight VMIMs, whether kvfleet's VMIM policy put its timeout on
 * them, and where each target pod went (targetPods.ts). Times are seconds of `clock`.
 */
import { type KubeConfig } from '@kubernetes/client-node';
import { BulkApi } from '../../testbed/support/bulkApi.js';
import { listWatch } from '../../testbed/support/listWatch.js';
import { UNSCHEDULABLE_TIMEOUT_ANNOTATION } from '../../compatibility/kubevirtNames.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../compatibility/labelKeys.js';
import { failureCause, InFlightTracker, type MigrationOrigin, type MigrationRecord } from './metrics.js';
import { boundByMigration, TargetPodLedger, type TargetPodRecord } from '../support/targetPods.js';

type Obj = {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: { vmiName?: string; architecture?: string; nodeName?: string };
  status?: {
    phase?: string;
    nodeName?: string;
    machine?: { type?: string };
    launcherContainerImageVersion?: string;
    migrationState?: { targetNode?: string; targetPod?: string };
  };
};

/** virt-controller's evacuation controller and workload updater mark their VMIMs. */
export const EVACUATION_ANNOTATION = 'kubevirt.io/evacuationMigration';
export const WORKLOAD_UPDATE_ANNOTATION = 'kubevirt.io/workloadUpdateMigration';

export interface ObserverClock {
  now(): number;
}

export interface VmiView {
  readonly node?: string;
  /** `spec.architecture` */
  readonly architecture?: string;
  readonly machineType?: string;
  readonly phase?: string;
  readonly launcherImage?: string;
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
  endedAt?: number;
  outcome: MigrationRecord['outcome'];
  timeoutAnnotated: boolean;
}

const FINAL = new Set(['Succeeded', 'Failed']);
/** virt-controller's migration target pods: launcher pods carrying the VMIM's UID. */
const TARGET_PODS = `/api/v1/pods?labelSelector=${encodeURIComponent('kubevirt.io=virt-launcher,kubevirt.io/migrationJobUID')}`;

export class RunObserver {
  private readonly vmis = new Map<string, VmiView>();
  private readonly vmims = new Map<string, VmimState>();
  private readonly stops: { stop(): void }[] = [];
  readonly inFlight = new InFlightTracker();
  private readonly errors: string[] = [];
  private readonly targetPodLedger = new TargetPodLedger();
  private changeListeners: (() => void)[] = [];

  private constructor(
    private readonly api: BulkApi,
    private readonly clock: ObserverClock,
  ) {}

  static async start(kc: KubeConfig, clock: ObserverClock): Promise<RunObserver> {
    const o = new RunObserver(await BulkApi.of(kc, 4), clock);
    await o.follow('/apis/kubevirt.io/v1/virtualmachineinstances', (t, x) => o.onVmi(t, x));
    await o.follow('/apis/kubevirt.io/v1/virtualmachineinstancemigrations', (t, x) => o.onVmim(t, x));
    await o.follow('/api/v1/nodes', (t, x) => o.targetPodLedger.node(x.metadata?.name ?? '', t === 'DELETED' ? undefined : (x.metadata?.labels ?? {})));
    await o.follow(TARGET_PODS, (t, x) => o.onTargetPod(t, x));
    return o;
  }

  /** An informer-style list + watch of `path` (testbed/support/listWatch.ts); re-list failures are kept as watch errors. */
  private async follow(path: string, onEvent: (type: string, o: Obj) => void): Promise<void> {
    this.stops.push(
      await listWatch(
        this.api,
        path,
        (type, o) => onEvent(type, o as Obj),
        (message) => this.errors.push(message),
      ),
    );
  }

  private onVmi(type: string, o: Obj): void {
    const key = `${o.metadata?.namespace}/${o.metadata?.name}`;
    if (type === 'DELETED') this.vmis.delete(key);
    else
      this.vmis.set(key, {
        node: o.status?.nodeName,
        architecture: o.spec?.architecture,
        machineType: o.status?.machine?.type,
        phase: o.status?.phase,
        launcherImage: o.status?.launcherContainerImageVersion,
      });
    for (const l of this.changeListeners) l();
  }

  private onTargetPod(type: string, o: Obj): void {
    const facts = (key: string) => {
      const v = this.vmis.get(key);
      return v && { architecture: v.architecture, machineType: v.machineType };
    };
    const pod = {
      namespace: o.metadata?.namespace ?? '',
      name: o.metadata?.name ?? '',
      labels: o.metadata?.labels ?? {},
      annotations: o.metadata?.annotations ?? {},
      ...(o.spec?.nodeName ? { nodeName: o.spec.nodeName } : {}),
    };
    this.targetPodLedger.pod(pod, facts, this.clock.now(), type === 'DELETED');
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
        labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE
          ? 'kvfleet'
          : annotations[WORKLOAD_UPDATE_ANNOTATION] !== undefined
            ? 'workload-update'
            : annotations[EVACUATION_ANNOTATION] !== undefined
              ? 'evacuation'
              : 'other';
      const sourceNode = this.vmis.get(vmi)?.node;
      s = {
        namespace,
        name: o.metadata?.name ?? '',
        uid,
        vmi,
        origin,
        createdAt: this.clock.now(),
        ...(sourceNode ? { sourceNode } : {}),
        outcome: 'unfinished',
        timeoutAnnotated: annotations[UNSCHEDULABLE_TIMEOUT_ANNOTATION] !== undefined,
      };
      this.vmims.set(uid, s);
    }
    const phase = o.status?.phase;
    const final = FINAL.has(phase ?? '');
    if (type === 'DELETED' || final) this.inFlight.finished(vmi, uid);
    else this.inFlight.started(vmi, uid);
    const target = o.status?.migrationState?.targetNode;
    if (target && !s.targetNode) s.targetNode = target;
    if (final && s.outcome === 'unfinished') {
      s.outcome = phase === 'Succeeded' ? 'succeeded' : 'failed';
      s.endedAt = this.clock.now();
    }
  }

  /** Called after every VMI event (the run loop watches the outdated count with it). */
  onVmiChange(listener: () => void): () => void {
    this.changeListeners.push(listener);
    return () => {
      this.changeListeners = this.changeListeners.filter((l) => l !== listener);
    };
  }

  /** `namespace/name` of the Running VMIs whose `status.nodeName` is `node`. */
  vmisOn(node: string): string[] {
    return [...this.vmis].filter(([, v]) => v.node === node && v.phase === 'Running').map(([k]) => k);
  }

  vmi(key: string): VmiView | undefined {
    return this.vmis.get(key);
  }

  /** Every VMI as last seen. */
  allVmis(): [string, VmiView][] {
    return [...this.vmis];
  }

  /** Running VMIs whose launcher is not `image`. */
  outdated(image: string): string[] {
    return [...this.vmis].filter(([, v]) => v.phase === 'Running' && v.launcherImage !== image).map(([k]) => k);
  }

  /** Every VMIM seen, in creation order; a failed one with its cause, read from its target pods (metrics.ts `failureCause`). */
  migrations(): MigrationRecord[] {
    const bound = boundByMigration(this.targetPodLedger.records());
    return [...this.vmims.values()]
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((s) => ({
        namespace: s.namespace,
        name: s.name,
        vmi: s.vmi,
        origin: s.origin,
        createdAt: s.createdAt,
        ...(s.sourceNode ? { sourceNode: s.sourceNode } : {}),
        ...(s.targetNode ? { targetNode: s.targetNode } : {}),
        ...(s.endedAt !== undefined ? { endedAt: s.endedAt } : {}),
        outcome: s.outcome,
        ...(s.outcome === 'failed' ? { cause: failureCause(bound.get(s.uid), s.targetNode) } : {}),
      }));
  }

  /** Every migration target pod seen, and where it went. */
  targetPods(): TargetPodRecord[] {
    return this.targetPodLedger.records();
  }

  /** VMIMs seen, and how many carried `kubevirt.io/migrationUnschedulablePodTimeoutSeconds` (kvfleet's VMIM policy sets it). */
  timeoutEvidence(): { readonly vmims: number; readonly withUnschedulableTimeout: number } {
    const all = [...this.vmims.values()];
    return { vmims: all.length, withUnschedulableTimeout: all.filter((v) => v.timeoutAnnotated).length };
  }

  watchErrors(): readonly string[] {
    return this.errors;
  }

  stop(): void {
    for (const s of this.stops) s.stop();
    this.api.close();
  }
}
