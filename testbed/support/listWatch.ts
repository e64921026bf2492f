/**
 * A client's view of one resource through the API server, as an informer keeps it: list, then watch
 * from the list's resourceVersion; re-watch when the stream ends, re-list on an ERROR event (410 Gone).
 * Every object reaches `onEvent` (the list's items as ADDED); bookmarks are swallowed. Bench support only.
 */
import { type BulkApi } from './bulkApi.js';
import { until } from '../harness/until.js';

export type WatchedObject = Record<string, unknown> & { metadata?: { resourceVersion?: string } };

export interface ListWatch {
  stop(): void;
}

/**
 * Starts following `path` (a collection, e.g. `/api/v1/pods?labelSelector=…`); resolves once the
 * first list has been delivered. Failures to re-list are passed to `onError` (and retried by the caller
 * of the next watch end), never thrown away.
 */
export async function listWatch(
  api: BulkApi,
  path: string,
  onEvent: (type: string, object: WatchedObject) => void,
  onError: (message: string) => void,
): Promise<ListWatch> {
  let stopped = false;
  let current: { stop(): void } | undefined;
  const sep = path.includes('?') ? '&' : '?';
  const list = async () => {
    // A CRD's storage answers 429 "(re)initializing" for a moment after it is Established.
    const l = await until(() => api.json<{ metadata: { resourceVersion: string }; items: WatchedObject[] }>('GET', path), {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: `listing ${path}`,
    });
    for (const item of l.items) onEvent('ADDED', item);
    return l.metadata.resourceVersion;
  };
  let rv = await list();
  const watch = () => {
    if (stopped) return;
    const w = api.watch(
      `${path}${sep}watch=1&allowWatchBookmarks=true&resourceVersion=${rv}`,
      (type, object) => {
        const o = object as WatchedObject;
        if (type === 'ERROR') {
          w.stop();
          list()
            .then((v) => {
              rv = v;
              watch();
            })
            .catch((e: Error) => onError(`relist ${path}: ${e.message}`));
          return;
        }
        if (o.metadata?.resourceVersion) rv = o.metadata.resourceVersion;
        if (type !== 'BOOKMARK') onEvent(type, o);
      },
      () => setTimeout(watch, 50),
    );
    current = w;
  };
  watch();
  return {
    stop() {
      stopped = true;
      current?.stop();
    },
  };
}
