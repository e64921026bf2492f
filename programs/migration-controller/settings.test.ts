import { describe, expect, test } from 'vitest';
import edgeOvn from '../../clusters/edge-ovn.js';
import legacyApps from '../../clusters/legacy-apps.js';
import prodEast from '../../clusters/prod-east.js';
import { migrationSettings } from '../../fleet/clusterDefinition.js';
import { schedulingContractOf } from '../../compatibility/kubevirtVersions.js';
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
