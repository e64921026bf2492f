/**
 * kvfleet node labeller: one per node (DaemonSet). Labels the Node with the machine types its QEMU
 * offers, from the `virsh capabilities` XML an init container wrote, and reports drift from the
 * pool's declared set. Start-up problems exit; everything after that is logged, counted and retried.
 */
import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { Command } from 'commander';
import { loadKubeConfig } from '../runtime/kubeConfig.js';
import { createLogger } from '../runtime/logger.js';
import { collectProcessMetrics } from '../runtime/metricsContract.js';
import { startProbeServer } from '../runtime/probeServer.js';
import { makeApiClientWithTimeout } from '../runtime/requestTimeout.js';
import { createLabellerMetrics } from './metrics.js';
import { ENV, FLAGS, type LabellerSettings, resolveSettings } from './settings.js';
import { NodeLabelReconciler } from './nodeLabelReconciler.js';
import { NodeLoop } from './nodeLoop.js';

/** One GET, one Event and one PATCH per reconcile: each gets this long before it fails and is retried. */
const REQUEST_TIMEOUT_MS = 30_000;
/** A run longer than this means a hang the request deadline missed: /healthz fails and the kubelet restarts us. */
const MAX_RUN_MS = 120_000;
/** File events come in bursts (kubelet swaps the ConfigMap's ..data link in several steps). */
const SETTLE_MS = 500;

const log = createLogger('node-labeller');

function flags(argv: readonly string[]): Partial<Record<keyof LabellerSettings, string>> {
  const program = new Command('node-labeller')
    .description('Labels this Node with the QEMU machine types it offers and reports drift from its pool')
    .option(`${FLAGS.nodeName} <name>`, `Node to label (env ${ENV.nodeName})`)
    .option(`${FLAGS.capabilitiesPath} <file>`, `virsh capabilities XML (env ${ENV.capabilitiesPath})`)
    .option(`${FLAGS.matrixPath} <file>`, `matrix.yaml of the kvfleet-machine-types ConfigMap (env ${ENV.matrixPath})`)
    .option(`${FLAGS.resyncSeconds} <n>`, `re-check period after a success (env ${ENV.resyncSeconds})`)
    .option(`${FLAGS.metricsPort} <port>`, `port for /metrics, /healthz, /readyz (env ${ENV.metricsPort})`)
    .option(`${FLAGS.metricsHost} <host>`, `address to listen on (env ${ENV.metricsHost})`);
  program.parse([...argv], { from: 'user' });
  return program.opts();
}

function watchDir(dir: string, onChange: () => void): FSWatcher | undefined {
  try {
    const w = watch(dir, { persistent: false }, onChange);
    w.on('error', (err) => log.warn({ dir, err: err.message }, 'file watch stopped; relying on the periodic re-check'));
    return w;
  } catch (e) {
    log.warn({ dir, err: (e as Error).message }, 'cannot watch; relying on the periodic re-check');
    return undefined;
  }
}

async function main(): Promise<void> {
  const resolved = resolveSettings(flags(process.argv.slice(2)), process.env);
  if (!resolved.ok) {
    for (const problem of resolved.problems) log.fatal({ problem }, 'invalid setting');
    process.exit(2);
  }
  const settings = resolved.settings;
  const kc = loadKubeConfig();
  const metrics = createLabellerMetrics();
  collectProcessMetrics(metrics.registry);

  const reconciler = new NodeLabelReconciler({
    nodeName: settings.nodeName,
    capabilitiesPath: settings.capabilitiesPath,
    matrixPath: settings.matrixPath,
    core: makeApiClientWithTimeout(kc, CoreV1Api, REQUEST_TIMEOUT_MS, 'kvfleet-node-labeller'),
    metrics,
    log,
  });
  // Logs, counts and retries every outcome (programs/runtime/reconcileLoop.ts).
  const loop = new NodeLoop({ nodeName: settings.nodeName, reconciler, resyncMs: settings.resyncSeconds * 1000, metrics, logger: log });

  const server = await startProbeServer({
    registry: metrics.registry,
    port: settings.metricsPort,
    host: settings.metricsHost,
    healthy: () => loop.isHealthy(MAX_RUN_MS),
    // Ready once the node carries labels from this pod's capabilities; a DaemonSet rollout waits for it.
    ready: () => loop.isReady(),
  });
  const watchers = [...new Set([dirname(settings.capabilitiesPath), dirname(settings.matrixPath)])]
    .map((dir) => watchDir(dir, () => loop.trigger(SETTLE_MS)))
    .filter((w): w is FSWatcher => w !== undefined);
  log.info({ ...settings }, 'node labeller started');
  loop.start();

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    for (const w of watchers) w.close();
    await loop.stop();
    server.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e: Error) => {
  log.fatal({ err: e.message }, 'start-up failed');
  process.exit(1);
});
