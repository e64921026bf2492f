import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import edgeOvn from '../clusters/edge-ovn.js';
import legacyApps from '../clusters/legacy-apps.js';
import { testCluster } from '../testbed/support/clusterFixtures.js';
import { chartValuesSources } from './delivery/chartValues.js';
import { valuesFiles } from './valuesFiles.js';

const withKubeOvn = (install: 'external' | { chart: 'kube-ovn' | 'kube-ovn-v2'; version: string } | undefined) =>
  testCluster({ name: 'ovn', kubeOvn: { version: '1.15.14', install } });
const read = (files: ReturnType<typeof valuesFiles>) => Object.fromEntries(files.map((f) => [f.path, parse(f.content)]));

describe('the form of the Kube-OVN migration settings follows how Kube-OVN is installed', () => {
  test('chart kube-ovn: func.* values', () => {
    expect(read(valuesFiles(withKubeOvn({ chart: 'kube-ovn', version: 'v1.15.14' })))).toEqual({
      'values/kube-ovn.yaml': { func: { ENABLE_LIVE_MIGRATION_OPTIMIZE: true, ENABLE_KEEP_VM_IP: true } },
    });
  });

  test('chart kube-ovn-v2: features.* values', () => {
    expect(read(valuesFiles(withKubeOvn({ chart: 'kube-ovn-v2', version: 'v1.15.14' })))).toEqual({
      'values/kube-ovn.yaml': { features: { enableLiveMigrationOptimization: true, enableKeepVmIps: true } },
    });
  });

  test.each(['external' as const, undefined])('install %s: no values (a synth warning instead, see versionLint.test.ts)', (install) => {
    expect(valuesFiles(withKubeOvn(install))).toEqual([]);
    expect(chartValuesSources(withKubeOvn(install))).toEqual([]);
  });
});

test('the chart values source names the file kvfleet writes, for the Application that installs the chart', () => {
  const [source] = chartValuesSources(edgeOvn);
  expect(source).toEqual({
    name: 'kube-ovn',
    repoURL: 'ghcr.io/kubeovn/charts',
    chart: 'kube-ovn-v2',
    targetRevision: 'v1.15.14',
    namespace: 'kube-system',
    valuesFile: 'dist/edge-ovn/values/kube-ovn.yaml',
  });
  expect(valuesFiles(edgeOvn).map((f) => `dist/${edgeOvn.name}/${f.path}`)).toEqual([source!.valuesFile]);
  expect(chartValuesSources(testCluster())).toEqual([]);
});

test('the HCO fragment of legacy-apps is a merge patch of the HyperConverged CR, and says how to apply it', () => {
  const [file] = valuesFiles(legacyApps);
  expect(file!.path).toBe('values/hco-migrations.yaml');
  expect(parse(file!.content)).toEqual({ spec: { liveMigrationConfig: legacyApps.kubevirt!.migrations } });
  expect(file!.content).toContain('kubectl patch hyperconverged');
});

test('files are deterministic: sorted keys, a header of comments only', () => {
  const [file] = valuesFiles(edgeOvn);
  expect(file!.content.split('\n').filter((l) => l.startsWith('#')).length).toBeGreaterThan(0);
  expect(file!.content).toBe(valuesFiles(edgeOvn)[0]!.content);
  expect(file!.content.indexOf('enableKeepVmIps')).toBeLessThan(file!.content.indexOf('enableLiveMigrationOptimization'));
});
