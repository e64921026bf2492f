/**
 * A deadline for one API request. client-node 2 sets none on ordinary requests, so a request to
 * an overloaded or restarting API server can hang for minutes; a leader whose renewal hangs
 * would then never notice it lost the Lease.
 */
import { type ConfigurationOptions } from '@kubernetes/client-node';
// client-node's middleware speaks its own tiny Observable; the package has no exports map.
import { of } from '@kubernetes/client-node/dist/gen/rxjsStub.js';

export function requestTimeout(ms: number): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (ctx) => {
          ctx.setSignal(AbortSignal.timeout(ms));
          return of(ctx);
        },
        post: (response) => of(response),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}
