import { describe, expect, test } from 'vitest';
import { labelValuesMetric, metricNamesIn } from '../../testbed/support/promqlMetricNames.js';

describe('the metric names a PromQL expression selects', () => {
  test.each([
    ['a bare selector', 'kvfleet_leader', ['kvfleet_leader']],
    ['label matchers, even ones that look like names', 'up{job="kvfleet_leader", instance=~"node_.*"} == 0', ['up']],
    [
      'functions and ranges',
      'time() - max_over_time(kvfleet_node_labeller_last_success_timestamp_seconds[30m])',
      ['kvfleet_node_labeller_last_success_timestamp_seconds'],
    ],
    ['aggregations with grouping', 'sum by (reason, fixable) (increase(kvfleet_migration_failures_total[1h]))', ['kvfleet_migration_failures_total']],
    ['aggregations grouping after the argument', 'sum(rate(kvfleet_migrations_total[5m])) by (result)', ['kvfleet_migrations_total']],
    [
      'set operators with on (), offset, and vector()',
      'count(a_metric == 1 unless on (namespace, vmim) b_metric offset 30m == 1) or vector(0)',
      ['a_metric', 'b_metric'],
    ],
    [
      'recorded names with colons, numbers with exponents',
      'machine_type:kvfleet_x:max > 1e+03 and cluster:y:sum >= 0.5',
      ['cluster:y:sum', 'machine_type:kvfleet_x:max'],
    ],
    ['histogram_quantile over buckets', 'histogram_quantile(0.9, sum by (le) (rate(x_seconds_bucket[$__rate_interval])))', ['x_seconds_bucket']],
    ['absent() of a comparison', 'absent(up{job="kvfleet-node-labeller"} == 1)', ['up']],
  ])('%s', (_, expr, names) => {
    expect(metricNamesIn(expr)).toEqual(names);
  });

  test('an unbalanced matcher is an error, not a silent pass', () => {
    expect(() => metricNamesIn('up{job="x"')).toThrow(/unbalanced/);
  });

  test("a Grafana variable's metric", () => {
    expect(labelValuesMetric('label_values(kvfleet_leader, cluster)')).toBe('kvfleet_leader');
  });
});
