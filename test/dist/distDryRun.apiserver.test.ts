/**
 * Every object in dist/ must be accepted by a real kube-apiserver with the upstream CRDs installed:
 * server-side apply with dryRun=All runs the CRD schemas, CEL rules, defaulting and admission.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startControlPlane, type ControlPlane } from '../harness/controlPlane.js';
import { dryRunApply, dryRunApplyDir } from '../harness/dryRun.js';
import { projectDir, sharedDir } from '../harness/toolPaths.js';

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
