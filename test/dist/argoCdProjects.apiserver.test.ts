/**
 * dist/_argocd/ against a real API server with Argo CD's CRDs (v3.5.1) and the CRDs of every kind
 * kvfleet delivers: the Applications the ApplicationSets create pass the Application CRD, and each
 * AppProject permits every object of its clusters' folders with the scope the API server reports for
 * the kind (the projects are computed from the objects' namespaces; discovery proves that a
 * namespace is present exactly on namespaced kinds). The AppProjects and ApplicationSets themselves
 * are dry-run with the rest of dist/ in distDryRun.apiserver.test.ts.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ARGOCD_FOLDER } from '../../generators/delivery/argoCdChart.js';
import { type ControlPlane, startControlPlane } from '../../testbed/harness/controlPlane.js';
import { dryRunApply, dryRunApplyDir } from '../../testbed/harness/dryRun.js';
import { rawRequest } from '../../testbed/harness/rawRequest.js';
import { projectDir, sharedDir } from '../../testbed/harness/toolPaths.js';
import { isResourcePermitted, type Obj, renderApplications, yamlObjects } from '../../testbed/support/argoCd.js';

const crdDirs = ['kubevirt', 'kyverno', 'kube-ovn', 'argocd', 'prometheus-operator'].map((d) => join(sharedDir, 'crds', d));
const distDir = join(projectDir, 'dist');
const argocd = yamlObjects(join(distDir, ARGOCD_FOLDER));
const projects = new Map(argocd.filter((o) => o.kind === 'AppProject').map((p) => [p.metadata.name as string, p]));
const applications = argocd.filter((o) => o.kind === 'ApplicationSet').flatMap(renderApplications);
const clusterFolders = readdirSync(distDir, { withFileTypes: true })
  .filter((e) => e.isDirectory() && e.name !== ARGOCD_FOLDER)
  .map((e) => e.name)
  .sort();

let plane: ControlPlane;
let kc: KubeConfig;
beforeAll(async () => {
  plane = await startControlPlane({ crds: crdDirs });
  kc = plane.kubeConfig();
  // The Argo CD namespace, for the Applications' dry run.
  await dryRunApplyDir(kc, join(distDir, ARGOCD_FOLDER));
});
afterAll(async () => plane?.stop());

const scopes = new Map<string, boolean>();
/** Whether the API server serves `kind` of `apiVersion` as a namespaced resource (discovery). */
async function isNamespacedKind(apiVersion: string, kind: string): Promise<boolean> {
  const key = `${apiVersion}/${kind}`;
  if (!scopes.has(key)) {
    const res = await rawRequest(kc, 'GET', apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
    expect(res.status, `discovery of ${apiVersion}`).toBe(200);
    const resource = (JSON.parse(res.body).resources as Obj[]).find((r) => r.kind === kind && !String(r.name).includes('/'));
    expect(resource, `${kind} in ${apiVersion}`).toBeDefined();
    scopes.set(key, resource!.namespaced as boolean);
  }
  return scopes.get(key)!;
}

test('every Application the ApplicationSets create is accepted by the Application CRD', async () => {
  expect(applications.length).toBeGreaterThan(0);
  const rejections = [];
  for (const app of applications) {
    const rejection = await dryRunApply(kc, app as never);
    if (rejection) rejections.push(`${rejection.object}: ${rejection.message}`);
  }
  expect(rejections).toEqual([]);
});

describe.each(clusterFolders)('dist/%s', (cluster) => {
  test('every object has a namespace exactly when its kind is namespaced, and its project permits it with that scope', async () => {
    const app = applications.find((a) => a.spec.source?.path === `dist/${cluster}`)!;
    const project = projects.get(app.spec.project)!;
    const destination = { server: app.spec.destination.server || undefined, name: app.spec.destination.name || undefined };
    const problems: string[] = [];
    for (const o of yamlObjects(join(distDir, cluster))) {
      const namespaced = await isNamespacedKind(o.apiVersion, o.kind);
      const what = `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      if (namespaced !== !!o.metadata.namespace) problems.push(`${what}: the kind is ${namespaced ? '' : 'not '}namespaced`);
      if (!isResourcePermitted(project, destination, app.spec.destination.namespace, o, namespaced)) problems.push(`${what}: not permitted by project ${project.metadata.name}`);
    }
    expect(problems).toEqual([]);
  });
});
