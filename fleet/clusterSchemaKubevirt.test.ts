import { describe, expect, test } from 'vitest';
import { type MIGRATION_POLICY_FIELDS_SINCE } from '../compatibility/kubevirtVersions.js';
import { catalogueMinors } from '../compatibility/launcherCatalogue.js';
import { validateCluster } from './fleetValidation.js';

const FILE = 'clusters/test-cluster.ts';
const reason = 'SYNTHETIC: accepted so that only the KubeVirt settings are under test';

function definition(kubevirtVersion: string, kubevirt: unknown): unknown {
  return {
    name: 'test-cluster',
    kubernetesVersion: '1.33',
    kubevirtVersion,
    kubeOvn: 'none',
    argocd: { name: 'test-cluster' },
    nodePools: [{ name: 'rhel9', nodeSelector: { 'node.example.com/pool': 'rhel9' } }],
    kubevirt,
    acceptedKnownIssues: { 'kubevirt#18087': reason },
  };
}
const policy = (more: Record<string, unknown>) => ({
  name: 'large-vms',
  selectors: { virtualMachineInstanceSelector: { 'workload.example.com/size': 'large' } },
  ...more,
});
const errorsOf = (kubevirtVersion: string, kubevirt: unknown) =>
  validateCluster(FILE, definition(kubevirtVersion, kubevirt))
    .problems.filter((p) => p.severity === 'error')
    .map((p) => [p.path, p.problem]);

describe("MigrationPolicy fields follow the cluster's KubeVirt (compatibility/kubevirtVersions.ts)", () => {
  // [field, value, the last release without it, the first with it]
  test.each<[keyof typeof MIGRATION_POLICY_FIELDS_SINCE, unknown, string, string]>([
    ['allowWorkloadDisruption', true, '1.4.2', '1.5.0'],
    ['maxDowntimeMs', 300, '1.8.4', '1.9.0'],
    ['experimental', { compression: 'zstd' }, '1.8.4', '1.9.0'],
  ])('%s (%j) is an error on KubeVirt %s and accepted from %s', (field, value, without, since) => {
    const kubevirt = { migrationPolicies: [policy({ [field]: value })] };
    expect(errorsOf(without, kubevirt)).toEqual([
      [`kubevirt.migrationPolicies[0].${field}`, `MigrationPolicy field ${field} needs KubeVirt ${since} or newer; this cluster runs ${without}`],
    ]);
    expect(errorsOf(since, kubevirt)).toEqual([]);
  });

  test('the fields of every release are accepted on the oldest supported one', () => {
    const kubevirt = { migrationPolicies: [policy({ allowAutoConverge: true, bandwidthPerMigration: '64Mi', completionTimeoutPerGiB: 300, allowPostCopy: false })] };
    // The oldest release a cluster can name is the launcher catalogue's first minor (older ones have no machine-type list).
    expect(errorsOf(`${catalogueMinors()[0]}.0`, kubevirt)).toEqual([]);
  });
});

describe('policies that would do something other than intended are refused', () => {
  test('a policy without selector labels would apply to every VMI', () => {
    expect(errorsOf('1.9.0', { migrationPolicies: [policy({ selectors: {}, allowAutoConverge: true })] })).toEqual([
      ['kubevirt.migrationPolicies[0].selectors', 'policy "large-vms" selects every VMI (no selector labels)'],
    ]);
  });

  test('a policy that sets nothing', () => {
    expect(errorsOf('1.9.0', { migrationPolicies: [policy({})] })).toEqual([['kubevirt.migrationPolicies[0]', 'policy "large-vms" sets nothing besides its selectors']]);
  });

  test('two policies with one name', () => {
    const twice = [policy({ allowAutoConverge: true }), policy({ allowPostCopy: true })];
    expect(errorsOf('1.9.0', { migrationPolicies: twice })).toEqual([
      ['kubevirt.migrationPolicies[1].name', 'policy name "large-vms" is already used by migrationPolicies[0]'],
    ]);
  });

  test('a selector label that is no label', () => {
    const bad = policy({ selectors: { namespaceSelector: { 'bad key!': 'x' } }, allowAutoConverge: true });
    expect(errorsOf('1.9.0', { migrationPolicies: [bad] })[0]?.[0]).toBe('kubevirt.migrationPolicies[0].selectors.namespaceSelector["bad key!"]');
  });
});

describe('cluster-wide migration settings', () => {
  test.each([
    [{ bandwidthPerMigration: 'fast' }, 'kubevirt.migrations.bandwidthPerMigration'],
    [{ bandwidthPerMigration: '-1Mi' }, 'kubevirt.migrations.bandwidthPerMigration'],
    [{ parallelMigrationsPerCluster: 0 }, 'kubevirt.migrations.parallelMigrationsPerCluster'],
    [{ completionTimeoutPerGiB: 1.5 }, 'kubevirt.migrations.completionTimeoutPerGiB'],
    [{ network: 'Migration_Net' }, 'kubevirt.migrations.network'],
    [{ maxDowntimeMs: 300 }, 'kubevirt.migrations.maxDowntimeMs'], // the CR has it, HCO's liveMigrationConfig not: only the eight shared fields
  ])('%j is refused at its field', (migrations, path) => {
    expect(errorsOf('1.9.0', { migrations }).map(([p]) => p)).toEqual([path]);
  });

  test('every field KubeVirt and HCO share is accepted', () => {
    const migrations = {
      parallelMigrationsPerCluster: 8,
      parallelOutboundMigrationsPerNode: 1,
      bandwidthPerMigration: '1Gi',
      completionTimeoutPerGiB: 300,
      progressTimeout: 300,
      allowAutoConverge: true,
      allowPostCopy: false,
      network: 'migration-net',
    };
    expect(errorsOf('1.6.2', { migrations })).toEqual([]);
    expect(errorsOf('1.6.2', { configOwner: 'hco', migrations })).toEqual([]);
  });

  test('a KubeVirt CR name on an HCO cluster: HCO owns that CR, kvfleet writes none there', () => {
    expect(errorsOf('1.9.0', { configOwner: 'hco', namespace: 'openshift-cnv', migrations: { progressTimeout: 300 } }).map(([p]) => p)).toEqual(['kubevirt.namespace']);
  });
});

describe('a planned KubeVirt upgrade', () => {
  test('must lead to a newer release', () => {
    const d = { ...(definition('1.9.0', undefined) as object), kubevirtUpgradeTo: '1.8.0' };
    expect(validateCluster(FILE, d).problems.map((p) => [p.path, p.severity])).toEqual([['kubevirtUpgradeTo', 'error']]);
  });
});
