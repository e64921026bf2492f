/**
 * An informer (client-node ListWatch: list, then watch, into a cache) that keeps itself running.
 * client-node relists on 410 Gone but stops on any other error; here every error restarts it
 * with a full relist after a backoff, so the cache is rebuilt from the server's truth and the
 * relist's diff reports what changed while the watch was down (deletions included).
 */
import { type KubernetesListObject, type KubernetesObject, type KubeConfig, ListWatch, type ObjectCache, Watch } from '@kubernetes/client-node';
import { describeApiError } from '../runtime/apiErrors.js';
import { nextDelayMs } from '../runtime/backoff.js';
import { type Logger } from '../runtime/logger.js';

export interface WatchSpec {
  /** Short name for logs and metrics: `vmims`, `nodes`… */
  readonly resource: string;
  /** API path of the collection, e.g. `/apis/kubevirt.io/v1/virtualmachineinstancemigrations`. */
  readonly path: string;
  readonly list: () => Promise<KubernetesListObject<KubernetesObject>>;
  readonly labelSelector?: string;
}

export interface WatchHandlers {
  readonly onChange: (kind: 'add' | 'update' | 'delete', obj: KubernetesObject) => void;
  /** First successful list, and every relist after. */
  readonly onSynced?: () => void;
  readonly onRestart?: () => void;
}

/**
 * Trims a cached object to what ListWatch itself needs (name, namespace and resourceVersion for its
 * relist diff) plus uid and labels for delete handlers. The handlers have read the full object
 * already and keep parsed views of their own, so 10,000 cached VMIs cost kilobytes, not their
 * specs, statuses and managedFields: client-go's informer TransformFunc does the same.
 */
export function slimInPlace(obj: KubernetesObject): void {
  const m = obj.metadata ?? {};
  const slim = {
    ...(m.name !== undefined ? { name: m.name } : {}),
    ...(m.namespace !== undefined ? { namespace: m.namespace } : {}),
    ...(m.uid !== undefined ? { uid: m.uid } : {}),
    ...(m.resourceVersion !== undefined ? { resourceVersion: m.resourceVersion } : {}),
    ...(m.labels !== undefined ? { labels: m.labels } : {}),
  };
  for (const key of Object.keys(obj)) if (key !== 'apiVersion' && key !== 'kind') delete (obj as Record<string, unknown>)[key];
  obj.metadata = slim;
}

export class WatchedResource {
  /** Slimmed objects (see slimInPlace): for ListWatch's bookkeeping, not for reading. */
  readonly cache: ObjectCache<KubernetesObject>;
  private readonly informer: ListWatch<KubernetesObject>;
  private synced = false;
  private failures = 0;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    kubeConfig: KubeConfig,
    readonly spec: WatchSpec,
    private readonly handlers: WatchHandlers,
    private readonly logger: Logger,
  ) {
    const list = async () => {
      const result = await spec.list();
      this.failures = 0;
      // ListWatch fills its cache synchronously after this promise settles; report after that.
      setImmediate(() => {
        if (this.stopped) return;
        this.synced = true;
        handlers.onSynced?.();
      });
      return result;
    };
    this.informer = new ListWatch(spec.path, new Watch(kubeConfig), list, false, spec.labelSelector);
    this.cache = this.informer;
    this.informer.on('add', (o) => {
      handlers.onChange('add', o);
      slimInPlace(o);
    });
    this.informer.on('update', (o) => {
      handlers.onChange('update', o);
      slimInPlace(o);
    });
    this.informer.on('delete', (o) => handlers.onChange('delete', o));
    this.informer.on('error', (err) => this.restartAfterError(err));
  }

  /** True once the first list has landed in the cache. */
  hasSynced(): boolean {
    return this.synced;
  }

  start(): void {
    this.stopped = false;
    this.informer.start().catch((e: unknown) => this.restartAfterError(e));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.informer.stop();
  }

  private restartAfterError(err: unknown): void {
    if (this.stopped) return;
    const delayMs = nextDelayMs(this.failures++, 500, 30_000);
    this.logger.warn({ resource: this.spec.resource, err: describeApiError(err), retryInMs: delayMs }, 'watch stopped; relisting after backoff');
    this.handlers.onRestart?.();
    // ListWatch.start() resumes from the last resourceVersion; clearing it forces the relist
    // (the same thing ListWatch does itself on 410 Gone). The field is private in the typings of
    // the pinned client-node 2.0.1, public at runtime.
    (this.informer as unknown as { resourceVersion: string }).resourceVersion = '';
    this.restartTimer = setTimeout(() => {
      if (!this.stopped) this.informer.start().catch((e: unknown) => this.restartAfterError(e));
    }, delayMs);
  }
}
