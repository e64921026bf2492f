/**
 * Deadlines for API requests. client-node 2 sets none on ordinary requests, so a request to an
 * overloaded or restarting API server can hang for minutes: a leader whose renewal hangs would
 * never notice it lost the Lease, and a reconcile whose GET hangs would never be retried. A request
 * that runs out of time fails with a `TimeoutError` (apiErrors.ts says so in words).
 */
import {
  type Configuration,
  type ConfigurationOptions,
  createConfiguration,
  type KubeConfig,
  type ObservableMiddleware,
  ServerConfiguration,
  setHeaderMiddleware,
} from '@kubernetes/client-node';
// client-node's middleware speaks its own tiny Observable; the package has no exports map.
import { of } from '@kubernetes/client-node/dist/gen/rxjsStub.js';

function deadline(ms: number): ObservableMiddleware {
  return {
    pre: (ctx) => {
      ctx.setSignal(AbortSignal.timeout(ms));
      return of(ctx);
    },
    post: (response) => of(response),
  };
}

/** Per-call options: `api.readNode({ name }, requestTimeout(5_000))`. */
export function requestTimeout(ms: number): ConfigurationOptions {
  return { middleware: [deadline(ms)], middlewareMergeStrategy: 'append' };
}

/**
 * `kc.makeApiClient(api)` with a deadline on every request (a call's own `requestTimeout` still
 * wins, its middleware runs later). Built the way client-node builds it, plus the deadline and a
 * User-Agent naming the program, so the API server's audit log says who sent what.
 */
export function makeApiClientWithTimeout<T>(kc: KubeConfig, api: new (config: Configuration) => T, ms: number, userAgent: string): T {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('no current cluster in the Kubernetes configuration');
  return new api(
    createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kc },
      middleware: [setHeaderMiddleware('User-Agent', userAgent), deadline(ms)],
    }),
  );
}
