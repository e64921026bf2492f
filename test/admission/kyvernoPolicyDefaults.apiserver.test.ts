/**
 * The generated Kyverno policies read back from a real API server with the REAL Kyverno admission
 * controller (v1.19.0) serving its policy webhooks: what is stored must be what dist/ says, field for
 * field, or Argo CD shows the policy OutOfSync forever (kyverno#9451, kyverno/policies#896). Whatever
 * the CRDs' defaulting or Kyverno's webhooks add must be written out in
 * policies/kyverno-cel/policyObject.ts. Checked after a create (as the first sync) and after a
 * server-side apply over the stored object (as every later sync with ServerSideApply=true).
 */
import { join } from 'node:path';
import { type KubeConfig, PatchStrategy } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ControlPlane, startControlPlane } from '../../testbed/harness/controlPlane.js';
import { type KubeObject, type KyvernoAdmission, KYVERNO_ADMISSION_USER, startKyvernoAdmission } from '../../testbed/harness/kyvernoAdmission.js';
import { rawRequest } from '../../testbed/harness/rawRequest.js';
import { projectDir, sharedDir } from '../../testbed/harness/toolPaths.js';
import { type Obj, yamlObjects } from '../../testbed/support/argoCd.js';
import { ARGOCD_FOLDER } from '../../generators/delivery/argoCdChart.js';
import { readdirSync } from 'node:fs';

const distDir = join(projectDir, 'dist');
const clusters = readdirSync(distDir, { withFileTypes: true })
  .filter((e) => e.isDirectory() && e.name !== ARGOCD_FOLDER)
  .map((e) => e.name)
  .sort();
const policiesOf = (cluster: string) => yamlObjects(join(distDir, cluster)).filter((o) => String(o.apiVersion).startsWith('policies.kyverno.io/')) as KubeObject[];
const pathOf = (p: Obj) => `/apis/${p.apiVersion}/${String(p.kind).toLowerCase().replace(/y$/, 'ie')}s/${p.metadata.name}`;

/** Every path where `stored` differs from `written`: `+` added, `-` dropped, `~` changed. */
function differences(written: unknown, stored: unknown, path = ''): string[] {
  if (written !== null && stored !== null && typeof written === 'object' && typeof stored === 'object' && Array.isArray(written) === Array.isArray(stored)) {
    if (Array.isArray(written) && Array.isArray(stored) && written.length !== stored.length) return [`~ ${path}: ${written.length} items → ${stored.length}`];
    const w = written as Record<string, unknown>;
    const s = stored as Record<string, unknown>;
    return [...new Set([...Object.keys(w), ...Object.keys(s)])].sort().flatMap((k) => {
      const at = Array.isArray(written) ? `${path}[${k}]` : `${path}.${k}`;
      if (!(k in s)) return [`- ${at}`];
      if (!(k in w)) return [`+ ${at} = ${JSON.stringify(s[k])}`];
      return differences(w[k], s[k], at);
    });
  }
  return written === stored ? [] : [`~ ${path}: ${JSON.stringify(written)} → ${JSON.stringify(stored)}`];
}

/** What Argo CD compares of a policy: everything kvfleet writes (status is ignored since Argo CD 3.0). */
const compared = (o: Obj) => ({ metadata: { labels: o.metadata.labels, annotations: o.metadata.annotations }, spec: o.spec });

let plane: ControlPlane;
let kyverno: KyvernoAdmission;
let kc: KubeConfig;
beforeAll(async () => {
  plane = await startControlPlane({ crds: [join(sharedDir, 'crds', 'kubevirt')], users: [KYVERNO_ADMISSION_USER] });
  kc = plane.kubeConfig();
  kyverno = await startKyvernoAdmission(plane);
}, 300_000);
afterAll(async () => {
  await kyverno?.stop();
  await plane?.stop();
});

// One cluster at a time: the clusters' policies share names.
describe.each(clusters)('dist/%s', (cluster) => {
  const policies = policiesOf(cluster);
  beforeAll(async () => {
    await kyverno.applyPolicies(policies);
  }, 120_000);
  afterAll(async () => kyverno?.deletePolicies(policies));

  const stored = async (p: Obj) => JSON.parse((await rawRequest(kc, 'GET', pathOf(p))).body) as Obj;

  test('every policy is stored exactly as written after its create', async () => {
    expect(policies.length).toBeGreaterThan(0);
    for (const p of policies) expect(differences(compared(p), compared(await stored(p))), `${p.kind} ${p.metadata.name}`).toEqual([]);
  });

  test('every policy is stored exactly as written after a server-side apply, as Argo CD syncs it', async () => {
    for (const p of policies) {
      const res = await rawRequest(kc, 'PATCH', `${pathOf(p)}?fieldManager=argocd-controller&force=true&fieldValidation=Strict`, p, PatchStrategy.ServerSideApply);
      expect(res.status, res.body.slice(0, 500)).toBe(200);
      expect(differences(compared(p), compared(await stored(p))), `${p.kind} ${p.metadata.name}`).toEqual([]);
    }
  });
});
