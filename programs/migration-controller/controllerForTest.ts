/**
 * The migration controller with its test seams, for tests only (main.ts never imports this): write
 * hooks that fault tests use to stop it at an exact point, an injected clock, and `abandon()`, which
 * stops it as a killed process would.
 */
import { type MigrationController, type MigrationControllerOptions } from './controller.js';
import { ControllerManager, type TestSeams } from './controllerManager.js';

export type { TestSeams };

export interface TestMigrationController extends MigrationController {
  /**
   * As if the process were killed: stops at once and keeps the Lease, so a successor waits it
   * out. Synchronous up to its first await, so a write hook can call it mid-reconcile.
   */
  abandon(): Promise<void>;
}

export async function startMigrationControllerForTest(opts: MigrationControllerOptions & TestSeams): Promise<TestMigrationController> {
  const { hooks, now, ...options } = opts;
  const manager = new ControllerManager(options, { ...(hooks ? { hooks } : {}), ...(now ? { now } : {}) });
  manager.start();
  return manager;
}
