import { describe, expect, test } from 'vitest';
import { DROPPED_PROCESS_METRICS, processMetrics } from '../../programs/runtime/metricsContract.js';
import { KUBEVIRT_METRICS } from './kubevirtMetrics.js';
import { knownMetricNames, PROGRAM_METRICS } from './metricNames.js';

describe('names follow the Prometheus conventions promtool checks', () => {
  const all = [...PROGRAM_METRICS.flatMap((m) => Object.values(m)), ...KUBEVIRT_METRICS];

  test.each(all.map((m) => [m.name, m] as const))('%s', (_name, m) => {
    expect(m.name).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(m.name.endsWith('_total'), 'a counter ends in _total, nothing else does').toBe(m.type === 'counter');
    for (const l of m.labels) expect(l.name).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(m.help.trim().length).toBeGreaterThan(0);
  });

  test('no name is defined twice, across both programs and KubeVirt', () => {
    const names = all.map((m) => m.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });
});

describe('knownMetricNames', () => {
  const known = knownMetricNames();

  test('holds counters as exported, histograms as their three series, KubeVirt metrics and up', () => {
    expect(known.has('kvfleet_migrations_total')).toBe(true);
    expect(known.has('kvfleet_node_labeller_reconciles_total')).toBe(true);
    for (const suffix of ['_bucket', '_sum', '_count']) expect(known.has(`kvfleet_migration_phase_seconds${suffix}`)).toBe(true);
    expect(known.has('kvfleet_migration_phase_seconds'), 'a histogram has no series of its bare name').toBe(false);
    expect(known.has('kubevirt_vmi_migration_failed')).toBe(true);
    expect(known.has('kubevirt_vmi_migration_phase_transition_time_from_creation_seconds_bucket')).toBe(true);
    expect(known.has('up')).toBe(true);
  });

  test("holds the process metrics both programs export from prom-client's defaults", () => {
    const names = processMetrics().map((m) => m.name);
    expect(names).toContain('process_resident_memory_bytes');
    expect(known.has('process_resident_memory_bytes')).toBe(true);
    expect(known.has('nodejs_eventloop_lag_seconds')).toBe(true);
  });

  test("leaves out prom-client's gauges named like counters, which promtool rejects; their per-type gauges stay", () => {
    for (const name of DROPPED_PROCESS_METRICS) {
      expect(known.has(name)).toBe(false);
      expect(known.has(name.replace(/_total$/, ''))).toBe(true);
    }
  });

  test('holds nothing that is not defined', () => {
    expect(known.has('kvfleet_no_such_metric_total')).toBe(false);
  });
});
