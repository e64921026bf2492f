import { Testing } from 'cdk8s';
import { expect, test } from 'vitest';
import { MigrationController } from '../../generators/migrationController.js';
import { migrationSettings } from '../../fleet/clusterDefinition.js';
import { POD_NAME_ENV, settingsFromEnv } from '../../programs/migration-controller/settings.js';
import { controllerEnv, counterSum, generatedObjects, isKyvernoPolicy, isLookupRole } from './kvfleetPart.js';
import { buildScenario, scenarioCluster } from './scenario.js';
import { DEFAULT_TIMING, migrationSeconds } from '../support/timing.js';

const cluster = scenarioCluster(buildScenario(1, 'small'));

test("the controller gets the Deployment's environment, with the durations it measures on its own clock scaled to the simulation", () => {
  const env = controllerEnv(cluster, 10);
  const deployed = new MigrationController(Testing.chart(), 'mc', { cluster }).env;
  const m = migrationSettings(cluster);
  const scaled = ['KVFLEET_ATTEMPT_WINDOW_SECONDS', 'KVFLEET_BACKOFF_BASE_SECONDS', 'KVFLEET_FINISHED_MIGRATION_TTL_SECONDS'];
  expect(Object.keys(env).sort()).toEqual(Object.keys(deployed).sort());
  for (const [k, v] of Object.entries(deployed)) if (!scaled.includes(k)) expect(env[k], k).toBe(v);
  expect(env.KVFLEET_BACKOFF_BASE_SECONDS).toBe(String((m.backoffBaseSeconds * 10) / 1000));
  expect(env.KVFLEET_ATTEMPT_WINDOW_SECONDS).toBe(String((m.attemptWindowSeconds * 10) / 1000));
  // Written into fallback VMIMs, read by the simulated KubeVirt in simulated seconds: not scaled.
  expect(env.KVFLEET_FALLBACK_UNSCHEDULABLE_TIMEOUT_SECONDS).toBe(String(m.fallbackUnschedulableTimeoutSeconds));
  const parsed = settingsFromEnv({ ...env, [POD_NAME_ENV]: 'sim' });
  expect(parsed.ok && parsed.settings.migration.backoffBaseSeconds).toBe(0.1);
});

test('the generated objects hold the VMIM policies of KubeVirt 1.7 (no target-Pod policy, no lookup role)', () => {
  const names = generatedObjects(cluster)
    .filter(isKyvernoPolicy)
    .map((o) => o.metadata.name);
  expect(names).toContain('kvfleet-vmim-target-affinity');
  expect(names).not.toContain('kvfleet-launcher-target-affinity');
  expect(generatedObjects(cluster).filter(isLookupRole)).toHaveLength(0);
});

test('counterSum adds the samples of a counter, optionally those with a label', () => {
  const text = [
    '# HELP kvfleet_migration_fallbacks_total x',
    'kvfleet_migration_fallbacks_total{reason="TargetUnschedulable"} 3',
    'kvfleet_migration_fallbacks_total{reason="TargetNodeFailure"} 2',
    'kvfleet_migration_fallbacks_total_other 7',
    'kvfleet_leader 1',
  ].join('\n');
  expect(counterSum(text, 'kvfleet_migration_fallbacks_total')).toBe(5);
  expect(counterSum(text, 'kvfleet_migration_fallbacks_total', 'reason="TargetNodeFailure"')).toBe(2);
  expect(counterSum(text, 'kvfleet_leader')).toBe(1);
  expect(counterSum(text, 'absent')).toBe(0);
});

test.each([
  [1024 ** 3, 1.5],
  [4 * 1024 ** 3, 3],
  [undefined, 1.5],
])('a guest of %s bytes migrates for %d seconds', (bytes, seconds) => {
  expect(migrationSeconds(DEFAULT_TIMING, bytes)).toBe(seconds);
});
