/**
 * What the Kube-OVN scenario sees through the API server, like any client: VMIs (where each runs),
 * VMIMs (phases, nodes) and launcher pods (when a migration's target pod is bound). Each write keeps
 * the resourceVersion it was delivered with: one etcd orders every write, so "bound after Scheduling"
 * is the order the API server accepted them in, not the order two watch streams happened to arrive.
 */
import { type KubeConfig } from '@kubernetes/client-node';
import { BulkApi } from '../../testbed/support/bulkApi.js';
import { type ListWatch, listWatch } from '../../testbed/support/listWatch.js';
import { MIGRATION_JOB_UID_LABEL } from '../../compatibility/kubevirtNames.js';
import { type KubeOvnPhase, type ObservedMigration } from './metrics.js';

const FINAL: Record<string, ObservedMigration['outcome']> = { Succeeded: 'succeeded', Failed: 'failed' };

type Meta = { name?: string; namespace?: string; uid?: string; resourceVersion?: string; labels?: Record<string, string> };
type Vmi = { metadata?: Meta; status?: { phase?: string; nodeName?: string } };
type Vmim = {
  metadata?: Meta;
  spec?: { vmiName?: string };
  status?: { phase?: string; migrationState?: { sourceNode?: string; targetNode?: string } };
};
type Pod = { metadata?: Meta; spec?: { nodeName?: string } };

type MigrationState = { -readonly [K in keyof ObservedMigration]: ObservedMigration[K] };

export class KubeOvnObserver {
  private readonly vmis = new Map<string, { node?: string; phase?: string }>();
  private readonly migrations = new Map<string, MigrationState>();
  /** Binding seen before the VMIM (the pod's informer can be ahead): uid → [at, rv]. */
  private readonly earlyBindings = new Map<string, [number, number]>();
  private readonly watches: ListWatch[] = [];
  private readonly errors: string[] = [];
  /** The phase new migrations are counted in. */
  phase: KubeOvnPhase = 'rolling-drain';

  private constructor(private readonly api: BulkApi) {}

  static async start(kc: KubeConfig, namespace: string): Promise<KubeOvnObserver> {
    const o = new KubeOvnObserver(await BulkApi.of(kc, 3));
    const onError = (m: string) => o.errors.push(m);
    const base = `/apis/kubevirt.io/v1/namespaces/${namespace}`;
    o.watches.push(await listWatch(o.api, `${base}/virtualmachineinstances`, (t, x) => o.onVmi(t, x as Vmi), onError));
    o.watches.push(await listWatch(o.api, `${base}/virtualmachineinstancemigrations`, (_t, x) => o.onVmim(x as Vmim), onError));
    o.watches.push(
      await listWatch(o.api, `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(MIGRATION_JOB_UID_LABEL)}`, (_t, x) => o.onPod(x as Pod), onError),
    );
    return o;
  }

  private onVmi(type: string, o: Vmi): void {
    const name = o.metadata?.name ?? '';
    if (type === 'DELETED') this.vmis.delete(name);
    else this.vmis.set(name, { node: o.status?.nodeName, phase: o.status?.phase });
  }

  private onVmim(o: Vmim): void {
    const uid = o.metadata?.uid;
    if (!uid) return;
    const now = Date.now();
    const rv = Number(o.metadata?.resourceVersion);
    const vm = o.spec?.vmiName ?? '';
    let m = this.migrations.get(uid);
    if (!m) {
      const node = this.vmis.get(vm)?.node;
      m = { uid, vmim: o.metadata?.name ?? uid, vm, phase: this.phase, createdAt: now, outcome: 'unfinished', ...(node ? { sourceNode: node } : {}) };
      const early = this.earlyBindings.get(uid);
      if (early) [m.boundAt, m.boundRv] = early;
      this.migrations.set(uid, m);
    }
    const state = o.status?.migrationState;
    if (state?.sourceNode) m.sourceNode = state.sourceNode;
    if (state?.targetNode) m.targetNode = state.targetNode;
    const phase = o.status?.phase;
    if (phase === 'Scheduling' && m.schedulingRv === undefined) {
      m.schedulingAt = now;
      m.schedulingRv = rv;
    }
    const outcome = phase ? FINAL[phase] : undefined;
    if (outcome && m.outcome === 'unfinished') {
      m.outcome = outcome;
      m.endedAt = now;
    }
  }

  private onPod(o: Pod): void {
    const uid = o.metadata?.labels?.[MIGRATION_JOB_UID_LABEL];
    if (!uid || !o.spec?.nodeName) return;
    const m = this.migrations.get(uid);
    const seen: [number, number] = [Date.now(), Number(o.metadata?.resourceVersion)];
    if (!m) {
      if (!this.earlyBindings.has(uid)) this.earlyBindings.set(uid, seen);
      return;
    }
    if (m.boundRv === undefined) [m.boundAt, m.boundRv] = seen;
    m.targetNode ??= o.spec.nodeName;
  }

  /** VMIs Running on `node`. */
  vmisOn(node: string): string[] {
    return [...this.vmis].filter(([, v]) => v.node === node && v.phase === 'Running').map(([k]) => k);
  }

  runningVmis(): number {
    return [...this.vmis.values()].filter((v) => v.phase === 'Running').length;
  }

  /** Migrations not yet Succeeded or Failed. */
  inFlight(): number {
    return [...this.migrations.values()].filter((m) => m.outcome === 'unfinished').length;
  }

  /** Every migration seen, in creation order. */
  observed(): ObservedMigration[] {
    return [...this.migrations.values()].sort((a, b) => a.createdAt - b.createdAt).map((m) => ({ ...m }));
  }

  watchErrors(): readonly string[] {
    return this.errors;
  }

  stop(): void {
    for (const w of this.watches) w.stop();
    this.api.close();
  }
}
