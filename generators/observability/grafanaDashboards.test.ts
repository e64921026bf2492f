import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { testCluster } from '../../testbed/support/clusterFixtures.js';
import { metricNamesIn } from '../../testbed/support/promqlMetricNames.js';
import { DashboardConfigMaps } from './dashboardConfigMaps.js';
import { dashboard, dashboardQueries, dashboardUid, MAX_DASHBOARD_UID_LENGTH, renderDashboard } from './grafanaDashboards.js';

type Panel = { id: number; type: string; title: string; gridPos: { x: number; y: number; w: number; h: number }; targets?: { expr: string }[] };
const opts = { runbooksUrl: 'https://git.example.com/fleet/blob/main/docs/runbooks.md' };
const plain = testCluster({ name: 'plain', alerts: { migrationFailurePercent: 15 } });
const ovn = testCluster({ name: 'ovn', kubeOvn: { version: '1.15.14' } });
const clusterBoard = (c = plain) => dashboard({ kind: 'cluster', cluster: c }, opts);
const fleetBoard = () => dashboard({ kind: 'fleet', clusters: [plain, ovn] }, opts);
const panelsOf = (model: Record<string, unknown>) => model.panels as Panel[];
const rowTitles = (model: Record<string, unknown>) =>
  panelsOf(model)
    .filter((p) => p.type === 'row')
    .map((p) => p.title);
const variable = (model: Record<string, unknown>, name: string) => (model.templating as { list: Record<string, unknown>[] }).list.find((v) => v.name === name)!;

test('the ConfigMaps: the cluster dashboard, and the fleet dashboard where asked for, labelled for the Grafana sidecar', () => {
  const chart = Testing.chart();
  new DashboardConfigMaps(chart, 'dashboards', { cluster: plain, fleet: [plain, ovn], runbooksUrl: opts.runbooksUrl });
  const manifests = Testing.synth(chart);
  expect(manifests.map((m) => [m.metadata.name, Object.keys(m.data), m.metadata.labels])).toEqual([
    ['kvfleet-dashboard', ['kvfleet-plain.json'], { grafana_dashboard: '1' }],
    ['kvfleet-fleet-dashboard', ['kvfleet-fleet.json'], { grafana_dashboard: '1' }],
  ]);
  expect(JSON.parse(manifests[0].data['kvfleet-plain.json'])).toMatchSnapshot();
});

test('the same definitions give the same bytes', () => {
  expect(renderDashboard(clusterBoard())).toBe(renderDashboard(clusterBoard()));
  expect(renderDashboard(fleetBoard())).toBe(renderDashboard(dashboard({ kind: 'fleet', clusters: [plain, ovn] }, opts)));
});

describe('the panels', () => {
  test.each([
    ['per-phase migration durations', 'kvfleet_migration_phase_seconds'],
    ['results by origin', 'kvfleet_migrations'],
    ['fallbacks by reason', 'kvfleet_migration_fallbacks_total'],
    ['no-target failures', 'kvfleet_migration_no_compatible_target_total'],
    ['rejections by machine type', 'kvfleet_machine_type_rejections_total'],
    ['drift per pool', 'kvfleet_node_machine_type_drift'],
    ['Kube-OVN network-ready time', 'kvfleet_migration_target_network_ready_seconds'],
  ])('%s are on the fleet dashboard (%s)', (_, metric) => {
    const { panels } = dashboardQueries(fleetBoard());
    expect(panels.some((q) => metricNamesIn(q).some((n) => n.includes(metric)))).toBe(true);
  });

  test('the Kube-OVN row is on the dashboards of Kube-OVN clusters only, and on the fleet one when any runs it', () => {
    expect(rowTitles(clusterBoard(ovn))).toContain('Kube-OVN');
    expect(rowTitles(clusterBoard(plain))).not.toContain('Kube-OVN');
    expect(rowTitles(fleetBoard())).toContain('Kube-OVN');
  });

  test('every query is filtered by the cluster variable', () => {
    for (const model of [clusterBoard(), fleetBoard()]) {
      for (const q of dashboardQueries(model).panels) {
        for (const name of metricNamesIn(q)) {
          const uses = [...q.matchAll(new RegExp(`(?<![a-zA-Z0-9_:])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![a-zA-Z0-9_:])(\\{[^}]*\\})?`, 'g'))];
          expect(uses.length, q).toBeGreaterThan(0);
          for (const use of uses) expect(use[1] ?? '', `${name} in ${q}`).toContain('cluster=~"$cluster"');
        }
      }
    }
  });

  test('the fleet dashboard splits every aggregation by cluster', () => {
    for (const q of dashboardQueries(fleetBoard()).panels) {
      for (const m of q.matchAll(/\b(sum|max)(?: by \(([^)]*)\))? ?\(/g)) expect(m[2] ?? '', q).toMatch(/^cluster\b/);
    }
  });

  test("the cluster dashboard draws the failure-rate alert's threshold from the definition", () => {
    const panel = panelsOf(clusterBoard()).find((p) => p.title.startsWith('Failed share')) as unknown as {
      fieldConfig: { defaults: { thresholds: { steps: { value: number | null }[] } } };
    };
    expect(panel.fieldConfig.defaults.thresholds.steps.map((s) => s.value)).toEqual([null, 0.15]);
  });

  test('panels have unique ids and stay on the 24-column grid without overlapping', () => {
    for (const model of [clusterBoard(ovn), fleetBoard()]) {
      const panels = panelsOf(model);
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      const cells = new Set<string>();
      for (const { gridPos: g } of panels) {
        expect(g.x + g.w).toBeLessThanOrEqual(24);
        for (let x = g.x; x < g.x + g.w; x++)
          for (let y = g.y; y < g.y + g.h; y++) {
            expect(cells.has(`${x},${y}`)).toBe(false);
            cells.add(`${x},${y}`);
          }
      }
    }
  });
});

describe('the variables', () => {
  test('a Prometheus data source and a cluster, preselected on the cluster dashboard, All on the fleet one', () => {
    expect(variable(clusterBoard(), 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(variable(clusterBoard(), 'cluster')).toMatchObject({ includeAll: true, allValue: '.*', multi: false, current: { value: 'plain' } });
    expect(variable(fleetBoard(), 'cluster')).toMatchObject({ includeAll: true, allValue: '.*', multi: true, current: { value: ['$__all'] } });
  });
});

describe('dashboard UIDs', () => {
  test('are readable, unique per cluster, and never longer than Grafana takes', () => {
    expect(clusterBoard().uid).toBe('kvfleet-cluster-plain');
    expect(fleetBoard().uid).toBe('kvfleet-fleet-overview');
    const long = 'a-cluster-name-that-is-much-longer-than-grafana-allows-for-uids';
    const uid = dashboardUid('kvfleet-cluster-', long);
    expect(uid.length).toBeLessThanOrEqual(MAX_DASHBOARD_UID_LENGTH);
    expect(uid).not.toBe(dashboardUid('kvfleet-cluster-', `${long}-2`));
  });
});
