/**
 * Every object in dist/ must be accepted by a real kube-apiserver with the upstream CRDs installed:
 * server-side apply with dryRun=All runs the CRD schemas, CEL rules, defaulting and admission.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../testbed/harness/controlPlane.js';
import { dryRunApply, dryRunApplyDir, readManifests } from '../../testbed/harness/dryRun.js';
import { projectDir, sharedDir } from '../../testbed/harness/toolPaths.js';

const crdDirs = ['kubevirt', 'kyverno', 'kube-ovn', 'argocd', 'prometheus-operator'].map((d) => join(sharedDir, 'crds', d));
const distDir = join(projectDir, 'dist');
const clusters = readdirSync(distDir).sort();

let plane: ControlPlane;
let kc: KubeConfig;
beforeAll(async () => {
  plane = await startControlPlane({ crds: crdDirs });
  kc = plane.kubeConfig();
});
afterAll(async () => plane?.stop());

describe.each(clusters)('dist/%s', (cluster) => {
  test('every object is accepted by a server-side dry run', async () => {
    const rejections = await dryRunApplyDir(kc, join(distDir, cluster));
    expect(rejections.map((r) => `${r.file}: ${r.object}: ${r.message}`)).toEqual([]);
  });
});

test('values files are not applied: they are chart values, and Argo CD does not read dist/<cluster>/values/ either', () => {
  const withValues = clusters.filter((c) => existsSync(join(distDir, c, 'values')));
  expect(withValues.length).toBeGreaterThan(0);
  for (const cluster of withValues) {
    const files = new Set(readManifests(join(distDir, cluster)).map((m) => m.file));
    for (const name of readdirSync(join(distDir, cluster, 'values'))) expect(files.has(name) || files.has(`values/${name}`)).toBe(false);
  }
});

describe('the dry run rejects what a real cluster would', () => {
  test('a VMIM whose vmiName is not a string', async () => {
    const rejection = await dryRunApply(kc, {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachineInstanceMigration',
      metadata: { name: 'bad-vmim', namespace: 'default' },
      spec: { vmiName: 42 },
    } as never);
    expect(rejection?.object).toBe('VirtualMachineInstanceMigration default/bad-vmim');
    expect(rejection?.message).toMatch(/spec\.vmiName/);
  });

  test('an Argo CD Application with a misspelt field', async () => {
    const rejection = await dryRunApply(kc, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'bad-app', namespace: 'default' },
      spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc' }, sourec: { repoURL: 'https://example.com/x.git' } },
    } as never);
    expect(rejection?.message).toMatch(/sourec/);
  });

  test('a built-in kind with a misspelt field (client-side models would drop it silently)', async () => {
    const rejection = await dryRunApply(kc, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'bad-cm', namespace: 'default' },
      dataa: { a: 'b' },
    } as never);
    expect(rejection?.message).toMatch(/dataa/);
  });

  test('a KubeVirt CR partial with a misspelt migration setting (the partial is checked field by field)', () =>
    expect(
      dryRunApply(kc, {
        apiVersion: 'kubevirt.io/v1',
        kind: 'KubeVirt',
        metadata: { name: 'kubevirt', namespace: 'default' },
        spec: { configuration: { migrations: { parallelMigrationsPerClustr: 8 } } },
      } as never),
    ).resolves.toMatchObject({ message: expect.stringMatching(/parallelMigrationsPerClustr/) }));

  test('a MigrationPolicy with a misspelt field, and a Kube-OVN Subnet with one', async () => {
    const policy = await dryRunApply(kc, {
      apiVersion: 'migrations.kubevirt.io/v1alpha1',
      kind: 'MigrationPolicy',
      metadata: { name: 'bad-policy' },
      spec: { selectors: {}, allowAutoConverg: true },
    } as never);
    expect(policy?.message).toMatch(/allowAutoConverg/);
    const subnet = await dryRunApply(kc, { apiVersion: 'kubeovn.io/v1', kind: 'Subnet', metadata: { name: 'bad-subnet' }, spec: { cidrBlok: '10.0.0.0/16' } } as never);
    expect(subnet?.message).toMatch(/cidrBlok/);
  });

  test("kvfleet's monitoring objects are in every cluster's dry run, and a misspelt field of theirs is rejected", async () => {
    for (const cluster of clusters.filter((c) => !c.startsWith('_'))) {
      const kinds = readManifests(join(distDir, cluster)).map((m) => `${m.object.apiVersion}/${m.object.kind}`);
      expect(kinds).toEqual(expect.arrayContaining(['monitoring.coreos.com/v1/PrometheusRule', 'monitoring.coreos.com/v1/ServiceMonitor', 'monitoring.coreos.com/v1/PodMonitor']));
    }
    const rule = await dryRunApply(kc, {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'bad-rule', namespace: 'default' },
      spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up == 0', fro: '5m' }] }] },
    } as never);
    expect(rule?.message).toMatch(/fro/);
    const monitor = await dryRunApply(kc, {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: 'bad-monitor', namespace: 'default' },
      spec: { selector: {}, podMetricsEndpoints: [{ port: 'metrics', schema: 'http' }] },
    } as never);
    expect(monitor?.message).toMatch(/schema/);
  });

  test('a well-formed VMIM is accepted (the rejections above are about the fields, not the kind)', async () => {
    const rejection = await dryRunApply(kc, {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachineInstanceMigration',
      metadata: { name: 'good-vmim', namespace: 'default' },
      spec: { vmiName: 'vm-1' },
    } as never);
    expect(rejection).toBeUndefined();
  });
});
