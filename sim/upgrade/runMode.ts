/**
 * One mode's run of a scenario: a fresh control plane (etcd, kube-apiserver, kube-scheduler), the
 * real virt-controller with its stand-ins (testbed/harness/kubevirtCluster.ts) on the scenario's nodes
 * (each with its pool label and architecture), the VMIs started through them, `kvfleet plan` on the
 * VMIs as the API server lists them, kvfleet where the mode has it (kvfleetPart.ts: the plan's restart
 * fixes first, then its policies and controller), then the step: virt-operator's rollout (CR
 * Deploying; virt-handler canary, then 10 % at a time; virt-controller restarted on the new launcher
 * image; CR Deployed), the workload updater's migrations, and a rolling drain of every node
 * (rollingDrain.ts). Returns what was recorded. Times are real seconds since the step started.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { BulkApi, inParallel } from '../../testbed/support/bulkApi.js';
import { type ClusterDefinition } from '../../fleet/clusterDefinition.js';
import { type ControlPlane, startControlPlane } from '../../testbed/harness/controlPlane.js';
import { KYVERNO_ADMISSION_USER } from '../../testbed/harness/kyvernoAdmission.js';
import { until } from '../../testbed/harness/until.js';
import { launcherImageOf } from '../../testbed/harness/virtController.js';
import { type KubevirtCluster, startKubevirtCluster } from '../../testbed/harness/kubevirtCluster.js';
import { type AdmissionProbe, CONTROLLER_USER, counterSum, installKvfleet, type KvfleetInstall } from './kvfleetPart.js';
import { type DrainRecord, modeResult, type ModeResult, type RunRecord, UpdateProgress } from './metrics.js';
import { type Mode } from './modes.js';
import { type ObserverClock, RunObserver } from './observer.js';
import { type PlannedRestart, planUpgrade, type UpgradePlanResult } from './plan.js';
import { leftVmis, rollingDrain } from '../support/rollingDrain.js';
import { FROM, fromLauncher, POOL_SELECTOR_LABEL, rolloutBatches, type Scenario, type ScenarioVmi, scenarioCluster, TO, toLauncher } from './scenario.js';
import { migrationSeconds } from '../support/timing.js';

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

const VMIS = (ns: string) => `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`;
const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

/** A VMI as a user creates it, with what virt-api defaults (`spec.architecture`); the cluster's eviction strategy (LiveMigrate) applies. */
export function vmiManifest(v: ScenarioVmi, machineType = v.specMachineType): object {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { name: v.name, namespace: v.namespace, labels: { 'kvfleet.io/sim-kind': v.kind } },
    spec: {
      terminationGracePeriodSeconds: 0,
      architecture: v.architecture,
      domain: {
        machine: { type: machineType },
        devices: {},
        resources: { requests: { memory: `${v.memoryMiB}Mi`, cpu: `${v.cpuMillis}m` } },
      },
    },
  };
}

/** Seconds since the step started (since the run started, before it). */
function stepClock(): ObserverClock & { start(): void } {
  let startMs = Date.now();
  return {
    now: () => (Date.now() - startMs) / 1000,
    start: () => {
      startMs = Date.now();
    },
  };
}

/** What a run starts, stopped in the end whatever happened. */
interface Parts {
  plane?: ControlPlane;
  api?: BulkApi;
  kubevirt?: KubevirtCluster;
  observer?: RunObserver;
  kvfleet?: KvfleetInstall;
}
type Started = Required<Omit<Parts, 'kvfleet'>> & Pick<Parts, 'kvfleet'>;
type Log = (line: string) => void;

export async function runMode(opts: RunModeOptions): Promise<ModeRun> {
  const { scenario, mode } = opts;
  const log = opts.log ?? (() => undefined);
  const t0 = Date.now();
  const cluster = scenarioCluster(scenario);
  const clock = stepClock();
  const parts: Parts = {};
  try {
    const started = await startCluster(parts, scenario, mode, clock, log);
    await startVmis(started, scenario, log, mode);
    const { plan, restarted } = await planAndFix(parts, started, cluster, scenario, mode, log);
    const setupWall = (Date.now() - t0) / 1000;
    clock.start();
    const stepStartMs = Date.now();
    const step = await playStep(started, scenario, mode, clock, log);
    const stepWall = (Date.now() - stepStartMs) / 1000;
    const record = recordOf(started.observer, mode, plan, restarted, step);
    if (opts.logDir) {
      mkdirSync(opts.logDir, { recursive: true });
      writeFileSync(join(opts.logDir, `${mode.name}.record.json`), `${JSON.stringify(record, null, 1)}\n`);
    }
    const controllerText = parts.kvfleet ? await parts.kvfleet.metrics() : undefined;
    const vc = started.kubevirt.controller();
    return {
      mode,
      record,
      result: modeResult(record),
      plan,
      timeoutEvidence: started.observer.timeoutEvidence(),
      ...(parts.kvfleet ? { policies: parts.kvfleet.readiness.map((r) => ({ name: r.name, readyAfterMs: r.readyAfterMs })), probes: parts.kvfleet.probes } : {}),
      ...(controllerText
        ? { controller: Object.fromEntries(Object.entries(CONTROLLER_COUNTERS).map(([k, [name, match]]) => [k, counterSum(controllerText, name, match)])) }
        : {}),
      virtController: { version: vc.version, startMs: vc.startMs, rssMiB: vc.rssMiB() },
      wallSeconds: { setup: setupWall, step: stepWall, total: (Date.now() - t0) / 1000 },
      loadAverage: {
        mean: Math.round((step.loads.reduce((a, b) => a + b, 0) / Math.max(1, step.loads.length)) * 10) / 10,
        max: Math.round(Math.max(0, ...step.loads) * 10) / 10,
        cores: cpus().length,
      },
      observerErrors: started.observer.watchErrors(),
      standInErrors: [...started.kubevirt.standIns.errors],
    };
  } finally {
    await tearDown(parts, mode, opts.logDir);
  }
}

/** The control plane, KubeVirt on the scenario's nodes (pool label, architecture), the namespaces, the observer. */
async function startCluster(parts: Parts, scenario: Scenario, mode: Mode, clock: ObserverClock, log: Log): Promise<Started> {
  log(`${mode.name}: starting etcd, kube-apiserver, kube-scheduler`);
  const plane = await startControlPlane({ scheduler: true, users: mode.kvfleet ? [KYVERNO_ADMISSION_USER, CONTROLLER_USER] : [] });
  parts.plane = plane;
  const admin = plane.kubeConfig();
  const api = await BulkApi.of(admin, 16);
  parts.api = api;
  const pools = scenario.pools.map((p) => `${p.name} (${p.architecture}, ${p.nodes.length})`).join(', ');
  log(`${mode.name}: KubeVirt ${FROM.version} CRDs and CR, stand-ins for the nodes of ${pools}, the real virt-controller v${FROM.version}`);
  const timing = scenario.timing;
  const kubevirt = await startKubevirtCluster(plane, {
    version: `v${FROM.version}`,
    launcher: { image: launcherImageOf(`v${FROM.version}`, FROM.build), entry: fromLauncher() },
    nodes: scenario.nodes.map((n) => ({
      name: n.name,
      architecture: n.architecture,
      labels: { [POOL_SELECTOR_LABEL]: n.pool },
      capacity: { cpu: n.capacity.cpu, memory: `${n.capacity.memoryMiB}Mi`, pods: String(n.capacity.pods) },
    })),
    migrations: { parallelMigrationsPerCluster: timing.parallelMigrationsPerCluster, parallelOutboundMigrationsPerNode: timing.parallelOutboundMigrationsPerNode },
    migrationSeconds: (bytes) => migrationSeconds(timing, bytes),
  });
  parts.kubevirt = kubevirt;
  for (const ns of scenario.namespaces) await api.must('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const observer = await RunObserver.start(admin, clock);
  parts.observer = observer;
  return { plane, api, kubevirt, observer };
}

/** Resolves once `n` VMIs run with a launcher image reported. */
function allRunning(s: Started, what: string, n: number): Promise<unknown> {
  return until(() => s.observer.allVmis().filter(([, v]) => v.phase === 'Running' && v.launcherImage).length >= n, {
    timeoutMs: 120_000 + n * 2_000,
    intervalMs: 500,
    what: `${what} (stand-in errors: ${s.kubevirt.standIns.errors.slice(-3).join(' | ') || 'none'})`,
  });
}

async function startVmis(s: Started, scenario: Scenario, log: Log, mode: Mode): Promise<void> {
  log(`${mode.name}: starting ${scenario.vmis.length} VMIs through virt-controller and the scheduler`);
  await inParallel(scenario.vmis, 8, (v) => s.api.must('POST', VMIS(v.namespace), vmiManifest(v)).then(() => undefined));
  await allRunning(s, `all ${scenario.vmis.length} VMIs Running`, scenario.vmis.length);
}

/** `kvfleet plan` on the VMIs as the API server lists them; in the kvfleet mode, kvfleet installed and the plan's restarts carried out. */
async function planAndFix(
  parts: Parts,
  s: Started,
  cluster: ClusterDefinition,
  scenario: Scenario,
  mode: Mode,
  log: Log,
): Promise<{ plan: UpgradePlanResult; restarted: string[] }> {
  const inventory = await s.api.json<{ items: object[] }>('GET', '/apis/kubevirt.io/v1/virtualmachineinstances');
  const plan = planUpgrade(cluster, inventory.items);
  log(
    `${mode.name}: kvfleet plan: ${plan.stranded.length} stranded after the step (${plan.restarts.length} with a restart fix, ${plan.holds.length} only 'hold the step')`,
  );
  if (!mode.kvfleet) return { plan, restarted: [] };
  log(`${mode.name}: installing kvfleet (real Kyverno admission controller, migration controller from the bundle)`);
  parts.kvfleet = await installKvfleet(s.plane, cluster, 1000);
  log(`${mode.name}: ${parts.kvfleet.readiness.length} policies Ready; controller leading; restarting ${plan.restarts.length} VMIs onto their move-to type`);
  await inParallel(plan.restarts, 4, (r) => restart(s.api, s.observer, scenario, r));
  await allRunning(s, 'the restarted VMIs Running', scenario.vmis.length);
  return { plan, restarted: plan.restarts.map((r) => `${r.namespace}/${r.name}`) };
}

interface StepOutcome {
  readonly drains: readonly DrainRecord[];
  readonly progress: UpdateProgress;
  readonly stepSeconds: number;
  readonly loads: readonly number[];
}

/** The step as virt-operator carries it out, the wait for the workload updater, the rolling drain. */
async function playStep(s: Started, scenario: Scenario, mode: Mode, clock: ObserverClock, log: Log): Promise<StepOutcome> {
  const { kubevirt: kv, observer: obs } = s;
  const timing = scenario.timing;
  await kv.beginUpgrade(`v${FROM.version}`, `v${TO.version}`);
  for (const [i, batch] of rolloutBatches(scenario.rolloutOrder).entries()) {
    await kv.rolloutVirtHandler(batch, toLauncher());
    log(`${mode.name}: virt-handler ${TO.version} ${i === 0 ? 'canary' : `batch ${i}`} on ${batch.join(', ')}: nodes relabelled from ${toLauncher().id}`);
    await sleep(i === 0 ? timing.canarySeconds : timing.batchSeconds);
  }
  await kv.restartVirtController(TO.image);
  await kv.finishUpgrade(`v${TO.version}`);
  log(`${mode.name}: virt-controller restarted with --launcher-image=${TO.image}; KubeVirt CR Deployed ${TO.version}`);

  const progress = new UpdateProgress([...new Set(scenario.pools.map((p) => p.architecture))]);
  const check = () => progress.observe(leftVmis(obs, obs.outdated(TO.image)), clock.now());
  const unsubscribe = obs.onVmiChange(check);
  check();
  // The operator waits for the workload updater (the CR's outdatedVirtualMachineInstanceWorkloads), up to a limit.
  const updateDeadline = clock.now() + timing.updateWaitSeconds;
  while (progress.fullyUpdatedAt === undefined && clock.now() < updateDeadline) await sleep(1);
  const done = progress.fullyUpdatedAt;
  log(
    `${mode.name}: workload update ${done !== undefined ? `done after ${Math.round(done)} s` : `not done after ${timing.updateWaitSeconds} s: ${obs.outdated(TO.image).length} VMIs outdated`}; rolling drain`,
  );
  const loads: number[] = [];
  const drains = await rollingDrain(s.api, obs, clock, scenario, (d, index) => {
    loads.push(loadavg()[0]!);
    const left = d.left.map((l) => `${l.namespace}/${l.name} (${l.machineType})`).join(', ');
    log(
      `${mode.name}: drain ${index + 1}/${scenario.drainOrder.length} ${d.node} (${d.architecture}): ${d.ended} after ${Math.round(d.endedAt - d.startedAt)} s, ` +
        `${d.vmisAtStart - d.left.length}/${d.vmisAtStart} moved${left ? `, left ${left}` : ''}`,
    );
  });
  const stepSeconds = clock.now();
  check();
  unsubscribe();
  return { drains, progress, stepSeconds, loads };
}

/** What the run recorded, from the observer's view at the end. */
function recordOf(obs: RunObserver, mode: Mode, plan: UpgradePlanResult, restarted: readonly string[], step: StepOutcome): RunRecord {
  const vmisByArchitecture: Record<string, number> = {};
  for (const [, v] of obs.allVmis()) {
    const arch = v.architecture ?? 'amd64';
    vmisByArchitecture[arch] = (vmisByArchitecture[arch] ?? 0) + 1;
  }
  const fullyUpdatedAt = step.progress.fullyUpdatedAt;
  return {
    mode: mode.name,
    migrations: obs.migrations().filter((m) => m.createdAt >= 0),
    drains: step.drains,
    planStranded: plan.stranded,
    planHolds: plan.holds,
    restartedBeforeStep: restarted,
    outdatedAtEnd: leftVmis(obs, obs.outdated(TO.image)),
    vmisAtEnd: obs.allVmis().length,
    ...(fullyUpdatedAt !== undefined ? { fullyUpdatedAt } : {}),
    vmisByArchitecture,
    fullyUpdatedAtByArchitecture: step.progress.byArchitecture(),
    targetPods: obs.targetPods(),
    stepSeconds: step.stepSeconds,
    duplicateInFlight: obs.inFlight.duplicates,
  };
}

/** Stops what was started, keeping its logs in `logDir` first. */
async function tearDown(parts: Parts, mode: Mode, logDir: string | undefined): Promise<void> {
  parts.observer?.stop();
  if (logDir && parts.plane) {
    mkdirSync(logDir, { recursive: true });
    const copies: [string | undefined, string][] = [
      [parts.kubevirt?.controller().process.logFile, `${mode.name}.virt-controller.log`],
      [parts.kvfleet?.controller.logFile, `${mode.name}.controller.log`],
      [parts.kvfleet?.kyverno.process.logFile, `${mode.name}.kyverno.log`],
    ];
    for (const [from, to] of copies) {
      try {
        if (from) copyFileSync(from, join(logDir, to));
      } catch {
        // Logs are a convenience; the figures do not depend on them.
      }
    }
  }
  await parts.kubevirt?.stop().catch(() => undefined);
  await parts.kvfleet?.stop().catch(() => undefined);
  parts.api?.close();
  await parts.plane?.stop();
}

/** The plan's fix for a bare VMI: recreate it with the move-to type (a VMI without a VM has no template to edit). */
async function restart(api: BulkApi, obs: RunObserver, scenario: Scenario, r: PlannedRestart): Promise<void> {
  const v = scenario.vmis.find((x) => x.namespace === r.namespace && x.name === r.name);
  if (!v) throw new Error(`plan names ${r.namespace}/${r.name}, which the scenario did not create`);
  await api.must('DELETE', `${VMIS(r.namespace)}/${r.name}`);
  await until(() => obs.vmi(`${r.namespace}/${r.name}`) === undefined, { timeoutMs: 120_000, intervalMs: 250, what: `VMI ${r.namespace}/${r.name} gone` });
  await api.must('POST', VMIS(r.namespace), vmiManifest(v, r.to));
}
