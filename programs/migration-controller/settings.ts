/**
 * The controller's settings: the cluster definition's migration settings plus what the generator
 * derives from the cluster (pinning mode, Kube-OVN), as environment variables on the Deployment.
 * The generator writes them with `settingsEnv`, the program reads them with `settingsFromEnv`, so
 * the names exist once; the variables both programs read (matrix file, metrics port and address)
 * are programs/runtime/programEnv.ts's.
 */
import { type ClusterDefinition, DEFAULT_MIGRATION_SETTINGS, DEFAULT_NAMESPACE, type MigrationSettings, migrationSettings } from '../../fleet/clusterDefinition.js';
import { type SchedulingContract, schedulingContract } from '../../compatibility/kubevirtVersions.js';
import { MATRIX_MOUNT_PATH } from '../../compatibility/matrixDocument.js';
import { DEFAULT_METRICS_HOST, MATRIX_FILE_ENV, METRICS_HOST_ENV, METRICS_PORT_ENV, portFrom } from '../runtime/programEnv.js';

export type ControllerMigrationSettings = Pick<
  MigrationSettings,
  'fallbackAttempts' | 'attemptWindowSeconds' | 'backoffBaseSeconds' | 'fallbackUnschedulableTimeoutSeconds' | 'finishedMigrationTtlSeconds'
>;

export interface ControllerSettings {
  readonly migration: ControllerMigrationSettings;
  /** From the cluster's KubeVirt version: whose machine-type labels the scheduler checks, how fallbacks pin. */
  readonly scheduling: SchedulingContract;
  /** Observe Kube-OVN's target network readiness (`ovn.kubernetes.io/routed`). */
  readonly kubeOvn: boolean;
  /** Namespace of the Lease (the controller's own). */
  readonly namespace: string;
  readonly leaseName: string;
  /** This replica's name in the Lease (the pod name). */
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly workers: number;
}

/** What main.ts needs besides the controller's own settings: where the matrix is, where to serve probes. */
export interface ControllerMainSettings {
  readonly matrixFile: string;
  readonly metricsPort: number;
  readonly metricsHost: string;
}

export const DEFAULT_LEASE_NAME = 'kvfleet-migration-controller';

/** client-go's leader-election defaults: 15 s lease, 10 s renew deadline, 2 s retry. */
export const DEFAULT_CONTROLLER_SETTINGS: Omit<ControllerSettings, 'migration' | 'scheduling' | 'kubeOvn' | 'identity'> = {
  namespace: DEFAULT_NAMESPACE,
  leaseName: DEFAULT_LEASE_NAME,
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
  // Reconciles are mostly waiting on the API server; bench/migrationController.bench.ts measures this.
  workers: 8,
};

const MIGRATION_ENV: Record<keyof ControllerMigrationSettings, string> = {
  fallbackAttempts: 'KVFLEET_FALLBACK_ATTEMPTS',
  attemptWindowSeconds: 'KVFLEET_ATTEMPT_WINDOW_SECONDS',
  backoffBaseSeconds: 'KVFLEET_BACKOFF_BASE_SECONDS',
  fallbackUnschedulableTimeoutSeconds: 'KVFLEET_FALLBACK_UNSCHEDULABLE_TIMEOUT_SECONDS',
  finishedMigrationTtlSeconds: 'KVFLEET_FINISHED_MIGRATION_TTL_SECONDS',
};
/** The cluster's KubeVirt version; compatibility/kubevirtVersions.ts turns it into the scheduling contract. */
export const KUBEVIRT_VERSION_ENV = 'KVFLEET_KUBEVIRT_VERSION';
export const KUBE_OVN_ENV = 'KVFLEET_KUBE_OVN';
export const LEASE_NAME_ENV = 'KVFLEET_LEASE_NAME';
/** Downward API, under the names Kubernetes manifests use: the pod's name (Lease identity) and namespace (Lease namespace). */
export const POD_NAME_ENV = 'POD_NAME';
export const POD_NAMESPACE_ENV = 'POD_NAMESPACE';

/** The variables the Deployment sets for one cluster, sorted by name. */
export function settingsEnv(cluster: ClusterDefinition): Record<string, string> {
  const m = migrationSettings(cluster);
  const env: Record<string, string> = {
    [KUBEVIRT_VERSION_ENV]: cluster.kubevirtVersion,
    [KUBE_OVN_ENV]: String(cluster.kubeOvn !== 'none'),
    [LEASE_NAME_ENV]: DEFAULT_LEASE_NAME,
  };
  for (const [field, name] of Object.entries(MIGRATION_ENV)) env[name] = String(m[field as keyof ControllerMigrationSettings]);
  return Object.fromEntries(Object.entries(env).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export type ParsedSettings = { ok: true; settings: ControllerSettings; main: ControllerMainSettings } | { ok: false; problems: string[] };

/** Reads settings from the environment; every problem is reported, none is guessed around. */
export function settingsFromEnv(env: Readonly<Record<string, string | undefined>>): ParsedSettings {
  const problems: string[] = [];
  const number = (name: string, fallback: number, valid: (n: number) => boolean, expected: string): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || !valid(n)) {
      problems.push(`${name}="${raw}" is not ${expected}`);
      return fallback;
    }
    return n;
  };
  // Durations may be fractional: the upgrade simulator (sim/upgrade) runs the controller on a scaled
  // clock, where KubeVirt's seconds are milliseconds. The generator always writes whole seconds.
  const migration = Object.fromEntries(
    Object.entries(MIGRATION_ENV).map(([field, name]) => [
      field,
      field === 'fallbackAttempts'
        ? number(name, DEFAULT_MIGRATION_SETTINGS.fallbackAttempts, (n) => n >= 0, 'a number ≥ 0')
        : number(name, DEFAULT_MIGRATION_SETTINGS[field as keyof ControllerMigrationSettings], (n) => n > 0, 'a number of seconds > 0'),
    ]),
  ) as unknown as ControllerMigrationSettings;
  const kubevirtVersion = env[KUBEVIRT_VERSION_ENV];
  const scheduling = kubevirtVersion ? schedulingContract(kubevirtVersion) : undefined;
  if (!scheduling)
    problems.push(`${KUBEVIRT_VERSION_ENV}=${JSON.stringify(kubevirtVersion ?? '')} is not a KubeVirt version (the Deployment sets it from the cluster definition)`);
  const kubeOvn = env[KUBE_OVN_ENV] ?? 'false';
  if (kubeOvn !== 'true' && kubeOvn !== 'false') problems.push(`${KUBE_OVN_ENV}="${kubeOvn}" is neither true nor false`);
  const identity = env[POD_NAME_ENV];
  if (!identity) problems.push(`${POD_NAME_ENV} is not set (the Deployment passes metadata.name through the downward API)`);
  const metricsPort = portFrom(METRICS_PORT_ENV, env[METRICS_PORT_ENV]);
  if (!metricsPort.ok) problems.push(metricsPort.problem);
  if (problems.length || !metricsPort.ok) return { ok: false, problems };
  return {
    ok: true,
    settings: {
      ...DEFAULT_CONTROLLER_SETTINGS,
      migration,
      scheduling: scheduling!,
      kubeOvn: kubeOvn === 'true',
      namespace: env[POD_NAMESPACE_ENV] || DEFAULT_NAMESPACE,
      leaseName: env[LEASE_NAME_ENV] || DEFAULT_LEASE_NAME,
      identity: identity!,
    },
    main: {
      matrixFile: env[MATRIX_FILE_ENV] || MATRIX_MOUNT_PATH,
      metricsPort: metricsPort.port,
      metricsHost: env[METRICS_HOST_ENV] || DEFAULT_METRICS_HOST,
    },
  };
}
