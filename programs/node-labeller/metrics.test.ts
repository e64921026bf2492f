import { expect, test } from 'vitest';
import { definedMetrics, registeredMetrics } from '../runtime/metricsContract.js';
import { createLabellerMetrics, LABELLER_METRICS } from './metrics.js';

test('the labeller registers every metric of LABELLER_METRICS and nothing else', () => {
  const { registry } = createLabellerMetrics();
  expect(registeredMetrics(registry)).toEqual(definedMetrics(LABELLER_METRICS));
});
