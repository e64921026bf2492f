import { readFileSync } from 'node:fs';
import { type Registry } from 'prom-client';
import { describe, expect, test } from 'vitest';
import { createMigrationMetrics } from '../migration-controller/metrics.js';
import { createLabellerMetrics } from '../node-labeller/labellerMetrics.js';
import { endMarker, markedSection, metricsSections, startMarker } from './metricsDocs.js';
import {
  CONTROLLER_METRICS,
  DROPPED_PROCESS_METRICS,
  KUBEVIRT_METRICS,
  knownMetricNames,
  LABELLER_METRICS,
  type MetricContract,
  processMetrics,
} from './metricsContract.js';

const readme = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

/** What a registry holds, in the contract's terms. */
function registered(registry: Registry) {
  return registry
    .getMetricsAsArray()
    .map((m) => {
      const { name, help, labelNames } = m as unknown as { name: string; help: string; labelNames: string[] };
      return { name, type: String(m.type), help, labels: [...labelNames] };
    })
    .sort(byName);
}

const contractOf = (metrics: Record<string, MetricContract>) =>
  Object.values(metrics)
    .map((m) => ({ name: m.name, type: m.type, help: m.help, labels: m.labels.map((l) => l.name) }))
    .sort(byName);

describe('the programs export exactly their contract', () => {
  test('the labeller registers every metric of LABELLER_METRICS and nothing else', async () => {
    const { registry } = createLabellerMetrics();
    expect(registered(registry)).toEqual(contractOf(LABELLER_METRICS));
  });

  test('the controller registers every metric of CONTROLLER_METRICS and nothing else', async () => {
    const { registry } = createMigrationMetrics();
    expect(registered(registry)).toEqual(contractOf(CONTROLLER_METRICS));
  });

  test('histograms get the buckets the contract gives them', async () => {
    const metrics = createMigrationMetrics();
    metrics.phaseSeconds.observe({ phase: 'Running' }, 1);
    const les = (await metrics.phaseSeconds.get()).values.filter((v) => v.metricName?.endsWith('_bucket')).map((v) => (v.labels as Record<string, unknown>).le);
    expect(les).toEqual([...CONTROLLER_METRICS.phaseSeconds.buckets, '+Inf']);
  });
});

describe('names follow the Prometheus conventions promtool checks', () => {
  const all = [...Object.values(LABELLER_METRICS), ...Object.values(CONTROLLER_METRICS), ...KUBEVIRT_METRICS];

  test.each(all.map((m) => [m.name, m] as const))('%s', (_name, m) => {
    expect(m.name).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(m.name.endsWith('_total'), 'a counter ends in _total, nothing else does').toBe(m.type === 'counter');
    for (const l of m.labels) expect(l.name).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(m.help.trim().length).toBeGreaterThan(0);
  });

  test('no name is defined twice', () => {
    const names = all.map((m) => m.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });
});

describe('knownMetricNames', () => {
  const known = knownMetricNames();

  test('holds counters as exported, histograms as their three series, KubeVirt metrics and up', () => {
    expect(known.has('kvfleet_migrations_total')).toBe(true);
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

  test('holds nothing that is not in the contract', () => {
    expect(known.has('kvfleet_no_such_metric_total')).toBe(false);
  });
});

describe('docs/operations.md', () => {
  test.each(metricsSections().map((s) => [s.id, s] as const))('has the %s metrics table the contract generates', (id, section) => {
    const found = markedSection(readme, id);
    expect(found, `docs/operations.md lacks '${startMarker(id)}' … '${endMarker(id)}'`).toBeDefined();
    expect(found, 'docs/operations.md differs from the metrics contract: run npm run docs:metrics').toBe(section.table);
  });

  test('names no kvfleet metric that the contract does not define', () => {
    const defined = new Set<string>([...Object.values(LABELLER_METRICS), ...Object.values(CONTROLLER_METRICS)].map((m) => m.name));
    // Series names in queries (`_bucket`, `_count`, `_sum`) count as their histogram.
    const mentioned = [...readme.matchAll(/\bkvfleet_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, ''));
    expect([...new Set(mentioned.filter((n) => !defined.has(n)))]).toEqual([]);
  });
});
