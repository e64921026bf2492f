/**
 * The labeller against a real kube-apiserver, with its real identity: the ServiceAccount user bound
 * by the ClusterRole and ClusterRoleBinding the generator emits (applied here from the synthesised
 * manifests), so these tests fail if the RBAC is short of what the program does.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, type KubernetesObject, KubernetesObjectApi, PatchStrategy, setHeaderOptions, type V1Node } from '@kubernetes/client-node';
import { Testing } from 'cdk8s';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KvfleetNamespace } from '../../generators/kvfleetNamespace.js';
import { NodeLabeller } from '../../generators/nodeLabeller.js';
import {
  ALIAS_MACHINE_TYPE_LABEL_PREFIX,
  DRIFT_ANNOTATION,
  DRIFT_LABEL,
  isKvfleetNodeLabel,
  KUBEVIRT_LABEL_DRIFT_ANNOTATION,
  KUBEVIRT_LABEL_DRIFT_LABEL,
  MACHINE_TYPE_LABEL_PREFIX,
  POOL_LABEL,
} from '../../compatibility/labelKeys.js';
import { matrixDocument, renderMatrixDocument } from '../../compatibility/matrixDocument.js';
import { type MachineTypeSet } from '../../compatibility/poolMachineTypes.js';
import { type ControlPlane, startControlPlane } from '../../testbed/harness/controlPlane.js';
import { dryRunApply } from '../../testbed/harness/dryRun.js';
import { freePort } from '../../testbed/harness/freePort.js';
import { type ManagedProcess, startProcess } from '../../testbed/harness/managedProcess.js';
import { sharedDir } from '../../testbed/harness/toolPaths.js';
import { until } from '../../testbed/harness/until.js';
import { createLogger } from '../runtime/logger.js';
import { parseCapabilities } from './capabilitiesXml.js';
import { LABEL_LIMIT_EXCEEDED_REASON, LABEL_LIMITS } from './labelLimits.js';
import { createLabellerMetrics } from './metrics.js';
import { MAX_LOGGED_WARNINGS, NODE_EVENT_NAMESPACE, NodeLabelReconciler } from './nodeLabelReconciler.js';
import { NodeLoop } from './nodeLoop.js';
import { ENV } from './settings.js';
import { TEST_POOL_LABEL, upgradingTestCluster } from '../../testbed/support/clusterFixtures.js';
import { machinesOfSet, numberedMachines, syntheticCapabilitiesXml } from '../../testbed/support/syntheticCapabilities.js';
import { virtHandlerMachineTypeLabels } from '../../testbed/support/virtHandlerLabels.js';

const SA_USER = 'system:serviceaccount:kvfleet-system:kvfleet-node-labeller';
const POOL_KEY = TEST_POOL_LABEL;
const realSample = join(sharedDir, 'samples', 'capabilities', 'kvm-x86_64.xml');
const rhel96Fixture = join(import.meta.dirname, 'fixtures', 'synthetic-rhel9.6-capabilities.xml');

// KubeVirt 1.7.0 (CS9) → 1.8.0 → node OS of east → CentOS Stream 10; pools east (rhel-9.6), west (no OS),
// arm (arm64), whose nodes carry POOL_KEY: <pool name>. KubeVirt ≥ 1.5.1, so KubeVirt's labels count.
const cluster = upgradingTestCluster({ name: 'labeller-test' });
const matrix = matrixDocument(cluster);
const east = matrix.pools.find((p) => p.name === 'east')!;

function synthLabeller(): KubernetesObject[] {
  const chart = Testing.chart();
  new KvfleetNamespace(chart, 'namespace');
  new NodeLabeller(chart, 'labeller', { cluster });
  return Testing.synth(chart) as KubernetesObject[];
}

let plane: ControlPlane;
let admin: KubeConfig;
let adminCore: CoreV1Api;
let labellerKc: KubeConfig;
let workDir: string;
let matrixPath: string;
let nodeCounter = 0;

beforeAll(async () => {
  plane = await startControlPlane({ users: [{ name: SA_USER, groups: ['system:serviceaccounts', 'system:serviceaccounts:kvfleet-system'] }] });
  admin = plane.kubeConfig();
  adminCore = admin.makeApiClient(CoreV1Api);
  const objects = KubernetesObjectApi.makeApiClient(admin);
  for (const o of synthLabeller().filter((m) => ['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(m.kind!))) await objects.create(o);
  labellerKc = new KubeConfig();
  labellerKc.loadFromString(plane.kubeconfigFor(SA_USER));
  workDir = mkdtempSync(join(tmpdir(), 'kvfleet-labeller-'));
  matrixPath = join(workDir, 'matrix.yaml');
  writeFileSync(matrixPath, renderMatrixDocument(matrix));
});

afterAll(async () => {
  await plane?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

async function createNode(labels: Record<string, string>, annotations: Record<string, string> = {}): Promise<string> {
  const name = `labeller-${process.pid}-${++nodeCounter}`;
  await adminCore.createNode({ body: { metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels }, annotations } } });
  return name;
}

/** A reconciler for one node, authenticated as the labeller's ServiceAccount, with its own capabilities file. */
function labellerFor(nodeName: string, capabilities: string, log = createLogger('node-labeller-test', 'silent')) {
  const capabilitiesPath = join(workDir, `${nodeName}.xml`);
  writeFileSync(capabilitiesPath, capabilities);
  const metrics = createLabellerMetrics();
  const reconciler = new NodeLabelReconciler({
    nodeName,
    capabilitiesPath,
    matrixPath,
    core: labellerKc.makeApiClient(CoreV1Api),
    metrics,
    log,
  });
  const counter = async (name: 'patch' | 'create') => (await metrics.apiRequests.get()).values.filter((v) => v.labels.verb === name).reduce((sum, v) => sum + v.value, 0);
  return { reconciler, metrics, capabilitiesPath, writes: async () => (await counter('patch')) + (await counter('create')) };
}

const readNode = (name: string): Promise<V1Node> => adminCore.readNode({ name });
const eventsFor = async (nodeName: string) =>
  (await adminCore.listNamespacedEvent({ namespace: NODE_EVENT_NAMESPACE, fieldSelector: `involvedObject.name=${nodeName}` })).items;
const kvfleetLabels = (node: V1Node) => Object.fromEntries(Object.entries(node.metadata?.labels ?? {}).filter(([k]) => isKvfleetNodeLabel(k)));
/** What the current launcher (the catalogue entry of `steps[0]`) lists on amd64. */
const launcherMachines = machinesOfSet(east.current);
const kubevirtLabelsOf = (set: MachineTypeSet) =>
  Object.fromEntries([...set.supported, ...Object.keys(set.aliases)].map((t) => [`machine-type.node.kubevirt.io/${t}`, 'true']));

describe('one node, one reconcile', () => {
  test('the first reconcile labels the node; the second writes nothing (resourceVersion unchanged)', async () => {
    const node = await createNode({ [POOL_KEY]: 'east' });
    const { reconciler, writes } = labellerFor(node, readFileSync(rhel96Fixture, 'utf8'));

    expect(await reconciler.reconcile()).toEqual({ kind: 'done', patched: true, events: [] });
    const labelled = await readNode(node);
    const labels = labelled.metadata!.labels!;
    for (const t of [...east.current.supported, 'q35', 'pc']) expect(labels[MACHINE_TYPE_LABEL_PREFIX + t]).toBe('true');
    expect(labels[`${ALIAS_MACHINE_TYPE_LABEL_PREFIX}q35`]).toBe(east.current.aliases.q35);
    expect(labels[POOL_LABEL]).toBe('east');
    expect(labels[DRIFT_LABEL]).toBe('false');
    const writesAfterFirst = await writes();
    expect(writesAfterFirst).toBe(1); // one patch, no Event: no drift

    expect(await reconciler.reconcile()).toEqual({ kind: 'done', patched: false, events: [] });
    expect((await readNode(node)).metadata!.resourceVersion).toBe(labelled.metadata!.resourceVersion);
    expect(await writes()).toBe(writesAfterFirst);
    expect(await eventsFor(node)).toEqual([]);
  });

  test('foreign labels survive, stale kvfleet labels go (real upstream sample, node in no pool)', async () => {
    const foreign = {
      'machine-type.node.kubevirt.io/q35': 'true',
      'example.com/team': 'virt',
      'kubevirt.io/schedulable': 'true',
    };
    const stale = {
      [`${MACHINE_TYPE_LABEL_PREFIX}pc-q35-rhel8.6.0`]: 'true',
      [`${ALIAS_MACHINE_TYPE_LABEL_PREFIX}q35`]: 'pc-q35-rhel8.6.0',
      [POOL_LABEL]: 'old-pool',
      [DRIFT_LABEL]: 'true',
    };
    const node = await createNode({ ...foreign, ...stale }, { [DRIFT_ANNOTATION]: '{"extra":[],"missing":["x"]}', 'example.com/note': 'keep' });
    const xml = readFileSync(realSample, 'utf8');
    const { reconciler } = labellerFor(node, xml);

    expect(await reconciler.reconcile()).toMatchObject({ kind: 'done', patched: true });
    const after = await readNode(node);
    for (const [k, v] of Object.entries(foreign)) expect(after.metadata!.labels![k]).toBe(v);
    for (const k of Object.keys(stale)) if (k !== `${ALIAS_MACHINE_TYPE_LABEL_PREFIX}q35`) expect(after.metadata!.labels).not.toHaveProperty(k);
    // virt-handler's lone q35 label makes KubeVirt-label drift: it lacks every canonical type the node runs.
    expect(after.metadata!.annotations).toEqual({ 'example.com/note': 'keep', [KUBEVIRT_LABEL_DRIFT_ANNOTATION]: expect.any(String) });
    const parsed = parseCapabilities(xml);
    if (!parsed.ok) throw new Error(parsed.message);
    const expected = Object.fromEntries([
      ...[...parsed.machineTypes.canonical, ...Object.keys(parsed.machineTypes.aliases)].map((t) => [MACHINE_TYPE_LABEL_PREFIX + t, 'true']),
      ...Object.entries(parsed.machineTypes.aliases).map(([a, t]) => [ALIAS_MACHINE_TYPE_LABEL_PREFIX + a, t]),
      [KUBEVIRT_LABEL_DRIFT_LABEL, 'true'],
    ]);
    expect(kvfleetLabels(after)).toEqual(expected);
    expect(after.metadata!.labels![`${ALIAS_MACHINE_TYPE_LABEL_PREFIX}q35`]).toBe('pc-q35-6.1');
  });
});

describe('bad input changes nothing', () => {
  test.each([
    ['cut short', (path: string) => writeFileSync(path, readFileSync(rhel96Fixture, 'utf8').slice(0, 1500)), 'capabilities_invalid'],
    [
      'a domcapabilities document',
      (path: string) => copyFileSync(join(sharedDir, 'samples', 'capabilities', 'kvm-x86_64-domcaps-latest.xml'), path),
      'capabilities_invalid',
    ],
    [
      'listing no KVM guest (init step without /dev/kvm)',
      (path: string) => writeFileSync(path, syntheticCapabilitiesXml({ kvm: false, machines: launcherMachines })),
      'capabilities_invalid',
    ],
    ['missing', (path: string) => unlinkSync(path), 'capabilities_unreadable'],
  ])('a capabilities file %s leaves the node as it was and says why (the loop logs and counts it)', async (_what, spoil, reason) => {
    const node = await createNode({ [POOL_KEY]: 'east' });
    const { reconciler, capabilitiesPath } = labellerFor(node, readFileSync(rhel96Fixture, 'utf8'));
    await reconciler.reconcile();
    const before = await readNode(node);

    spoil(capabilitiesPath);
    const outcome = await reconciler.reconcile();
    expect(outcome).toMatchObject({ kind: 'invalid', code: reason });
    expect((await readNode(node)).metadata!.resourceVersion).toBe(before.metadata!.resourceVersion);
  });
});

describe('drift from the launcher', () => {
  test.each([
    ['east', 'rhel-9.6'],
    ['west', 'no OS stated'],
  ])("a node (pool %s, %s) whose QEMU and KubeVirt labels equal its launcher's entry shows no drift and records no Event", async (pool) => {
    const node = await createNode({ [POOL_KEY]: pool, ...kubevirtLabelsOf(east.current) });
    const { reconciler, metrics } = labellerFor(node, syntheticCapabilitiesXml({ machines: launcherMachines }));
    expect(await reconciler.reconcile()).toEqual({ kind: 'done', patched: true, events: [] });
    const after = await readNode(node);
    expect(after.metadata!.labels![DRIFT_LABEL]).toBe('false');
    expect(JSON.parse(after.metadata!.annotations![DRIFT_ANNOTATION]!)).toEqual({ reason: 'none', extra: [], missing: [] });
    expect((await metrics.drift.get()).values).toEqual([{ value: 0, labels: { node, pool, reason: 'none' } }]);
    expect(await eventsFor(node)).toEqual([]);
  });

  test("a canary-window node (virt-handler already labels the next step's launcher set) shows drift with the reason; back on the current launcher, it resolves", async () => {
    const next = east.sets[1]!;
    const node = await createNode({ [POOL_KEY]: 'east', ...kubevirtLabelsOf(next) });
    const { reconciler, metrics } = labellerFor(node, syntheticCapabilitiesXml({ machines: launcherMachines }));

    // KubeVirt's labels also differ from kvfleet's reading (its init container runs the current launcher): that drift is reported beside it.
    expect(await reconciler.reconcile()).toMatchObject({
      kind: 'done',
      patched: true,
      events: [{ reason: 'MachineTypeDrift' }, { reason: 'KubeVirtMachineTypeLabelDrift' }],
    });
    const after = await readNode(node);
    expect(after.metadata!.labels![DRIFT_LABEL]).toBe('true');
    const step = matrix.steps[1]!;
    const reason = `virt-handler on this node already runs the launcher of planned step 1 (${step.label}, ${step.launcher}): the canary window of that upgrade`;
    expect(JSON.parse(after.metadata!.annotations![DRIFT_ANNOTATION]!)).toMatchObject({
      reason: 'canary',
      step: 'step-1',
      measuredBy: 'kubevirt',
      explanation: reason,
      extra: next.supported.filter((t) => !east.current.supported.includes(t)),
    });
    const events = (await eventsFor(node)).filter((e) => e.reason === 'MachineTypeDrift');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'Warning', involvedObject: { kind: 'Node', name: node, uid: after.metadata!.uid } });
    expect(events[0]!.message).toContain(reason);
    expect((await metrics.drift.get()).values).toEqual([{ value: 1, labels: { node, pool: 'east', reason: 'canary' } }]);
    expect(await reconciler.reconcile()).toEqual({ kind: 'done', patched: false, events: [] });

    // virt-handler goes back to the current launcher (the canary rolled back): KubeVirt relabels with the current set.
    const back = Object.fromEntries(Object.keys(kubevirtLabelsOf(next)).map((k) => [k, null as string | null]));
    Object.assign(back, kubevirtLabelsOf(east.current));
    await adminCore.patchNode({ name: node, body: { metadata: { labels: back } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(await reconciler.reconcile()).toMatchObject({
      kind: 'done',
      patched: true,
      events: [{ reason: 'MachineTypeDriftResolved' }, { reason: 'KubeVirtMachineTypeLabelDriftResolved' }],
    });
    expect((await readNode(node)).metadata!.labels![DRIFT_LABEL]).toBe('false');
  });

  test('a node whose QEMU matches no step shows drift "wrong launcher image or a broken node"; the fix clears it', async () => {
    const node = await createNode({ [POOL_KEY]: 'east' });
    const drifted = launcherMachines.filter((m) => m.name !== 'pc-q35-rhel9.4.0').concat({ name: 'pc-q35-rhel9.5.0' });
    const { reconciler, metrics, capabilitiesPath } = labellerFor(node, syntheticCapabilitiesXml({ machines: drifted }));

    expect(await reconciler.reconcile()).toMatchObject({ kind: 'done', patched: true, events: [{ reason: 'MachineTypeDrift' }] });
    let after = await readNode(node);
    expect(after.metadata!.labels![DRIFT_LABEL]).toBe('true');
    expect(JSON.parse(after.metadata!.annotations![DRIFT_ANNOTATION]!)).toMatchObject({
      reason: 'unknown-launcher',
      extra: ['pc-q35-rhel9.5.0'],
      missing: ['pc-q35-rhel9.4.0'],
      explanation: 'wrong launcher image or a broken node',
    });
    let events = await eventsFor(node);
    expect(events).toHaveLength(1);
    expect(events[0]!.message).toContain('pc-q35-rhel9.4.0');
    expect((await metrics.drift.get()).values).toEqual([{ value: 1, labels: { node, pool: 'east', reason: 'unknown-launcher' } }]);

    expect(await reconciler.reconcile()).toEqual({ kind: 'done', patched: false, events: [] });
    expect(await eventsFor(node)).toHaveLength(1);

    writeFileSync(capabilitiesPath, syntheticCapabilitiesXml({ machines: launcherMachines }));
    expect(await reconciler.reconcile()).toMatchObject({ kind: 'done', patched: true, events: [{ reason: 'MachineTypeDriftResolved' }] });
    after = await readNode(node);
    expect(after.metadata!.labels![DRIFT_LABEL]).toBe('false');
    expect(JSON.parse(after.metadata!.annotations![DRIFT_ANNOTATION]!)).toEqual({ reason: 'none', extra: [], missing: [] });
    events = await eventsFor(node);
    expect(events.map((e) => e.reason).sort()).toEqual(['MachineTypeDrift', 'MachineTypeDriftResolved']);
  });
});

describe('least privilege', () => {
  test('the labeller identity can get and patch Nodes but not list them or read Secrets', async () => {
    const core = labellerKc.makeApiClient(CoreV1Api);
    await expect(core.listNode()).rejects.toMatchObject({ code: 403 });
    await expect(core.listNamespacedSecret({ namespace: 'kvfleet-system' })).rejects.toMatchObject({ code: 403 });
  });

  test('the pod template passes Pod Security "restricted" in the generated namespace (and one without its securityContext does not)', async () => {
    const manifests = synthLabeller() as (KubernetesObject & { spec?: { template?: { spec?: Record<string, unknown> } } })[];
    const ds = manifests.find((m) => m.kind === 'DaemonSet')!;
    const pod = (name: string, spec: unknown) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ds.metadata!.namespace }, spec }) as KubernetesObject;
    expect(await dryRunApply(admin, pod('labeller', ds.spec!.template!.spec))).toBeUndefined();

    // Control: the same pod stripped of its security settings is refused, so the admission check is live.
    const spec = structuredClone(ds.spec!.template!.spec!) as { securityContext: unknown; initContainers: { securityContext: unknown }[] };
    spec.securityContext = {};
    spec.initContainers[0]!.securityContext = {};
    const rejection = await dryRunApply(admin, pod('labeller-unhardened', spec));
    expect(rejection?.message).toMatch(/violates PodSecurity "restricted:latest"/);
  });
});

describe('the program', () => {
  let child: ManagedProcess | undefined;
  afterAll(async () => child?.stop());

  test('main.ts labels its node, serves probes and metrics, reacts to a file change and exits cleanly on SIGTERM', async () => {
    const node = await createNode({ [POOL_KEY]: 'east' });
    const dir = mkdtempSync(join(workDir, 'program-'));
    const capabilitiesPath = join(dir, 'capabilities.xml');
    copyFileSync(rhel96Fixture, capabilitiesPath);
    const kubeconfig = join(workDir, 'labeller.kubeconfig');
    writeFileSync(kubeconfig, plane.kubeconfigFor(SA_USER));
    const port = await freePort();
    child = startProcess('node-labeller', process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'main.ts')], join(workDir, 'program.log'), {
      KUBECONFIG: kubeconfig,
      [ENV.nodeName]: node,
      [ENV.capabilitiesPath]: capabilitiesPath,
      [ENV.matrixPath]: matrixPath,
      [ENV.metricsPort]: String(port),
      [ENV.metricsHost]: '127.0.0.1',
      LOG_LEVEL: 'info',
    });
    const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`).then(async (r) => ({ status: r.status, body: await r.text() }));

    await until(async () => (await readNode(node)).metadata?.labels?.[DRIFT_LABEL] === 'false', { timeoutMs: 30_000, what: `labels on ${node} (log: ${child.tail()})` });
    await until(async () => (await get('/readyz')).status === 200, { timeoutMs: 10_000, what: '/readyz' });
    expect((await get('/healthz')).status).toBe(200);
    const metrics = (await get('/metrics')).body;
    expect(metrics).toMatch(/kvfleet_node_labeller_reconciles_total\{result="patched"\} 1/);
    expect(metrics).toContain(`kvfleet_node_machine_type_drift{node="${node}",pool="east",reason="none"} 0`);

    // A rewritten file is picked up through the directory watch, long before the 300 s resync.
    writeFileSync(capabilitiesPath, syntheticCapabilitiesXml({ machines: launcherMachines.filter((m) => m.name !== 'pc-q35-rhel9.0.0') }));
    await until(async () => (await readNode(node)).metadata?.labels?.[DRIFT_LABEL] === 'true', { timeoutMs: 20_000, what: `drift on ${node} (log: ${child.tail()})` });

    child.child.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    const lines = readFileSync(child.logFile, 'utf8').trim().split('\n');
    expect(lines.every((l) => typeof JSON.parse(l).msg === 'string')).toBe(true); // structured JSON only
  });
});

describe("drift against KubeVirt's own labels, on the real API server", () => {
  const aliasOnlyXml = readFileSync(join(import.meta.dirname, 'fixtures', 'synthetic-qemu2.3-alias-only-capabilities.xml'), 'utf8');

  test('a node virt-handler labelled from the older alias-only layout gets the label, annotation, Warning Event and gauge; agreement resolves it', async () => {
    const node = await createNode(virtHandlerMachineTypeLabels(aliasOnlyXml));
    const { reconciler, metrics } = labellerFor(node, aliasOnlyXml);

    expect(await reconciler.reconcile()).toMatchObject({ kind: 'done', patched: true, events: [{ reason: 'KubeVirtMachineTypeLabelDrift' }] });
    const drifted = await readNode(node);
    expect(drifted.metadata!.labels![KUBEVIRT_LABEL_DRIFT_LABEL]).toBe('true');
    expect(JSON.parse(drifted.metadata!.annotations![KUBEVIRT_LABEL_DRIFT_ANNOTATION]!)).toEqual({
      kubevirtLacks: ['pc-q35-2.3', 'pc-i440fx-2.3'],
      kubevirtOnly: ['pc-0.12', 'pc-1.3'],
    });
    // kvfleet's own label for the alias's canonical is there: item 1 of the label contract.
    expect(drifted.metadata!.labels![`${MACHINE_TYPE_LABEL_PREFIX}pc-q35-2.3`]).toBe('true');
    const events = await eventsFor(node);
    expect(events.map((e) => [e.type, e.reason])).toEqual([['Warning', 'KubeVirtMachineTypeLabelDrift']]);
    expect(events[0]!.message).toContain('pc-q35-2.3');
    const gauge = (await metrics.kubevirtDrift.get()).values;
    expect(gauge).toEqual([{ labels: { node }, value: 1 }]);

    // virt-handler (or a fixed libvirt) now labels what QEMU runs: the drift resolves, once.
    const agreeing = Object.fromEntries(
      Object.keys(drifted.metadata!.labels!)
        .filter((k) => k.startsWith('machine-type.node.kubevirt.io/'))
        .map((k) => [k, null as string | null]),
    );
    // What QEMU really offers there, as kvfleet read it: canonical types and aliases.
    const offered = parseCapabilities(aliasOnlyXml);
    if (!offered.ok) throw new Error(offered.message);
    for (const t of [...offered.machineTypes.canonical, ...Object.keys(offered.machineTypes.aliases)]) {
      agreeing[`machine-type.node.kubevirt.io/${t}`] = 'true';
    }
    await adminCore.patchNode({ name: node, body: { metadata: { labels: agreeing } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(await reconciler.reconcile()).toMatchObject({ kind: 'done', patched: true, events: [{ reason: 'KubeVirtMachineTypeLabelDriftResolved' }] });
    expect((await readNode(node)).metadata!.labels![KUBEVIRT_LABEL_DRIFT_LABEL]).toBe('false');
    expect(await reconciler.reconcile()).toEqual({ kind: 'done', patched: false, events: [] });
    expect((await eventsFor(node)).map((e) => e.reason).sort()).toEqual(['KubeVirtMachineTypeLabelDrift', 'KubeVirtMachineTypeLabelDriftResolved']);
  });
});

describe('warnings stay one bounded line', () => {
  test(`a document with thousands of names that cannot be labels logs the first ${MAX_LOGGED_WARNINGS} and counts the rest, once`, async () => {
    const node = await createNode({});
    const lines: { msg: string; warnings?: string[]; moreWarnings?: number }[] = [];
    const log = createLogger('node-labeller-test', 'info', { write: (l: string) => lines.push(JSON.parse(l)) });
    // 64 characters: one over what a label name may hold, so each is a warning and no label.
    const unlabelable = numberedMachines(3_000, 63).map((m) => ({ name: `${m.name}x` }));
    const { reconciler } = labellerFor(node, syntheticCapabilitiesXml({ machines: [...numberedMachines(3), ...unlabelable] }), log);
    await reconciler.reconcile();
    await reconciler.reconcile(); // the same warnings again: not logged twice
    const warned = lines.filter((l) => l.msg === 'capabilities need attention');
    expect(warned).toHaveLength(1);
    expect(warned[0]!.warnings).toHaveLength(MAX_LOGGED_WARNINGS);
    // Every name is accounted for (plus any warning about the node itself), in a line of bounded size.
    expect(MAX_LOGGED_WARNINGS + warned[0]!.moreWarnings!).toBeGreaterThanOrEqual(3_000);
    expect(warned[0]!.moreWarnings!).toBeLessThan(3_000);
    expect(JSON.stringify(warned[0]).length).toBeLessThan(16 * 1024);
  });
});

describe('the label limits (labelLimits.ts), on the real API server', () => {
  const { maxLabels, maxPatchBytes } = LABEL_LIMITS;

  test('control: without the limits, a Node write of 30,000 labels (issue 21 saw 45,366) is refused by the API server with a 500, which no retry fixes', async () => {
    const node = await createNode({});
    // ~1.7 MB: over etcd's 1.5 MiB per write, under the 2 MiB its client sends (labelLimits.ts).
    const labels = Object.fromEntries(numberedMachines(30_000, 24).map((m) => [MACHINE_TYPE_LABEL_PREFIX + m.name, 'true']));
    const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    await expect(adminCore.patchNode({ name: node, body: { metadata: { labels } } }, mergePatch)).rejects.toMatchObject({
      code: 500,
      body: expect.stringContaining('request is too large'),
    });
  });

  test('a document yielding exactly the maximum number of kvfleet labels gets them all onto the node', async () => {
    // In no pool and unlabelled by KubeVirt, a node gets one label per canonical type and nothing else.
    const node = await createNode({});
    const machines = numberedMachines(maxLabels);
    const { reconciler } = labellerFor(node, syntheticCapabilitiesXml({ machines }));

    expect(await reconciler.reconcile()).toMatchObject({ kind: 'done', patched: true });
    const labels = kvfleetLabels(await readNode(node));
    expect(Object.keys(labels)).toHaveLength(maxLabels);
    expect(labels).toEqual(Object.fromEntries(machines.map((m) => [MACHINE_TYPE_LABEL_PREFIX + m.name, 'true'])));
  });

  test.each([
    // One label beyond the limit, on a node in no pool (one label per type).
    ['too_many_labels', {}, numberedMachines(maxLabels + 1), `${(maxLabels + 1).toLocaleString('en-US')} kvfleet labels`],
    // 900 types of 63 characters, each named in the label, the pool-drift annotation's `extra` and the
    // KubeVirt-drift annotation's `kubevirtLacks` (KubeVirt labels only q35): under the count, over the bytes.
    ['patch_too_large', { [POOL_KEY]: 'east', 'machine-type.node.kubevirt.io/q35': 'true' }, numberedMachines(900, 63), 'bytes for this Node'],
  ] as const)(
    '%s: the node keeps its labels, gets one Warning Event, the attempts are counted and backed off; a fixed document labels it again',
    async (code, nodeLabels, machines, says) => {
      const node = await createNode({ ...nodeLabels });
      const lines: { msg: string; reason?: string; retryInMs?: number; time: string }[] = [];
      const log = createLogger('node-labeller-test', 'info', { write: (l: string) => lines.push(JSON.parse(l)) });
      const { reconciler, metrics, capabilitiesPath, writes } = labellerFor(node, readFileSync(rhel96Fixture, 'utf8'), log);
      expect(await reconciler.reconcile()).toMatchObject({ kind: 'done', patched: true });
      const before = await readNode(node);
      const writesBefore = await writes();

      writeFileSync(capabilitiesPath, syntheticCapabilitiesXml({ machines }));
      const loop = new NodeLoop({ nodeName: node, reconciler, resyncMs: 300_000, metrics, logger: log });
      loop.start();
      try {
        const errors = async () => (await metrics.errors.get()).values.find((v) => v.labels.reason === code)?.value ?? 0;
        await until(async () => (await errors()) >= 3, { timeoutMs: 20_000, what: `three refused attempts (${code})` });

        // Nothing written: not the labels, not a removal, not the drift annotations or their Events.
        const after = await readNode(node);
        expect(after.metadata!.resourceVersion).toBe(before.metadata!.resourceVersion);
        expect(kvfleetLabels(after)).toEqual(kvfleetLabels(before));
        expect(await writes()).toBe(writesBefore + 1); // the one Event below, never a patch
        const events = (await eventsFor(node)).filter((e) => e.reason === LABEL_LIMIT_EXCEEDED_REASON);
        expect(events).toHaveLength(1);
        expect(events[0]).toMatchObject({ type: 'Warning', involvedObject: { kind: 'Node', name: node } });
        expect(events[0]!.message).toContain(says);
        expect(events[0]!.message).toContain((code === 'too_many_labels' ? maxLabels : maxPatchBytes).toLocaleString('en-US'));

        // Logged with the reason, and backed off: 1 s, then 2 s, between attempts that never write.
        const refused = lines.filter((l) => l.msg === 'input unusable; left as it is' && l.reason === code);
        expect(refused.slice(0, 3).map((l) => l.retryInMs)).toEqual([1_000, 2_000, 4_000]);
        for (let i = 1; i < 3; i++) expect(Date.parse(refused[i]!.time) - Date.parse(refused[i - 1]!.time)).toBeGreaterThanOrEqual(refused[i - 1]!.retryInMs!);
        expect(await errors()).toBe(refused.length);

        // The document shrinks back: the next look (a file change triggers one) labels the node as usual.
        writeFileSync(capabilitiesPath, syntheticCapabilitiesXml({ machines: launcherMachines }));
        loop.trigger();
        const expected = Object.fromEntries(launcherMachines.filter((m) => !m.canonical).map((m) => [MACHINE_TYPE_LABEL_PREFIX + m.name, 'true']));
        const relabelled = await until(
          async () => {
            const labels = kvfleetLabels(await readNode(node));
            return Object.entries(expected).every(([k, v]) => labels[k] === v) && labels;
          },
          { timeoutMs: 20_000, what: `labels on ${node}` },
        );
        expect(Object.keys(relabelled).filter((k) => k.includes('synthetic-'))).toEqual([]);
        await until(() => loop.isReady(), { what: 'the first success' });
      } finally {
        await loop.stop();
      }
    },
  );
});
