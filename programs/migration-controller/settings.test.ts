import { describe, expect, test } from 'vitest';
import edgeOvn from '../../clusters/edge-ovn.js';
import legacyApps from '../../clusters/legacy-apps.js';
import prodEast from '../../clusters/prod-east.js';
import { migrationSettings } from '../../policies/clusterDefinition.js';
import { pinModeFor, POD_NAME_ENV, settingsEnv, settingsFromEnv } from './settings.js';

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
    expect(parsed.settings.pinMode).toBe(pinModeFor(cluster.kubevirtVersion));
    expect(parsed.settings.kubeOvn).toBe(cluster.kubeOvn !== 'none');
    expect(parsed.settings.identity).toBe('kvfleet-migration-controller-abc');
  });
});

test.each([
  ['1.5.2', 'targetNodeAnnotation'],
  ['1.5.1', 'targetNodeAnnotation'],
  ['1.6.0', 'addedNodeSelector'],
  ['1.6.2', 'addedNodeSelector'],
  ['v1.7.0-rc.1', 'addedNodeSelector'],
])('KubeVirt %s pins fallbacks with %s', (version, mode) => {
  expect(pinModeFor(version)).toBe(mode);
});

test('every bad setting is reported at once', () => {
  const parsed = settingsFromEnv({ KVFLEET_FALLBACK_ATTEMPTS: 'three', KVFLEET_PIN_MODE: 'nodeName', KVFLEET_KUBE_OVN: 'yes' });
  expect(parsed.ok).toBe(false);
  if (parsed.ok) return;
  expect(parsed.problems).toEqual([
    'KVFLEET_FALLBACK_ATTEMPTS="three" is not a number ≥ 0',
    'KVFLEET_PIN_MODE="nodeName" is neither addedNodeSelector (KubeVirt ≥ 1.6) nor targetNodeAnnotation',
    'KVFLEET_KUBE_OVN="yes" is neither true nor false',
    'POD_NAME is not set (the Deployment passes metadata.name through the downward API)',
  ]);
});
