import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import prodEast from '../clusters/prod-east.js';
import { testCluster } from '../testbed/support/clusterFixtures.js';
import { type ClusterDefinition } from '../fleet/clusterDefinition.js';
import { ClusterChart } from './clusterChart.js';
import { KUBEVIRT_CR_SYNC_OPTIONS, KubevirtMigrationSettings, kubevirtConfigPartial, migrationConfiguration } from './kubevirtMigrationConfig.js';
import { hcoMigrationsFragment } from './valuesFiles.js';

const migrations = { parallelMigrationsPerCluster: 8, bandwidthPerMigration: '1Gi', allowPostCopy: false } as const;
/** The objects the construct adds, in a chart of its own. */
const synth = (cluster: ClusterDefinition) => {
  const chart = Testing.chart();
  new KubevirtMigrationSettings(chart, 'kubevirt-migrations', { cluster });
  return Testing.synth(chart);
};

test('the KubeVirt objects of prod-east', () => {
  expect(synth(prodEast)).toMatchSnapshot();
});

describe('who owns the KubeVirt CR decides the form of the settings', () => {
  test('kubevirt-cr (the default): a partial of the CR with only spec.configuration.migrations, no values fragment', () => {
    const cluster = testCluster({ kubevirt: { migrations } });
    const [partial] = synth(cluster);
    expect(partial).toEqual({
      apiVersion: 'kubevirt.io/v1',
      kind: 'KubeVirt',
      metadata: { name: 'kubevirt', namespace: 'kubevirt', annotations: { 'argocd.argoproj.io/sync-options': KUBEVIRT_CR_SYNC_OPTIONS } },
      spec: { configuration: { migrations } },
    });
    expect(hcoMigrationsFragment(cluster)).toBeUndefined();
  });

  test('hco: no KubeVirt CR at all (HCO would revert it), the same fields for the HyperConverged CR instead', () => {
    const cluster = testCluster({ kubevirt: { configOwner: 'hco', migrations } });
    expect(synth(cluster).filter((o) => o.kind === 'KubeVirt')).toEqual([]);
    expect(hcoMigrationsFragment(cluster)).toEqual({ spec: { liveMigrationConfig: migrations } });
  });

  test('the CR kvfleet patches can be named', () => {
    const [partial] = synth(testCluster({ kubevirt: { name: 'kv', namespace: 'virtualization', migrations } }));
    expect(partial.metadata).toMatchObject({ name: 'kv', namespace: 'virtualization' });
  });

  test('no setting, no object: an empty partial would still make kvfleet a writer of the CR', () => {
    expect(kubevirtConfigPartial(testCluster({ kubevirt: { migrations: {} } }))).toBeUndefined();
    expect(kubevirtConfigPartial(testCluster())).toBeUndefined();
    expect(migrationConfiguration(testCluster({ kubevirt: { configOwner: 'hco' } }))).toBeUndefined();
  });
});

test("the partial carries none of kvfleet's labels, though everything else in the cluster's chart does", () => {
  const objects = Testing.synth(new ClusterChart(Testing.app(), 'synthetic', { cluster: testCluster({ kubevirt: { migrations } }) }));
  const partial = objects.find((o) => o.kind === 'KubeVirt');
  expect(partial.metadata.labels).toBeUndefined();
  expect(objects.find((o) => o.kind === 'Namespace').metadata.labels['app.kubernetes.io/managed-by']).toBe('kvfleet');
});

test('the partial is only identity and the settings: a server-side apply of it owns nothing else', () => {
  const partial = kubevirtConfigPartial(testCluster({ kubevirt: { migrations } }))!;
  expect(Object.keys(partial).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
  expect(Object.keys(partial.spec as object)).toEqual(['configuration']);
  expect(Object.keys((partial.spec as { configuration: object }).configuration)).toEqual(['migrations']);
});

describe('MigrationPolicies', () => {
  const selectors = { virtualMachineInstanceSelector: { 'workload.example.com/size': 'large' } };

  test('one per declared policy, named kvfleet-<name>, carrying only the fields set', () => {
    const cluster = testCluster({
      kubevirtVersion: '1.9.0',
      kubevirt: {
        migrationPolicies: [
          { name: 'zz-pinned', selectors, allowAutoConverge: true },
          { name: 'large', selectors, completionTimeoutPerGiB: 300, maxDowntimeMs: 500, experimental: { compression: 'zstd' } },
        ],
      },
    });
    const policies = synth(cluster);
    expect(policies.map((p) => [p.apiVersion, p.kind, p.metadata.name])).toEqual([
      ['migrations.kubevirt.io/v1alpha1', 'MigrationPolicy', 'kvfleet-large'],
      ['migrations.kubevirt.io/v1alpha1', 'MigrationPolicy', 'kvfleet-zz-pinned'],
    ]);
    expect(policies[0].spec).toEqual({ selectors, completionTimeoutPerGiB: 300, maxDowntimeMs: 500, experimental: { compression: 'zstd' } });
    expect(policies[1].spec).toEqual({ selectors, allowAutoConverge: true });
  });

  test('they are generated on HCO clusters too: HCO does not own MigrationPolicies', () => {
    const cluster = testCluster({ kubevirt: { configOwner: 'hco', migrationPolicies: [{ name: 'large', selectors, allowAutoConverge: true }] } });
    expect(synth(cluster).map((o) => o.kind)).toEqual(['MigrationPolicy']);
  });
});
