/**
 * The mechanism of the metrics contract: how a metric is defined (name, type, labels, meaning) and
 * how a program turns each definition into its prom-client metric. Each program owns its own
 * definitions (LABELLER_METRICS in programs/node-labeller/metrics.ts, CONTROLLER_METRICS in
 * programs/migration-controller/metrics.ts) and creates its metrics from them with `counterOf`,
 * `gaugeOf` and `histogramOf`, so a name, HELP text or label set cannot differ between code and
 * contract.
 *
 * What reads every program's definitions lives above programs/: the KubeVirt metrics kvfleet's
 * alerts use and `knownMetricNames()` (generators/observability/), docs/operations.md's metrics
 * tables (generators/observability/metricsDocs.ts, `npm run docs:metrics`).
 * test/observability/promtoolMetrics.apiserver.test.ts scrapes both programs' real `/metrics` and
 * checks it with `promtool check metrics` and against their definitions.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricLabel {
  readonly name: string;
  /** The closed set of values, when there is one (phases, reasons, results). */
  readonly values?: readonly string[];
  /** What the value is, when it is not from a closed set (a node name, a machine type). */
  readonly note?: string;
}

export interface MetricContract {
  /** As exported; a counter's name ends in `_total` (prom-client adds nothing). */
  readonly name: string;
  readonly type: MetricType;
  readonly labels: readonly MetricLabel[];
  /** The `# HELP` line. */
  readonly help: string;
  /** How to read it, for the docs table. */
  readonly readAs: string;
  /** Histograms only. */
  readonly buckets?: readonly number[];
}

export type LabelNames<M extends MetricContract> = M['labels'][number]['name'];
/** The values of a closed-set label, as a type: `LabelValue<typeof LABELLER_METRICS.errors, 'reason'>` (node-labeller/metrics.ts). */
export type LabelValue<M extends MetricContract, N extends LabelNames<M>> =
  Extract<M['labels'][number], { readonly name: N }> extends { readonly values: readonly (infer V)[] } ? V : string;

const labelNames = <M extends MetricContract>(m: M) => m.labels.map((l) => l.name) as LabelNames<M>[];

export function counterOf<const M extends MetricContract & { readonly type: 'counter' }>(m: M, registry: Registry): Counter<LabelNames<M>> {
  return new Counter({ name: m.name, help: m.help, labelNames: labelNames(m), registers: [registry] });
}

export function gaugeOf<const M extends MetricContract & { readonly type: 'gauge' }>(m: M, registry: Registry): Gauge<LabelNames<M>> {
  return new Gauge({ name: m.name, help: m.help, labelNames: labelNames(m), registers: [registry] });
}

export function histogramOf<const M extends MetricContract & { readonly type: 'histogram' }>(m: M, registry: Registry): Histogram<LabelNames<M>> {
  return new Histogram({ name: m.name, help: m.help, labelNames: labelNames(m), ...(m.buckets ? { buckets: [...m.buckets] } : {}), registers: [registry] });
}

/**
 * prom-client's default gauges that break the `_total`-is-a-counter rule (`promtool check metrics`:
 * 'non-counter metrics should not have "_total" suffix'). Each is the sum over the `type` label of
 * the gauge of the same name without `_total` (`nodejs_active_handles{type}`, …), which stays, so
 * `sum(nodejs_active_handles)` answers what they did. No kvfleet query used them.
 */
export const DROPPED_PROCESS_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'] as const;

/**
 * Process metrics of the real programs (RSS, heap, event-loop lag, GC: prom-client's defaults,
 * `process_*` and `nodejs_*`, without DROPPED_PROCESS_METRICS); tests that build metrics in-process skip them.
 */
export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of DROPPED_PROCESS_METRICS) registry.removeSingleMetric(name);
}

/** The names of the series a metric adds to a scrape: a histogram's three, else its own name. */
export function seriesNames(m: { readonly name: string; readonly type: string }): string[] {
  if (m.type === 'histogram') return [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`];
  if (m.type === 'summary') return [m.name, `${m.name}_sum`, `${m.name}_count`];
  return [m.name];
}

/** prom-client's default metrics, as both programs export them, read off prom-client itself. */
export function processMetrics(): { name: string; type: string }[] {
  const registry = new Registry();
  collectProcessMetrics(registry);
  // prom-client's typings declare a numeric enum; at runtime the type is the exposition format's word.
  return registry.getMetricsAsArray().map((m) => ({ name: m.name, type: String(m.type) }));
}

/** What a registry holds, in the contract's terms, sorted by name: for tests that compare a program's registry with its definitions. */
export function registeredMetrics(registry: Registry): { name: string; type: string; help: string; labels: string[] }[] {
  return registry
    .getMetricsAsArray()
    .map((m) => {
      // prom-client's typings hide these fields; at runtime every metric has them.
      const { name, help, labelNames } = m as unknown as { name: string; help: string; labelNames: string[] };
      return { name, type: String(m.type), help, labels: [...labelNames] };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** A program's definitions in the shape `registeredMetrics` returns, sorted by name. */
export function definedMetrics(metrics: Record<string, MetricContract>): { name: string; type: string; help: string; labels: string[] }[] {
  return Object.values(metrics)
    .map((m) => ({ name: m.name, type: m.type, help: m.help, labels: m.labels.map((l) => l.name) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
