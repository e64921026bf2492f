/**
 * One mode's run of the Kube-OVN scenario: a fresh control plane (etcd, kube-apiserver,
 * kube-scheduler), the real virt-controller with its stand-ins (testbed/harness/kubevirtCluster.ts), the
 * real kube-ovn-controller with its NB and SB ovsdb-servers (testbed/harness/kubeOvn.ts) started with the
 * mode's flags, the VMs created as VirtualMachines (virt-controller's VM controller starts their VMIs;
 * kube-ovn-controller keeps one port per VM across its launcher pods), then the two drain phases.
 */
import { join } from 'node:path';
import { copyFileSync, mkdirSync } from 'node:fs';
import { BulkApi, inParallel } from '../../testbed/support/bulkApi.js';
import { KUBEVIRT_DRAIN_TAINT } from '../../compatibility/kubevirtNames.js';
import { launcherEntry } from '../../compatibility/launcherCatalogue.js';
import { type ControlPlane, startControlPlane } from '../../testbed/harness/controlPlane.js';
import { KUBE_OVN_VERSION, type KubeOvnTestBed, type PortMonitor, startKubeOvn } from '../../testbed/harness/kubeOvn.js';
import { until } from '../../testbed/harness/until.js';
import { launcherImageOf } from '../../testbed/harness/virtController.js';
import { handledPhases, skippedSetups } from './controllerLog.js';
import { type KubevirtCluster, startKubevirtCluster } from '../../testbed/harness/kubevirtCluster.js';
import {
  type ControllerAccount,
  KUBE_OVN_PHASES,
  type KubeOvnPhase,
  type MigrationNetworkRecord,
  migrationNetworkRecord,
  PORT_SETTLE_MS,
  type PhaseSummary,
  summarisePhase,
} from './metrics.js';
import { type KubeOvnMode } from './modes.js';
import { KubeOvnObserver } from './observer.js';
import { type KubeOvnScenario, kubeOvnMigrationSeconds, kubeOvnScenarioCluster, SIM_KUBEVIRT_VERSION, VM_NAMESPACE } from './scenario.js';

const MERGE = { contentType: 'application/merge-patch+json' } as const;
const LAUNCHER_BUILD = 'centos-stream-9';
/** virt-controller labels a launcher pod with the VMI's hostname (`services/template.go` podLabels). */
const LAUNCHER_VM_NAME_LABEL = 'vm.kubevirt.io/name';
/** kube-ovn-controller puts a namespace on a subnet by annotating it. */
const LOGICAL_SWITCH_ANNOTATION = 'ovn.kubernetes.io/logical_switch';

export interface KubeOvnDrainRecord {
  readonly phase: KubeOvnPhase;
  readonly node: string;
  readonly vmisAtStart: number;
  readonly left: number;
  readonly seconds: number;
}

export interface KubeOvnModeRun {
  readonly mode: KubeOvnMode;
  readonly flags: readonly string[];
  readonly migrations: readonly MigrationNetworkRecord[];
  readonly phases: Readonly<Record<KubeOvnPhase, PhaseSummary>>;
  readonly drains: readonly KubeOvnDrainRecord[];
  readonly kubeOvnControllerStartMs: number;
  readonly wallSeconds: number;
  readonly errors: readonly string[];
}

export interface KubeOvnRunOptions {
  readonly scenario: KubeOvnScenario;
  readonly mode: KubeOvnMode;
  readonly log?: (line: string) => void;
  /** Where to copy kube-ovn-controller's and virt-controller's logs. */
  readonly logDir?: string;
}

interface Bed {
  plane: ControlPlane;
  kubevirt: KubevirtCluster;
  kubeOvn: KubeOvnTestBed;
  api: BulkApi;
  observer: KubeOvnObserver;
}

export async function runKubeOvnMode(opts: KubeOvnRunOptions): Promise<KubeOvnModeRun> {
  const { scenario, mode } = opts;
  const log = (line: string) => opts.log?.(`${mode.name}: ${line}`);
  const t0 = Date.now();
  const cluster = kubeOvnScenarioCluster(scenario.nodes.length);
  const flags = mode.flags(cluster);
  const started: Partial<Bed> = {};
  try {
    const bed = await startBed(scenario, flags, started, log);
    await startVms(bed, scenario, log);
    const drains: KubeOvnDrainRecord[] = [];
    for (const node of scenario.drainOrder) drains.push(await drain(bed, scenario, 'rolling-drain', node, log));
    drains.push(await drainWhileOthersCordoned(bed, scenario, log));
    // A migration whose target never starts stays in Scheduling until KubeVirt's 15-min catch-all pending timeout: not waited for.
    await until(() => bed.observer.inFlight() === 0, { timeoutMs: 30_000, intervalMs: 500, what: 'every migration finished' }).catch(() =>
      log(`${bed.observer.inFlight()} migrations still unfinished at the end (their target pods never started)`),
    );
    await sleep(PORT_SETTLE_MS / 1000);
    const migrations = bed.observer.observed().map((m) => migrationNetworkRecord(m, bed.kubeOvn.ports.changes(`${m.vm}.${VM_NAMESPACE}`), controllerAccount(bed)));
    const phases = Object.fromEntries(KUBE_OVN_PHASES.map((p) => [p, summarisePhase(migrations.filter((m) => m.phase === p))])) as Record<KubeOvnPhase, PhaseSummary>;
    return {
      mode,
      flags,
      migrations,
      phases,
      drains,
      kubeOvnControllerStartMs: bed.kubeOvn.controller().startMs,
      wallSeconds: (Date.now() - t0) / 1000,
      errors: [...bed.observer.watchErrors(), ...bed.kubevirt.standIns.errors.slice(-10)],
    };
  } finally {
    if (opts.logDir) copyLogs(opts.logDir, mode.name, started);
    started.observer?.stop();
    await started.kubeOvn?.stop().catch(() => undefined);
    await started.kubevirt?.stop().catch(() => undefined);
    started.api?.close();
    await started.plane?.stop();
  }
}

/** Control plane, KubeVirt (real virt-controller + stand-ins), Kube-OVN (real controller + databases), the VMs' namespace. */
async function startBed(scenario: KubeOvnScenario, flags: readonly string[], started: Partial<Bed>, log: (l: string) => void): Promise<Bed> {
  const { timing } = scenario;
  log('starting etcd, kube-apiserver, kube-scheduler');
  const plane = await startControlPlane({ scheduler: true });
  started.plane = plane;
  const api = await BulkApi.of(plane.kubeConfig(), 8);
  started.api = api;
  const entry = launcherEntry(SIM_KUBEVIRT_VERSION, LAUNCHER_BUILD)!;
  log(`KubeVirt ${SIM_KUBEVIRT_VERSION}: CRDs, CR, stand-ins for ${scenario.nodes.length} nodes, the real virt-controller`);
  const kubevirt = await startKubevirtCluster(plane, {
    version: `v${SIM_KUBEVIRT_VERSION}`,
    launcher: { image: launcherImageOf(`v${SIM_KUBEVIRT_VERSION}`, LAUNCHER_BUILD), entry },
    nodes: scenario.nodes.map((name) => ({ name, labels: {}, capacity: { cpu: '32', memory: '256Gi', pods: '110' } })),
    migrations: { parallelMigrationsPerCluster: timing.parallelMigrationsPerCluster, parallelOutboundMigrationsPerNode: timing.parallelOutboundMigrationsPerNode },
    migrationSeconds: (bytes) => kubeOvnMigrationSeconds(timing, bytes),
    standIns: { networkReady: (pod) => pod.namespace !== VM_NAMESPACE || portClaimable(started.kubeOvn?.ports, pod) },
  });
  started.kubevirt = kubevirt;
  log(`Kube-OVN ${KUBE_OVN_VERSION}: NB and SB ovsdb-servers, the real kube-ovn-controller ${flags.join(' ')}`);
  const kubeOvn = await startKubeOvn(plane, { flags });
  started.kubeOvn = kubeOvn;
  await api.must('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: VM_NAMESPACE } });
  await until(
    async () =>
      (await api.json<{ metadata: { annotations?: Record<string, string> } }>('GET', `/api/v1/namespaces/${VM_NAMESPACE}`)).metadata.annotations?.[
        LOGICAL_SWITCH_ANNOTATION
      ],
    {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: `namespace ${VM_NAMESPACE} on a Kube-OVN subnet`,
    },
  );
  const observer = await KubeOvnObserver.start(plane.kubeConfig(), VM_NAMESPACE);
  started.observer = observer;
  return { plane, kubevirt, kubeOvn, api, observer };
}

/**
 * kube-ovn-cni's gate, played for the kubelet stand-in: a launcher pod's sandbox is ready once
 * ovn-controller on its node can claim the VM's port, i.e. the port exists and its `requested-chassis`
 * is unset or names the node (OVN ovn-nb(5)). A migration target whose setup kube-ovn-controller
 * skipped therefore stays in ContainerCreating, as in kube-ovn#6823, instead of running regardless.
 * The launcher pod's `vm.kubevirt.io/name` is the VMI's hostname, its name here (no VM sets one).
 */
export function portClaimable(ports: PortMonitor | undefined, pod: { readonly nodeName: string; readonly labels: Readonly<Record<string, string>> }): boolean {
  const vm = pod.labels[LAUNCHER_VM_NAME_LABEL];
  const last = vm && ports?.changes(`${vm}.${VM_NAMESPACE}`).at(-1);
  if (!last || last.action === 'delete') return false;
  const chassis = last.options['requested-chassis'];
  return chassis === undefined || chassis.split(',').includes(pod.nodeName);
}

/** A VirtualMachine as a user writes it, with what virt-api's mutating webhook would add (machine type, architecture). */
export function vmManifest(vm: { name: string; memoryMiB: number }): object {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name: vm.name, namespace: VM_NAMESPACE },
    spec: {
      runStrategy: 'Always',
      template: {
        metadata: { labels: { 'kubevirt.io/vm': vm.name } },
        spec: {
          terminationGracePeriodSeconds: 0,
          architecture: 'amd64',
          domain: {
            machine: { type: 'q35' },
            devices: { interfaces: [{ name: 'default', masquerade: {} }] },
            resources: { requests: { memory: `${vm.memoryMiB}Mi`, cpu: '100m' } },
          },
          networks: [{ name: 'default', pod: {} }],
        },
      },
    },
  };
}

async function startVms(bed: Bed, scenario: KubeOvnScenario, log: (l: string) => void): Promise<void> {
  log(`creating ${scenario.vms.length} VirtualMachines`);
  await inParallel(scenario.vms, 4, (vm) =>
    bed.api.must('POST', `/apis/kubevirt.io/v1/namespaces/${VM_NAMESPACE}/virtualmachines`, vmManifest(vm)).then(() => undefined),
  );
  await until(() => bed.observer.runningVmis() >= scenario.vms.length, {
    timeoutMs: 120_000 + scenario.vms.length * 2_000,
    intervalMs: 500,
    what: `${scenario.vms.length} VMIs Running (stand-in errors: ${bed.kubevirt.standIns.errors.slice(-3).join(' | ') || 'none'})`,
  });
  // keep-vm-ip: one port per VM, named <vm>.<namespace>, created when the first launcher pod is.
  await until(() => scenario.vms.every((vm) => bed.kubeOvn.ports.changes(`${vm.name}.${VM_NAMESPACE}`).length > 0), {
    timeoutMs: 60_000,
    intervalMs: 500,
    what: 'a logical switch port for every VM',
  });
}

const taint = (api: BulkApi, node: string, on: boolean) =>
  api.must('PATCH', `/api/v1/nodes/${node}`, { spec: { taints: on ? [{ key: KUBEVIRT_DRAIN_TAINT, value: 'draining', effect: 'NoSchedule' }] : null } }, MERGE);
const cordon = (api: BulkApi, node: string, on: boolean) => api.must('PATCH', `/api/v1/nodes/${node}`, { spec: { unschedulable: on ? true : null } }, MERGE);

/** The drain taint on `node` until its VMIs have left (or the cap), then off. */
async function drain(
  bed: Bed,
  scenario: KubeOvnScenario,
  phase: KubeOvnPhase,
  node: string,
  log: (l: string) => void,
  whileDraining?: () => Promise<void>,
): Promise<KubeOvnDrainRecord> {
  bed.observer.phase = phase;
  const start = Date.now();
  const vmisAtStart = bed.observer.vmisOn(node).length;
  await taint(bed.api, node, true);
  await whileDraining?.();
  await until(() => bed.observer.vmisOn(node).length === 0, { timeoutMs: scenario.timing.drainCapSeconds * 1000, intervalMs: 250, what: `node ${node} drained` }).catch(
    () => undefined,
  );
  const left = bed.observer.vmisOn(node).length;
  await taint(bed.api, node, false);
  const seconds = (Date.now() - start) / 1000;
  log(`${phase} ${node}: ${vmisAtStart - left}/${vmisAtStart} moved in ${Math.round(seconds)} s`);
  return { phase, node, vmisAtStart, left, seconds };
}

/** The node with the most VMIs, drained while every other node is cordoned for `targetWaitSeconds`. */
async function drainWhileOthersCordoned(bed: Bed, scenario: KubeOvnScenario, log: (l: string) => void): Promise<KubeOvnDrainRecord> {
  const node = [...scenario.nodes].sort((a, b) => bed.observer.vmisOn(b).length - bed.observer.vmisOn(a).length || a.localeCompare(b))[0]!;
  const others = scenario.nodes.filter((n) => n !== node);
  for (const n of others) await cordon(bed.api, n, true);
  return drain(bed, scenario, 'targets-wait', node, log, async () => {
    log(`targets-wait ${node}: the other ${others.length} nodes cordoned for ${scenario.timing.targetWaitSeconds} s`);
    await sleep(scenario.timing.targetWaitSeconds);
    for (const n of others) await cordon(bed.api, n, false);
  });
}

/** kube-ovn-controller's own account of the run, from its log. */
function controllerAccount(bed: Bed): ControllerAccount {
  const log = bed.kubeOvn.controller().log();
  const skipped = [...skippedSetups(log).values()].filter((s) => s.targetNode === '').map((s) => s.uid);
  const ours = [...handledPhases(log)]
    .filter(([key]) => key.startsWith(`${VM_NAMESPACE}/`))
    .map(([key, phases]) => [key.slice(VM_NAMESPACE.length + 1), phases] as const);
  const later = (phases: ReadonlySet<string>) => !phases.has('Scheduling') && [...phases].some((p) => p !== 'Pending');
  return {
    skippedUnbound: new Set(skipped),
    handledInScheduling: new Set(ours.filter(([, phases]) => phases.has('Scheduling')).map(([name]) => name)),
    handledOnlyLater: new Set(ours.filter(([, phases]) => later(phases)).map(([name]) => name)),
  };
}

function copyLogs(dir: string, mode: string, started: Partial<Bed>): void {
  mkdirSync(dir, { recursive: true });
  const copies: [string | undefined, string][] = [
    [started.kubeOvn?.controller().logFile, `${mode}.kube-ovn-controller.log`],
    [started.kubevirt?.controller().process.logFile, `${mode}.virt-controller.log`],
  ];
  for (const [from, to] of copies) {
    try {
      if (from) copyFileSync(from, join(dir, to));
    } catch {
      // Logs are a convenience; the figures do not depend on them.
    }
  }
}

const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));
