/**
 * One mode's run of the pre-1.5.1 scenario, on a fresh control plane: etcd, kube-apiserver,
 * kube-scheduler and the REAL virt-controller v1.5.0 (testbed/harness/kubevirtCluster.ts, built on demand:
 * `KVFLEET_KUBEVIRT_VERSIONS="v1.7.0 v1.5.0" bash testbed/tools.sh ensure`) with the stand-ins, whose
 * virt-handler here fails a migration whose target node's launcher lacks the VMI's type. The VMIs start
 * on the healthy nodes; the broken node joins; in the kvfleet mode kvfleet is installed (its policies
 * through the real Kyverno admission controller and its migration controller: sim/upgrade/kvfleetPart.ts)
 * and its real labeller labels every node (labellerRun.ts); then every healthy node is drained in turn
 * (sim/support/rollingDrain.ts). Real time throughout.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { BulkApi, inParallel } from '../../testbed/support/bulkApi.js';
import { KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX } from '../../compatibility/kubevirtNames.js';
import { type ControlPlane, startControlPlane } from '../../testbed/harness/controlPlane.js';
import { KYVERNO_ADMISSION_USER } from '../../testbed/harness/kyvernoAdmission.js';
import { until } from '../../testbed/harness/until.js';
import { launcherImageOf } from '../../testbed/harness/virtController.js';
import { type KubevirtCluster, startKubevirtCluster } from '../../testbed/harness/kubevirtCluster.js';
import { type AdmissionProbe, CONTROLLER_USER, counterSum, installKvfleet, type KvfleetInstall } from '../upgrade/kvfleetPart.js';
import { type ObserverClock, RunObserver } from '../upgrade/observer.js';
import { rollingDrain } from '../support/rollingDrain.js';
import { vmiManifest } from '../upgrade/runMode.js';
import { POOL_SELECTOR_LABEL } from '../upgrade/scenario.js';
import { migrationSeconds } from '../support/timing.js';
import { applyLabellerRbac, type LabelledNode, labelNode, labellerUser } from './labellerRun.js';
import { type PreNativeModeName, type PreNativeRecord, type PreNativeResult, preNativeResult, selectorShapes } from './metrics.js';
import { clusterLauncher, KUBEVIRT, launcherById, type PreNativeScenario, preNativeCluster, staleLauncher } from './scenario.js';
import { TargetPodSelectors } from './selectorWatch.js';
import { type DisruptionController, startDisruptionController } from '../../testbed/harness/disruptionController.js';

export interface PreNativeRunOptions {
  readonly scenario: PreNativeScenario;
  readonly mode: PreNativeModeName;
  readonly log?: (line: string) => void;
  /** Where to keep the run's logs (virt-controller, Kyverno, kvfleet's controller and labellers) and its record. */
  readonly logDir?: string;
}

export interface PreNativeRun {
  readonly mode: PreNativeModeName;
  readonly record: PreNativeRecord;
  readonly result: PreNativeResult;
  /** The broken node's labels and annotations under kvfleet.io and KubeVirt's machine-type prefix, before the drains. */
  readonly brokenNodeMetadata: Readonly<Record<string, string>>;
  readonly labellers?: readonly LabelledNode[];
  readonly policies?: readonly { readonly name: string; readonly readyAfterMs: number }[];
  readonly probes?: readonly AdmissionProbe[];
  readonly controller?: Readonly<Record<string, number>>;
  readonly virtController: { readonly version: string; readonly startMs: number; readonly rssMiB: number };
  readonly wallSeconds: { readonly setup: number; readonly drains: number; readonly total: number };
  readonly loadAverage: { readonly mean: number; readonly max: number; readonly cores: number };
  readonly errors: {
    readonly observer: readonly string[];
    readonly standIns: readonly string[];
    readonly selectorWatch: readonly string[];
    readonly disruptionController: readonly string[];
  };
}

/** What a run starts, stopped at the end whatever happened. */
interface Parts {
  plane?: ControlPlane;
  api?: BulkApi;
  kubevirt?: KubevirtCluster;
  observer?: RunObserver;
  selectors?: TargetPodSelectors;
  disruption?: DisruptionController;
  kvfleet?: KvfleetInstall;
}
type Started = Required<Omit<Parts, 'kvfleet'>> & Pick<Parts, 'kvfleet'>;
type Log = (line: string) => void;

const VMIS = (ns: string) => `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`;
const MERGE = { contentType: 'application/merge-patch+json' } as const;

function clock(): ObserverClock & { start(): void } {
  let startMs = Date.now();
  return {
    now: () => (Date.now() - startMs) / 1000,
    start: () => {
      startMs = Date.now();
    },
  };
}

export async function runPreNativeMode(opts: PreNativeRunOptions): Promise<PreNativeRun> {
  const { scenario: s, mode } = opts;
  const log = opts.log ?? (() => undefined);
  const t0 = Date.now();
  const c = clock();
  const parts: Parts = {};
  try {
    const started = await startParts(parts, s, mode, c, log);
    await startVmis(started, s, mode, log);
    const setup = await prepareNodes(parts, started, s, mode, log);
    const setupWall = (Date.now() - t0) / 1000;
    const vmiTypes = Object.fromEntries(started.observer.allVmis().map(([k, v]) => [k, v.machineType ?? '']));
    c.start();
    const loads: number[] = [];
    const drains = await rollingDrain(started.api, started.observer, c, s.base, (d, i) => {
      loads.push(loadavg()[0]!);
      const left = d.left.map((l) => `${l.namespace}/${l.name} (${l.machineType})`).join(', ');
      log(`${mode}: drain ${i + 1}/${s.base.drainOrder.length} ${d.node}: ${d.ended} after ${Math.round(d.endedAt - d.startedAt)} s${left ? `, left ${left}` : ''}`);
    });
    const drainWall = c.now();
    const record: PreNativeRecord = {
      mode,
      brokenNode: s.brokenNode.name,
      nodeLaunchers: s.nodeLaunchers,
      vmiTypes,
      migrations: started.observer.migrations(),
      targetPods: started.observer.targetPods(),
      targetPodSelectors: selectorShapes(started.selectors.selectors()),
      drains,
      onBrokenNodeAtEnd: started.observer.vmisOn(s.brokenNode.name),
      drainSeconds: drainWall,
      duplicateInFlight: started.observer.inFlight.duplicates,
    };
    if (opts.logDir) {
      mkdirSync(opts.logDir, { recursive: true });
      writeFileSync(join(opts.logDir, `${mode}.record.json`), `${JSON.stringify(record, null, 1)}\n`);
    }
    const controllerText = parts.kvfleet ? await parts.kvfleet.metrics() : undefined;
    const vc = started.kubevirt.controller();
    return {
      mode,
      record,
      result: preNativeResult(record),
      ...setup,
      ...(controllerText ? { controller: controllerCounters(controllerText) } : {}),
      virtController: { version: vc.version, startMs: vc.startMs, rssMiB: vc.rssMiB() },
      wallSeconds: { setup: setupWall, drains: drainWall, total: (Date.now() - t0) / 1000 },
      loadAverage: loadOf(loads),
      errors: {
        observer: started.observer.watchErrors(),
        standIns: [...started.kubevirt.standIns.errors].slice(-20),
        selectorWatch: started.selectors.errors,
        disruptionController: [...started.disruption.errors],
      },
    };
  } finally {
    await tearDown(parts, mode, opts.logDir);
  }
}

const controllerCounters = (text: string) => ({
  fallbacksCreated: counterSum(text, 'kvfleet_migration_fallbacks_total'),
  failuresSeen: counterSum(text, 'kvfleet_migration_failures_total'),
  reconcileErrors: counterSum(text, 'kvfleet_reconcile_errors_total'),
});

const loadOf = (loads: readonly number[]) => ({
  mean: Math.round((loads.reduce((a, b) => a + b, 0) / Math.max(1, loads.length)) * 10) / 10,
  max: Math.round(Math.max(0, ...loads) * 10) / 10,
  cores: cpus().length,
});

/** Control plane, KubeVirt 1.5.0 on the healthy nodes, namespaces, the observers. */
async function startParts(parts: Parts, s: PreNativeScenario, mode: PreNativeModeName, c: ObserverClock, log: Log): Promise<Started> {
  log(`${mode}: starting etcd, kube-apiserver, kube-scheduler`);
  const cluster = preNativeCluster(s);
  const plane = await startControlPlane({ scheduler: true, users: mode === 'kvfleet' ? [KYVERNO_ADMISSION_USER, CONTROLLER_USER, labellerUser(cluster)] : [] });
  parts.plane = plane;
  const admin = plane.kubeConfig();
  const api = await BulkApi.of(admin, 16);
  parts.api = api;
  log(`${mode}: KubeVirt ${KUBEVIRT.version} CRDs and CR, stand-ins for ${s.base.nodes.length} nodes, the real virt-controller v${KUBEVIRT.version}`);
  const t = s.base.timing;
  parts.kubevirt = await startKubevirtCluster(plane, {
    version: `v${KUBEVIRT.version}`,
    launcher: { image: launcherImageOf(`v${KUBEVIRT.version}`, KUBEVIRT.build), entry: clusterLauncher() },
    nodes: s.base.nodes.map((n) => ({
      name: n.name,
      architecture: n.architecture,
      labels: { [POOL_SELECTOR_LABEL]: n.pool },
      capacity: { cpu: n.capacity.cpu, memory: `${n.capacity.memoryMiB}Mi`, pods: String(n.capacity.pods) },
    })),
    migrations: { parallelMigrationsPerCluster: t.parallelMigrationsPerCluster, parallelOutboundMigrationsPerNode: t.parallelOutboundMigrationsPerNode },
    migrationSeconds: (bytes) => migrationSeconds(t, bytes),
    // Nothing keeps a target pod off the broken node on 1.5.0; its QEMU then refuses the type.
    standIns: { failMigrationWhenTargetLacksMachineType: true },
  });
  // KubeVirt 1.5.0 waits for PDB status before it creates a target pod (disruptionController.ts).
  parts.disruption = startDisruptionController(api);
  for (const ns of s.base.namespaces) await api.must('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  parts.observer = await RunObserver.start(admin, c);
  parts.selectors = await TargetPodSelectors.start(api);
  return parts as Started;
}

async function startVmis(st: Started, s: PreNativeScenario, mode: PreNativeModeName, log: Log): Promise<void> {
  log(`${mode}: starting ${s.base.vmis.length} VMIs through virt-controller and the scheduler`);
  await inParallel(s.base.vmis, 8, (v) => st.api.must('POST', VMIS(v.namespace), vmiManifest(v)).then(() => undefined));
  await until(() => st.observer.allVmis().filter(([, v]) => v.phase === 'Running' && v.launcherImage).length >= s.base.vmis.length, {
    timeoutMs: 120_000 + s.base.vmis.length * 2_000,
    intervalMs: 500,
    what: `all ${s.base.vmis.length} VMIs Running (stand-in errors: ${st.kubevirt.standIns.errors.slice(-3).join(' | ') || 'none'})`,
  });
}

/**
 * The broken node joins; the machine-type labels the shared virt-handler stand-in writes are removed
 * (virt-handler 1.5.0 writes none: pkg/virt-handler/node-labeller/node_labeller.go at v1.5.0 has no
 * `SupportedMachineTypeLabel`, which came with 1.5.1); in the kvfleet mode, kvfleet is installed and
 * its labeller labels every node.
 */
async function prepareNodes(parts: Parts, st: Started, s: PreNativeScenario, mode: PreNativeModeName, log: Log) {
  const b = s.brokenNode;
  await st.kubevirt.standIns.addNode({
    name: b.name,
    launcher: staleLauncher(),
    architecture: b.architecture,
    labels: { [POOL_SELECTOR_LABEL]: b.pool },
    capacity: { cpu: b.capacity.cpu, memory: `${b.capacity.memoryMiB}Mi`, pods: String(b.capacity.pods) },
  });
  log(`${mode}: ${b.name} joined, empty, running ${staleLauncher().id} under the cluster's launcher image`);
  const nodes = [...s.base.nodes, b];
  await inParallel(nodes, 4, (n) => dropKubevirtMachineTypeLabels(st.api, n.name));
  if (mode !== 'kvfleet') return { brokenNodeMetadata: await nodeMetadata(st.api, b.name) };
  const cluster = preNativeCluster(s);
  log(`${mode}: installing kvfleet (real Kyverno admission controller, migration controller from the bundle)`);
  parts.kvfleet = await installKvfleet(st.plane, cluster, 1000);
  await applyLabellerRbac(st.plane, cluster);
  const labellers: LabelledNode[] = [];
  for (const n of nodes)
    labellers.push(await labelNode(st.plane, cluster, { name: n.name, architecture: n.architecture, launcher: launcherById(s.nodeLaunchers[n.name]!) }));
  log(`${mode}: ${parts.kvfleet.readiness.length} policies Ready; the labeller labelled ${labellers.length} nodes`);
  return {
    brokenNodeMetadata: await nodeMetadata(st.api, b.name),
    labellers,
    policies: parts.kvfleet.readiness.map((r) => ({ name: r.name, readyAfterMs: r.readyAfterMs })),
    probes: parts.kvfleet.probes,
  };
}

type NodeMeta = { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } };

async function dropKubevirtMachineTypeLabels(api: BulkApi, node: string): Promise<void> {
  const n = await api.json<NodeMeta>('GET', `/api/v1/nodes/${node}`);
  const labels = Object.fromEntries(
    Object.keys(n.metadata.labels ?? {})
      .filter((k) => k.startsWith(KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX))
      .map((k) => [k, null]),
  );
  if (Object.keys(labels).length) await api.must('PATCH', `/api/v1/nodes/${node}`, { metadata: { labels } }, MERGE);
}

/** The node's labels and annotations under kvfleet.io or KubeVirt's machine-type prefix. */
async function nodeMetadata(api: BulkApi, node: string): Promise<Record<string, string>> {
  const n = await api.json<NodeMeta>('GET', `/api/v1/nodes/${node}`);
  const all = { ...(n.metadata.labels ?? {}), ...(n.metadata.annotations ?? {}) };
  return Object.fromEntries(Object.entries(all).filter(([k]) => k.includes('kvfleet.io') || k.startsWith(KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX)));
}

/** Stops what was started, keeping its logs in `logDir` first. */
async function tearDown(parts: Parts, mode: PreNativeModeName, logDir: string | undefined): Promise<void> {
  parts.observer?.stop();
  parts.selectors?.stop();
  await parts.disruption?.stop();
  if (logDir && parts.plane) {
    mkdirSync(logDir, { recursive: true });
    const copies: [string | undefined, string][] = [
      [parts.kubevirt?.controller().process.logFile, `${mode}.virt-controller.log`],
      [parts.kvfleet?.controller.logFile, `${mode}.controller.log`],
      [parts.kvfleet?.kyverno.process.logFile, `${mode}.kyverno.log`],
    ];
    for (const [from, to] of copies) {
      try {
        if (from) copyFileSync(from, join(logDir, to));
      } catch {
        // Logs are a convenience; the figures do not depend on them.
      }
    }
    // The labellers' logs and the capabilities they read (not their kubeconfigs).
    const labellerDir = join(parts.plane.dir, 'kvfleet-labeller');
    if (existsSync(labellerDir)) cpSync(labellerDir, join(logDir, `${mode}.labeller`), { recursive: true, filter: (src) => !src.endsWith('kubeconfig.yaml') });
  }
  await parts.kubevirt?.stop().catch(() => undefined);
  await parts.kvfleet?.stop().catch(() => undefined);
  parts.api?.close();
  await parts.plane?.stop();
}
