/**
 * Every series name a PromQL expression of kvfleet's may use, read from each program's metric
 * definitions, their process metrics, KubeVirt's metrics and Prometheus's own series. The tests of
 * the generated alerts and dashboards (test/observability/queryMetrics.test.ts) check every
 * expression against it. It lives here, above programs/, because it reads both programs.
 */
import { CONTROLLER_METRICS } from '../../programs/migration-controller/metrics.js';
import { LABELLER_METRICS } from '../../programs/node-labeller/metrics.js';
import { processMetrics, seriesNames } from '../../programs/runtime/metricsContract.js';
import { KUBEVIRT_METRICS, PROMETHEUS_SERIES } from './kubevirtMetrics.js';

/** Both programs' metric definitions, labeller first, as docs/operations.md lists them. */
export const PROGRAM_METRICS = [LABELLER_METRICS, CONTROLLER_METRICS] as const;

/**
 * Every series name a PromQL expression of kvfleet's may use: both programs' metrics (histograms as
 * `_bucket`, `_sum`, `_count`), their process metrics, KubeVirt's metrics and Prometheus's `up`.
 */
export function knownMetricNames(): Set<string> {
  const all = [...PROGRAM_METRICS.flatMap((m) => Object.values(m)), ...KUBEVIRT_METRICS, ...processMetrics()];
  return new Set([...all.flatMap(seriesNames), ...PROMETHEUS_SERIES]);
}
