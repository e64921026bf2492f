/**
 * The simulator's durations, in seconds of real time (the real virt-controller keeps real time): how
 * long virt-operator waits between rollout batches and for the workload updater, the drain rule, the
 * migration model and KubeVirt's parallel-migration limits. Pure data.
 */

export interface ScenarioTiming {
  /** virt-operator waits for the canary virt-handler to be ready. */
  readonly canarySeconds: number;
  /** …and for each 10 % batch. */
  readonly batchSeconds: number;
  /** After the CR says Deployed, how long the operator waits for the workload updater before draining. */
  readonly updateWaitSeconds: number;
  /** A drain gives up (stalls) once no VMI has left the node for this long… */
  readonly drainStallSeconds: number;
  /** …or after this long, whatever is left. */
  readonly drainCapSeconds: number;
  /** `kubectl drain` retries a refused eviction after this long (its default 5 s). */
  readonly evictRetrySeconds: number;
  /** The drained node's reboot: cordoned this long, then back. */
  readonly rebootSeconds: number;
  /** Live migration: setup plus memory copy, seconds per GiB of guest memory. */
  readonly migrationBaseSeconds: number;
  readonly migrationSecondsPerGiB: number;
  /** KubeVirt's defaults (`pkg/virt-config/virt-config.go`). */
  readonly parallelMigrationsPerCluster: number;
  readonly parallelOutboundMigrationsPerNode: number;
}

export const DEFAULT_TIMING: ScenarioTiming = {
  canarySeconds: 5,
  batchSeconds: 3,
  // Long enough for one round of KubeVirt's 300 s unschedulable timeout and a retry.
  updateWaitSeconds: 330,
  drainStallSeconds: 60,
  drainCapSeconds: 600,
  evictRetrySeconds: 5,
  rebootSeconds: 5,
  migrationBaseSeconds: 1,
  migrationSecondsPerGiB: 0.5,
  parallelMigrationsPerCluster: 5,
  parallelOutboundMigrationsPerNode: 2,
};

/** The `npm test` version: long enough to see what stalls, too short for KubeVirt's 300 s timeout. */
export const SMALL_TIMING: ScenarioTiming = {
  ...DEFAULT_TIMING,
  canarySeconds: 1,
  batchSeconds: 1,
  updateWaitSeconds: 20,
  drainStallSeconds: 8,
  drainCapSeconds: 30,
  rebootSeconds: 0,
};

/** Seconds a live migration of `memoryBytes` of guest stays in Running. */
export function migrationSeconds(timing: ScenarioTiming, memoryBytes: number | undefined): number {
  return timing.migrationBaseSeconds + ((memoryBytes ?? 1024 ** 3) / 1024 ** 3) * timing.migrationSecondsPerGiB;
}
