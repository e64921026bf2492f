/**
 * A real etcd + kube-apiserver (+ kube-scheduler) on 127.0.0.1 for one test file, modelled on
 * controller-runtime's envtest: free loopback ports, etcd without fsync, the API server with its
 * own self-signed serving cert, a service-account key, static bearer tokens and RBAC, CRDs from
 * ../shared/crds installed and Established before tests run.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { installCrds } from './crds.js';
import { freePort } from './freePort.js';
import { type ManagedProcess, startProcess } from './managedProcess.js';
import { toolPath } from './toolPaths.js';
import { until } from './until.js';

export interface ControlPlaneUser {
  /** User name as RBAC sees it, e.g. `system:serviceaccount:kvfleet-system:kvfleet-node-labeller`. */
  readonly name: string;
  readonly groups?: readonly string[];
}

export interface ControlPlaneOptions {
  /** Folders or files of CRDs to install and wait for. */
  readonly crds?: readonly string[];
  /** Start kube-scheduler too (only where placement matters). @default false */
  readonly scheduler?: boolean;
  /** Extra token users, for tests that run a program with its real, least-privilege identity. */
  readonly users?: readonly ControlPlaneUser[];
}

export interface ControlPlane {
  readonly server: string;
  /** Temporary folder with data, certs and logs; removed by stop(). */
  readonly dir: string;
  /** Admin (system:masters) kubeconfig, YAML. */
  readonly kubeconfig: string;
  readonly kubeconfigPath: string;
  /** A fresh admin KubeConfig. */
  kubeConfig(): KubeConfig;
  /** Kubeconfig YAML for one of `options.users`. */
  kubeconfigFor(user: string): string;
  /** Stops and starts kube-apiserver on the same port and data (etcd keeps running). */
  restartApiServer(): Promise<void>;
  stop(): Promise<void>;
}

const ADMIN = 'kvfleet-test-admin';

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), 'kvfleet-plane-'));
  const processes: ManagedProcess[] = [];
  const stopAll = async () => {
    for (const p of [...processes].reverse()) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdUrl = await startEtcd(dir, etcdPort, peerPort, processes);
    const certDir = join(dir, 'certs');
    const tokens = writeCredentials(certDir, options.users ?? []);
    const server = `https://127.0.0.1:${apiPort}`;
    const apiArgs = apiServerArgs(etcdUrl, certDir, apiPort, server);
    const startApi = () => startApiServer(dir, apiArgs, server, tokens.get(ADMIN)!, certDir, processes);
    let api = await startApi();

    const kubeconfigFor = (user: string) => kubeconfigYaml(server, certDir, user, tokens.get(user));
    const kubeconfig = kubeconfigFor(ADMIN);
    const kubeconfigPath = join(dir, 'kubeconfig.yaml');
    writeFileSync(kubeconfigPath, kubeconfig);
    const kubeConfig = () => {
      const kc = new KubeConfig();
      kc.loadFromString(kubeconfig);
      return kc;
    };

    if (options.scheduler) await startScheduler(dir, kubeconfigPath, processes);
    if (options.crds?.length) await installCrds(kubeConfig(), options.crds);

    return {
      server,
      dir,
      kubeconfig,
      kubeconfigPath,
      kubeConfig,
      kubeconfigFor,
      async restartApiServer() {
        await api.stop();
        processes.splice(processes.indexOf(api), 1);
        api = await startApi();
      },
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/** etcd on `clientPort`, data in `dir`, without fsync; added to `processes` before it is healthy, so a failed start stops it. */
async function startEtcd(dir: string, clientPort: number, peerPort: number, processes: ManagedProcess[]): Promise<string> {
  const etcdUrl = `http://127.0.0.1:${clientPort}`;
  const etcd = startProcess(
    'etcd',
    toolPath('etcd'),
    [
      '--name=kvfleet-test',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=kvfleet-test=http://127.0.0.1:${peerPort}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
    join(dir, 'etcd.log'),
  );
  processes.push(etcd);
  await until(async () => (await httpGet(`${etcdUrl}/health`)).includes('"health":"true"'), { timeoutMs: 30_000, what: `etcd health (log: ${etcd.tail()})` });
  return etcdUrl;
}

/**
 * Writes the service-account key pair and the static token file into `certDir` (created here): the admin
 * in system:masters, then each of `users`. Returns each user's token by name.
 */
function writeCredentials(certDir: string, users: readonly ControlPlaneUser[]): Map<string, string> {
  mkdirSync(certDir);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(certDir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(certDir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  const tokens = new Map<string, string>([[ADMIN, randomBytes(24).toString('hex')]]);
  const tokenLines = [`${tokens.get(ADMIN)},${ADMIN},${ADMIN},"system:masters"`];
  for (const user of users) {
    const token = randomBytes(24).toString('hex');
    tokens.set(user.name, token);
    tokenLines.push(`${token},${user.name},${user.name}${user.groups?.length ? `,"${user.groups.join(',')}"` : ''}`);
  }
  writeFileSync(join(certDir, 'tokens.csv'), `${tokenLines.join('\n')}\n`);
  return tokens;
}

function apiServerArgs(etcdUrl: string, certDir: string, apiPort: number, server: string): string[] {
  return [
    `--etcd-servers=${etcdUrl}`,
    `--cert-dir=${certDir}`,
    `--secure-port=${apiPort}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    '--service-cluster-ip-range=10.0.0.0/24',
    '--authorization-mode=RBAC',
    `--token-auth-file=${join(certDir, 'tokens.csv')}`,
    // No controller-manager runs, so nothing would create the default ServiceAccounts.
    '--disable-admission-plugins=ServiceAccount',
    `--service-account-issuer=${server}`,
    `--service-account-key-file=${join(certDir, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(certDir, 'sa.key')}`,
  ];
}

/** Starts kube-apiserver (added to `processes` at once) and waits until `/readyz` says ok, failing early if it exits. */
async function startApiServer(
  dir: string,
  apiArgs: readonly string[],
  server: string,
  adminToken: string,
  certDir: string,
  processes: ManagedProcess[],
): Promise<ManagedProcess> {
  const api = startProcess('kube-apiserver', toolPath('kube-apiserver'), apiArgs, join(dir, 'kube-apiserver.log'));
  processes.push(api);
  await until(
    async () => {
      if (api.child.exitCode !== null) throw new Error(`kube-apiserver exited: ${api.tail()}`);
      return (await httpGet(`${server}/readyz`, adminToken, caFile(certDir))) === 'ok';
    },
    { timeoutMs: 90_000, intervalMs: 250, what: `kube-apiserver /readyz (log: ${join(dir, 'kube-apiserver.log')})` },
  );
  return api;
}

/** Kubeconfig YAML for `user` with its bearer token, trusting the API server's self-signed cert. */
function kubeconfigYaml(server: string, certDir: string, user: string, token: string | undefined): string {
  if (!token) throw new Error(`no token user '${user}' (declare it in options.users)`);
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kvfleet-test', cluster: { server, 'certificate-authority-data': readFileSync(caFile(certDir)).toString('base64') } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: 'kvfleet-test', context: { cluster: 'kvfleet-test', user } }],
    'current-context': 'kvfleet-test',
  });
}

/** kube-scheduler as the admin, on a free loopback port, without leader election; not waited for. */
async function startScheduler(dir: string, kubeconfigPath: string, processes: ManagedProcess[]): Promise<void> {
  const schedulerPort = await freePort();
  const scheduler = startProcess(
    'kube-scheduler',
    toolPath('kube-scheduler'),
    [
      `--kubeconfig=${kubeconfigPath}`,
      `--authentication-kubeconfig=${kubeconfigPath}`,
      `--authorization-kubeconfig=${kubeconfigPath}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${schedulerPort}`,
      '--leader-elect=false',
    ],
    join(dir, 'kube-scheduler.log'),
  );
  processes.push(scheduler);
}

/** The self-signed serving cert kube-apiserver writes when its cert dir has none. */
function caFile(certDir: string): string {
  return join(certDir, 'apiserver.crt');
}

function httpGet(url: string, token?: string, ca?: string): Promise<string> {
  if (url.startsWith('http://')) return fetch(url).then((r) => r.text());
  return new Promise((resolve, reject) => {
    let caPem: Buffer;
    try {
      caPem = readFileSync(ca!);
    } catch (e) {
      reject(e);
      return;
    }
    const req = request(url, { ca: caPem, headers: token ? { Authorization: `Bearer ${token}` } : {}, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}
