/**
 * `promtool check metrics` (Prometheus v3.14's own linter) on the real `/metrics` of both programs.
 * Each program runs as its own process from its real entry point (`main.ts` through tsx, as the
 * bundle runs it in the image), against a real kube-apiserver, with the identity and RBAC its
 * generated manifests give it; the test plays KubeVirt (testbed/support/kubevirtStandIn.ts) so the
 * controller's metrics carry series, not just their HELP and TYPE lines. Each scrape must pass the
 * linter with no problem and hold every metric of the metrics contract with its declared type.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type KubeConfig, type KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { Testing } from 'cdk8s';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MIGRATION_CONTROLLER_NAME, MigrationController as MigrationControllerChart } from '../../generators/migrationController.js';
import { NodeLabeller } from '../../generators/nodeLabeller.js';
import { matrixDocument, renderMatrixDocument } from '../../compatibility/matrixDocument.js';
import { CONTROLLER_METRICS } from '../../programs/migration-controller/metrics.js';
import { LABELLER_METRICS } from '../../programs/node-labeller/metrics.js';
import { ENV } from '../../programs/node-labeller/settings.js';
import { type MetricContract, processMetrics } from '../../programs/runtime/metricsContract.js';
import { MATRIX_FILE_ENV, METRICS_HOST_ENV, METRICS_PORT_ENV } from '../../programs/runtime/programEnv.js';
import { type ControlPlane, startControlPlane } from '../../testbed/harness/controlPlane.js';
import { freePort } from '../../testbed/harness/freePort.js';
import { type ManagedProcess, startProcess } from '../../testbed/harness/managedProcess.js';
import { createTestNamespace } from '../../testbed/harness/namespaces.js';
import { runPromtool } from '../../testbed/harness/promtool.js';
import { projectDir, sharedDir } from '../../testbed/harness/toolPaths.js';
import { until } from '../../testbed/harness/until.js';
import { applyControllerRbac } from '../../testbed/support/controllerRbac.js';
import { TEST_POOL_LABEL, testCluster } from '../../testbed/support/clusterFixtures.js';
import { KubevirtStandIn } from '../../testbed/support/kubevirtStandIn.js';
import { poolNamed, poolNodeLabels, SELECTOR_MISMATCH_MESSAGE, UPGRADE_CLUSTER } from '../../testbed/support/syntheticMigrationObjects.js';
import { virtHandlerMachineTypeLabels } from '../../testbed/support/virtHandlerLabels.js';

const NAMESPACE = 'kvfleet-system';
const CONTROLLER_SA = `system:serviceaccount:${NAMESPACE}:${MIGRATION_CONTROLLER_NAME}`;
const LABELLER_SA = `system:serviceaccount:${NAMESPACE}:kvfleet-node-labeller`;
const SA_GROUPS = ['system:serviceaccounts', `system:serviceaccounts:${NAMESPACE}`];
const MACHINE_TYPE = 'pc-q35-rhel8.6.0';
const NODES = [
  { name: 'stay-1', pool: 'rhel96-staying' },
  { name: 'stay-2', pool: 'rhel96-staying' },
  { name: 'stay-3', pool: 'rhel96-staying' },
  { name: 'up-1', pool: 'rhel9-upgrading' },
  { name: 'r10-1', pool: 'rhel10' },
];
// The labeller's cluster: pools selected by TEST_POOL_LABEL (its own matrix file; the programs never share one).
const LABELLER_CLUSTER = testCluster({ name: 'promtool-labeller', kubevirtVersion: '1.5.2' });
const rhel96Capabilities = readFileSync(join(projectDir, 'programs', 'node-labeller', 'fixtures', 'synthetic-rhel9.6-capabilities.xml'), 'utf8');

let plane: ControlPlane;
let admin: KubeConfig;
let kubevirt: KubevirtStandIn;
let workDir: string;
const processes: ManagedProcess[] = [];

beforeAll(async () => {
  plane = await startControlPlane({
    crds: [join(sharedDir, 'crds', 'kubevirt')],
    users: [
      { name: CONTROLLER_SA, groups: SA_GROUPS },
      { name: LABELLER_SA, groups: SA_GROUPS },
    ],
  });
  admin = plane.kubeConfig();
  kubevirt = new KubevirtStandIn(admin);
  // Each program gets exactly the RBAC its generated manifests grant.
  await applyControllerRbac(admin, UPGRADE_CLUSTER, NAMESPACE);
  const chart = Testing.chart();
  new NodeLabeller(chart, 'labeller', { cluster: LABELLER_CLUSTER });
  const objects = KubernetesObjectApi.makeApiClient(admin);
  for (const o of (Testing.synth(chart) as KubernetesObject[]).filter((m) => ['ClusterRole', 'ClusterRoleBinding'].includes(m.kind!))) await objects.create(o);
  for (const n of NODES) await kubevirt.createNode({ name: n.name, labels: poolNodeLabels(poolNamed(n.pool)) });
  workDir = mkdtempSync(join(tmpdir(), 'kvfleet-promtool-'));
});

afterAll(async () => {
  for (const p of processes.splice(0)) await p.stop();
  await plane?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Starts `programs/<program>/main.ts` as its own process, as its ServiceAccount; `env` gets the metrics port. */
async function startProgram(program: 'node-labeller' | 'migration-controller', user: string, env: (metricsPort: number) => Record<string, string>) {
  const kubeconfig = join(workDir, `${program}.kubeconfig`);
  writeFileSync(kubeconfig, plane.kubeconfigFor(user));
  const port = await freePort();
  const child = startProcess(program, process.execPath, ['--import', 'tsx', join(projectDir, 'programs', program, 'main.ts')], join(workDir, `${program}.log`), {
    KUBECONFIG: kubeconfig,
    LOG_LEVEL: 'warn',
    ...env(port),
  });
  processes.push(child);
  const get = async (path: string) => {
    const r = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: r.status, body: await r.text() };
  };
  return { child, get, scrape: async () => (await get('/metrics')).body };
}

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The Prometheus text format, as far as these checks need it: HELP and TYPE per family, and the samples. */
function parseExposition(text: string) {
  const types = new Map<string, string>();
  const helps = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      (meta[1] === 'HELP' ? helps : types).set(meta[2]!, meta[3]!);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!sample) continue;
    const labels = Object.fromEntries([...(sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    samples.push({ name: sample[1]!, labels, value: Number(sample[3]) });
  }
  return { types, helps, samples };
}

/** Sum of the samples of `name` whose labels include `labels`. */
function total(text: string, name: string, labels: Record<string, string> = {}): number {
  return parseExposition(text)
    .samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** promtool's lint finds nothing, and the scrape holds exactly the contract (plus process metrics), typed and described as declared. */
async function expectScrapeMatchesContract(text: string, contract: Record<string, MetricContract>) {
  const lint = await runPromtool(['check', 'metrics'], text);
  expect({ code: lint.code, problems: lint.stderr.trim(), stdout: lint.stdout.trim() }).toEqual({ code: 0, problems: '', stdout: '' });

  const { types, helps } = parseExposition(text);
  for (const m of Object.values(contract)) {
    expect(types.get(m.name), `${m.name}: TYPE in the scrape`).toBe(m.type);
    expect(helps.get(m.name), `${m.name}: HELP in the scrape`).toBe(m.help);
  }
  const declared = new Set([...Object.values(contract).map((m) => m.name), ...processMetrics().map((m) => m.name)]);
  expect(
    [...types.keys()].filter((n) => !declared.has(n)),
    'metrics in the scrape that the contract does not declare',
  ).toEqual([]);
}

describe('the migration controller', () => {
  test('its /metrics after fallbacks, a no-target failure, a malformed VMIM, clean-up and Kube-OVN readiness passes promtool and matches the contract', async () => {
    const ns = await createTestNamespace(admin, 'promtool');
    const matrixFile = join(workDir, 'controller-matrix.yaml');
    writeFileSync(matrixFile, renderMatrixDocument(matrixDocument(UPGRADE_CLUSTER)));
    const deployed = new MigrationControllerChart(Testing.chart(), 'mc', { cluster: UPGRADE_CLUSTER });
    const controller = await startProgram('migration-controller', CONTROLLER_SA, (port) => ({
      ...deployed.env, // what the Deployment sets, NODE_OPTIONS (heap cap) included
      [MATRIX_FILE_ENV]: matrixFile,
      [METRICS_PORT_ENV]: String(port),
      [METRICS_HOST_ENV]: '127.0.0.1',
      // Kube-OVN on, so its metrics carry series; clean-up and backoff short enough for a test.
      KVFLEET_KUBE_OVN: 'true',
      KVFLEET_FINISHED_MIGRATION_TTL_SECONDS: '1',
      // A fallback is kept for the attempt window at least (cleanupDecision.ts); long enough for a busy machine to decide within it.
      KVFLEET_ATTEMPT_WINDOW_SECONDS: '5',
      KVFLEET_BACKOFF_BASE_SECONDS: '0.2',
      POD_NAME: 'promtool-controller',
      POD_NAMESPACE: NAMESPACE,
    }));
    const metric = async (name: string, labels: Record<string, string> = {}) => total(await controller.scrape(), name, labels);
    await until(async () => (await controller.get('/readyz').catch(() => ({ status: 0 }))).status === 200 && (await metric('kvfleet_leader')) === 1, {
      timeoutMs: 60_000,
      what: `the controller synced and leading (log: ${controller.child.tail()})`,
    });

    // A user's migration whose target cannot be scheduled: a fallback, which then succeeds and is cleaned up.
    await kubevirt.createVmi({ name: 'vm-1', namespace: ns, nodeName: 'stay-1', machineType: MACHINE_TYPE, liveMigratable: true });
    await kubevirt.createVmim(ns, 'user-mig', 'vm-1');
    await kubevirt.setPhase(ns, 'user-mig', 'Pending');
    await kubevirt.setPhase(ns, 'user-mig', 'Scheduling');
    await kubevirt.createTargetPod(await kubevirt.getVmim(ns, 'user-mig'), { unschedulable: SELECTOR_MISMATCH_MESSAGE });
    await until(async () => (await metric('kvfleet_migration_target_unschedulable_total')) === 1, { what: 'the unschedulable target observed' });
    await kubevirt.setPhase(ns, 'user-mig', 'Failed');
    const fallback = await until(async () => (await kubevirt.fallbacks(ns))[0], { timeoutMs: 20_000, what: 'the fallback VMIM' });
    await kubevirt.setPhase(ns, fallback.metadata!.name!, 'Succeeded');
    await until(async () => (await metric('kvfleet_migration_vmims_deleted_total', { reason: 'ttl' })) === 1, {
      timeoutMs: 20_000,
      what: 'the finished fallback deleted',
    });

    // RHEL 10.0's own type on the one RHEL 10 node: nowhere to go.
    await kubevirt.createVmi({ name: 'vm-10', namespace: ns, nodeName: 'r10-1', machineType: 'pc-q35-rhel10.0.0', liveMigratable: true });
    await kubevirt.failUnschedulable(await kubevirt.createVmim(ns, 'mig-10', 'vm-10'), SELECTOR_MISMATCH_MESSAGE);
    await until(async () => (await metric('kvfleet_migration_no_compatible_target_total')) === 1, { what: 'the failure with no compatible target' });

    // Accepted by the CRD schema (vmiName is optional there); KubeVirt's webhook is not running.
    await kubevirt.createVmim(ns, 'no-vmi-name', 'ignored', { spec: {} });
    await until(async () => (await metric('kvfleet_malformed_objects')) === 1, { what: 'the malformed VMIM counted' });

    // Kube-OVN: one target routed before Running, one never routed.
    for (const [vmi, mig, node, routed] of [
      ['vm-ovn', 'mig-ovn', 'stay-2', true],
      ['vm-late', 'mig-late', 'stay-3', false],
    ] as const) {
      await kubevirt.createVmi({ name: vmi, namespace: ns, nodeName: 'stay-1', machineType: MACHINE_TYPE, liveMigratable: true });
      await kubevirt.createVmim(ns, mig, vmi);
      await kubevirt.setPhase(ns, mig, 'Pending');
      await kubevirt.setPhase(ns, mig, 'Scheduling');
      const pod = await kubevirt.createTargetPod(await kubevirt.getVmim(ns, mig), { nodeName: node });
      if (routed) {
        await kubevirt.annotatePod(ns, pod, { 'ovn.kubernetes.io/routed': 'true' });
        await until(async () => (await metric('kvfleet_migration_target_network_routed_total')) === 1, { what: 'the routed target pod observed' });
      }
      await kubevirt.setPhase(ns, mig, 'Running', {}, Date.now() + 2_000);
      await kubevirt.setPhase(ns, mig, 'Succeeded', {}, Date.now() + 3_000);
    }
    await until(async () => (await metric('kvfleet_migrations_total', { result: 'succeeded', origin: 'user' })) === 2, { what: 'both Kube-OVN migrations counted' });

    const text = await controller.scrape();
    await expectScrapeMatchesContract(text, CONTROLLER_METRICS);
    // The activity above moved every counter and histogram but those only faults move: refused
    // writes or a crashing reconciler, a full Event backlog, a broken watch (which a young API
    // server's "storage is (re)initializing" can cause here).
    const faultsOnly = [CONTROLLER_METRICS.reconcileErrors.name, CONTROLLER_METRICS.eventsDropped.name, CONTROLLER_METRICS.watchRestarts.name] as string[];
    const unmoved = Object.values(CONTROLLER_METRICS)
      .filter((m) => m.type !== 'gauge' && !faultsOnly.includes(m.name))
      .map((m) => m.name)
      .filter((name) => total(text, name) + total(text, `${name}_count`) === 0);
    expect(unmoved).toEqual([]);
    expect(total(text, 'kvfleet_migration_fallbacks_total', { reason: 'TargetUnschedulable' })).toBe(1);
    expect(total(text, 'kvfleet_migration_running_before_network_ready_total')).toBe(1);
    expect(total(text, 'kvfleet_migration_target_network_ready_seconds_count')).toBe(1);
  });
});

describe('the node labeller', () => {
  test('its /metrics after labelling its node passes promtool and matches the contract', async () => {
    const nodeName = 'promtool-labelled';
    await kubevirt.core.createNode({
      body: {
        metadata: { name: nodeName, labels: { 'kubernetes.io/hostname': nodeName, [TEST_POOL_LABEL]: 'rhel96', ...virtHandlerMachineTypeLabels(rhel96Capabilities) } },
      },
    });
    const capabilitiesPath = join(workDir, 'capabilities', 'capabilities.xml');
    const matrixPath = join(workDir, 'matrix', 'matrix.yaml');
    for (const [path, text] of [
      [capabilitiesPath, rhel96Capabilities],
      [matrixPath, renderMatrixDocument(matrixDocument(LABELLER_CLUSTER))],
    ] as const) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
    const labeller = await startProgram('node-labeller', LABELLER_SA, (port) => ({
      [ENV.nodeName]: nodeName,
      [ENV.capabilitiesPath]: capabilitiesPath,
      [ENV.matrixPath]: matrixPath,
      [ENV.metricsPort]: String(port),
      [ENV.metricsHost]: '127.0.0.1',
    }));
    await until(async () => (await labeller.get('/readyz').catch(() => ({ status: 0 }))).status === 200, {
      timeoutMs: 60_000,
      what: `the labeller's node labelled (log: ${labeller.child.tail()})`,
    });

    const text = await labeller.scrape();
    await expectScrapeMatchesContract(text, LABELLER_METRICS);
    expect(total(text, 'kvfleet_node_labeller_reconciles_total', { result: 'patched' })).toBe(1);
    expect(total(text, 'kvfleet_node_machine_type_drift', { node: nodeName, pool: 'rhel96', release: 'rhel-9.6' })).toBe(0);
    // KubeVirt labelled the node, so the comparison with its labels is exported (its value is nodeLabeller.apiserver.test.ts's subject).
    expect(parseExposition(text).samples.filter((s) => s.name === 'kvfleet_node_kubevirt_machine_type_drift' && s.labels.node === nodeName)).toHaveLength(1);
    expect(total(text, 'kvfleet_node_labeller_last_success_timestamp_seconds')).toBeGreaterThan(0);
  });
});
