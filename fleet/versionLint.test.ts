import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import edgeOvn from '../clusters/edge-ovn.js';
import legacyApps from '../clusters/legacy-apps.js';
import prodEast from '../clusters/prod-east.js';
import { testCluster } from '../testbed/support/clusterFixtures.js';
import { type ClusterDefinition } from './clusterDefinition.js';
import { validateCluster } from './fleetValidation.js';
import { KNOWN_VERSION_ISSUE_IDS, KNOWN_VERSION_ISSUES, type KnownVersionIssue } from './knownVersionIssues.js';
import { KUBE_OVN_MIGRATION_FLAGS, knownIssuesOf, knownVersionIssuesTable, versionLint } from './versionLint.js';

const FILE = 'clusters/synthetic.ts';
const kubeOvn = (version: string): ClusterDefinition =>
  testCluster({ kubevirtVersion: '1.9.0', kubeOvn: { version, install: { chart: 'kube-ovn-v2', version: `v${version}` } } });
/** A cluster on `kubevirtVersion`, with one planned KubeVirt upgrade to `upgradeTo` when given. */
const kubevirt = (kubevirtVersion: string, upgradeTo?: string): ClusterDefinition =>
  testCluster({ kubevirtVersion, ...(upgradeTo ? { plannedSteps: [{ kind: 'kubevirt-upgrade' as const, to: upgradeTo }] } : {}) });
const argocd = (version: string): ClusterDefinition => testCluster({ kubevirtVersion: '1.9.0', argocd: { name: 'synthetic', version } });

/** The lint's findings for one issue id. */
const findingsOf = (cluster: ClusterDefinition, id: string) => versionLint(FILE, cluster).filter((p) => p.problem.includes(`[${id}:`));
const issue = (id: string) => KNOWN_VERSION_ISSUES.find((i) => i.id === id)!;

// Every entry of the table: a release it hits (with the field it is reported at and the severity),
// and the nearest releases it does not hit.
type Case = [label: string, path: string, affected: () => ClusterDefinition, severity: 'error' | 'warning', fine: (() => ClusterDefinition)[]];
const CASES: Case[] = [
  ['kube-ovn#6823', 'kubeOvn.version', () => kubeOvn('1.15.13'), 'error', [() => kubeOvn('1.15.14'), () => kubeOvn('1.16.3')]],
  ['kube-ovn#6823', 'kubeOvn.version', () => kubeOvn('1.16.2'), 'error', [() => kubeOvn('1.16.3')]],
  ['kube-ovn#6823 on 1.14, which has no fix', 'kubeOvn.version', () => kubeOvn('1.14.40'), 'error', []],
  ['kube-ovn#6220', 'kubeOvn.version', () => kubeOvn('1.14.30'), 'error', [() => kubeOvn('1.14.31'), () => kubeOvn('1.15.3')]],
  ['kube-ovn#6220', 'kubeOvn.version', () => kubeOvn('1.15.2'), 'error', [() => kubeOvn('1.15.3'), () => kubeOvn('1.16.0')]],
  ['kube-ovn#6241', 'kubeOvn.version', () => kubeOvn('1.15.8'), 'warning', [() => kubeOvn('1.15.9'), () => kubeOvn('1.16.0')]],
  ['kube-ovn#5343', 'kubeOvn.version', () => kubeOvn('1.14.20'), 'warning', [() => kubeOvn('1.14.21'), () => kubeOvn('1.15.0')]],
  ['kube-ovn#4740', 'kubeOvn.version', () => kubeOvn('1.13.2'), 'warning', [() => kubeOvn('1.13.3')]],
  ['kubevirt#18087', 'kubevirtVersion', () => kubevirt('1.8.4'), 'error', [() => kubevirt('1.9.0')]],
  [
    'kubevirt#16386',
    'plannedSteps[0].to',
    () => kubevirt('1.6.2', '1.7.0'),
    'error',
    [() => kubevirt('1.6.2'), () => kubevirt('1.5.3', '1.6.2'), () => kubevirt('1.7.0', '1.8.0')],
  ],
  ['argo-cd#27598', 'argocd.version', () => argocd('3.3.9'), 'error', [() => argocd('3.3.10'), () => argocd('3.4.2'), () => argocd('3.5.1')]],
  ['argo-cd#27598', 'argocd.version', () => argocd('3.4.1'), 'error', [() => argocd('3.4.2')]],
  ['argo-cd#25444', 'argocd.version', () => argocd('3.2.9'), 'error', [() => argocd('3.3.0')]],
];

describe.each(CASES)('%s', (label, path, affected, severity, fine) => {
  const id = label.split(' ')[0]!;

  test(`is a ${severity} at ${path}, naming what goes wrong, its source and the fix`, () => {
    const found = findingsOf(affected(), id);
    expect(found.map((p) => [p.file, p.path, p.severity])).toEqual([[FILE, path, severity]]);
    expect(found[0]!.problem).toContain(issue(id).problem);
    expect(found[0]!.problem).toContain(issue(id).source);
    expect(found[0]!.fix).toContain(issue(id).fix);
  });

  test.runIf(fine.length > 0)('the nearest releases without it are fine', () => {
    for (const cluster of fine) expect(findingsOf(cluster(), id)).toEqual([]);
  });
});

test('every entry of the table is exercised above', () => {
  expect(new Set(CASES.map(([label]) => label.split(' ')[0]))).toEqual(new Set(KNOWN_VERSION_ISSUE_IDS));
});

test('an upgrade issue names both releases', () => {
  const [finding] = findingsOf(kubevirt('1.6.2', '1.7.0'), 'kubevirt#16386');
  expect(finding!.problem).toMatch(/^upgrading KubeVirt from 1.6.2 to 1.7.0: KubeVirt 1.7.0 fails every live migration/);
});

test('an issue of the planned release is reported at its planned step when the current release lacks it', () => {
  const newIn2: KnownVersionIssue = {
    id: 'kubevirt#0',
    component: 'kubevirt',
    affected: '>=2.0.0',
    severity: 'warning',
    problem: 'SYNTHETIC',
    source: 'SYNTHETIC',
    fix: 'SYNTHETIC',
    severityReason: 'SYNTHETIC',
  };
  expect(knownIssuesOf(kubevirt('1.9.0', '2.0.0'), [newIn2]).map((f) => f.path)).toEqual(['plannedSteps[0].to']);
  expect(knownIssuesOf(kubevirt('2.0.0', '2.1.0'), [newIn2]).map((f) => f.path)).toEqual(['kubevirtVersion']);
});

describe('accepting a known issue', () => {
  const reason = 'upgrade planned for the next maintenance window; looping VMIs are stopped by hand';

  test('an unaccepted error stops the cluster, and its fix says how to accept it', () => {
    const { definition, problems } = validateCluster(FILE, testCluster({ name: 'synthetic', kubevirtVersion: '1.8.4' }));
    expect(definition).toBeUndefined();
    const error = problems.find((p) => p.severity === 'error')!;
    expect(error.path).toBe('kubevirtVersion');
    expect(error.fix).toContain("acceptedKnownIssues: { 'kubevirt#18087'");
  });

  test('an accepted error is a warning carrying the reason, and the cluster is synthesised', () => {
    const { definition, problems } = validateCluster(
      FILE,
      testCluster({ name: 'synthetic', kubevirtVersion: '1.8.4', acceptedKnownIssues: { 'kubevirt#18087': reason } }),
    );
    expect(definition).toBeDefined();
    expect(problems.map((p) => [p.path, p.severity])).toEqual([['kubevirtVersion', 'warning']]);
    expect(problems[0]!.problem).toContain(`accepted in acceptedKnownIssues: ${reason}`);
  });

  test('an acceptance that no longer applies is reported, so it does not hide a later regression', () => {
    const problems = versionLint(FILE, testCluster({ kubevirtVersion: '1.9.0', acceptedKnownIssues: { 'kubevirt#18087': reason } }));
    expect(problems.map((p) => [p.path, p.severity, p.problem])).toEqual([
      ['acceptedKnownIssues.kubevirt#18087', 'warning', "kubevirt#18087 no longer applies to this cluster's versions"],
    ]);
  });

  test('accepting a warning is pointless and said so', () => {
    const cluster = testCluster({
      kubevirtVersion: '1.9.0',
      kubeOvn: { version: '1.14.20', install: 'external' },
      acceptedKnownIssues: { 'kube-ovn#5343': reason },
    });
    const problems = versionLint(FILE, cluster).filter((p) => p.path.startsWith('acceptedKnownIssues'));
    expect(problems.map((p) => p.fix)).toEqual(['remove the entry: only errors need accepting']);
  });

  test('an unknown id is an error with the nearest known one', () => {
    const { problems } = validateCluster(FILE, testCluster({ name: 'synthetic', kubevirtVersion: '1.9.0', acceptedKnownIssues: { 'kubevirt#18078': reason } }));
    expect(problems.map((p) => [p.path, p.severity])).toEqual([['acceptedKnownIssues["kubevirt#18078"]', 'error']]);
    expect(problems[0]!.fix).toMatch(/^did you mean "kubevirt#18087"\?/);
  });

  test('a reason must say something', () => {
    const { problems } = validateCluster(FILE, testCluster({ name: 'synthetic', kubevirtVersion: '1.8.4', acceptedKnownIssues: { 'kubevirt#18087': 'ok' } }));
    expect(problems.map((p) => [p.path, p.problem])).toEqual([['acceptedKnownIssues["kubevirt#18087"]', '"ok" does not say why']]);
  });
});

describe('Kube-OVN installed outside kvfleet', () => {
  test.each([undefined, 'external' as const])('install %s: a warning naming the flags to check', (install) => {
    const problems = versionLint(FILE, testCluster({ kubevirtVersion: '1.9.0', kubeOvn: { version: '1.15.14', install } }));
    expect(problems.map((p) => [p.path, p.severity])).toEqual([['kubeOvn.install', 'warning']]);
    for (const flag of KUBE_OVN_MIGRATION_FLAGS) expect(problems[0]!.fix).toContain(flag);
  });

  test('a chart install gets no such warning: kvfleet writes the values', () => {
    expect(versionLint(FILE, kubeOvn('1.15.14'))).toEqual([]);
  });
});

test('the example fleet has no version error it does not accept; its warnings are known issues or its planned launcher steps', () => {
  // The example clusters run old releases on purpose (a cluster before 1.5.1, one before a step that drops types),
  // so they carry warnings; none may be an error, and each warning must come from the table or the launcher model.
  for (const cluster of [edgeOvn, legacyApps, prodEast]) {
    const { definition, problems } = validateCluster(`clusters/${cluster.name}.ts`, cluster);
    expect(problems.filter((p) => p.severity === 'error').map(String)).toEqual([]);
    expect(definition).toBeDefined();
    const unexplained = problems.filter((p) => !KNOWN_VERSION_ISSUE_IDS.some((id) => p.problem.includes(`[${id}:`)) && !/^(plannedSteps\[\d+\]|launcher)/.test(p.path));
    expect(unexplained.map(String)).toEqual([]);
  }
});

test('docs/user-guide.md lists exactly the known version issues of fleet/knownVersionIssues.ts', () => {
  const readme = readFileSync(new URL('../docs/user-guide.md', import.meta.url), 'utf8');
  const start = '<!-- known-version-issues:start (generated from fleet/knownVersionIssues.ts; versionLint.test.ts checks) -->';
  const end = '<!-- known-version-issues:end -->';
  expect(readme.includes(start), 'docs/user-guide.md has no generated table of known version issues').toBe(true);
  const table = readme.slice(readme.indexOf(start) + start.length, readme.indexOf(end)).trim();
  expect(table, `replace the table in docs/user-guide.md with:\n${knownVersionIssuesTable()}`).toBe(knownVersionIssuesTable());
});
