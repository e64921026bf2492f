/**
 * A write the API server refuses is never silent. The controller runs in-process against a real
 * kube-apiserver with exactly the RBAC the generator emits; the test then takes a verb away from its
 * ClusterRole, as an operator's mistake or a half-applied Argo CD sync would, and reads what the
 * controller logged (its pino lines) and counted (its Prometheus exposition). Given the verb back,
 * the same process recovers on its own: the retry with backoff picks the work up, no restart.
 */
import { join } from 'node:path';
import { AuthorizationV1Api, KubeConfig, RbacAuthorizationV1Api, type V1ClusterRole, type V1PolicyRule } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { HOSTNAME_LABEL, machineTypeLabelKey } from '../../compatibility/labelKeys.js';
import { MIGRATION_CONTROLLER_NAME } from '../../generators/migrationController.js';
import { matrixDocument } from '../../compatibility/matrixDocument.js';
import { type ControlPlane, startControlPlane } from '../../testbed/harness/controlPlane.js';
import { createTestNamespace } from '../../testbed/harness/namespaces.js';
import { sharedDir } from '../../testbed/harness/toolPaths.js';
import { until } from '../../testbed/harness/until.js';
import { KubevirtStandIn } from '../../testbed/support/kubevirtStandIn.js';
import { poolNamed, poolNodeLabels, SELECTOR_MISMATCH_MESSAGE, UPGRADE_CLUSTER } from '../../testbed/support/syntheticMigrationObjects.js';
import { createLogger } from '../runtime/logger.js';
import { type MigrationController, startMigrationController } from './controller.js';
import { DEFAULT_LEASE_NAME } from './settings.js';
import { applyControllerRbac } from '../../testbed/support/controllerRbac.js';

const CONTROLLER_NS = 'kvfleet-system';
const SERVICE_ACCOUNT = `system:serviceaccount:${CONTROLLER_NS}:${MIGRATION_CONTROLLER_NAME}`;
const SA_GROUPS = ['system:serviceaccounts', `system:serviceaccounts:${CONTROLLER_NS}`];
const MACHINE_TYPE = 'pc-q35-rhel8.6.0';
const NODES = [
  { name: 'stay-1', pool: 'rhel96-staying' },
  { name: 'stay-2', pool: 'rhel96-staying' },
  { name: 'up-1', pool: 'rhel9-upgrading' },
  { name: 'r10-1', pool: 'rhel10' },
];
const compatibleNodes = NODES.filter((n) => machineTypeLabelKey(MACHINE_TYPE)! in poolNodeLabels(poolNamed(n.pool))).map((n) => n.name);

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

let plane: ControlPlane;
let admin: KubeConfig;
let rbac: RbacAuthorizationV1Api;
let kubevirt: KubevirtStandIn;
let generatedRules: V1PolicyRule[];
let controller: MigrationController | undefined;
const lines: LogLine[] = [];

beforeAll(async () => {
  plane = await startControlPlane({ crds: [join(sharedDir, 'crds', 'kubevirt')], users: [{ name: SERVICE_ACCOUNT, groups: SA_GROUPS }] });
  admin = plane.kubeConfig();
  rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  kubevirt = new KubevirtStandIn(admin);
  // The generated RBAC, applied as Argo CD would: the controller gets nothing else.
  await applyControllerRbac(admin, UPGRADE_CLUSTER, CONTROLLER_NS);
  generatedRules = (await rbac.readClusterRole({ name: MIGRATION_CONTROLLER_NAME })).rules ?? [];
  for (const n of NODES) await kubevirt.createNode({ name: n.name, labels: poolNodeLabels(poolNamed(n.pool)) });

  const kc = new KubeConfig();
  kc.loadFromString(plane.kubeconfigFor(SERVICE_ACCOUNT));
  controller = await startMigrationController({
    kubeConfig: kc,
    settings: {
      migration: { fallbackAttempts: 3, attemptWindowSeconds: 3600, backoffBaseSeconds: 0.2, fallbackUnschedulableTimeoutSeconds: 45, finishedMigrationTtlSeconds: 3600 },
      scheduling: { pinMode: 'addedNodeSelector', machineTypeLabeller: 'kvfleet' },
      kubeOvn: false,
      namespace: CONTROLLER_NS,
      leaseName: DEFAULT_LEASE_NAME,
      identity: 'replica-a',
      leaseDurationMs: 4_000,
      renewDeadlineMs: 3_000,
      retryPeriodMs: 300,
      workers: 2,
    },
    matrix: matrixDocument(UPGRADE_CLUSTER),
    // What the pod would write to stdout, one JSON object a line, kept for the assertions.
    logger: createLogger('migration-controller', 'info', { write: (line: string) => lines.push(JSON.parse(line) as LogLine) }),
  });
  await until(() => controller!.isLeader() && controller!.isReady(), { timeoutMs: 20_000, what: 'the controller leading with synced caches' });
});

afterEach(async () => {
  // Whatever a test took away, the next one starts from the generated RBAC.
  await setVerbs('virtualmachineinstancemigrations', verbsOf('virtualmachineinstancemigrations'));
  await setVerbs('events', verbsOf('events'));
});

afterAll(async () => {
  await controller?.stop();
  await plane?.stop();
});

function verbsOf(resource: string): string[] {
  return generatedRules.find((r) => r.resources?.includes(resource))?.verbs ?? [];
}

/**
 * Gives the ClusterRole rule that covers `resource` these verbs (no verbs: no rule, as the API
 * demands), then waits until RBAC answers accordingly.
 */
async function setVerbs(resource: string, verbs: string[]): Promise<void> {
  const rule = generatedRules.find((r) => r.resources?.includes(resource))!;
  const role: V1ClusterRole = await rbac.readClusterRole({ name: MIGRATION_CONTROLLER_NAME });
  const others = (role.rules ?? []).filter((r) => !r.resources?.includes(resource));
  role.rules = verbs.length > 0 ? [...others, { ...rule, verbs }] : others;
  await rbac.replaceClusterRole({ name: MIGRATION_CONTROLLER_NAME, body: role });
  const allowed = verbs.includes('create');
  await until(async () => (await canCreate(rule.apiGroups?.[0] ?? '', resource)) === allowed, { what: `create on ${resource} ${allowed ? 'granted' : 'revoked'}` });
}

async function canCreate(group: string, resource: string): Promise<boolean> {
  const review = await admin.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
    body: { spec: { user: SERVICE_ACCOUNT, groups: SA_GROUPS, resourceAttributes: { group, resource, verb: 'create', namespace: 'default' } } },
  });
  return review.status?.allowed === true;
}

/** One sample of the controller's /metrics exposition, as Prometheus would scrape it. */
async function scraped(name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await controller!.metrics.registry.metrics();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .filter((l) => wanted.every((w) => l.includes(w)))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

const logged = (msg: string, match: Record<string, unknown> = {}) => lines.filter((l) => l.msg === msg && Object.entries(match).every(([k, v]) => l[k] === v));

/** A running VMI on stay-1 whose user migration fails unschedulable: a fixable failure. */
async function failedMigration(ns: string): Promise<void> {
  await kubevirt.createVmi({ name: 'vm-1', namespace: ns, nodeName: 'stay-1', machineType: MACHINE_TYPE, liveMigratable: true });
  const vmim = await kubevirt.createVmim(ns, 'user-mig', 'vm-1');
  await kubevirt.failUnschedulable(vmim, SELECTOR_MISMATCH_MESSAGE);
}

test('a forbidden fallback create is logged with the API server’s words and counted on every attempt; restoring the RBAC lets the retry create it, without a restart', async () => {
  const ns = await createTestNamespace(admin, 'mc-forbidden');
  const vmiKey = `${ns}/vm-1`;
  const fallbacksBefore = await scraped('kvfleet_migration_fallbacks_total');
  await setVerbs(
    'virtualmachineinstancemigrations',
    verbsOf('virtualmachineinstancemigrations').filter((v) => v !== 'create'),
  );

  await failedMigration(ns);
  // Two failed attempts at least: the first, and a retry after its backoff.
  await until(async () => (await scraped('kvfleet_reconcile_errors_total', { reason: 'vmim-create' })) >= 2, {
    timeoutMs: 20_000,
    what: 'two forbidden creates counted',
  });
  expect(await kubevirt.fallbacks(ns)).toEqual([]);

  const failures = logged('reconcile failed; retrying with backoff', { vmi: vmiKey });
  expect(failures.length).toBeGreaterThanOrEqual(2);
  expect(failures[0]).toMatchObject({ level: 40, reason: 'vmim-create', result: 'error', status: 403, apiReason: 'Forbidden', attempt: 1 });
  // The API server's own message, naming the identity and the verb it lacks.
  expect(failures[0]!.err).toMatch(
    /^creating fallback \S+: HTTP 403 Forbidden: virtualmachineinstancemigrations\.kubevirt\.io "?\S*"? ?is forbidden: User "system:serviceaccount:kvfleet-system:kvfleet-migration-controller" cannot create resource "virtualmachineinstancemigrations"/,
  );
  // Each retry waits longer than the one before.
  const waits = failures.map((l) => l.retryInMs as number);
  expect(waits).toEqual([...waits].sort((a, b) => a - b));
  expect(waits[1]!).toBeGreaterThan(waits[0]!);
  // Counted as it was logged: one error per attempt, each a reconcile with result="error".
  const errorsNow = await scraped('kvfleet_reconcile_errors_total', { reason: 'vmim-create' });
  expect(errorsNow).toBeGreaterThanOrEqual(failures.length);
  expect(await scraped('kvfleet_reconciles_total', { result: 'error' })).toBeGreaterThanOrEqual(failures.length);

  await setVerbs('virtualmachineinstancemigrations', verbsOf('virtualmachineinstancemigrations'));
  const fallback = await until(
    async () => {
      const f = await kubevirt.fallbacks(ns);
      return f.length > 0 && f;
    },
    { timeoutMs: 30_000, what: 'the fallback created by a retry after the RBAC came back' },
  );
  expect(fallback).toHaveLength(1);
  expect(fallback[0]!.spec.vmiName).toBe('vm-1');
  expect(compatibleNodes.filter((n) => n !== 'stay-1')).toContain(fallback[0]!.spec.addedNodeSelector?.[HOSTNAME_LABEL]);
  await controller!.whenIdle();
  expect(logged('created fallback migration', { namespace: ns, vmi: 'vm-1' })).toHaveLength(1);
  expect(await scraped('kvfleet_migration_fallbacks_total')).toBe(fallbacksBefore + 1);
  expect(controller!.isLeader() && controller!.isHealthy()).toBe(true); // the same process, never restarted
  // Retries stop once the write went through.
  const errorsAfter = await scraped('kvfleet_reconcile_errors_total', { reason: 'vmim-create' });
  await new Promise((r) => setTimeout(r, 1_500));
  expect(await scraped('kvfleet_reconcile_errors_total', { reason: 'vmim-create' })).toBe(errorsAfter);
  await kubevirt.purge(ns);
});

test('an Event the API server refuses is logged and counted as dropped; the fallback itself still happens', async () => {
  const ns = await createTestNamespace(admin, 'mc-noevents');
  await setVerbs('events', []);

  await failedMigration(ns);
  await until(async () => (await kubevirt.fallbacks(ns)).length === 1, { timeoutMs: 20_000, what: 'the fallback' });
  await until(async () => (await scraped('kvfleet_events_dropped_total', { reason: 'api-error' })) >= 1, { what: 'the refused Event counted' });
  const dropped = logged('could not record event; dropped', { namespace: ns, event: 'MigrationFallbackCreated' });
  expect(dropped).toHaveLength(1);
  expect(dropped[0]).toMatchObject({ level: 40, dropReason: 'api-error' });
  expect(dropped[0]!.err).toMatch(
    /^HTTP 403 Forbidden: events is forbidden: User "system:serviceaccount:kvfleet-system:kvfleet-migration-controller" cannot create resource "events"/,
  );
  expect(await kubevirt.events(ns, 'MigrationFallbackCreated')).toEqual([]);
  await kubevirt.purge(ns);
});
