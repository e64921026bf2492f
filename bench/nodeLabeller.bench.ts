/**
 * Node labeller figures (`npm run bench nodeLabeller`): parse time per capabilities document, label
 * computation time, and the API requests one reconcile sends in each situation, counted against a
 * real kube-apiserver (test harness) and cross-checked with the Node's resourceVersion.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, type KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { Testing } from 'cdk8s';
import { NodeLabeller } from '../generators/nodeLabeller.js';
import { matrixDocument, renderMatrixDocument } from '../compatibility/matrixDocument.js';
import { parseCapabilities } from '../programs/node-labeller/capabilitiesXml.js';
import { createLabellerMetrics } from '../programs/node-labeller/metrics.js';
import { NodeLabelReconciler } from '../programs/node-labeller/nodeLabelReconciler.js';
import { desiredNodeMetadata } from '../programs/node-labeller/nodeLabels.js';
import { TEST_POOL_LABEL, testCluster, testPool } from '../testbed/support/clusterFixtures.js';
import { machinesOfSet, syntheticCapabilitiesXml } from '../testbed/support/syntheticCapabilities.js';
import { createLogger } from '../programs/runtime/logger.js';
import { startControlPlane } from '../testbed/harness/controlPlane.js';
import { projectDir, sharedDir } from '../testbed/harness/toolPaths.js';

const RUNS = 400;
const WARMUP = 50;

function timeMs(fn: () => void, runs = RUNS): { median: number; p95: number } {
  for (let i = 0; i < WARMUP; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(runs / 2)]!, p95: samples[Math.floor(runs * 0.95)]! };
}

const documents = [
  ['kvm-x86_64.xml (real)', join(sharedDir, 'samples', 'capabilities', 'kvm-x86_64.xml')],
  ['kvm-x86_64-rhel7.xml (real)', join(sharedDir, 'samples', 'capabilities', 'kvm-x86_64-rhel7.xml')],
  ['kvm-x86_64-domcaps-latest.xml (real, rejected)', join(sharedDir, 'samples', 'capabilities', 'kvm-x86_64-domcaps-latest.xml')],
  ['synthetic-rhel9.6-capabilities.xml (SYNTHETIC)', join(projectDir, 'programs', 'node-labeller', 'fixtures', 'synthetic-rhel9.6-capabilities.xml')],
] as const;

const cluster = testCluster({ name: 'bench', kubevirtVersion: '1.5.2', nodePools: [testPool('rhel96', { nodeCount: 1 })] });
const matrix = matrixDocument(cluster);
/** The label computation alone: a matrix whose pools select no node. */
const NO_POOLS = { ...matrix, pools: [] };

console.log(`Parse + label computation, median / p95 of ${RUNS} runs after ${WARMUP} warm-up runs (ms)`);
console.log(['document', 'KiB', 'types', 'parse median', 'parse p95', 'labels median'].join(' | '));
for (const [name, path] of documents) {
  const xml = readFileSync(path, 'utf8');
  const parsed = parseCapabilities(xml);
  const parse = timeMs(() => parseCapabilities(xml));
  const labels = parsed.ok ? timeMs(() => desiredNodeMetadata(parsed.machineTypes, NO_POOLS, {})).median.toFixed(3) : '-';
  const types = parsed.ok ? String(parsed.machineTypes.canonical.length + Object.keys(parsed.machineTypes.aliases).length) : parsed.code;
  console.log([name, (xml.length / 1024).toFixed(1), types, parse.median.toFixed(3), parse.p95.toFixed(3), labels].join(' | '));
}

// API requests per reconcile, against a real API server with the labeller's own RBAC.
const SA = 'system:serviceaccount:kvfleet-system:kvfleet-node-labeller';
const plane = await startControlPlane({ users: [{ name: SA, groups: ['system:serviceaccounts'] }] });
const dir = mkdtempSync(join(tmpdir(), 'kvfleet-bench-labeller-'));
try {
  const admin = plane.kubeConfig();
  const chart = Testing.chart();
  new NodeLabeller(chart, 'labeller', { cluster });
  const objects = KubernetesObjectApi.makeApiClient(admin);
  for (const o of Testing.synth(chart) as KubernetesObject[]) if (o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding') await objects.create(o);
  const adminCore = admin.makeApiClient(CoreV1Api);
  await adminCore.createNode({ body: { metadata: { name: 'bench-node', labels: { [TEST_POOL_LABEL]: 'rhel96' } } } });
  const kc = new KubeConfig();
  kc.loadFromString(plane.kubeconfigFor(SA));
  const capabilitiesPath = join(dir, 'capabilities.xml');
  const matrixPath = join(dir, 'matrix.yaml');
  writeFileSync(matrixPath, renderMatrixDocument(matrix));
  const metrics = createLabellerMetrics();
  const reconciler = new NodeLabelReconciler({
    nodeName: 'bench-node',
    capabilitiesPath,
    matrixPath,
    core: kc.makeApiClient(CoreV1Api),
    metrics,
    log: createLogger('bench', 'silent'),
  });
  // The current launcher's set (KubeVirt 1.5 CS9), then the same less one type.
  const launcherSet = matrix.pools[0]!.current;
  const exact = syntheticCapabilitiesXml({ machines: machinesOfSet(launcherSet) });
  const drifted = syntheticCapabilitiesXml({ machines: machinesOfSet({ ...launcherSet, supported: launcherSet.supported.filter((t) => t !== 'pc-q35-rhel9.0.0') }) });
  const counts = async () => Object.fromEntries((await metrics.apiRequests.get()).values.map((v) => [`${v.labels.verb} ${v.labels.resource}`, v.value]));
  const scenarios: [string, () => void][] = [
    ['first reconcile of an unlabelled node', () => writeFileSync(capabilitiesPath, exact)],
    ['steady state (nothing changed)', () => {}],
    ['drift appears', () => writeFileSync(capabilitiesPath, drifted)],
    ['steady state with drift', () => {}],
    ['drift fixed', () => writeFileSync(capabilitiesPath, exact)],
    ['malformed capabilities file', () => writeFileSync(capabilitiesPath, exact.slice(0, 300))],
  ];
  console.log('\nAPI requests per reconcile (real kube-apiserver, labeller ServiceAccount identity)');
  console.log(['situation', 'get nodes', 'patch nodes', 'create events', 'writes', 'node resourceVersion changed', 'reconcile ms'].join(' | '));
  for (const [name, prepare] of scenarios) {
    prepare();
    const before = await counts();
    const rv = (await adminCore.readNode({ name: 'bench-node' })).metadata!.resourceVersion;
    const t0 = process.hrtime.bigint();
    await reconciler.reconcile();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const after = await counts();
    const delta = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
    const rvChanged = (await adminCore.readNode({ name: 'bench-node' })).metadata!.resourceVersion !== rv;
    console.log(
      [
        name,
        delta('get nodes'),
        delta('patch nodes'),
        delta('create events'),
        delta('patch nodes') + delta('create events'),
        rvChanged ? 'yes' : 'no',
        ms.toFixed(1),
      ].join(' | '),
    );
  }
} finally {
  await plane.stop();
  rmSync(dir, { recursive: true, force: true });
}
