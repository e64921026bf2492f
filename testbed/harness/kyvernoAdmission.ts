/**
 * The real Kyverno admission controller (v1.19.0, `github.com/kyverno/kyverno/cmd/kyverno`, built by
 * testbed/tools.sh as `kyverno-admission`) as a local process against a test control plane: its
 * webhooks point at `https://127.0.0.1:<port>`, so the API server calls it for real admission.
 *
 * Installed first, as a Helm install of the chart at that tag would: every Kyverno CRD of the release,
 * namespace `kyverno`, the ConfigMaps `kyverno` and `kyverno-metrics`, and the ServiceAccounts,
 * ClusterRoles, Roles and bindings of the admission, background, reports and cleanup controllers,
 * taken from the module cache's `config/install-latest-testing.yaml` (the chart rendered with its
 * defaults at the tag; `charts/kyverno/templates/` is the source). There is no
 * kube-controller-manager, so ClusterRole aggregation (Kyverno's `rbac.kyverno.io/aggregate-to-*`
 * roles, and `view`, which the chart binds to each controller) is computed here, the way its
 * clusterrole-aggregation controller does, whenever ClusterRoles are added or removed through this
 * harness. Kyverno authenticates as its ServiceAccount (a bearer-token user of the control plane;
 * declare KYVERNO_ADMISSION_USER in `startControlPlane({ users })`), so it has exactly that RBAC.
 *
 * Flags and pitfalls: ../shared/notes/kyverno-admission-local.md, checked against the source
 * (`cmd/kyverno/main.go`, `pkg/utils/runtime`, `pkg/controllers/policystatus`).
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { type KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { type ControlPlane, type ControlPlaneUser } from './controlPlane.js';
import { installCrds } from './crds.js';
import { freePort } from './freePort.js';
import { type ManagedProcess, startProcess } from './managedProcess.js';
import { rawRequest } from './rawRequest.js';
import { projectDir, toolPath } from './toolPaths.js';
import { type UntilOptions, until } from './until.js';
import { httpsGet } from './httpsGet.js';

export const KYVERNO_NAMESPACE = 'kyverno';
const SERVICE_ACCOUNT = 'kyverno-admission-controller';
/** The identity the admission controller runs as; pass it to `startControlPlane({ users })`. */
export const KYVERNO_ADMISSION_USER: ControlPlaneUser = {
  name: `system:serviceaccount:${KYVERNO_NAMESPACE}:${SERVICE_ACCOUNT}`,
  groups: ['system:serviceaccounts', `system:serviceaccounts:${KYVERNO_NAMESPACE}`],
};
/** Kyverno's admission controller aggregates every ClusterRole labelled so (chart `aggregationRule`). */
export const AGGREGATE_TO_ADMISSION_CONTROLLER = 'rbac.kyverno.io/aggregate-to-admission-controller';
/** Label Kyverno puts on every webhook configuration it manages. */
const WEBHOOK_MANAGED_BY = 'webhook.kyverno.io/managed-by=kyverno';
const CA_SECRET = 'kyverno-svc.kyverno.svc.kyverno-tls-ca';
const TLS_SECRET = 'kyverno-svc.kyverno.svc.kyverno-tls-pair';
/** Kinds of the chart render that a Helm install creates and this harness installs (CRDs come from config/crds). */
const CHART_KINDS = ['Namespace', 'ServiceAccount', 'ConfigMap', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'] as const;
/** Webhook configurations Kyverno registers at start, before any policy exists. */
const STARTUP_WEBHOOKS = {
  validating: ['kyverno-policy-validating-webhook-cfg', 'kyverno-resource-validating-webhook-cfg'],
  mutating: ['kyverno-policy-mutating-webhook-cfg', 'kyverno-resource-mutating-webhook-cfg'],
} as const;

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string };
  [k: string]: unknown;
};

/** The Kyverno version testbed/go/kyverno-admission/go.mod pins (the one the binary was built from). */
export function kyvernoAdmissionVersion(): string {
  const goMod = readFileSync(join(projectDir, 'testbed/go/kyverno-admission/go.mod'), 'utf8');
  const m = /^\s*(?:require\s+)?github\.com\/kyverno\/kyverno\s+(v\S+)/m.exec(goMod);
  if (!m) throw new Error('testbed/go/kyverno-admission/go.mod requires no github.com/kyverno/kyverno');
  return m[1]!;
}

/**
 * `github.com/kyverno/kyverno@<version>` in the module cache testbed/tools.sh builds with
 * (GOMODCACHE = `${KVFLEET_CACHE:-~/.cache/kvfleet}/go/mod`, what `go env GOMODCACHE` says under that env).
 */
export function kyvernoModuleDir(version = kyvernoAdmissionVersion()): string {
  const cache = process.env.KVFLEET_CACHE ?? join(homedir(), '.cache', 'kvfleet');
  const dir = join(cache, 'go', 'mod', 'github.com', 'kyverno', `kyverno@${version}`);
  try {
    statSync(join(dir, 'config', 'crds'));
  } catch {
    throw new Error(
      `${dir}/config/crds is missing (module cache pruned?): run 'bash testbed/tools.sh ensure', or ` +
        `'cd testbed/go/kyverno-admission && GOMODCACHE=${join(cache, 'go', 'mod')} go mod download github.com/kyverno/kyverno'`,
    );
  }
  return dir;
}

/** The folders of every Kyverno CRD of the release (22 in v1.19.0). */
export function kyvernoCrdDirs(version?: string): string[] {
  const crds = join(kyvernoModuleDir(version), 'config', 'crds');
  return ['kyverno', 'policies.kyverno.io', 'policyreport', 'reports'].map((d) => join(crds, d));
}

/** The chart's objects (CHART_KINDS) as rendered with default values at the tag. */
export function kyvernoChartObjects(version?: string): KubeObject[] {
  const file = join(kyvernoModuleDir(version), 'config', 'install-latest-testing.yaml');
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null && (CHART_KINDS as readonly string[]).includes(o.kind));
}

function collectionPath(o: KubeObject): string {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const plural = `${o.kind.toLowerCase().replace(/y$/, 'ie')}s`;
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  return o.metadata.namespace ? `${base}/namespaces/${o.metadata.namespace}/${plural}` : `${base}/${plural}`;
}

async function must(kc: KubeConfig, method: string, path: string, body?: unknown, okStatuses: readonly number[] = []): Promise<string> {
  const res = await rawRequest(kc, method, path, body);
  if (res.status >= 300 && !okStatuses.includes(res.status)) throw new Error(`${method} ${path}: HTTP ${res.status}: ${res.body.slice(0, 1500)}`);
  return res.body;
}

/** Creates the objects, or replaces them where they exist. */
export async function createOrReplace(kc: KubeConfig, objects: readonly KubeObject[]): Promise<void> {
  for (const o of objects) {
    const res = await rawRequest(kc, 'POST', collectionPath(o), o);
    if (res.status === 409) {
      const current = JSON.parse(await must(kc, 'GET', `${collectionPath(o)}/${o.metadata.name}`)) as KubeObject;
      await must(kc, 'PUT', `${collectionPath(o)}/${o.metadata.name}`, { ...o, metadata: { ...o.metadata, resourceVersion: current.metadata.resourceVersion } });
    } else if (res.status >= 300) {
      throw new Error(`creating ${o.kind} ${o.metadata.name}: HTTP ${res.status}: ${res.body.slice(0, 1500)}`);
    }
  }
}

interface LabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[] | null;
}
interface ClusterRole {
  metadata: { name: string; labels?: Record<string, string>; resourceVersion?: string };
  aggregationRule?: { clusterRoleSelectors?: LabelSelector[] };
  rules?: unknown[] | null;
  [k: string]: unknown;
}

function selects(sel: LabelSelector, labels: Record<string, string> = {}): boolean {
  const byLabels = Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (sel.matchExpressions ?? []).every((e) => {
    const has = Object.hasOwn(labels, e.key);
    if (e.operator === 'Exists') return has;
    if (e.operator === 'DoesNotExist') return !has;
    const inValues = has && (e.values ?? []).includes(labels[e.key]!);
    return e.operator === 'In' ? inValues : !inValues;
  });
  // An empty selector selects every role (metav1.LabelSelectorAsSelector), as there.
  return byLabels && byExpressions;
}

/**
 * What kube-controller-manager's clusterrole-aggregation controller does, once, to a fixed point: each
 * ClusterRole with an `aggregationRule` gets the rules of every other ClusterRole its selectors match,
 * those roles sorted by name, duplicates dropped (`pkg/controller/clusterroleaggregation`). Returns
 * the names of the roles it changed.
 */
export async function aggregateClusterRoles(kc: KubeConfig): Promise<string[]> {
  const path = '/apis/rbac.authorization.k8s.io/v1/clusterroles';
  const roles = (JSON.parse(await must(kc, 'GET', path)) as { items: ClusterRole[] }).items;
  const changed = new Set<string>();
  for (let pass = 0; pass < 10; pass++) {
    let any = false;
    for (const role of roles.filter((r) => r.aggregationRule?.clusterRoleSelectors?.length)) {
      const selectors = role.aggregationRule!.clusterRoleSelectors!;
      const sources = roles
        .filter((r) => r.metadata.name !== role.metadata.name && selectors.some((s) => selects(s, r.metadata.labels)))
        .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
      const rules: unknown[] = [];
      for (const rule of sources.flatMap((r) => r.rules ?? [])) if (!rules.some((x) => isDeepStrictEqual(x, rule))) rules.push(rule);
      if (isDeepStrictEqual(rules, role.rules ?? [])) continue;
      const updated = JSON.parse(await must(kc, 'PUT', `${path}/${role.metadata.name}`, { ...role, rules })) as ClusterRole;
      roles.splice(roles.indexOf(role), 1, updated);
      changed.add(role.metadata.name);
      any = true;
    }
    if (!any) return [...changed].sort();
  }
  throw new Error('ClusterRole aggregation did not settle after 10 passes');
}

export interface KyvernoPolicyLike {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly [k: string]: unknown;
}

export interface PolicyReadiness {
  readonly kind: string;
  readonly name: string;
  /** From the create request to `status.conditionStatus.ready: true` with WebhookConfigured True. */
  readonly readyAfterMs: number;
  readonly conditions: readonly { type: string; status: string; message?: string }[];
}

export interface KyvernoAdmissionOptions {
  /**
   * Leader-election retry period (Kyverno sets lease = 6×, renew deadline = 5×). With Kyverno's 2 s it
   * loses leadership, and exits, when the API server is away longer than 10 s (a restart here took
   * 7.5–8.5 s and was survived); 30 s rides out any restart. @default '30s'
   */
  readonly leaderElectionRetryPeriod?: string;
  /** Log verbosity (`-v`). @default 2 (the chart's) */
  readonly verbosity?: number;
  /** More flags, appended last. */
  readonly args?: readonly string[];
  /** How long to wait for serving and for the webhook configurations. @default 150_000 */
  readonly startTimeoutMs?: number;
}

export interface KyvernoAdmissionFigures {
  /** Installing the CRDs, chart objects and aggregation, before the process starts. */
  readonly installMs: number;
  /** Spawn → `/health/readiness` 200 over TLS verified with Kyverno's own CA. */
  readonly servingAfterMs: number;
  /** Spawn → the startup webhook configurations registered with their caBundle. */
  readonly webhooksAfterMs: number;
}

export interface KyvernoAdmission {
  readonly process: ManagedProcess;
  /** `https://127.0.0.1:<port>`, what the webhook configurations call. */
  readonly url: string;
  /** Kyverno's self-generated CA (PEM), from Secret kyverno/kyverno-svc.kyverno.svc.kyverno-tls-ca. */
  readonly caPem: string;
  readonly figures: KyvernoAdmissionFigures;
  /** Creates the policies (retrying while the policy webhook is not serving yet) and waits until each is Ready. */
  applyPolicies(objects: readonly KyvernoPolicyLike[], opts?: { timeoutMs?: number }): Promise<PolicyReadiness[]>;
  /** Deletes the policies and waits until they are gone. */
  deletePolicies(objects: readonly KyvernoPolicyLike[]): Promise<void>;
  /** Creates or replaces ClusterRoles, then aggregates. Returns the aggregated roles that changed. */
  applyClusterRoles(roles: readonly KubeObject[]): Promise<string[]>;
  /** Deletes ClusterRoles (absent ones are fine), then aggregates. */
  deleteClusterRoles(names: readonly string[]): Promise<string[]>;
  /** Resident set size of the process now (bytes), from /proc. */
  rssBytes(): number;
  /** SIGTERM, SIGKILL after 5 s, then deletes Kyverno's webhook configurations (in `--serverIP` mode it leaves them registered, and the fail-closed policy webhook would then block policy creates). */
  stop(): Promise<void>;
}

function policyPath(p: KyvernoPolicyLike): string {
  return `/apis/${p.apiVersion}/${p.kind.toLowerCase().replace(/y$/, 'ie')}s`;
}

/** Deletes every webhook configuration Kyverno manages. */
export async function deleteKyvernoWebhooks(kc: KubeConfig): Promise<void> {
  for (const kind of ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations']) {
    await must(kc, 'DELETE', `/apis/admissionregistration.k8s.io/v1/${kind}?labelSelector=${encodeURIComponent(WEBHOOK_MANAGED_BY)}`);
  }
}

/**
 * Installs Kyverno as its chart would (see the file comment) and starts the admission controller.
 * The control plane must have been started with `users: [KYVERNO_ADMISSION_USER]`.
 */
export async function startKyvernoAdmission(plane: ControlPlane, options: KyvernoAdmissionOptions = {}): Promise<KyvernoAdmission> {
  const kc = plane.kubeConfig();
  const startTimeoutMs = options.startTimeoutMs ?? 150_000;
  const tInstall = Date.now();
  await installKyverno(kc);
  const installMs = Date.now() - tInstall;

  const kubeconfigPath = join(plane.dir, 'kyverno-admission.kubeconfig.yaml');
  writeFileSync(kubeconfigPath, plane.kubeconfigFor(KYVERNO_ADMISSION_USER.name));
  const port = await freePort();
  const url = `https://127.0.0.1:${port}`;
  const t0 = Date.now();
  const proc = startProcess(
    'kyverno-admission',
    toolPath('kyverno-admission'),
    admissionArgs(kubeconfigPath, port, options),
    join(plane.dir, 'kyverno-admission.log'),
    ADMISSION_ENV,
  );
  const stop = () => stopAdmission(proc, kc);
  try {
    const caPem = await kyvernoCa(kc, proc, startTimeoutMs);
    // Cold-start race: the webhooks are registered before the server has its TLS pair; a policy
    // create in between fails at the fail-closed policy webhook. Readiness means certificates valid.
    await whileAlive(
      proc,
      async () => {
        return (await httpsGet(`${url}/health/readiness`, { ca: caPem }).catch(() => ({ status: 0 }))).status === 200;
      },
      { timeoutMs: startTimeoutMs, intervalMs: 250, what: `Kyverno /health/readiness on ${url} (log: ${proc.logFile})` },
    );
    const servingAfterMs = Date.now() - t0;
    await startupWebhooksRegistered(kc, proc, url, startTimeoutMs);
    const webhooksAfterMs = Date.now() - t0;
    return {
      process: proc,
      url,
      caPem,
      figures: { installMs, servingAfterMs, webhooksAfterMs },
      applyPolicies: (objects, opts = {}) => applyPolicies(kc, proc, objects, opts.timeoutMs ?? 60_000),
      deletePolicies: (objects) => deletePolicies(kc, objects),
      async applyClusterRoles(roles) {
        await createOrReplace(kc, roles);
        return aggregateClusterRoles(kc);
      },
      async deleteClusterRoles(names) {
        for (const n of names) await must(kc, 'DELETE', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${n}`, undefined, [404]);
        return aggregateClusterRoles(kc);
      },
      rssBytes: () => rssBytesOf(proc.child.pid),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The release's CRDs, then the chart's objects, then ClusterRole aggregation: what a Helm install leaves. */
async function installKyverno(kc: KubeConfig): Promise<void> {
  await installCrds(kc, kyvernoCrdDirs());
  const chart = kyvernoChartObjects();
  // Namespace first, then the rest in the render's order.
  await createOrReplace(kc, [...chart.filter((o) => o.kind === 'Namespace'), ...chart.filter((o) => o.kind !== 'Namespace')]);
  await aggregateClusterRoles(kc);
}

function admissionArgs(kubeconfigPath: string, port: number, options: KyvernoAdmissionOptions): string[] {
  return [
    `--kubeconfig=${kubeconfigPath}`,
    // Webhook URLs (https://<serverIP><path>) and the serving cert's IP SAN; no Service or Deployment needed.
    `--serverIP=127.0.0.1:${port}`,
    '--webhookServerHost=127.0.0.1',
    `--webhookServerPort=${port}`,
    `--caSecretName=${CA_SECRET}`,
    `--tlsSecretName=${TLS_SECRET}`,
    // As the chart passes them:
    '--tlsKeyAlgorithm=RSA',
    `--backgroundServiceAccountName=system:serviceaccount:${KYVERNO_NAMESPACE}:kyverno-background-controller`,
    `--reportsServiceAccountName=system:serviceaccount:${KYVERNO_NAMESPACE}:kyverno-reports-controller`,
    '--omitEvents=PolicyApplied,PolicySkipped',
    '--enablePolicyException=false',
    '--loggingFormat=text',
    '--disableLogColor',
    // Local differences: no metrics servers, no admission reports (no reports controller runs),
    // no GOMEMLIMIT from the machine's memory.
    '--admissionReports=false',
    '--disableMetrics=true',
    '--metricsPort=0',
    '--controllerRuntimeMetricsAddress=0',
    '--autoMemLimitEnabled=false',
    `--leaderElectionRetryPeriod=${options.leaderElectionRetryPeriod ?? '30s'}`,
    `-v=${options.verbosity ?? 2}`,
    ...(options.args ?? []),
  ];
}

const ADMISSION_ENV = {
  KYVERNO_NAMESPACE,
  KYVERNO_SERVICEACCOUNT_NAME: SERVICE_ACCOUNT,
  KYVERNO_ROLE_NAME: 'kyverno:admission-controller',
  KYVERNO_DEPLOYMENT: 'kyverno-admission-controller',
  KYVERNO_POD_NAME: 'kyverno-admission-controller-local',
  KYVERNO_SVC: 'kyverno-svc',
  INIT_CONFIG: 'kyverno',
  METRICS_CONFIG: 'kyverno-metrics',
};

/** `until`, but failing at once when the process has exited (until would retry to its timeout). */
async function whileAlive<T>(proc: ManagedProcess, check: () => Promise<T | undefined | false>, opts: UntilOptions): Promise<T> {
  type Outcome = { readonly exited: string } | { readonly value: T };
  const outcome = await until(async (): Promise<Outcome | undefined> => {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) return { exited: String(proc.child.exitCode ?? proc.child.signalCode) };
    const v = await check();
    return v === undefined || v === false ? undefined : { value: v };
  }, opts);
  if ('exited' in outcome) throw new Error(`kyverno-admission exited (${outcome.exited}) while waiting for ${opts.what}:\n${proc.tail(40)}`);
  return outcome.value;
}

async function stopAdmission(proc: ManagedProcess, kc: KubeConfig): Promise<void> {
  await proc.stop(5_000);
  try {
    await deleteKyvernoWebhooks(kc);
  } catch (e) {
    // The control plane may already be gone; then nothing can be blocked by the webhooks either.
    if (!/ECONNREFUSED|ECONNRESET|socket hang up/.test(String(e))) throw e;
  }
}

/** Kyverno's self-generated CA (PEM), once it has written its CA Secret. */
function kyvernoCa(kc: KubeConfig, proc: ManagedProcess, timeoutMs: number): Promise<string> {
  return whileAlive(
    proc,
    async () => {
      const res = await rawRequest(kc, 'GET', `/api/v1/namespaces/${KYVERNO_NAMESPACE}/secrets/${CA_SECRET}`);
      if (res.status !== 200) return undefined;
      const data = (JSON.parse(res.body) as { data?: Record<string, string> }).data ?? {};
      const pem = data['tls.crt'] ?? data['rootCA.crt'];
      return pem ? Buffer.from(pem, 'base64').toString() : undefined;
    },
    { timeoutMs, intervalMs: 250, what: `Kyverno's CA Secret ${CA_SECRET} (log: ${proc.logFile})` },
  );
}

/** Waits until the STARTUP_WEBHOOKS are registered with Kyverno's CA and point at `url`. */
async function startupWebhooksRegistered(kc: KubeConfig, proc: ManagedProcess, url: string, timeoutMs: number): Promise<void> {
  await whileAlive(
    proc,
    async () => {
      for (const [kind, names] of [
        ['validatingwebhookconfigurations', STARTUP_WEBHOOKS.validating],
        ['mutatingwebhookconfigurations', STARTUP_WEBHOOKS.mutating],
      ] as const) {
        const list = JSON.parse(await must(kc, 'GET', `/apis/admissionregistration.k8s.io/v1/${kind}?labelSelector=${encodeURIComponent(WEBHOOK_MANAGED_BY)}`)) as {
          items: { metadata: { name: string }; webhooks?: { clientConfig: { caBundle?: string; url?: string } }[] }[];
        };
        for (const name of names) {
          const cfg = list.items.find((i) => i.metadata.name === name);
          if (!cfg) return false;
          // Registered with Kyverno's CA and pointing at this process.
          if ((cfg.webhooks ?? []).some((w) => !w.clientConfig.caBundle || !w.clientConfig.url?.startsWith(url))) return false;
        }
      }
      return true;
    },
    { timeoutMs, intervalMs: 250, what: `Kyverno's webhook configurations (log: ${proc.logFile})` },
  );
}

async function readPolicy(kc: KubeConfig, p: KyvernoPolicyLike) {
  return JSON.parse(await must(kc, 'GET', `${policyPath(p)}/${p.metadata.name}`)) as {
    status?: { conditionStatus?: { ready?: boolean; conditions?: PolicyReadiness['conditions'] } };
  };
}

/** KyvernoAdmission.applyPolicies: creates every policy, then waits for each to be Ready. */
async function applyPolicies(kc: KubeConfig, proc: ManagedProcess, objects: readonly KyvernoPolicyLike[], timeoutMs: number): Promise<PolicyReadiness[]> {
  const created = new Map<string, number>();
  for (const p of objects) created.set(`${p.kind}/${p.metadata.name}`, await createPolicy(kc, proc, p));
  const results: PolicyReadiness[] = [];
  for (const p of objects) {
    const conditions = await policyReady(kc, proc, p, timeoutMs);
    results.push({ kind: p.kind, name: p.metadata.name, readyAfterMs: Date.now() - created.get(`${p.kind}/${p.metadata.name}`)!, conditions });
  }
  return results;
}

/** Creates the policy, retrying while the policy webhook cannot answer; returns Date.now() from before the first try. */
async function createPolicy(kc: KubeConfig, proc: ManagedProcess, p: KyvernoPolicyLike): Promise<number> {
  const start = Date.now();
  const res = await whileAlive(
    proc,
    async () => {
      const r = await rawRequest(kc, 'POST', policyPath(p), p);
      // The policy webhook fails closed: while Kyverno cannot answer, creates fail calling it; retry those.
      if (r.status === 500 && /failed calling webhook/.test(r.body)) throw new Error(r.body.slice(0, 500));
      return r;
    },
    { timeoutMs: 30_000, intervalMs: 250, what: `creating ${p.kind} ${p.metadata.name}` },
  );
  if (res.status >= 300) throw new Error(`creating ${p.kind} ${p.metadata.name}: HTTP ${res.status}: ${res.body.slice(0, 1500)}`);
  return start;
}

/** Waits until the policy is Ready with its webhook configured; returns its conditions then. */
async function policyReady(kc: KubeConfig, proc: ManagedProcess, p: KyvernoPolicyLike, timeoutMs: number): Promise<PolicyReadiness['conditions']> {
  let last: PolicyReadiness['conditions'] = [];
  await whileAlive(
    proc,
    async () => {
      const cs = (await readPolicy(kc, p)).status?.conditionStatus;
      last = cs?.conditions ?? [];
      // `ready` is the AND of the conditions present; WebhookConfigured appears only once the webhook controller has registered the policy.
      return cs?.ready === true && last.some((c) => c.type === 'WebhookConfigured' && c.status === 'True');
    },
    { timeoutMs, intervalMs: 100, what: `${p.kind} ${p.metadata.name} Ready (conditions: ${JSON.stringify(last)}; log: ${proc.logFile})` },
  ).catch((e: Error) => {
    throw new Error(`${e.message}; last conditions: ${JSON.stringify(last)}`);
  });
  return last;
}

/** KyvernoAdmission.deletePolicies: deletes them all, then waits for each to be gone. */
async function deletePolicies(kc: KubeConfig, objects: readonly KyvernoPolicyLike[]): Promise<void> {
  for (const p of objects) await must(kc, 'DELETE', `${policyPath(p)}/${p.metadata.name}`, undefined, [404]);
  for (const p of objects) {
    await until(async () => (await rawRequest(kc, 'GET', `${policyPath(p)}/${p.metadata.name}`)).status === 404, {
      timeoutMs: 30_000,
      what: `${p.kind} ${p.metadata.name} deleted`,
    });
  }
}

/** Resident set size (bytes) of process `pid` now, from /proc. */
function rssBytesOf(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!kb) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb[1]) * 1024;
}
