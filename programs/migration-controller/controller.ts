/**
 * The migration controller's public entry: what main.ts runs, and what the API-server tests run
 * in-process with the service account's own kubeconfig (through controllerForTest.ts, which adds
 * the test seams). The wiring is controllerManager.ts's; the watches and what their events enqueue
 * are controllerWatches.ts's.
 */
import { type KubeConfig } from '@kubernetes/client-node';
import { type MatrixDocument } from '../../compatibility/matrixDocument.js';
import { type Logger } from '../runtime/logger.js';
import { ControllerManager } from './controllerManager.js';
import { type MigrationMetrics } from './metrics.js';
import { type ControllerSettings } from './settings.js';

export interface MigrationControllerOptions {
  readonly kubeConfig: KubeConfig;
  readonly settings: ControllerSettings;
  /** The cluster's matrix (pools, upgrade plans); without it pools come from node labels only. */
  readonly matrix?: MatrixDocument;
  /** @default a JSON logger named `migration-controller` */
  readonly logger?: Logger;
  /** @default a fresh registry (createMigrationMetrics) */
  readonly metrics?: MigrationMetrics;
}

export interface MigrationController {
  readonly identity: string;
  readonly metrics: MigrationMetrics;
  isLeader(): boolean;
  /** Every watch has listed at least once. */
  isReady(): boolean;
  isHealthy(): boolean;
  /** Resolves when no reconcile is queued or running. */
  whenIdle(): Promise<void>;
  /** Graceful: stop acting, finish in-flight work, release the Lease, stop the watches. */
  stop(): Promise<void>;
}

/** Starts the watches, the Lease elector and the reconcile loop; resolves once they are started. */
export async function startMigrationController(opts: MigrationControllerOptions): Promise<MigrationController> {
  const manager = new ControllerManager(opts);
  manager.start();
  return manager;
}
