/**
 * One mode's run of the scenario: a fresh control plane (etcd, kube-apiserver, kube-scheduler), the
 * nodes, kvfleet where the mode has it (kvfleetPart.ts), the KubeVirt stand-in (kubevirtPart.ts),
 * the VMIs, `kvfleet plan` on the inventory, then the rolling upgrade: one node at a time is
 * drained, given up on by the drain rule (metrics.ts `drainVerdict`), re-imaged and brought back,
 * while faults take target nodes down mid-migration. Returns what was recorded.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { BulkApi, inParallel } from '../../bench/support/bulkApi.js';
import { type ControlPlane, startControlPlane } from '../../test/harness/controlPlane.js';
import { KYVERNO_ADMISSION_USER } from '../../test/harness/kyvernoAdmission.js';
import { sharedDir } from '../../test/harness/toolPaths.js';
import { until } from '../../test/harness/until.js';
import { newSimClock, startKubevirtPart } from './kubevirtPart.js';
import { type AdmissionProbe, CONTROLLER_USER, counterSum, installKvfleet, type KvfleetInstall } from './kvfleetPart.js';
import { type DrainRecord, drainVerdict, type ModeResult, modeResult, type RunRecord, vmiKey } from './metrics.js';
import { type Mode } from './modes.js';
import { type NodeMachineState } from './nodeCapabilities.js';
import { SimNodes } from './nodeOps.js';
import { type AdmissionEvidence, RunObserver } from './observer.js';
import { planUpgrade, type UpgradePlanResult } from './plan.js';
import { nodeStateOf, type Scenario, scenarioCluster, scenarioMatrix } from './scenario.js';

export interface RunModeOptions {
  readonly scenario: Scenario;
  readonly mode: Mode;
  /** Real milliseconds per simulated second. */
  readonly realMsPerSimSecond: number;
  /** Progress lines. @default none */
  readonly log?: (line: string) => void;
  /** Where to keep the run's logs (control plane, Kyverno, controller); by default they go with the control plane. */
  readonly logDir?: string;
  /** How often the drain rule is checked, in simulated seconds. @default 5 */
  readonly tickSeconds?: number;
}

export interface FaultInjected {
  readonly node: string;
  readonly drainOf: string;
  readonly fromSeconds: number;
  readonly toSeconds: number;
}

export interface ModeRun {
  readonly mode: Mode;
  readonly record: RunRecord;
  readonly result: ModeResult;
  readonly plan: UpgradePlanResult;
  readonly evidence: AdmissionEvidence;
  readonly faults: readonly FaultInjected[];
  /** Kyverno policy readiness (kvfleet modes). */
  readonly policies?: readonly { readonly name: string; readonly readyAfterMs: number }[];
  /** Dry-run creates showing the policies act under real admission (kvfleet modes). */
  readonly probes?: readonly AdmissionProbe[];
  /** Selected counters from the controller's /metrics at the end (kvfleet modes). */
  readonly controller?: Readonly<Record<string, number>>;
  readonly kubevirt: Readonly<Record<string, unknown>>;
  readonly nodesWithKubevirtLabelDrift: number;
  readonly wallSeconds: { readonly setup: number; readonly upgrade: number; readonly total: number };
  /** The machine's 1-minute load average, sampled at every drain's end: other work on a shared machine slows the real components, which the simulated times then include. */
  readonly loadAverage: { readonly mean: number; readonly max: number; readonly cores: number };
  readonly observerErrors: readonly string[];
}

const CONTROLLER_COUNTERS: Record<string, [string, string?]> = {
  fallbacksCreated: ['kvfleet_migration_fallbacks_total'],
  fallbacksTargetUnschedulable: ['kvfleet_migration_fallbacks_total', 'reason="TargetUnschedulable"'],
  fallbacksTargetNodeFailure: ['kvfleet_migration_fallbacks_total', 'reason="TargetNodeFailure"'],
  fallbacksIncompatibleTarget: ['kvfleet_migration_fallbacks_total', 'reason="IncompatibleTarget"'],
  noCompatibleTarget: ['kvfleet_migration_no_compatible_target_total'],
  failuresSeen: ['kvfleet_migration_failures_total'],
  reconcileErrors: ['kvfleet_reconcile_errors_total'],
};

export async function runMode(opts: RunModeOptions): Promise<ModeRun> {
  const { scenario, mode } = opts;
  const log = opts.log ?? (() => undefined);
  const tick = opts.tickSeconds ?? 5;
  const t0 = Date.now();
  const cluster = scenarioCluster(scenario, mode.kubevirtVersion);
  const matrix = scenarioMatrix(scenario, mode.kubevirtVersion);

  // The truth and the labels, per node and release, computed once.
  const states = new Map<string, NodeMachineState>();
  const stateOf = (node: string, upgraded: boolean) => {
    const key = `${node}/${upgraded}`;
    let s = states.get(key);
    if (!s) {
      s = nodeStateOf(scenario, node, upgraded, mode, matrix);
      states.set(key, s);
    }
    return s;
  };
  const upgraded = new Set<string>();
  const canonical = new Map<string, Set<string>>();
  const canRun = (node: string, machineType: string) => {
    const key = `${node}/${upgraded.has(node)}`;
    let set = canonical.get(key);
    if (!set) {
      set = new Set(stateOf(node, upgraded.has(node)).canonical);
      canonical.set(key, set);
    }
    return set.has(machineType);
  };
  const notReadyWindows: { node: string; from: number; to: number }[] = [];

  let plane: ControlPlane | undefined;
  let kvfleet: KvfleetInstall | undefined;
  let kubevirt: Awaited<ReturnType<typeof startKubevirtPart>> | undefined;
  let observer: RunObserver | undefined;
  let api: BulkApi | undefined;
  const pending: Promise<void>[] = [];
  try {
    log(`${mode.name}: starting etcd, kube-apiserver, kube-scheduler`);
    plane = await startControlPlane({
      crds: [join(sharedDir, 'crds', 'kubevirt')],
      scheduler: true,
      users: mode.kvfleet ? [KYVERNO_ADMISSION_USER, CONTROLLER_USER] : [],
    });
    const admin = plane.kubeConfig();
    api = await BulkApi.of(admin, 16);
    for (const ns of scenario.namespaces) await api.must('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const nodes = new SimNodes(api);
    await inParallel(scenario.nodes, 8, (n) => nodes.create(n, stateOf(n.name, false)));
    log(`${mode.name}: ${scenario.nodes.length} nodes labelled by ${mode.kvfleet ? "kvfleet's labeller" : 'nobody but KubeVirt'}`);

    const clock = newSimClock(opts.realMsPerSimSecond);
    if (mode.kvfleet) {
      log(`${mode.name}: installing kvfleet (real Kyverno admission controller, migration controller from the bundle)`);
      kvfleet = await installKvfleet(plane, cluster, opts.realMsPerSimSecond);
      log(`${mode.name}: ${kvfleet.readiness.length} policies Ready; controller leading`);
    }
    const oracle = {
      canRun,
      wasNotReady: (node: string, from: number, to: number) => notReadyWindows.some((w) => w.node === node && w.from <= to && w.to >= from),
      attempt: (namespace: string, name: string) => kubevirt?.attempt(namespace, name),
    };
    observer = await RunObserver.start(admin, clock, oracle);
    kubevirt = await startKubevirtPart({ kubeConfig: admin, clock, kubevirtVersion: mode.kubevirtVersion, timing: scenario.timing, canRun, logDir: plane.dir });
    log(`${mode.name}: creating ${scenario.vmis.length} running VMIs`);
    await kubevirt.createVmis(scenario.vmis);
    const obs = observer;
    await until(() => scenario.vmis.every((v) => obs.vmi(vmiKey(v))?.phase === 'Running' && obs.vmi(vmiKey(v))?.node === v.node), {
      timeoutMs: 300_000,
      intervalMs: 500,
      what: `all ${scenario.vmis.length} VMIs Running on their nodes`,
    });

    // kvfleet plan, before the upgrade, on the VMIs as the API server lists them.
    const inventory = await api.json<{ items: object[] }>('GET', '/apis/kubevirt.io/v1/virtualmachineinstances');
    const plan = planUpgrade(cluster, inventory.items);
    log(`${mode.name}: kvfleet plan names ${plan.stranded.length} stranded VMI(s), ${plan.counts['at-risk']} at-risk`);
    const setupWall = (Date.now() - t0) / 1000;

    // The rolling upgrade.
    const drains: DrainRecord[] = [];
    const loads: number[] = [];
    const faults: FaultInjected[] = [];
    const upgradeStart = clock.now();
    const tUpgrade = Date.now();
    for (const [index, node] of scenario.upgradeOrder.entries()) {
      const startedAt = clock.now();
      const vmisAtStart = obs.vmisOn(node).length;
      await nodes.drain(node);
      const fault = scenario.faults.find((f) => f.drainIndex === index);
      let unsubscribe: (() => void) | undefined;
      if (fault) {
        let bound = 0;
        unsubscribe = obs.onTargetBound((t) => {
          if (t.node === node || !unsubscribe) return;
          if (++bound < fault.afterTargets) return;
          unsubscribe();
          unsubscribe = undefined;
          const from = clock.now();
          const window = { node: t.node, from, to: from + fault.notReadySeconds };
          notReadyWindows.push(window);
          faults.push({ node: t.node, drainOf: node, fromSeconds: from, toSeconds: window.to });
          log(`${mode.name}: fault: target node ${t.node} NotReady for ${fault.notReadySeconds} s (draining ${node})`);
          pending.push(
            nodes
              .setReady(t.node, false)
              .then(() => clock.sleep(fault.notReadySeconds))
              .then(() => nodes.setReady(t.node, true))
              .then(() => {
                window.to = clock.now();
              }),
          );
        });
      }
      // The truth's answer to "can this VMI go anywhere": another node still in service whose QEMU runs its type.
      const elsewhere = scenario.nodes.map((n) => n.name).filter((n) => n !== node);
      const placeable = (machineType: string | undefined) => machineType === undefined || elsewhere.some((n) => canRun(n, machineType));
      let onlyUnplaceableSince: number | undefined;
      let verdict: ReturnType<typeof drainVerdict> = 'continue';
      while (verdict === 'continue') {
        await clock.sleep(tick);
        const now = clock.now();
        const here = obs.vmisOn(node);
        if (here.length > 0 && here.every((k) => !placeable(obs.vmi(k)?.machineType))) onlyUnplaceableSince ??= now;
        else onlyUnplaceableSince = undefined;
        verdict = drainVerdict({ nowSeconds: now, startedAt, vmisOnNode: here.length, onlyUnplaceableSince }, scenario.timing);
      }
      unsubscribe?.();
      const endedAt = clock.now();
      const leftKeys = obs.vmisOn(node);
      const left = leftKeys.map((k) => {
        const [namespace, name] = k.split('/') as [string, string];
        return { namespace, name, machineType: obs.vmi(k)?.machineType ?? '' };
      });
      drains.push({ node, startedAt, endedAt, ended: verdict, vmisAtStart, left });
      loads.push(loadavg()[0]!);
      log(
        `${mode.name}: drain ${index + 1}/${scenario.upgradeOrder.length} ${node}: ${verdict} after ${Math.round(endedAt - startedAt)} s, ` +
          `${vmisAtStart - left.length}/${vmisAtStart} moved${left.length ? `, left ${left.map((l) => `${l.namespace}/${l.name} (${l.machineType})`).join(', ')}` : ''}`,
      );
      // The re-image shuts down what is left: those VMs are stranded.
      for (const l of left) await kubevirt.deleteVmi(l.namespace, l.name);
      await nodes.setReady(node, false);
      upgraded.add(node);
      await clock.sleep(scenario.timing.reimageSeconds);
      await nodes.reimaged(node, stateOf(node, true), scenario.nodes.find((n) => n.name === node)!.releaseAfter);
    }
    const upgradeSeconds = clock.now() - upgradeStart;
    await Promise.all(pending);
    const upgradeWall = (Date.now() - tUpgrade) / 1000;

    const record: RunRecord = {
      mode: mode.name,
      migrations: obs.migrations(),
      drains,
      planStranded: plan.stranded,
      duplicateInFlight: obs.inFlight.duplicates,
      upgradeSeconds,
    };
    const controllerText = kvfleet ? await kvfleet.metrics() : undefined;
    const controller = controllerText
      ? Object.fromEntries(Object.entries(CONTROLLER_COUNTERS).map(([k, [name, match]]) => [k, counterSum(controllerText, name, match)]))
      : undefined;
    const driftNodes = scenario.nodes.filter((n) => stateOf(n.name, upgraded.has(n.name)).kubevirtLabelDrift).length;
    if (opts.logDir) {
      mkdirSync(opts.logDir, { recursive: true });
      writeFileSync(join(opts.logDir, `${mode.name}.record.json`), `${JSON.stringify(record, null, 1)}\n`);
    }
    return {
      mode,
      record,
      result: modeResult(record),
      plan,
      evidence: obs.evidence(),
      faults,
      ...(kvfleet ? { policies: kvfleet.readiness.map((r) => ({ name: r.name, readyAfterMs: r.readyAfterMs })), probes: kvfleet.probes } : {}),
      ...(controller ? { controller } : {}),
      kubevirt: kubevirt.stats(),
      nodesWithKubevirtLabelDrift: driftNodes,
      wallSeconds: { setup: setupWall, upgrade: upgradeWall, total: (Date.now() - t0) / 1000 },
      loadAverage: {
        mean: Math.round((loads.reduce((a, b) => a + b, 0) / Math.max(1, loads.length)) * 10) / 10,
        max: Math.round(Math.max(0, ...loads) * 10) / 10,
        cores: cpus().length,
      },
      observerErrors: obs.watchErrors(),
    };
  } finally {
    observer?.stop();
    await kubevirt?.stop().catch(() => undefined);
    if (kvfleet && opts.logDir) {
      mkdirSync(opts.logDir, { recursive: true });
      try {
        copyFileSync(kvfleet.controller.logFile, join(opts.logDir, `${mode.name}.controller.log`));
        copyFileSync(kvfleet.kyverno.process.logFile, join(opts.logDir, `${mode.name}.kyverno.log`));
      } catch {
        // Logs are a convenience; the figures do not depend on them.
      }
    }
    await kvfleet?.stop().catch(() => undefined);
    api?.close();
    await plane?.stop();
  }
}
