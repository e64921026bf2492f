/**
 * kvfleet's rules and dashboards as shipped in dist/, checked by Prometheus's own promtool (v3.14):
 * every cluster's rule file passes `promtool check rules`, every alert passes a `promtool test rules`
 * unit test that fires it on the series that should and keeps it quiet on others (with the cluster's
 * own thresholds), and every dashboard query parses.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { loadFleet } from '../../fleet/loadFleet.js';
import { dashboardQueries } from '../../generators/observability/grafanaDashboards.js';
import { alertThresholds } from '../../fleet/clusterSchemaAlerts.js';
import { runPromtool } from '../../testbed/harness/promtool.js';
import { projectDir } from '../../testbed/harness/toolPaths.js';
import { alertCases } from '../../testbed/support/alertRuleCases.js';
import { alertsOf, distRuleGroups, queryCheckRuleFile, ruleFileYaml, unitTestYaml } from './promtoolFiles.js';

const distDir = join(projectDir, 'dist');
const clusterNames = readdirSync(distDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
  .map((d) => d.name)
  .sort();
const { clusters } = await loadFleet(join(projectDir, 'clusters'), projectDir);
const definitionOf = (name: string) => {
  const found = clusters.find((c) => c.definition.name === name);
  if (!found) throw new Error(`dist/${name} has no definition in clusters/: re-synthesise`);
  return found.definition;
};

const work = mkdtempSync(join(tmpdir(), 'kvfleet-promtool-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const failureText = (r: { code: number; stdout: string; stderr: string }) => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;

describe.each(clusterNames)('dist/%s', (cluster) => {
  const groups = distRuleGroups(distDir, cluster);
  const dir = join(work, cluster);
  beforeAll(() => {
    rmSync(dir, { recursive: true, force: true });
    readdirSync(work); // the folder exists
    writeFileSync(join(work, `${cluster}.rules.yaml`), ruleFileYaml(groups));
    writeFileSync(join(work, `${cluster}.tests.yaml`), unitTestYaml(`${cluster}.rules.yaml`, groups, alertCases(alertThresholds(definitionOf(cluster).alerts))));
  });

  test('promtool check rules accepts the PrometheusRule', async () => {
    const result = await runPromtool(['check', 'rules', `${cluster}.rules.yaml`], undefined, { cwd: work });
    expect(result.code, failureText(result)).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`SUCCESS: ${groups.flatMap((g) => g.rules).length} rules found`));
  });

  test.each(alertsOf(groups).map((a) => a.alert!))('promtool test rules: %s fires on its series and stays quiet otherwise', async (alert) => {
    const result = await runPromtool(['test', 'rules', `--run=^${alert}: `, `${cluster}.tests.yaml`], undefined, { cwd: work });
    expect(result.code, failureText(result)).toBe(0);
    // Both groups ran: a filter that matched nothing would pass as well.
    expect(result.stdout, failureText(result)).toMatch(/SUCCESS/);
    const ran = (parse(readFileSync(join(work, `${cluster}.tests.yaml`), 'utf8')) as { tests: { name: string }[] }).tests.filter((t) => t.name.startsWith(`${alert}: `));
    expect(ran.map((t) => t.name.split(' when ')[0])).toEqual([`${alert}: fires`, `${alert}: stays quiet`]);
  });

  test('every dashboard query parses (promtool check rules on a file that records each)', async () => {
    const files = readdirSync(join(distDir, cluster)).filter((f) => /^ConfigMap\..*dashboard.*\.yaml$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const configMap = parse(readFileSync(join(distDir, cluster, file), 'utf8')) as { data: Record<string, string> };
      for (const [key, json] of Object.entries(configMap.data)) {
        const { panels } = dashboardQueries(JSON.parse(json) as Record<string, unknown>);
        const ruleFile = `${cluster}.${key}.queries.yaml`;
        writeFileSync(join(work, ruleFile), queryCheckRuleFile(panels));
        const result = await runPromtool(['check', 'rules', ruleFile], undefined, { cwd: work });
        expect(result.code, `${file} ${key}: ${failureText(result)}`).toBe(0);
        expect(result.stdout).toMatch(new RegExp(`SUCCESS: ${panels.length} rules found`));
      }
    }
  });
});
