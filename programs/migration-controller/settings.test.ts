import { describe, expect, test } from 'vitest';
import edgeOvn from '../../clusters/edge-ovn.js';
import legacyApps from '../../clusters/legacy-apps.js';
import prodEast from '../../clusters/prod-east.js';
import { migrationSettings } from '../../fleet/clusterDefinition.js';
import { schedulingContractOf } from '../../compatibility/kubevirtVersions.js';
import { MATRIX_MOUNT_PATH } from '../../compatibility/matrixDocument.js';
import { POD_NAME_ENV, settingsEnv, settingsFromEnv } from './settings.js';

describe('settings travel from the cluster definition to the controller', () => {
  test.each([[prodEast], [legacyApps], [edgeOvn]])('$name', (cluster) => {
    const parsed = settingsFromEnv({ ...settingsEnv(cluster), [POD_NAME_ENV]: 'kvfleet-migration-controller-abc' });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const m = migrationSettings(cluster);
    expect(parsed.settings.migration).toEqual({
      fallbackAttempts: m.fallbackAttempts,
      attemptWindowSeconds: m.attemptWindowSeconds,
      backoffBaseSeconds: m.backoffBaseSeconds,
      fallbackUnschedulableTimeoutSeconds: m.fallbackUnschedulableTimeoutSeconds,
      finishedMigrationTtlSeconds: m.finishedMigrationTtlSeconds,
    });
    expect(parsed.settings.scheduling).toEqual(schedulingContractOf(cluster.kubevirtVersion));
    expect(parsed.settings.kubeOvn).toBe(cluster.kubeOvn !== 'none');
    expect(parsed.settings.identity).toBe('kvfleet-migration-controller-abc');
  });
});

test('every bad setting is reported at once', () => {
  const parsed = settingsFromEnv({ KVFLEET_FALLBACK_ATTEMPTS: 'three', KVFLEET_KUBEVIRT_VERSION: 'latest', KVFLEET_KUBE_OVN: 'yes' });
  expect(parsed.ok).toBe(false);
  if (parsed.ok) return;
  expect(parsed.problems).toEqual([
    'KVFLEET_FALLBACK_ATTEMPTS="three" is not a number ≥ 0',
    'KVFLEET_KUBEVIRT_VERSION="latest" is not a KubeVirt version (the Deployment sets it from the cluster definition)',
    'KVFLEET_KUBE_OVN="yes" is neither true nor false',
    'POD_NAME is not set (the Deployment passes metadata.name through the downward API)',
  ]);
});

test('durations may be fractional seconds (a scaled clock), but not zero or negative', () => {
  const base = { KVFLEET_KUBEVIRT_VERSION: '1.6.2', [POD_NAME_ENV]: 'p' };
  const parsed = settingsFromEnv({ ...base, KVFLEET_BACKOFF_BASE_SECONDS: '0.1', KVFLEET_ATTEMPT_WINDOW_SECONDS: '36' });
  expect(parsed.ok && parsed.settings.migration.backoffBaseSeconds).toBe(0.1);
  expect(parsed.ok && parsed.settings.migration.attemptWindowSeconds).toBe(36);
  const bad = settingsFromEnv({ ...base, KVFLEET_BACKOFF_BASE_SECONDS: '0', KVFLEET_FINISHED_MIGRATION_TTL_SECONDS: '-5' });
  expect(bad.ok ? [] : bad.problems).toEqual([
    'KVFLEET_BACKOFF_BASE_SECONDS="0" is not a number of seconds > 0',
    'KVFLEET_FINISHED_MIGRATION_TTL_SECONDS="-5" is not a number of seconds > 0',
  ]);
});

test('the matrix file and the probe address come from the variables both programs read, with their defaults', () => {
  const base = { KVFLEET_KUBEVIRT_VERSION: '1.6.2', [POD_NAME_ENV]: 'p' };
  const defaults = settingsFromEnv(base);
  expect(defaults.ok && defaults.main).toEqual({ matrixFile: MATRIX_MOUNT_PATH, metricsPort: 8080, metricsHost: '0.0.0.0' });
  const set = settingsFromEnv({ ...base, KVFLEET_MATRIX_FILE: '/tmp/m.yaml', KVFLEET_METRICS_PORT: '9090', KVFLEET_METRICS_HOST: '127.0.0.1' });
  expect(set.ok && set.main).toEqual({ matrixFile: '/tmp/m.yaml', metricsPort: 9090, metricsHost: '127.0.0.1' });
});

test.each(['http', '0', '65536', '8080.5', '0x50', '8e3', ' 80'])('the metrics port %j is refused, naming the variable, the value and the fix', (port) => {
  const parsed = settingsFromEnv({ KVFLEET_KUBEVIRT_VERSION: '1.6.2', [POD_NAME_ENV]: 'p', KVFLEET_METRICS_PORT: port });
  expect(parsed.ok ? [] : parsed.problems).toEqual([
    `KVFLEET_METRICS_PORT=${JSON.stringify(port)} is not a port: set an integer from 1 to 65535, or leave it unset for 8080`,
  ]);
});

test('every variable the Deployment sets is a KVFLEET_ one', () => {
  expect(Object.keys(settingsEnv(prodEast)).filter((name) => !name.startsWith('KVFLEET_'))).toEqual([]);
});
