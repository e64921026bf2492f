import { expect, test } from 'vitest';
import { definedMetrics, registeredMetrics } from '../runtime/metricsContract.js';
import { CONTROLLER_METRICS, createMigrationMetrics } from './metrics.js';

test('the controller registers every metric of CONTROLLER_METRICS and nothing else', () => {
  const { registry } = createMigrationMetrics();
  expect(registeredMetrics(registry)).toEqual(definedMetrics(CONTROLLER_METRICS));
});

test('histograms get the buckets their definitions give them', async () => {
  const metrics = createMigrationMetrics();
  metrics.phaseSeconds.observe({ phase: 'Running' }, 1);
  const les = (await metrics.phaseSeconds.get()).values.filter((v) => v.metricName?.endsWith('_bucket')).map((v) => (v.labels as Record<string, unknown>).le);
  expect(les).toEqual([...CONTROLLER_METRICS.phaseSeconds.buckets, '+Inf']);
});
