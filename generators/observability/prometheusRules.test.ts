import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { type ClusterDefinition } from '../../fleet/clusterDefinition.js';
import { DEFAULT_ALERT_THRESHOLDS } from '../../fleet/clusterSchemaAlerts.js';
import { testCluster } from '../../testbed/support/clusterFixtures.js';
import { projectDir } from '../../testbed/harness/toolPaths.js';
import { alertCases } from '../../testbed/support/alertRuleCases.js';
import { ALERT_RULES, alertsTable } from './alertRules.js';
import { type PrometheusRuleEntry, type PrometheusRuleGroup, PrometheusRules } from './prometheusRules.js';
import { runbookAnchor, runbooksUrl } from './runbookUrl.js';

const RUNBOOKS = 'https://git.example.com/platform/fleet/blob/main/docs/runbooks.md';
const kubeOvnCluster = () => testCluster({ name: 'ovn', kubeOvn: { version: '1.15.14' } });

function synth(cluster: ClusterDefinition) {
  const chart = Testing.chart();
  const rules = new PrometheusRules(chart, 'rules', { cluster, runbooksUrl: RUNBOOKS });
  return { rules, manifests: Testing.synth(chart) };
}
const alertsOf = (groups: readonly PrometheusRuleGroup[]) =>
  groups.flatMap((g) => g.rules).filter((r): r is PrometheusRuleEntry & { alert: string } => r.alert !== undefined);
const alertNamed = (groups: readonly PrometheusRuleGroup[], name: string) => alertsOf(groups).find((a) => a.alert === name)!;

/** The anchors GitHub gives the headings of a Markdown file. */
function headingAnchors(markdown: string): Set<string> {
  return new Set(
    [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    ),
  );
}

test('the PrometheusRule of a cluster with the default thresholds', () => {
  const { manifests } = synth(testCluster());
  expect(manifests).toMatchSnapshot();
  expect(manifests.map((m) => `${m.apiVersion} ${m.kind} ${m.metadata.namespace}/${m.metadata.name}`)).toEqual([
    'monitoring.coreos.com/v1 PrometheusRule kvfleet-system/kvfleet',
  ]);
});

describe('every alert', () => {
  const { rules } = synth(kubeOvnCluster());
  const alerts = alertsOf(rules.groups);

  test('has a severity, a summary, a description and a runbook link to its own section', () => {
    expect(alerts.map((a) => a.alert)).toEqual(ALERT_RULES.map((a) => a.alert));
    for (const a of alerts) {
      expect(['critical', 'warning']).toContain(a.labels?.severity);
      expect(Object.keys(a.annotations ?? {}).sort()).toEqual(['description', 'runbook_url', 'summary']);
      expect(a.annotations?.runbook_url).toBe(`${RUNBOOKS}#${a.alert.toLowerCase()}`);
    }
  });

  test('has its runbook section in docs/runbooks.md (the anchor of its runbook_url exists)', () => {
    const anchors = headingAnchors(readFileSync(join(projectDir, 'docs/runbooks.md'), 'utf8'));
    const missing = alerts.map((a) => a.annotations!.runbook_url!.split('#')[1]!).filter((anchor) => !anchors.has(anchor));
    expect(missing).toEqual([]);
  });

  test("is kvfleet's own: CamelCase with the Kvfleet prefix, never one of KubeVirt's or HCO's", () => {
    const upstream = [
      'KubeVirtVMIExcessiveMigrations',
      'DeprecatedMachineType',
      'VMCannotBeEvicted',
      'KubeVirtNoAvailableNodesToRunVMs',
      'OutdatedVirtualMachineInstanceWorkloads',
      'VirtualMachineStuckOnNode',
    ];
    for (const a of alerts) {
      expect(a.alert).toMatch(/^Kvfleet[A-Z][A-Za-z]+$/);
      expect(upstream).not.toContain(a.alert);
    }
    expect(new Set(alerts.map((a) => a.alert)).size).toBe(alerts.length);
  });

  test('has a promtool unit test, firing and quiet (testbed/support/alertRuleCases.ts)', () => {
    expect(Object.keys(alertCases(DEFAULT_ALERT_THRESHOLDS)).sort()).toEqual(ALERT_RULES.map((a) => a.alert).sort());
  });
});

describe('thresholds come from the cluster definition', () => {
  const custom = testCluster({
    alerts: {
      migrationFailurePercent: 10,
      migrationFailureMinCount: 7,
      noCompatibleTargetCount: 4,
      machineTypeWithoutNodeMinutes: 45,
      machineTypeDriftMinutes: 120,
      labellerStaleMinutes: 60,
      reconcileErrorCount: 50,
    },
  });
  const { groups } = synth(custom).rules;

  test.each([
    ['KvfleetMigrationFailureRate', '> 0.1 and', '>= 7'],
    ['KvfleetKubevirtMigrationFailureRate', '> 0.1 and', '>= 7'],
    ['KvfleetMigrationNoCompatibleTarget', '>= 4', '>= 4'],
    ['KvfleetNodeLabellerNotReconciling', '> 3600', '> 3600'],
    ['KvfleetNodeLabellerReconcileErrors', '>= 50', '>= 50'],
    ['KvfleetMigrationControllerReconcileErrors', '>= 50', '>= 50'],
  ])('%s reads its threshold', (name, first, second) => {
    expect(alertNamed(groups, name).expr).toContain(first);
    expect(alertNamed(groups, name).expr).toContain(second);
  });

  test.each([
    ['KvfleetMachineTypeWithoutSchedulableNode', '45m'],
    ['KvfleetNodeMachineTypeDrift', '120m'],
    ['KvfleetNodeKubevirtMachineTypeDrift', '120m'],
  ])('%s holds for its configured time', (name, holdFor) => {
    expect(alertNamed(groups, name).for).toBe(holdFor);
  });

  test('the description states the threshold it fires at', () => {
    expect(alertNamed(groups, 'KvfleetMigrationFailureRate').annotations?.description).toContain('threshold 10%, at least 7 failures');
  });

  test('an alert that fires on the first event has no `for`', () => {
    expect(alertNamed(groups, 'KvfleetMigrationNoCompatibleTarget').for).toBeUndefined();
  });
});

test('the Kube-OVN alert is generated for Kube-OVN clusters only', () => {
  const name = 'KvfleetKubeOvnNetworkNotReadyBeforeRunning';
  expect(alertsOf(synth(kubeOvnCluster()).rules.groups).map((a) => a.alert)).toContain(name);
  expect(alertsOf(synth(testCluster()).rules.groups).map((a) => a.alert)).not.toContain(name);
});

test('the recording rules come first, so every alert reads series recorded in the same evaluation', () => {
  const { groups } = synth(testCluster()).rules;
  expect(groups.map((g) => g.name)).toEqual(['kvfleet.recording', 'kvfleet.alerts']);
  const recorded = groups[0]!.rules.map((r) => r.record);
  // Each recording rule reads only raw series or rules recorded before it.
  groups[0]!.rules.forEach((r, i) => {
    for (const name of recorded.slice(i + 1)) expect(r.expr).not.toContain(name);
  });
});

test("alerts.selectorLabels go on the PrometheusRule, for the Prometheus's ruleSelector", () => {
  const { manifests } = synth(testCluster({ alerts: { selectorLabels: { release: 'kube-prometheus-stack' } } }));
  expect(manifests[0].metadata.labels).toEqual({ release: 'kube-prometheus-stack' });
});

describe('runbook links', () => {
  test.each([
    ['https://git.example.com/platform/kvfleet-fleet.git', 'main', 'https://git.example.com/platform/kvfleet-fleet/blob/main/docs/runbooks.md'],
    ['https://github.com/example/fleet', 'v1.2.0', 'https://github.com/example/fleet/blob/v1.2.0/docs/runbooks.md'],
    ['git@git.example.com:platform/fleet.git', 'main', 'https://git.example.com/platform/fleet/blob/main/docs/runbooks.md'],
    ['ssh://git@git.example.com/platform/fleet.git', 'release-1', 'https://git.example.com/platform/fleet/blob/release-1/docs/runbooks.md'],
  ])('%s at %s → %s', (repo, revision, url) => {
    expect(runbooksUrl(repo, revision)).toBe(url);
  });

  test('an anchor is the alert name lower-cased, as GitHub makes it of the heading', () => {
    expect(runbookAnchor('KvfleetMigrationFailureRate')).toBe('kvfleetmigrationfailurerate');
    expect(headingAnchors('## KvfleetMigrationFailureRate')).toEqual(new Set(['kvfleetmigrationfailurerate']));
  });
});

test('docs/operations.md lists exactly the alerts of alertRules.ts, at the default thresholds', () => {
  const readme = readFileSync(join(projectDir, 'docs/operations.md'), 'utf8');
  const start = '<!-- alerts:start (generated from generators/observability/alertRules.ts; prometheusRules.test.ts checks) -->';
  const end = '<!-- alerts:end -->';
  expect(readme.includes(start), 'docs/operations.md has no generated table of alerts').toBe(true);
  const table = readme.slice(readme.indexOf(start) + start.length, readme.indexOf(end)).trim();
  const expected = alertsTable(DEFAULT_ALERT_THRESHOLDS);
  expect(table, `replace the table in docs/operations.md with:\n${expected}`).toBe(expected);
});
