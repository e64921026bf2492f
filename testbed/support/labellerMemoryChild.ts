/**
 * One labeller reconcile in a process of its own, for programs/node-labeller/capabilitiesMemory.test.ts:
 * the real NodeLabelReconciler (stat, read, parse, labels, patch) with the program's modules loaded,
 * against a stand-in API server on loopback that knows one Node. The test bundles this file and runs
 * it under the heap flag the DaemonSet sets, so it measures what the pod would need.
 *
 *   node --max-old-space-size=<n> child.mjs <capabilities.xml> <matrix.yaml>
 *
 * Prints one JSON line: the outcome, the peak RSS and the heap limit V8 ran with.
 */
import { createServer } from 'node:http';
import { getHeapStatistics } from 'node:v8';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { createLabellerMetrics } from '../../programs/node-labeller/metrics.js';
import { NodeLabelReconciler } from '../../programs/node-labeller/nodeLabelReconciler.js';
import { createLogger } from '../../programs/runtime/logger.js';

const NODE = 'worker-1';
const [capabilitiesPath, matrixPath] = process.argv.slice(2);

// Answers GET and PATCH of the one Node, and Event creation; the body of a PATCH is read and dropped.
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(req.method === 'POST' ? 201 : 200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: NODE, uid: 'u-1', labels: {} } }));
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as { port: number };

const kc = new KubeConfig();
kc.loadFromOptions({
  clusters: [{ name: 'stand-in', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
  users: [{ name: 'labeller' }],
  contexts: [{ name: 'stand-in', cluster: 'stand-in', user: 'labeller' }],
  currentContext: 'stand-in',
});
const reconciler = new NodeLabelReconciler({
  nodeName: NODE,
  capabilitiesPath: capabilitiesPath!,
  matrixPath: matrixPath!,
  core: kc.makeApiClient(CoreV1Api),
  metrics: createLabellerMetrics(),
  log: createLogger('labeller-memory', 'silent'),
});
const outcome = await reconciler.reconcile();
server.close();
console.log(
  JSON.stringify({
    outcome:
      outcome.kind === 'done'
        ? { kind: 'done', patched: outcome.patched }
        : outcome.kind === 'invalid'
          ? outcome
          : { kind: outcome.kind, code: outcome.code, error: outcome.error.message },
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    heapLimitMiB: getHeapStatistics().heap_size_limit / 2 ** 20,
  }),
);
