/**
 * kvfleet-migration-controller: retries failed KubeVirt migrations on compatible nodes.
 * Settings come from the environment (see settings.ts), the matrix from the mounted ConfigMap.
 * Only start-up problems exit; SIGTERM releases the Lease before the process ends.
 */
import { readFileSync } from 'node:fs';
import { type KubeConfig } from '@kubernetes/client-node';
import { type MatrixDocument, parseMatrixDocument } from '../../compatibility/matrixDocument.js';
import { loadKubeConfig } from '../runtime/kubeConfig.js';
import { createLogger } from '../runtime/logger.js';
import { collectProcessMetrics } from '../runtime/metricsContract.js';
import { startProbeServer } from '../runtime/probeServer.js';
import { startMigrationController } from './controller.js';
import { createMigrationMetrics } from './metrics.js';
import { settingsFromEnv } from './settings.js';

const logger = createLogger('migration-controller');

const parsed = settingsFromEnv(process.env);
if (!parsed.ok) {
  for (const problem of parsed.problems) logger.fatal({ problem }, 'invalid setting');
  process.exit(2);
}

let kubeConfig: KubeConfig;
try {
  kubeConfig = loadKubeConfig();
} catch (e) {
  logger.fatal({ err: (e as Error).message }, 'no Kubernetes configuration');
  process.exit(1);
}

function readMatrix(path: string): MatrixDocument | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    logger.warn({ path, err: (e as Error).message }, 'no matrix file; pools come from node labels and upgrade plans are unknown');
    return undefined;
  }
  const m = parseMatrixDocument(text);
  if (!m.ok) {
    logger.warn({ path, reason: m.message }, 'matrix file is malformed; pools come from node labels and upgrade plans are unknown');
    return undefined;
  }
  return m.matrix;
}

const matrix = readMatrix(parsed.main.matrixFile);
const metrics = createMigrationMetrics();
collectProcessMetrics(metrics.registry);

// A stray rejection is a bug to log, not a reason to crash-loop the controller.
process.on('unhandledRejection', (reason) => logger.error({ err: (reason as Error)?.stack ?? String(reason) }, 'unhandled rejection'));

const controller = await startMigrationController({
  kubeConfig,
  settings: parsed.settings,
  ...(matrix ? { matrix } : {}),
  logger,
  metrics,
});
const server = await startProbeServer({
  registry: metrics.registry,
  port: parsed.main.metricsPort,
  host: parsed.main.metricsHost,
  healthy: () => controller.isHealthy(),
  ready: () => controller.isReady(),
});

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    controller
      .stop()
      .catch((e: unknown) => logger.error({ err: (e as Error).message }, 'shutdown failed'))
      .finally(() => {
        server.close(() => process.exit(0));
        server.closeAllConnections(); // keep-alive scrapes would hold close() open
      });
  });
}
