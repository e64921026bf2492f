/**
 * The real KubeVirt virt-controller (kubevirt.io/kubevirt, built by testbed/tools.d/virt-controller.sh)
 * as a local process against a test control plane, out of cluster, as the recipe in
 * ../shared/notes/real-controllers-local.md runs it:
 *
 * - `installKubevirt`: the CRDs of the same version (generated from the module's own
 *   `components.New*Crd()`, created rather than client-side applied: three exceed the annotation limit),
 *   namespace `kubevirt`, and the `KubeVirt` CR `kubevirt` with the status virt-operator writes
 *   (`Deployed`, observed = target deployment ID: virt-controller reads its configuration only then,
 *   and the workload updater acts only then).
 * - `startVirtController`: a self-signed pair for `--prom-cert-file/--prom-key-file` (without it every
 *   HTTPS endpoint fails), free loopback port, `--launcher-image` from the launcher catalogue entry of
 *   the version, short leader election; ready when `/leader` says it leads, and only if the process
 *   listening on that port is our child (fixed ports collide on shared machines).
 * - `stop`: SIGTERM, then delete the Lease `kubevirt/virt-controller` (virt-controller does not release
 *   it, so the next one would wait out the lease).
 *
 * It serves no webhooks and needs no service-account token. virt-handler, the kubelet and virt-api's
 * eviction webhook are played by ./kubevirtStandIns.ts.
 */
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type KubeConfig } from '@kubernetes/client-node';
import { DEFAULT_LAUNCHER_BUILD, type LauncherBuild, launcherEntry } from '../../compatibility/launcherCatalogue.js';
import { type ControlPlane } from './controlPlane.js';
import { installCrds } from './crds.js';
import { freePort } from './freePort.js';
import { httpsGet } from './httpsGet.js';
import { selfSignedCert } from './kubevirtStandIns.js';
import { type ManagedProcess, startProcess } from './managedProcess.js';
import { rawRequest } from './rawRequest.js';
import { toolPath } from './toolPaths.js';
import { until } from './until.js';

export const KUBEVIRT_NAMESPACE = 'kubevirt';
/** The KubeVirt version testbed/tools.d/virt-controller.sh builds by default. */
export const DEFAULT_KUBEVIRT_VERSION = 'v1.7.0';
const LEASE_PATH = `/apis/coordination.k8s.io/v1/namespaces/${KUBEVIRT_NAMESPACE}/leases/virt-controller`;
const KUBEVIRT_CR_PATH = `/apis/kubevirt.io/v1/namespaces/${KUBEVIRT_NAMESPACE}/kubevirts/kubevirt`;

/** `virt-controller-v1_7_0=…` of `testbed/tools.sh paths` (tool names carry no dots). */
export function virtControllerBinary(version = DEFAULT_KUBEVIRT_VERSION): string {
  return toolPath(`virt-controller-${version.replaceAll('.', '_')}`);
}

/** The folder holding `crds.yaml` (and `crds.json`) of `kubevirt-crds-v1_7_0=…/crds.json`. */
export function kubevirtCrdsDir(version = DEFAULT_KUBEVIRT_VERSION): string {
  return dirname(toolPath(`kubevirt-crds-${version.replaceAll('.', '_')}`));
}

/** The launcher image upstream publishes for a version, from the launcher catalogue (`quay.io/kubevirt/virt-launcher:v1.7.0`). */
export function launcherImageOf(version: string, build: LauncherBuild = DEFAULT_LAUNCHER_BUILD): string {
  const plain = version.replace(/^v/, '');
  const image = launcherEntry(plain, build)?.upstreamImage?.(plain);
  if (!image) throw new Error(`the launcher catalogue has no published image for KubeVirt ${version} ${build}`);
  return image;
}

async function ok<T = unknown>(kc: KubeConfig, method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
  const res = await rawRequest(kc, method, path, body, contentType);
  if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status}: ${res.body.slice(0, 1000)}`);
  return (res.body ? JSON.parse(res.body) : undefined) as T;
}

export interface KubevirtInstallOptions {
  readonly version?: string;
  /** `spec.workloadUpdateStrategy.workloadUpdateMethods`. @default ['LiveMigrate'] */
  readonly workloadUpdateMethods?: readonly ('LiveMigrate' | 'Evict')[];
  /** `spec.configuration` (KubeVirtConfiguration). */
  readonly configuration?: Record<string, unknown>;
}

/** CRDs, namespace and the KubeVirt CR as virt-operator leaves them once deployed. */
export async function installKubevirt(kc: KubeConfig, opts: KubevirtInstallOptions = {}): Promise<void> {
  const version = opts.version ?? DEFAULT_KUBEVIRT_VERSION;
  await installCrds(kc, [kubevirtCrdsDir(version)]);
  const ns = await rawRequest(kc, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: KUBEVIRT_NAMESPACE } });
  if (ns.status >= 300 && ns.status !== 409) throw new Error(`namespace ${KUBEVIRT_NAMESPACE}: HTTP ${ns.status}: ${ns.body}`);
  await ok(kc, 'POST', `/apis/kubevirt.io/v1/namespaces/${KUBEVIRT_NAMESPACE}/kubevirts`, {
    apiVersion: 'kubevirt.io/v1',
    kind: 'KubeVirt',
    metadata: { name: 'kubevirt', namespace: KUBEVIRT_NAMESPACE },
    spec: {
      certificateRotateStrategy: {},
      configuration: opts.configuration ?? {},
      workloadUpdateStrategy: { workloadUpdateMethods: [...(opts.workloadUpdateMethods ?? ['LiveMigrate'])] },
    },
  });
  await setKubevirtDeployed(kc, version);
}

/** Merge-patches the KubeVirt CR's status (optimistic: with the resourceVersion just read). */
async function patchKubevirtStatus(kc: KubeConfig, status: Record<string, unknown>): Promise<void> {
  const cr = await ok<{ metadata: { resourceVersion: string } }>(kc, 'GET', KUBEVIRT_CR_PATH);
  await ok(kc, 'PATCH', `${KUBEVIRT_CR_PATH}/status`, { metadata: { resourceVersion: cr.metadata.resourceVersion }, status }, 'application/merge-patch+json');
}

const condition = (type: string, status: 'True' | 'False', reason: string, message: string) => ({ type, status, reason, message });
const READY = 'All components are ready.';

/**
 * The status virt-operator writes when `version` is fully deployed: phase Deployed, observed = target
 * version and deployment ID. A KubeVirt upgrade rewrites it (with virt-controller restarted on the
 * new launcher image) before the workload updater moves VMIs.
 */
export async function setKubevirtDeployed(kc: KubeConfig, version: string): Promise<void> {
  const id = `kvfleet-test-${version}`;
  await patchKubevirtStatus(kc, {
    phase: 'Deployed',
    observedKubeVirtVersion: version,
    targetKubeVirtVersion: version,
    observedKubeVirtRegistry: 'quay.io/kubevirt',
    targetKubeVirtRegistry: 'quay.io/kubevirt',
    observedDeploymentID: id,
    targetDeploymentID: id,
    conditions: [
      condition('Available', 'True', 'AllComponentsReady', READY),
      condition('Progressing', 'False', 'AllComponentsReady', READY),
      condition('Degraded', 'False', 'AllComponentsReady', READY),
    ],
  });
}

/**
 * The status virt-operator writes while it rolls `version` out over the one deployed before
 * (phase Deploying, target ≠ observed deployment ID): the workload updater waits.
 */
export async function setKubevirtDeploying(kc: KubeConfig, from: string, to: string): Promise<void> {
  await patchKubevirtStatus(kc, {
    phase: 'Deploying',
    observedKubeVirtVersion: from,
    targetKubeVirtVersion: to,
    observedDeploymentID: `kvfleet-test-${from}`,
    targetDeploymentID: `kvfleet-test-${to}`,
    conditions: [
      condition('Available', 'True', 'AllComponentsReady', READY),
      condition('Progressing', 'True', 'DeploymentInProgress', `Deploying version ${to}`),
      condition('Degraded', 'False', 'AllComponentsReady', READY),
    ],
  });
}

export interface VirtControllerOptions {
  readonly version?: string;
  /** @default the catalogue's published image of `version` */
  readonly launcherImage?: string;
  /** Extra flags. */
  readonly args?: readonly string[];
}

export interface VirtController {
  readonly version: string;
  readonly launcherImage: string;
  readonly port: number;
  readonly process: ManagedProcess;
  /** Milliseconds from spawn until `/leader` said it leads. */
  readonly startMs: number;
  /** Resident set size of the process now, in MiB. */
  rssMiB(): number;
  /** SIGTERM, then the Lease deleted so a successor leads at once. */
  stop(): Promise<void>;
}

/** Starts virt-controller against `plane` (KubeVirt installed first) and waits until it leads. */
export async function startVirtController(plane: ControlPlane, opts: VirtControllerOptions = {}): Promise<VirtController> {
  const version = opts.version ?? DEFAULT_KUBEVIRT_VERSION;
  const launcherImage = opts.launcherImage ?? launcherImageOf(version);
  const dir = mkdtempSync(join(tmpdir(), 'kvfleet-virt-controller-'));
  const { certFile, keyFile, cert } = selfSignedCert(dir, 'virt-controller');
  const kubeconfigPath = join(dir, 'kubeconfig.yaml');
  writeFileSync(kubeconfigPath, plane.kubeconfig);
  const port = await freePort();
  const t0 = Date.now();
  const proc = startProcess(
    'virt-controller',
    virtControllerBinary(version),
    [
      `--kubeconfig=${kubeconfigPath}`,
      '--listen=127.0.0.1',
      `--port=${port}`,
      `--launcher-image=${launcherImage}`,
      `--prom-cert-file=${certFile}`,
      `--prom-key-file=${keyFile}`,
      // Short enough that a restart never waits long, long enough to renew on a loaded 2-core machine.
      '--leader-elect-lease-duration=8s',
      '--leader-elect-renew-deadline=6s',
      '--leader-elect-retry-period=1s',
      ...(opts.args ?? []),
    ],
    join(plane.dir, `virt-controller-${port}.log`),
    { KUBECONFIG: kubeconfigPath },
  );
  const kc = plane.kubeConfig();
  const stop = async () => {
    await proc.stop(10_000);
    await rawRequest(kc, 'DELETE', LEASE_PATH).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until(
      async () => {
        if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`virt-controller exited: ${proc.tail()}`);
        const res = await httpsGet(`https://127.0.0.1:${port}/leader`, { ca: cert });
        return res.status === 200 && (JSON.parse(res.body) as { apiserver?: { leader?: string } }).apiserver?.leader === 'true';
      },
      { timeoutMs: 120_000, intervalMs: 250, what: `virt-controller /leader on 127.0.0.1:${port} (log: ${proc.logFile})` },
    );
    const startMs = Date.now() - t0;
    const owner = listeningPid(port, proc.child.pid!);
    if (owner !== proc.child.pid) throw new Error(`127.0.0.1:${port} is not served by our virt-controller (pid ${proc.child.pid}); listener: ${owner ?? 'unknown'}`);
    return {
      version,
      launcherImage,
      port,
      process: proc,
      startMs,
      rssMiB: () => rssMiB(proc.child.pid!),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * The pid among `candidates` holding the listening TCP socket of 127.0.0.1:`port`, read from
 * /proc/net/tcp (socket inode) and /proc/<pid>/fd (which process holds it); `undefined` if none does.
 */
export function listeningPid(port: number, ...candidates: number[]): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address rem_address st … inode (field 9); st 0A = LISTEN
      if (f.length > 9 && f[1]!.endsWith(`:${hexPort}`) && f[3] === '0A') inodes.add(f[9]!);
    }
  }
  for (const pid of candidates) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) return pid;
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return undefined;
}

function rssMiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : Number.NaN;
}
