/**
 * The real kube-ovn-controller (github.com/kubeovn/kube-ovn v1.16.2, built by testbed/tools.d/kube-ovn.sh)
 * with real OVN Northbound and Southbound `ovsdb-server`s, against a test control plane
 * (testbed/harness/controlPlane.ts). No northd, ovn-controller, kube-ovn-cni or kubelet runs: the controller
 * writes the NB database and the Kubernetes objects, which is all the migration port handling is.
 *
 * - Databases: created with `ovsdb-tool create` from the schemas embedded in Kube-OVN's own models
 *   (`pkg/ovsdb/ovn{nb,sb}/model.go`; Debian's 23.03 schemas are too old), served on
 *   `ptcp:0:127.0.0.1`: the kernel picks the port and the server logs it, so no other process can be
 *   answering it. Each is checked anyway: its pid file names our child, and a marker written through its
 *   Unix socket in our temp dir is read back over the TCP port.
 * - Controller: admin kubeconfig, `POD_NAMESPACE=kube-system`, a unique `POD_NAME` (its Lease holder
 *   identity, checked before it counts as started), its health server on a free loopback port
 *   (`ENABLE_BIND_LOCAL_IP=true POD_IPS=127.0.0.1 --pprof-port=<free>`), flags from
 *   ../shared/notes/real-controllers-local.md. It logs to stderr (our log file) but insists on creating
 *   `/var/log/kube-ovn/kube-ovn-controller.log` (`pkg/util/log.go`, path hard-coded); the folder is
 *   created here when missing. It watches KubeVirt's kinds only once discovery lists them, checked every
 *   10 s (`StartKubevirtInformerFactory`), so a start takes 10–20 s.
 *
 * Kube-OVN's CRDs (all of `charts/kube-ovn-v2/crds/kube-ovn-crd.yaml` at the tag) and KubeVirt's
 * (../shared/crds/kubevirt) are installed by `installKubeOvnCrds`.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { CoordinationV1Api, CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import { type ControlPlane } from './controlPlane.js';
import { installCrds } from './crds.js';
import { createFakeNode } from './fakeNodes.js';
import { freePort } from './freePort.js';
import { type ManagedProcess, startProcess } from './managedProcess.js';
import { rawRequest } from './rawRequest.js';
import { sharedDir, toolPath } from './toolPaths.js';
import { until } from './until.js';

const run = promisify(execFile);

/** The release testbed/tools.d/kube-ovn.sh builds (the binary's folder carries it). */
export const KUBE_OVN_VERSION = 'v1.16.2';
/** Where kube-ovn-controller runs and takes its Lease `kube-ovn-controller`. */
export const KUBE_OVN_NAMESPACE = 'kube-system';
/** The subnet the controller creates from `--default-cidr`; pods without an annotation get it. */
export const KUBE_OVN_DEFAULT_SUBNET = 'ovn-default';
const LOG_DIR = '/var/log/kube-ovn';

/** Network flags of the test bed (the rest are the controller's defaults, as the chart leaves them). */
export const KUBE_OVN_NETWORK_FLAGS: readonly string[] = [
  '--default-cidr=10.16.0.0/16',
  '--node-switch-cidr=100.64.0.0/16',
  // The control plane's --service-cluster-ip-range.
  '--service-cluster-ip-range=10.0.0.0/24',
  '--enable-metrics=false',
];

export interface OvnDatabase {
  readonly name: 'OVN_Northbound' | 'OVN_Southbound';
  /** `tcp:127.0.0.1:<port>`, for `--ovn-nb-addr`, `ovn-nbctl --db=` and `ovsdb-client`. */
  readonly address: string;
  readonly port: number;
  readonly process: ManagedProcess;
}

/** An `ovsdb-server` serving one database created from Kube-OVN's schema; checked to be ours. */
export async function startOvnDatabase(dir: string, kind: 'nb' | 'sb'): Promise<OvnDatabase> {
  const name = kind === 'nb' ? 'OVN_Northbound' : 'OVN_Southbound';
  const db = join(dir, `${kind}.db`);
  await run(toolPath('ovsdb-tool'), ['create', db, toolPath(kind === 'nb' ? 'ovn-nb-schema' : 'ovn-sb-schema')]);
  const socket = join(dir, `${kind}.sock`);
  const pidFile = join(dir, `${kind}.pid`);
  const logFile = join(dir, `ovsdb-server-${kind}.log`);
  const server = startProcess(
    `ovsdb-server ${kind}`,
    toolPath('ovsdb-server'),
    [db, '--remote=ptcp:0:127.0.0.1', `--remote=punix:${socket}`, `--unixctl=${join(dir, `${kind}.ctl`)}`, `--pidfile=${pidFile}`],
    logFile,
    // Everything it might write by default (run dir, logs) stays in the temp dir.
    { OVS_RUNDIR: dir, OVS_LOGDIR: dir, OVS_DBDIR: dir },
  );
  try {
    const port = await until(
      () => {
        if (server.child.exitCode !== null) throw new Error(`ovsdb-server exited: ${server.tail()}`);
        const m = /\|0:127\.0\.0\.1: listening on port (\d+)/.exec(readFileSync(logFile, 'utf8'));
        return m ? Number(m[1]) : undefined;
      },
      { timeoutMs: 30_000, what: `ovsdb-server ${kind} listening (log: ${logFile})` },
    );
    await until(() => existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8').trim()) === server.child.pid, {
      timeoutMs: 10_000,
      what: `ovsdb-server ${kind} pid file naming our child ${server.child.pid}`,
    });
    // The one global row (`ovn-nbctl init` / `ovn-sbctl init`), with a marker, through our own socket.
    const marker = randomBytes(8).toString('hex');
    const table = kind === 'nb' ? 'NB_Global' : 'SB_Global';
    await ovsdbTransact(`unix:${socket}`, [name, { op: 'insert', table, row: { external_ids: ['map', [['kvfleet-test', marker]]] } }]);
    const address = `tcp:127.0.0.1:${port}`;
    const [{ rows }] = (await ovsdbTransact(address, [name, { op: 'select', table, where: [], columns: ['external_ids'] }])) as [{ rows: OvsdbRow[] }];
    if (rows.length !== 1 || ovsdbMap(rows[0]!.external_ids)['kvfleet-test'] !== marker) {
      throw new Error(`${address} does not answer with our ${name} database (another process on the port?)`);
    }
    return { name, address, port, process: server };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

type OvsdbRow = Record<string, unknown>;

/** One OVSDB transaction with `ovsdb-client transact`; the results, or an error naming the failed operation. */
export async function ovsdbTransact(server: string, transaction: unknown[]): Promise<unknown[]> {
  const { stdout } = await run(toolPath('ovsdb-client'), ['--timeout=20', 'transact', server, JSON.stringify(transaction)]);
  const results = JSON.parse(stdout) as ({ error?: string; details?: string } | null)[];
  const failed = results.find((r) => r?.error);
  if (failed) throw new Error(`ovsdb transaction on ${server} failed: ${failed.error}: ${failed.details ?? ''}`);
  return results;
}

/** An OVSDB `["map", [[k, v], …]]` value as an object. */
export function ovsdbMap(value: unknown): Record<string, string> {
  if (!Array.isArray(value) || value[0] !== 'map') return {};
  return Object.fromEntries((value[1] as [string, unknown][]).map(([k, v]) => [k, String(v)]));
}

export interface LogicalSwitchPort {
  readonly name: string;
  readonly options: Record<string, string>;
  readonly externalIds: Record<string, string>;
}

/** A Logical_Switch_Port of the NB database, or undefined when there is none of that name. */
export async function logicalSwitchPort(nb: OvnDatabase, name: string): Promise<LogicalSwitchPort | undefined> {
  const [{ rows }] = (await ovsdbTransact(nb.address, [
    'OVN_Northbound',
    { op: 'select', table: 'Logical_Switch_Port', where: [['name', '==', name]], columns: ['name', 'options', 'external_ids'] },
  ])) as [{ rows: OvsdbRow[] }];
  const row = rows[0];
  return row && { name: String(row.name), options: ovsdbMap(row.options), externalIds: ovsdbMap(row.external_ids) };
}

/** One change of a Logical_Switch_Port as the NB database announced it. */
export interface PortChange {
  /** Date.now() when the monitor read it. */
  readonly at: number;
  readonly name: string;
  readonly action: 'initial' | 'insert' | 'modify' | 'delete';
  /** The port's options after the change (before it, for a delete). */
  readonly options: Record<string, string>;
}

export interface PortMonitor {
  /** Every change seen so far, of one port or of all. */
  changes(name?: string): PortChange[];
  /** The first change of `name` (seen so far or later) whose options satisfy `test`. */
  waitFor(name: string, test: (c: PortChange) => boolean, opts?: { timeoutMs?: number; what?: string }): Promise<PortChange>;
  stop(): Promise<void>;
}

/**
 * Every change of the NB Logical_Switch_Port table, pushed by the server (`ovsdb-client monitor`), so a
 * test can say what was *never* written, not only what a poll happened to see. It monitors ALL tables
 * (this ovsdb-client takes one table otherwise): the NB_Global row's initial line says it is connected.
 */
export async function monitorLogicalSwitchPorts(nb: OvnDatabase): Promise<PortMonitor> {
  const child = spawn(toolPath('ovsdb-client'), ['--format=json', 'monitor', nb.address, 'OVN_Northbound', 'ALL'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const changes: PortChange[] = [];
  let connected = false;
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    const at = Date.now();
    let update: { caption?: string; headings?: string[]; data?: unknown[][] };
    try {
      update = JSON.parse(line);
    } catch {
      return;
    }
    if (update.caption === 'NB_Global') connected = true;
    if (update.caption !== 'Logical_Switch_Port' || !update.headings || !update.data) return;
    const col = (row: unknown[], name: string) => row[update.headings!.indexOf(name)];
    for (const row of update.data) {
      const action = col(row, 'action');
      // A modification is an "old" row (changed columns only) followed by a "new" row (all columns).
      if (action === 'old') continue;
      const kind = action === 'new' ? 'modify' : (action as PortChange['action']);
      changes.push({ at, name: String(col(row, 'name')), action: kind, options: ovsdbMap(col(row, 'options')) });
    }
  });
  // A crashed test run must not leave it behind (managedProcess does the same for the servers).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      process.off('exit', killOnExit);
      resolve();
    }),
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  try {
    await until(
      () => {
        if (child.exitCode !== null) throw new Error(`ovsdb-client monitor exited: ${stderr}`);
        return connected;
      },
      { timeoutMs: 30_000, what: `ovsdb-client monitor of ${nb.address} connected` },
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    changes: (name) => (name === undefined ? [...changes] : changes.filter((c) => c.name === name)),
    waitFor: (name, test, opts = {}) =>
      until(() => changes.find((c) => c.name === name && test(c)), {
        timeoutMs: opts.timeoutMs ?? 60_000,
        intervalMs: 50,
        what: opts.what ?? `a change of port ${name}`,
      }),
    stop,
  };
}

/** Whether the NB database has a Logical_Switch of that name (the controller creates its subnets' switches). */
export async function hasLogicalSwitch(nb: OvnDatabase, name: string): Promise<boolean> {
  const [{ rows }] = (await ovsdbTransact(nb.address, [
    'OVN_Northbound',
    { op: 'select', table: 'Logical_Switch', where: [['name', '==', name]], columns: ['name'] },
  ])) as [{ rows: OvsdbRow[] }];
  return rows.length === 1;
}

/** Kube-OVN's CRDs of the release built, and KubeVirt's (the controller watches VM, VMI and VMIM). */
export async function installKubeOvnCrds(kc: KubeConfig): Promise<string[]> {
  return installCrds(kc, [toolPath('kube-ovn-crds'), join(sharedDir, 'crds/kubevirt')]);
}

/**
 * A Node as its kubelet would report it, with the InternalIP kube-ovn-controller needs (it gives each
 * node a join-network address and port), Ready and untainted.
 */
export async function createKubeOvnNode(kc: KubeConfig, name: string, internalIp: string): Promise<V1Node> {
  await createFakeNode(kc, name);
  const core = kc.makeApiClient(CoreV1Api);
  const node = await core.readNode({ name });
  node.status = {
    ...node.status,
    addresses: [
      { type: 'InternalIP', address: internalIp },
      { type: 'Hostname', address: name },
    ],
  };
  return core.replaceNodeStatus({ name, body: node });
}

export interface KubeOvnControllerOptions {
  readonly nb: OvnDatabase;
  readonly sb: OvnDatabase;
  /** Flags beyond the connection and KUBE_OVN_NETWORK_FLAGS, e.g. the migration flags a chart renders. */
  readonly flags: readonly string[];
  /** Folder for its log file. */
  readonly dir: string;
}

export interface KubeOvnController {
  readonly process: ManagedProcess;
  readonly logFile: string;
  /** Its Lease identity (`POD_NAME`). */
  readonly identity: string;
  readonly flags: readonly string[];
  /** Milliseconds from spawn until it leads, has created the default subnet and watches KubeVirt. */
  readonly startMs: number;
  /** The controller's log so far. */
  log(): string;
  stop(): Promise<void>;
}

let starts = 0;

/**
 * Starts kube-ovn-controller and waits until it holds its Lease, has created the default subnet's
 * logical switch, and has started its KubeVirt informers.
 */
export async function startKubeOvnController(plane: ControlPlane, opts: KubeOvnControllerOptions): Promise<KubeOvnController> {
  ensureLogDir();
  const identity = `kube-ovn-controller-test-${process.pid}-${++starts}`;
  const logFile = join(opts.dir, `kube-ovn-controller-${starts}.log`);
  const healthPort = await freePort();
  const flags = [
    `--kubeconfig=${plane.kubeconfigPath}`,
    `--ovn-nb-addr=${opts.nb.address}`,
    `--ovn-sb-addr=${opts.sb.address}`,
    ...KUBE_OVN_NETWORK_FLAGS,
    `--pprof-port=${healthPort}`,
    ...opts.flags,
  ];
  const t0 = Date.now();
  const child = startProcess('kube-ovn-controller', toolPath('kube-ovn-controller'), flags, logFile, {
    KUBECONFIG: plane.kubeconfigPath,
    POD_NAMESPACE: KUBE_OVN_NAMESPACE,
    POD_NAME: identity,
    NODE_NAME: 'kvfleet-test',
    // Its health server on loopback (else 0.0.0.0): GetDefaultListenAddr in pkg/util/net.go.
    ENABLE_BIND_LOCAL_IP: 'true',
    POD_IPS: '127.0.0.1',
  });
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const handle: KubeOvnController = { process: child, logFile, identity, flags, startMs: 0, log, stop: () => child.stop(15_000) };
  try {
    const kc = plane.kubeConfig();
    const alive = () => {
      if (child.child.exitCode !== null || child.child.signalCode !== null) throw new Error(`kube-ovn-controller exited: ${child.tail(40)}`);
    };
    await until(
      async () => {
        alive();
        const lease = await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: 'kube-ovn-controller', namespace: KUBE_OVN_NAMESPACE });
        return lease.spec?.holderIdentity === identity;
      },
      { timeoutMs: 90_000, intervalMs: 250, what: `kube-ovn-controller holding its Lease as ${identity} (log: ${logFile})` },
    );
    await until(
      async () => {
        alive();
        return hasLogicalSwitch(opts.nb, KUBE_OVN_DEFAULT_SUBNET);
      },
      { timeoutMs: 90_000, intervalMs: 250, what: `kube-ovn-controller creating logical switch ${KUBE_OVN_DEFAULT_SUBNET} (log: ${logFile})` },
    );
    // Discovery is checked every 10 s; the migration handler is added right after the caches sync.
    await until(
      () => {
        alive();
        return log().includes('Start kubevirt informer');
      },
      { timeoutMs: 90_000, intervalMs: 250, what: `kube-ovn-controller starting its KubeVirt informers (log: ${logFile})` },
    );
    await until(
      async () => {
        alive();
        return (await fetch(`http://127.0.0.1:${healthPort}/livez`)).ok;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: `kube-ovn-controller health server on 127.0.0.1:${healthPort} (log: ${logFile})` },
    );
    return { ...handle, startMs: Date.now() - t0 };
  } catch (e) {
    await child.stop();
    throw e;
  }
}

/** kube-ovn-controller creates this file at start and exits when it cannot (pkg/util/log.go). */
function ensureLogDir(): void {
  if (existsSync(LOG_DIR)) return;
  try {
    mkdirSync(LOG_DIR, { recursive: true });
  } catch (e) {
    throw new Error(`kube-ovn-controller needs ${LOG_DIR} (hard-coded in Kube-OVN's pkg/util/log.go) and it cannot be created: ${(e as Error).message}`);
  }
}

export interface KubeOvnTestBed {
  readonly nb: OvnDatabase;
  readonly sb: OvnDatabase;
  readonly dir: string;
  /** Every Logical_Switch_Port change since before the controller started. */
  readonly ports: PortMonitor;
  /** The controller now running (replaced by restartController). */
  controller(): KubeOvnController;
  /** Stops the controller and starts it again with other flags (same databases and API server). */
  restartController(flags: readonly string[]): Promise<KubeOvnController>;
  logicalSwitchPort(name: string): Promise<LogicalSwitchPort | undefined>;
  stop(): Promise<void>;
}

/**
 * NB and SB databases plus kube-ovn-controller against `plane`, whose Kube-OVN and KubeVirt CRDs are
 * installed here. Nodes are the caller's (createKubeOvnNode).
 */
export async function startKubeOvn(plane: ControlPlane, opts: { flags: readonly string[] }): Promise<KubeOvnTestBed> {
  const dir = mkdtempSync(join(tmpdir(), 'kvfleet-kube-ovn-'));
  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    for (const p of [...started].reverse()) await p.stop();
    // KVFLEET_KEEP_KUBE_OVN_DIR=1 keeps the logs and databases for a look after a failure.
    if (process.env.KVFLEET_KEEP_KUBE_OVN_DIR) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
  try {
    await installKubeOvnCrds(plane.kubeConfig());
    const nb = await startOvnDatabase(dir, 'nb');
    started.push(nb.process);
    const sb = await startOvnDatabase(dir, 'sb');
    started.push(sb.process);
    const ports = await monitorLogicalSwitchPorts(nb);
    started.push(ports);
    let controller = await startKubeOvnController(plane, { nb, sb, flags: opts.flags, dir });
    // Stopped first: wrap so stopAll always stops the current one.
    started.push({ stop: () => controller.stop() });
    return {
      nb,
      sb,
      dir,
      ports,
      controller: () => controller,
      async restartController(flags) {
        await controller.stop();
        // It releases its Lease on SIGTERM (ReleaseOnCancel); the next one takes it at once.
        controller = await startKubeOvnController(plane, { nb, sb, flags, dir });
        return controller;
      },
      logicalSwitchPort: (name) => logicalSwitchPort(nb, name),
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/**
 * A raw JSON merge patch, for status fields client-node's models would drop or for custom resources.
 * Strict field validation: a misspelt field is an error, not silently pruned by the CRD schema.
 */
export async function mergePatch(kc: KubeConfig, path: string, body: unknown): Promise<unknown> {
  const res = await rawRequest(kc, 'PATCH', `${path}?fieldValidation=Strict`, body, 'application/merge-patch+json');
  if (res.status >= 300) throw new Error(`PATCH ${path}: HTTP ${res.status}: ${res.body.slice(0, 1000)}`);
  return JSON.parse(res.body);
}
