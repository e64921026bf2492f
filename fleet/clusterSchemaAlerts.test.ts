import { describe, expect, test } from 'vitest';
import { alertThresholds, DEFAULT_ALERT_THRESHOLDS } from './clusterSchemaAlerts.js';
import { validateCluster } from './fleetValidation.js';

const FILE = 'clusters/test-cluster.ts';

function definition(alerts: unknown): unknown {
  return {
    name: 'test-cluster',
    kubernetesVersion: '1.33',
    kubevirtVersion: '1.9.0',
    kubeOvn: 'none',
    argocd: { name: 'test-cluster' },
    nodePools: [{ name: 'rhel9', nodeSelector: { 'node.example.com/pool': 'rhel9' } }],
    alerts,
  };
}
const problemsOf = (alerts: unknown) =>
  validateCluster(FILE, definition(alerts))
    .problems.filter((p) => p.severity === 'error')
    .map((p) => [p.path, p.problem, p.fix]);

describe('alert thresholds', () => {
  test('an absent field means its default', () => {
    expect(alertThresholds(undefined)).toEqual(DEFAULT_ALERT_THRESHOLDS);
    expect(alertThresholds({ migrationFailurePercent: 5, selectorLabels: { release: 'x' } })).toEqual({ ...DEFAULT_ALERT_THRESHOLDS, migrationFailurePercent: 5 });
  });

  test('every field accepts its default', () => {
    expect(problemsOf({ ...DEFAULT_ALERT_THRESHOLDS })).toEqual([]);
  });

  test.each([
    ['migrationFailurePercent', 0, '0 is out of range', 'use a whole number from 1 to 100 (default 20)'],
    ['migrationFailurePercent', 12.5, '12.5 is not a whole number', 'use a whole number from 1 to 100 (default 20)'],
    ['labellerStaleMinutes', 5, '5 is out of range', 'use a whole number from 10 to 1440 (default 20)'],
  ])('%s: %j is refused with the range and the default', (field, value, problem, fix) => {
    expect(problemsOf({ [field]: value })).toEqual([[`alerts.${field}`, problem, fix]]);
  });

  test('a misspelt field is an error, not a threshold silently left at its default', () => {
    const [problem] = problemsOf({ migrationFailurePercnt: 10 });
    expect(problem?.[0]).toBe('alerts.migrationFailurePercnt');
    expect(problem?.[2]).toContain('migrationFailurePercent');
  });
});

describe('selector labels', () => {
  test('are label keys and values', () => {
    expect(problemsOf({ selectorLabels: { release: 'kube-prometheus-stack', 'prometheus.example.com/team': 'platform' } })).toEqual([]);
    expect(problemsOf({ selectorLabels: { release: '0o755' } })).toEqual([
      [
        'alerts.selectorLabels["release"]',
        '"0o755" would be read as a number by kubectl and Argo CD from the YAML in dist/',
        'use a value that is not a 0o/0x/0b-prefixed number, e.g. start it with a letter',
      ],
    ]);
    expect(problemsOf({ selectorLabels: { 'bad key!': 'x', release: 'not a value' } }).map(([path]) => path)).toEqual([
      'alerts.selectorLabels["bad key!"]',
      'alerts.selectorLabels["release"]',
    ]);
  });
});
