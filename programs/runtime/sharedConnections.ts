/**
 * One pool of keep-alive connections per KubeConfig instead of a connection per request.
 * client-node 2.0.1 builds a new undici Agent in `KubeConfig.createDispatcher` for every API call
 * and every watch (`applySecurityAuthentication`), so no connection is ever reused: each request
 * pays a TLS handshake, and its connection then idles until undici's keep-alive timeout (4 s)
 * closes it. In the bench's burst of 1,000 failed migrations the controller held up to 882 sockets
 * at once, whose TLS and HTTP/2 state took ~105 MiB of C heap that no V8 flag bounds
 * (docs/architecture.md#migration-controller).
 *
 * The shared Agent speaks HTTP/1.1, not the HTTP/2 undici would negotiate with kube-apiserver:
 * with HTTP/2 every request and watch would ride one connection, and one that died silently (a
 * load balancer failing over) would take them all down until TCP gives up, minutes later, since
 * undici checks an HTTP/2 connection only on its own 300 s timeouts, never on our deadlines
 * (requestTimeout.ts). Over HTTP/1.1 a request that runs out of time closes its connection, so the
 * next request gets a fresh one, as it did with a connection per request; the pool holds about as
 * many connections as requests run at once.
 */
import { createHash, type Hash } from 'node:crypto';
import { type Cluster, type KubeConfig } from '@kubernetes/client-node';

type DispatcherOptions = ReturnType<KubeConfig['createDispatcherOptions']>;
type AgentOptions = Parameters<KubeConfig['createDispatcherOptions']>[1];
interface Dispatcher {
  close(): Promise<void>;
}
interface DispatcherMethods {
  createDispatcher?: (cluster: Cluster | null, agentOptions: AgentOptions) => Dispatcher | undefined;
  [SHARED]?: true;
}
const SHARED = Symbol('kvfleet.sharedConnections');

function feed(hash: Hash, value: unknown): void {
  if (Buffer.isBuffer(value) || typeof value === 'string') {
    hash.update(`${typeof value}${value.length}:`);
    hash.update(value);
  } else if (Array.isArray(value)) {
    hash.update(`[${value.length}:`);
    for (const v of value) feed(hash, v);
  } else if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined);
    hash.update(`{${keys.length}:`);
    for (const k of keys.sort()) {
      feed(hash, k);
      feed(hash, (value as Record<string, unknown>)[k]);
    }
  } else {
    hash.update(`${typeof value}:${String(value)};`);
  }
}

/**
 * Two requests may share a dispatcher exactly when client-node would configure theirs alike: same
 * kind (agent, proxy), same TLS material. The material is hashed by content, so a rotated CA or
 * client certificate (client-node rereads its files for every request) gets a new pool.
 */
export function dispatcherKey(options: DispatcherOptions): string {
  const hash = createHash('sha256');
  feed(hash, options);
  return hash.digest('hex');
}

/** client-node's options for a direct connection, with HTTP/2 left out of the TLS offer (see above). */
export function http1Only(options: DispatcherOptions): DispatcherOptions {
  return options.type === 'agent' ? { ...options, connect: { ...options.connect, allowH2: false } as typeof options.connect } : options;
}

/**
 * Makes every client of `kc` (API clients made from it, watches, informers) share one undici Agent,
 * which pools keep-alive HTTP/1.1 connections per origin. Idempotent. When the TLS material
 * changes, the next request gets a new Agent and the old one closes once its requests are done.
 */
export function shareConnections(kc: KubeConfig): KubeConfig {
  const target = kc as unknown as DispatcherMethods;
  if (target[SHARED]) return kc;
  const create = target.createDispatcher;
  // Private in client-node's typings; fail at start-up, not silently, if a new version moves it.
  if (typeof create !== 'function') throw new Error('@kubernetes/client-node has no KubeConfig.createDispatcher any more; revisit programs/runtime/sharedConnections.ts');
  const options = kc.createDispatcherOptions.bind(kc);
  // createDispatcher reads its options through this method, so the override reaches the Agent.
  kc.createDispatcherOptions = (cluster, agentOptions) => http1Only(options(cluster, agentOptions));
  let current: { key: string; dispatcher: Dispatcher | undefined } | undefined;
  target.createDispatcher = (cluster, agentOptions) => {
    const key = dispatcherKey(kc.createDispatcherOptions(cluster, agentOptions));
    if (current?.key === key) return current.dispatcher;
    void current?.dispatcher?.close().catch(() => undefined); // its requests finish first
    current = { key, dispatcher: create.call(kc, cluster, agentOptions) };
    return current.dispatcher;
  };
  target[SHARED] = true;
  return kc;
}
