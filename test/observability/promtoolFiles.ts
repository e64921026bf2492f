/**
 * The files promtool reads, built from what kvfleet ships: a cluster's PrometheusRule in dist/ as a
 * rule file (its `spec.groups`, which is what Prometheus Operator hands Prometheus), unit tests for
 * it from testbed/support/alertRuleCases.ts, and a rule file that wraps dashboard queries so that
 * `promtool check rules` parses them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { type PrometheusRuleEntry, type PrometheusRuleGroup } from '../../generators/observability/prometheusRules.js';
import { type AlertCase, type AlertCases } from '../../testbed/support/alertRuleCases.js';
import { expandAlertTemplate } from './alertTemplates.js';

/** The rule groups of `dist/<cluster>/PrometheusRule.kvfleet.yaml`. */
export function distRuleGroups(distDir: string, cluster: string): PrometheusRuleGroup[] {
  const object = parse(readFileSync(join(distDir, cluster, 'PrometheusRule.kvfleet.yaml'), 'utf8')) as { spec: { groups: PrometheusRuleGroup[] } };
  return object.spec.groups;
}

export function ruleFileYaml(groups: readonly PrometheusRuleGroup[]): string {
  return stringify({ groups }, { lineWidth: 0 });
}

export function alertsOf(groups: readonly PrometheusRuleGroup[]): PrometheusRuleEntry[] {
  return groups.flatMap((g) => g.rules.filter((r) => r.alert !== undefined));
}

/** The promtool test group name of a case: `<alert>: fires when …` / `<alert>: stays quiet when …`. */
export function caseName(alert: string, kind: 'firing' | 'quiet', c: AlertCase): string {
  return `${alert}: ${kind === 'firing' ? 'fires' : 'stays quiet'} when ${c.when}`;
}

function testGroup(rule: PrometheusRuleEntry, kind: 'firing' | 'quiet', c: AlertCase) {
  return {
    name: caseName(rule.alert!, kind, c),
    interval: '1m',
    input_series: c.series.map((s) => ({ series: s.series, values: s.values })),
    alert_rule_test: [
      {
        eval_time: `${c.evalMinutes}m`,
        alertname: rule.alert,
        exp_alerts: c.alerts.map((a) => {
          const labels = { ...a.labels, ...rule.labels };
          return {
            exp_labels: labels,
            // promtool compares annotations in full: expanded as Prometheus would, from the shipped templates.
            exp_annotations: Object.fromEntries(Object.entries(rule.annotations ?? {}).map(([k, v]) => [k, expandAlertTemplate(v, labels, a.value)])),
          };
        }),
      },
    ],
  };
}

/** A promtool test file for the alerts of `groups` that have cases, reading the rule file `ruleFile` beside it. */
export function unitTestYaml(ruleFile: string, groups: readonly PrometheusRuleGroup[], cases: Readonly<Record<string, AlertCases>>): string {
  const tests = alertsOf(groups).flatMap((rule) => {
    const c = cases[rule.alert!];
    return c ? [testGroup(rule, 'firing', c.firing), testGroup(rule, 'quiet', c.quiet)] : [];
  });
  return stringify({ rule_files: [ruleFile], evaluation_interval: '1m', tests }, { lineWidth: 0 });
}

/** Grafana's interval variables, replaced by a duration so that a panel query is plain PromQL. */
export function withoutGrafanaVariables(query: string): string {
  return query.replace(/\$__(rate_interval|interval|range)\b/g, '5m');
}

/** A rule file that records every query, so `promtool check rules` parses each one. */
export function queryCheckRuleFile(queries: readonly string[]): string {
  return ruleFileYaml([
    { name: 'kvfleet.dashboard-queries', rules: queries.map((q, i) => ({ record: `kvfleet_dashboard_query_${i}`, expr: withoutGrafanaVariables(q) })) },
  ]);
}
