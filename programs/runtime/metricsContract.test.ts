import { Registry } from 'prom-client';
import { expect, test } from 'vitest';
import {
  collectProcessMetrics,
  counterOf,
  definedMetrics,
  DROPPED_PROCESS_METRICS,
  histogramOf,
  processMetrics,
  registeredMetrics,
  seriesNames,
} from './metricsContract.js';

const SYNTHETIC = {
  things: { name: 'synthetic_things_total', type: 'counter', labels: [{ name: 'kind', values: ['a', 'b'] }], help: 'Things.', readAs: 'things' },
  waits: { name: 'synthetic_wait_seconds', type: 'histogram', labels: [], help: 'Waits.', readAs: 'waits', buckets: [1, 2] },
} as const;

test('a metric created from its definition registers with its name, type, HELP and labels', () => {
  const registry = new Registry();
  counterOf(SYNTHETIC.things, registry);
  histogramOf(SYNTHETIC.waits, registry);
  expect(registeredMetrics(registry)).toEqual(definedMetrics(SYNTHETIC));
});

test('a histogram gets the buckets its definition gives it', async () => {
  const h = histogramOf(SYNTHETIC.waits, new Registry());
  h.observe(1);
  const les = (await h.get()).values.filter((v) => v.metricName?.endsWith('_bucket')).map((v) => (v.labels as Record<string, unknown>).le);
  expect(les).toEqual([...SYNTHETIC.waits.buckets, '+Inf']);
});

test('a histogram adds three series, anything else its own name', () => {
  expect(seriesNames(SYNTHETIC.waits)).toEqual(['synthetic_wait_seconds_bucket', 'synthetic_wait_seconds_sum', 'synthetic_wait_seconds_count']);
  expect(seriesNames(SYNTHETIC.things)).toEqual(['synthetic_things_total']);
});

test("the process metrics are prom-client's defaults without the gauges named like counters, which promtool rejects", () => {
  const names = processMetrics().map((m) => m.name);
  expect(names).toContain('process_resident_memory_bytes');
  expect(names).toContain('nodejs_eventloop_lag_seconds');
  for (const name of DROPPED_PROCESS_METRICS) {
    expect(names).not.toContain(name);
    // Their per-type gauges stay: sum(nodejs_active_handles) answers what they did.
    expect(names).toContain(name.replace(/_total$/, ''));
  }
  const registry = new Registry();
  collectProcessMetrics(registry);
  expect(registry.getMetricsAsArray().map((m) => m.name)).toEqual(names);
});
