import { Testing } from 'cdk8s';
import { expect, test } from 'vitest';
import { MigrationController } from '../../generators/migrationController.js';
import { migrationSettings } from '../../fleet/clusterDefinition.js';
import { POD_NAME_ENV, settingsFromEnv } from '../../programs/migration-controller/settings.js';
import { migrationSeconds } from './kubevirtPart.js';
import { controllerEnv, counterSum, generatedObjects, isKyvernoPolicy, isLookupRole } from './kvfleetPart.js';
import { buildScenario, scenarioCluster } from './scenario.js';

const cluster = scenarioCluster(buildScenario(1, 'small'), '1.5.0');

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

test('the generated objects hold the policies of the KubeVirt version and, before 1.6, the lookup role', () => {
  const names = (v: string) =>
    generatedObjects(scenarioCluster(buildScenario(1, 'small'), v))
      .filter(isKyvernoPolicy)
      .map((o) => o.metadata.name);
  expect(names('1.5.0')).toContain('kvfleet-launcher-target-affinity');
  expect(names('1.6.2')).toContain('kvfleet-vmim-target-affinity');
  expect(generatedObjects(cluster).filter(isLookupRole)).toHaveLength(1);
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
  ['2048Mi', 6],
  ['16Gi', 23],
  [undefined, 5],
])('a %s guest migrates for %d simulated seconds', (memory, seconds) => {
  expect(migrationSeconds(memory === undefined ? {} : { memory })).toBe(seconds);
});
