import { join } from 'node:path';
import { UNSCHEDULABLE_TIMEOUT_ANNOTATION } from '../compatibility/kubevirtNames.js';
import { HOSTNAME_LABEL, TARGET_NODE_ANNOTATION } from '../compatibility/labelKeys.js';
import { startControlPlane } from '../testbed/harness/controlPlane.js';
import { KYVERNO_ADMISSION_USER, startKyvernoAdmission } from '../testbed/harness/kyvernoAdmission.js';
import { createTestNamespace } from '../testbed/harness/namespaces.js';
import { rawRequest } from '../testbed/harness/rawRequest.js';
import { sharedDir } from '../testbed/harness/toolPaths.js';
import { admissionObjects } from '../testbed/support/admissionObjects.js';
import { quantile } from './support/quantile.js';
import { kyvernoLookupRolesOf, kyvernoPoliciesOf } from '../testbed/support/distObjects.js';

const CREATES = Number(process.env.KVFLEET_BENCH_CREATES ?? 200);
const MACHINE_TYPE = 'pc-q35-rhel9.6.0';

const policiesOf = kyvernoPoliciesOf;
const lookupRolesOf = kyvernoLookupRolesOf;

const plane = await startControlPlane({ crds: [join(sharedDir, 'crds', 'kubevirt')], users: [KYVERNO_ADMISSION_USER] });
const kc = plane.kubeConfig();
const objects = admissionObjects(kc);
const kyverno = await startKyvernoAdmission(plane);

/** GETs the API server has served on KubeVirt VMIs and VMIMs so far (only Kyverno's lookups GET them here). */
async function lookupGets(): Promise<number> {
  const text = (await rawRequest(kc, 'GET', '/metrics')).body;
  let sum = 0;
  for (const m of text.matchAll(/^apiserver_request_total\{([^}]*)\} (\d+)/gm)) {
    const labels = m[1]!;
    if (/verb="GET"/.test(labels) && /group="kubevirt.io"/.test(labels) && /resource="virtualmachineinstance(s|migrations)"/.test(labels)) sum += Number(m[2]);
  }
  return sum;
}

interface Row {
  readonly policies: string;
  readonly object: string;
  readonly p50: number;
  readonly p99: number;
  readonly getsPerCreate: number;
  /** Creates whose result showed the expected mutation (or its absence). */
  readonly asExpected: number;
}

/**
 * Sequential creates over one keep-alive connection. `prepare` (untimed) makes what the create needs;
 * `create` is timed and returns whether its result is as expected. Lookups are counted over the
 * timed creates only (preparation creates VMIMs, which no kvfleet policy looks anything up for).
 */
async function measure<T>(policies: string, object: string, prepare: (i: number) => Promise<T>, create: (i: number, prepared: T) => Promise<boolean>): Promise<Row> {
  // Warm-up: the first creates pay for connection set-up and Kyverno's lazily built clients.
  for (let i = -5; i < 0; i++) await create(i, await prepare(i));
  const prepared: T[] = [];
  for (let i = 0; i < CREATES; i++) prepared.push(await prepare(i));
  const before = await lookupGets();
  const ms: number[] = [];
  let asExpected = 0;
  for (let i = 0; i < CREATES; i++) {
    const t0 = performance.now();
    const ok = await create(i, prepared[i]!);
    ms.push(performance.now() - t0);
    if (ok) asExpected++;
  }
  const gets = (await lookupGets()) - before;
  ms.sort((a, b) => a - b);
  return { policies, object, p50: quantile(ms, 0.5), p99: quantile(ms, 0.99), getsPerCreate: gets / CREATES, asExpected };
}

const rows: Row[] = [];
const ns = await createTestNamespace(kc, 'admission-bench');
for (let i = -5; i < CREATES; i++) await objects.createVmi(ns, `vm${i}`, MACHINE_TYPE);
type Obj = Awaited<ReturnType<typeof objects.createVmim>>;
const node = (i: number) => `node-${(i + 7) % 7}`;
const none = async () => undefined;
const vmim = (tag: string, i: number, pinned: boolean) => objects.createVmim(ns, `${tag}-${i}`, `vm${i}`, pinned ? { [TARGET_NODE_ANNOTATION]: node(i) } : {});
/** The VMIM a target Pod belongs to, made before the Pod's create is timed. */
const podVmim = (tag: string) => (i: number) => objects.createVmim(ns, `${tag}-mig-${i}`, `vm${i}`, { [TARGET_NODE_ANNOTATION]: node(i) });
const pod = (tag: string, i: number, m: Obj) => objects.createLauncherPod(ns, `${tag}-target-${i}`, `vm${i}`, m);
const hasTypeSelector = (p: Obj) => p.spec.nodeSelector?.[`machine-type.kvfleet.io/${MACHINE_TYPE}`] === 'true';
let rssMiB = 0;

try {
  // 1. No kvfleet policy: Kyverno runs, but no webhook matches VMIMs or Pods.
  rows.push(await measure('none', 'VMIM', none, async (i) => !(await vmim('none', i, true)).spec.addedNodeSelector));
  rows.push(await measure('none', 'target Pod', podVmim('none'), async (i, m) => !hasTypeSelector(await pod('none', i, m))));

  // 2. prod-east: KubeVirt 1.5.0, the target-Pod policy selects on machine type and pins.
  await kyverno.applyClusterRoles(lookupRolesOf('prod-east'));
  await kyverno.applyPolicies(policiesOf('prod-east'));
  rows.push(
    await measure('prod-east (1.5.0)', 'VMIM', none, async (i) => (await vmim('pe', i, true)).metadata.annotations?.[UNSCHEDULABLE_TIMEOUT_ANNOTATION] !== undefined),
  );
  rows.push(await measure('prod-east (1.5.0)', 'target Pod', podVmim('pe'), async (i, m) => hasTypeSelector(await pod('pe', i, m))));
  await kyverno.deletePolicies(policiesOf('prod-east'));
  await kyverno.deleteClusterRoles(lookupRolesOf('prod-east').map((r) => r.metadata.name));

  // 3. legacy-apps: KubeVirt 1.6.2, only pinned VMIMs reach the pin policy; nothing is looked up.
  await kyverno.applyPolicies(policiesOf('legacy-apps'));
  rows.push(await measure('legacy-apps (1.6.2)', 'VMIM, pinned', none, async (i) => (await vmim('la-p', i, true)).spec.addedNodeSelector?.[HOSTNAME_LABEL] === node(i)));
  rows.push(await measure('legacy-apps (1.6.2)', 'VMIM, unpinned', none, async (i) => !(await vmim('la-u', i, false)).spec.addedNodeSelector));
  await kyverno.deletePolicies(policiesOf('legacy-apps'));
  rssMiB = kyverno.rssBytes() / 2 ** 20;
} finally {
  await kyverno.stop();
  await plane.stop();
}

const base = (object: string) => rows.find((r) => r.policies === 'none' && object.startsWith(r.object));
console.log(`\nAdmission latency through the real Kyverno ${'v1.19.0'} admission controller, ${CREATES} sequential creates per row (p50 / p99, ms)`);
console.log('| kvfleet policies | create | p50 ms | p99 ms | p50 vs none | lookups (GET) per create | result as expected |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const b = base(r.object);
  const ratio = b && r.policies !== 'none' ? `${(r.p50 / b.p50).toFixed(2)}×` : '1.00×';
  console.log(`| ${r.policies} | ${r.object} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${ratio} | ${r.getsPerCreate.toFixed(2)} | ${r.asExpected}/${CREATES} |`);
}
console.log(`Kyverno RSS at the end ${rssMiB.toFixed(0)} MiB. Lookups are GETs on VMIs/VMIMs seen by the API server during the timed creates.`);
