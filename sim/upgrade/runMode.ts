/**
 * One mode's run of the scenario: a fresh control plane (etcd, kube-apiserver, kube-scheduler), the
 * real virt-controller with its stand-ins (sim/kubevirt/kubevirtCluster.ts), the VMIs started through
 * them, `kvfleet plan` on the VMIs as the API server lists them, kvfleet where the mode has it
 * (kvfleetPart.ts: the plan's restart fixes first, then its policies and controller), then the step:
 * virt-operator's rollout (CR Deploying; virt-handler canary, then 10 % at a time; virt-controller
 * restarted on the new launcher image; CR Deployed), the workload updater's migrations, and a rolling
 * drain of every node. Returns what was recorded. Times are real seconds since the step started.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { BulkApi, inParallel } from '../../bench/support/bulkApi.js';
import { type ControlPlane, startControlPlane } from '../../test/harness/controlPlane.js';
import { KYVERNO_ADMISSION_USER } from '../../test/harness/kyvernoAdmission.js';
import { until } from '../../test/harness/until.js';
import { launcherImageOf } from '../../test/harness/virtController.js';
import { type KubevirtCluster, startKubevirtCluster } from '../kubevirt/kubevirtCluster.js';
import { type AdmissionProbe, CONTROLLER_USER, counterSum, installKvfleet, type KvfleetInstall } from './kvfleetPart.js';
import { type DrainRecord, drainVerdict, type LeftVmi, type ModeResult, modeResult, type RunRecord } from './metrics.js';
import { type Mode } from './modes.js';
import { type ObserverClock, RunObserver } from './observer.js';
import { type PlannedRestart, planUpgrade, type UpgradePlanResult } from './plan.js';
import {
  FROM,
  fromLauncher,
  migrationSeconds,
  POOL_NAME,
  POOL_SELECTOR_LABEL,
  rolloutBatches,
  type Scenario,
  type ScenarioVmi,
  scenarioCluster,
  TO,
  toLauncher,
} from './scenario.js';

export interface RunModeOptions {
  readonly scenario: Scenario;
  readonly mode: Mode;
  /** Progress lines. @default none */
  readonly log?: (line: string) => void;
  /** Where to keep the run's logs (virt-controller, Kyverno, kvfleet's controller) and its record. */
  readonly logDir?: string;
}

export interface ModeRun {
  readonly mode: Mode;
  readonly record: RunRecord;
  readonly result: ModeResult;
  readonly plan: UpgradePlanResult;
  /** VMIMs seen, and how many carried the unschedulable timeout (kvfleet's VMIM policy). */
  readonly timeoutEvidence: { readonly vmims: number; readonly withUnschedulableTimeout: number };
  readonly policies?: readonly { readonly name: string; readonly readyAfterMs: number }[];
  readonly probes?: readonly AdmissionProbe[];
  /** Selected counters from kvfleet's controller's /metrics at the end (kvfleet mode). */
  readonly controller?: Readonly<Record<string, number>>;
  readonly virtController: { readonly version: string; readonly startMs: number; readonly rssMiB: number };
  readonly wallSeconds: { readonly setup: number; readonly step: number; readonly total: number };
  readonly loadAverage: { readonly mean: number; readonly max: number; readonly cores: number };
  readonly observerErrors: readonly string[];
  readonly standInErrors: readonly string[];
}

const CONTROLLER_COUNTERS: Record<string, [string, string?]> = {
  fallbacksCreated: ['kvfleet_migration_fallbacks_total'],
  failuresSeen: ['kvfleet_migration_failures_total'],
  noCompatibleTarget: ['kvfleet_migration_no_compatible_target_total'],
  reconcileErrors: ['kvfleet_reconcile_errors_total'],
};

const MERGE = { contentType: 'application/merge-patch+json' } as const;
const VMIS = (ns: string) => `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`;
const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

/** A VMI as a user creates it (virt-api's defaults aside): the cluster's eviction strategy (LiveMigrate) applies. */
export function vmiManifest(v: ScenarioVmi, machineType = v.specMachineType): object {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { name: v.name, namespace: v.namespace, labels: { 'kvfleet.io/sim-kind': v.kind } },
    spec: {
      terminationGracePeriodSeconds: 0,
      architecture: 'amd64',
      domain: {
        machine: { type: machineType },
        devices: {},
        resources: { requests: { memory: `${v.memoryMiB}Mi`, cpu: `${v.cpuMillis}m` } },
      },
    },
  };
}

export async function runMode(opts: RunModeOptions): Promise<ModeRun> {
  const { scenario, mode } = opts;
  const log = opts.log ?? (() => undefined);
  const timing = scenario.timing;
  const t0 = Date.now();
  const cluster = scenarioCluster(scenario);
  let stepStartMs = Date.now();
  const clock: ObserverClock = { now: () => (Date.now() - stepStartMs) / 1000 };

  let plane: ControlPlane | undefined;
  let kvfleet: KvfleetInstall | undefined;
  let kubevirt: KubevirtCluster | undefined;
  let observer: RunObserver | undefined;
  let api: BulkApi | undefined;
  try {
    log(`${mode.name}: starting etcd, kube-apiserver, kube-scheduler`);
    plane = await startControlPlane({ scheduler: true, users: mode.kvfleet ? [KYVERNO_ADMISSION_USER, CONTROLLER_USER] : [] });
    const admin = plane.kubeConfig();
    api = await BulkApi.of(admin, 16);
    const bulk = api;
    log(`${mode.name}: KubeVirt ${FROM.version} CRDs and CR, stand-ins for ${scenario.nodes.length} nodes, the real virt-controller v${FROM.version}`);
    kubevirt = await startKubevirtCluster(plane, {
      version: `v${FROM.version}`,
      launcher: { image: launcherImageOf(`v${FROM.version}`, FROM.build), entry: fromLauncher() },
      nodes: scenario.nodes.map((n) => ({
        name: n.name,
        labels: { [POOL_SELECTOR_LABEL]: POOL_NAME },
        capacity: { cpu: n.capacity.cpu, memory: `${n.capacity.memoryMiB}Mi`, pods: String(n.capacity.pods) },
      })),
      migrations: { parallelMigrationsPerCluster: timing.parallelMigrationsPerCluster, parallelOutboundMigrationsPerNode: timing.parallelOutboundMigrationsPerNode },
      migrationSeconds: (bytes) => migrationSeconds(timing, bytes),
    });
    const kv = kubevirt;
    for (const ns of scenario.namespaces) await bulk.must('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    observer = await RunObserver.start(admin, clock);
    const obs = observer;
    log(`${mode.name}: starting ${scenario.vmis.length} VMIs through virt-controller and the scheduler`);
    await inParallel(scenario.vmis, 8, (v) => bulk.must('POST', VMIS(v.namespace), vmiManifest(v)).then(() => undefined));
    const allRunning = (what: string, n = scenario.vmis.length) =>
      until(() => obs.allVmis().filter(([, v]) => v.phase === 'Running' && v.launcherImage).length >= n, {
        timeoutMs: 120_000 + n * 2_000,
        intervalMs: 500,
        what: `${what} (stand-in errors: ${kv.standIns.errors.slice(-3).join(' | ') || 'none'})`,
      });
    await allRunning(`all ${scenario.vmis.length} VMIs Running`);

    // kvfleet plan, before the step, on the VMIs as the API server lists them.
    const inventory = await bulk.json<{ items: object[] }>('GET', '/apis/kubevirt.io/v1/virtualmachineinstances');
    const plan = planUpgrade(cluster, inventory.items);
    log(
      `${mode.name}: kvfleet plan: ${plan.stranded.length} stranded after the step (${plan.restarts.length} with a restart fix, ${plan.holds.length} only 'hold the step')`,
    );

    const restarted: string[] = [];
    if (mode.kvfleet) {
      log(`${mode.name}: installing kvfleet (real Kyverno admission controller, migration controller from the bundle)`);
      kvfleet = await installKvfleet(plane, cluster, 1000);
      log(`${mode.name}: ${kvfleet.readiness.length} policies Ready; controller leading; restarting ${plan.restarts.length} VMIs onto their move-to type`);
      await inParallel(plan.restarts, 4, (r) => restart(bulk, obs, scenario, r));
      restarted.push(...plan.restarts.map((r) => `${r.namespace}/${r.name}`));
      await allRunning('the restarted VMIs Running');
    }
    const setupWall = (Date.now() - t0) / 1000;

    // The step, as virt-operator carries it out.
    stepStartMs = Date.now();
    const loads: number[] = [];
    await kv.beginUpgrade(`v${FROM.version}`, `v${TO.version}`);
    for (const [i, batch] of rolloutBatches(scenario.rolloutOrder).entries()) {
      await kv.rolloutVirtHandler(batch, toLauncher());
      log(`${mode.name}: virt-handler ${TO.version} ${i === 0 ? 'canary' : `batch ${i}`} on ${batch.join(', ')}: nodes relabelled from ${toLauncher().id}`);
      await sleep(i === 0 ? timing.canarySeconds : timing.batchSeconds);
    }
    await kv.restartVirtController(TO.image);
    await kv.finishUpgrade(`v${TO.version}`);
    log(`${mode.name}: virt-controller restarted with --launcher-image=${TO.image}; KubeVirt CR Deployed ${TO.version}`);

    let fullyUpdatedAt: number | undefined;
    const checkUpdated = () => {
      if (fullyUpdatedAt === undefined && obs.outdated(TO.image).length === 0) fullyUpdatedAt = clock.now();
    };
    const unsubscribe = obs.onVmiChange(checkUpdated);
    checkUpdated();
    // The operator waits for the workload updater (the CR's outdatedVirtualMachineInstanceWorkloads), up to a limit.
    const updateDeadline = clock.now() + timing.updateWaitSeconds;
    while (fullyUpdatedAt === undefined && clock.now() < updateDeadline) await sleep(1);
    log(
      `${mode.name}: workload update ${fullyUpdatedAt !== undefined ? `done after ${Math.round(fullyUpdatedAt)} s` : `not done after ${timing.updateWaitSeconds} s: ${obs.outdated(TO.image).length} VMIs outdated`}; rolling drain`,
    );

    // The rolling drain: cordon, `kubectl drain`'s eviction loop, give up at the cap, reboot, uncordon.
    const drains: DrainRecord[] = [];
    for (const [index, node] of scenario.drainOrder.entries()) {
      const startedAt = clock.now();
      const vmisAtStart = obs.vmisOn(node).length;
      await bulk.must('PATCH', `/api/v1/nodes/${node}`, { spec: { unschedulable: true } }, MERGE);
      let verdict: ReturnType<typeof drainVerdict> = 'continue';
      let lastCount = vmisAtStart;
      let lastProgressAt = startedAt;
      for (;;) {
        const count = obs.vmisOn(node).length;
        if (count < lastCount) lastProgressAt = clock.now();
        lastCount = count;
        verdict = drainVerdict({ nowSeconds: clock.now(), startedAt, vmisOnNode: count, lastProgressAt }, timing);
        if (verdict !== 'continue') break;
        await evictLaunchers(bulk, node);
        const waitUntil = Date.now() + timing.evictRetrySeconds * 1000;
        while (Date.now() < waitUntil && obs.vmisOn(node).length > 0) await sleep(0.5);
      }
      const endedAt = clock.now();
      const left: LeftVmi[] = obs.vmisOn(node).map((k) => {
        const [namespace, name] = k.split('/') as [string, string];
        return { namespace, name, machineType: obs.vmi(k)?.machineType ?? '' };
      });
      drains.push({ node, startedAt, endedAt, ended: verdict, vmisAtStart, left });
      loads.push(loadavg()[0]!);
      log(
        `${mode.name}: drain ${index + 1}/${scenario.drainOrder.length} ${node}: ${verdict} after ${Math.round(endedAt - startedAt)} s, ` +
          `${vmisAtStart - left.length}/${vmisAtStart} moved${left.length ? `, left ${left.map((l) => `${l.namespace}/${l.name} (${l.machineType})`).join(', ')}` : ''}`,
      );
      // Stalled: the operator gives up on this node's maintenance; the VMs stay where they are.
      await sleep(timing.rebootSeconds);
      await bulk.must('PATCH', `/api/v1/nodes/${node}`, { spec: { unschedulable: null } }, MERGE);
    }
    const stepSeconds = clock.now();
    checkUpdated();
    unsubscribe();
    const stepWall = (Date.now() - stepStartMs) / 1000;

    const outdatedAtEnd: LeftVmi[] = obs.outdated(TO.image).map((k) => {
      const [namespace, name] = k.split('/') as [string, string];
      return { namespace, name, machineType: obs.vmi(k)?.machineType ?? '' };
    });
    const record: RunRecord = {
      mode: mode.name,
      migrations: obs.migrations().filter((m) => m.createdAt >= 0),
      drains,
      planStranded: plan.stranded,
      restartedBeforeStep: restarted,
      outdatedAtEnd,
      vmisAtEnd: obs.allVmis().length,
      ...(fullyUpdatedAt !== undefined ? { fullyUpdatedAt } : {}),
      stepSeconds,
      duplicateInFlight: obs.inFlight.duplicates,
    };
    const controllerText = kvfleet ? await kvfleet.metrics() : undefined;
    const controller = controllerText
      ? Object.fromEntries(Object.entries(CONTROLLER_COUNTERS).map(([k, [name, match]]) => [k, counterSum(controllerText, name, match)]))
      : undefined;
    if (opts.logDir) {
      mkdirSync(opts.logDir, { recursive: true });
      writeFileSync(join(opts.logDir, `${mode.name}.record.json`), `${JSON.stringify(record, null, 1)}\n`);
    }
    const vc = kv.controller();
    return {
      mode,
      record,
      result: modeResult(record),
      plan,
      timeoutEvidence: obs.timeoutEvidence(),
      ...(kvfleet ? { policies: kvfleet.readiness.map((r) => ({ name: r.name, readyAfterMs: r.readyAfterMs })), probes: kvfleet.probes } : {}),
      ...(controller ? { controller } : {}),
      virtController: { version: vc.version, startMs: vc.startMs, rssMiB: vc.rssMiB() },
      wallSeconds: { setup: setupWall, step: stepWall, total: (Date.now() - t0) / 1000 },
      loadAverage: {
        mean: Math.round((loads.reduce((a, b) => a + b, 0) / Math.max(1, loads.length)) * 10) / 10,
        max: Math.round(Math.max(0, ...loads) * 10) / 10,
        cores: cpus().length,
      },
      observerErrors: obs.watchErrors(),
      standInErrors: [...kv.standIns.errors],
    };
  } finally {
    observer?.stop();
    if (opts.logDir && plane) {
      mkdirSync(opts.logDir, { recursive: true });
      const copies: [string | undefined, string][] = [
        [kubevirt?.controller().process.logFile, `${mode.name}.virt-controller.log`],
        [kvfleet?.controller.logFile, `${mode.name}.controller.log`],
        [kvfleet?.kyverno.process.logFile, `${mode.name}.kyverno.log`],
      ];
      for (const [from, to] of copies) {
        try {
          if (from) copyFileSync(from, join(opts.logDir, to));
        } catch {
          // Logs are a convenience; the figures do not depend on them.
        }
      }
    }
    await kubevirt?.stop().catch(() => undefined);
    await kvfleet?.stop().catch(() => undefined);
    api?.close();
    await plane?.stop();
  }
}

/** The plan's fix for a bare VMI: recreate it with the move-to type (a VMI without a VM has no template to edit). */
async function restart(api: BulkApi, obs: RunObserver, scenario: Scenario, r: PlannedRestart): Promise<void> {
  const v = scenario.vmis.find((x) => x.namespace === r.namespace && x.name === r.name);
  if (!v) throw new Error(`plan names ${r.namespace}/${r.name}, which the scenario did not create`);
  await api.must('DELETE', `${VMIS(r.namespace)}/${r.name}`);
  await until(() => obs.vmi(`${r.namespace}/${r.name}`) === undefined, { timeoutMs: 120_000, intervalMs: 250, what: `VMI ${r.namespace}/${r.name} gone` });
  await api.must('POST', VMIS(r.namespace), vmiManifest(v, r.to));
}

/** One round of `kubectl drain`'s evictions: every running launcher pod on the node (429s are the webhook saying "evacuating"). */
async function evictLaunchers(api: BulkApi, node: string): Promise<void> {
  const pods = await api.json<{ items: { metadata: { name: string; namespace: string }; status?: { phase?: string } }[] }>(
    'GET',
    `/api/v1/pods?labelSelector=${encodeURIComponent('kubevirt.io=virt-launcher')}&fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`,
  );
  await inParallel(
    pods.items.filter((p) => p.status?.phase === 'Running'),
    8,
    async (p) => {
      await api.request('POST', `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}/eviction`, {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name: p.metadata.name, namespace: p.metadata.namespace },
      });
    },
  );
}
