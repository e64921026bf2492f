/**
 * The nodeSelector of every migration target pod, as created: what virt-controller v1.5.0 rendered
 * (pkg/virt-controller/services/nodeselectorrenderer.go at v1.5.0: `kubevirt.io/schedulable` and
 * `kubernetes.io/arch`, no machine type) plus, in the kvfleet mode, what kvfleet's
 * launcher-target-affinity policy added through Kyverno at admission. A nodeSelector never changes after
 * creation, so the first sight of each pod is enough; failed targets are deleted by virt-controller,
 * hence a watch rather than a list at the end.
 */
import { type BulkApi } from '../../testbed/support/bulkApi.js';
import { MIGRATION_JOB_UID_LABEL, VIRT_LAUNCHER_LABELS } from '../../compatibility/kubevirtNames.js';

type PodLike = { metadata?: { uid?: string; resourceVersion?: string }; spec?: { nodeSelector?: Record<string, string> } };

const SELECTOR = encodeURIComponent([...Object.entries(VIRT_LAUNCHER_LABELS).map(([k, v]) => `${k}=${v}`), MIGRATION_JOB_UID_LABEL].join(','));
const PATH = `/api/v1/pods?labelSelector=${SELECTOR}`;

export class TargetPodSelectors {
  private readonly seen = new Map<string, Readonly<Record<string, string>>>();
  private stopped = false;
  private current?: { stop(): void };
  readonly errors: string[] = [];

  private constructor(private readonly api: BulkApi) {}

  static async start(api: BulkApi): Promise<TargetPodSelectors> {
    const w = new TargetPodSelectors(api);
    w.watchFrom(await w.list());
    return w;
  }

  private note(p: PodLike): void {
    const uid = p.metadata?.uid;
    if (uid && !this.seen.has(uid)) this.seen.set(uid, { ...(p.spec?.nodeSelector ?? {}) });
  }

  private async list(): Promise<string> {
    const l = await this.api.json<{ metadata: { resourceVersion: string }; items: PodLike[] }>('GET', PATH);
    for (const p of l.items) this.note(p);
    return l.metadata.resourceVersion;
  }

  /** Watch from `rv`; when the stream ends, watch again from the last version seen (list again after an ERROR, e.g. 410). */
  private watchFrom(rv: string): void {
    if (this.stopped) return;
    let last = rv;
    this.current = this.api.watch(
      `${PATH}&watch=1&resourceVersion=${rv}`,
      (type, object) => {
        if (type === 'ERROR') {
          this.current?.stop();
          this.list()
            .then((v) => this.watchFrom(v))
            .catch((e: Error) => this.errors.push(e.message));
          return;
        }
        const p = object as PodLike;
        if (p.metadata?.resourceVersion) last = p.metadata.resourceVersion;
        if (type === 'ADDED' || type === 'MODIFIED') this.note(p);
      },
      () => setTimeout(() => this.watchFrom(last), 50),
    );
  }

  /** Every target pod's nodeSelector, in the order first seen. */
  selectors(): Readonly<Record<string, string>>[] {
    return [...this.seen.values()];
  }

  stop(): void {
    this.stopped = true;
    this.current?.stop();
  }
}
