/**
 * Every series name an alert, recording rule or dashboard query shipped in dist/ selects is one that
 * kvfleet or KubeVirt exports (generators/observability/metricNames.ts) or one of
 * kvfleet's own recording rules. promtool checks that the queries parse
 * (prometheusRules.promtool.test.ts); this checks that they can ever return data.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { RECORDING_RULES } from '../../generators/observability/alertRules.js';
import { dashboardQueries } from '../../generators/observability/grafanaDashboards.js';
import { knownMetricNames } from '../../generators/observability/metricNames.js';
import { projectDir } from '../../testbed/harness/toolPaths.js';
import { distRuleGroups } from './promtoolFiles.js';
import { labelValuesMetric, metricNamesIn } from '../../testbed/support/promqlMetricNames.js';

const distDir = join(projectDir, 'dist');
const clusters = readdirSync(distDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
  .map((d) => d.name)
  .sort();
const recorded = new Set(RECORDING_RULES.map((r) => r.record));
const known = knownMetricNames();
/** The names in `exprs` that neither the contract nor a recording rule vouches for. */
const unknownIn = (exprs: readonly string[]) => [...new Set(exprs.flatMap(metricNamesIn))].filter((n) => !known.has(n) && !recorded.has(n)).sort();

describe.each(clusters)('dist/%s', (cluster) => {
  test('alerts and recording rules select only contract metrics and recorded series', () => {
    const groups = distRuleGroups(distDir, cluster);
    const exprs = groups.flatMap((g) => g.rules.map((r) => r.expr));
    expect(exprs.length).toBeGreaterThan(0);
    expect(unknownIn(exprs)).toEqual([]);
    // The recorded series the alerts read are recorded in the same file.
    expect(groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : []))).sort()).toEqual([...recorded].sort());
  });

  test('dashboard panels and variables select only contract metrics and recorded series', () => {
    const files = readdirSync(join(distDir, cluster)).filter((f) => /^ConfigMap\..*dashboard.*\.yaml$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const { data } = parse(readFileSync(join(distDir, cluster, file), 'utf8')) as { data: Record<string, string> };
      for (const json of Object.values(data)) {
        const { panels, variables } = dashboardQueries(JSON.parse(json) as Record<string, unknown>);
        expect(panels.length).toBeGreaterThan(0);
        expect(unknownIn(panels)).toEqual([]);
        const variableMetrics = variables.map((v) => labelValuesMetric(v));
        expect(variableMetrics).not.toContain(undefined);
        expect(variableMetrics.filter((m) => !known.has(m!))).toEqual([]);
      }
    }
  });
});

test('a name outside the contract is caught', () => {
  expect(unknownIn(['sum(kvfleet_migrations_totl)', 'kube_node_status_condition'])).toEqual(['kube_node_status_condition', 'kvfleet_migrations_totl']);
});
