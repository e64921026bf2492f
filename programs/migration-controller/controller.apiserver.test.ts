/**
 * The controller against a real kube-apiserver with the shared KubeVirt CRDs. The test plays
 * KubeVirt (testbed/support/kubevirtStandIn.ts); the controller runs in-process with its ServiceAccount's identity
 * and exactly the RBAC the generator emits, so every call it makes is proven allowed.
 */
import { join } from 'node:path';
import { CoordinationV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { HOSTNAME_LABEL, machineTypeLabelKey } from '../../compatibility/labelKeys.js';
import { matrixDocument } from '../../compatibility/matrixDocument.js';
import { startControlPlane, type ControlPlane } from '../../testbed/harness/controlPlane.js';
import { createTestNamespace } from '../../testbed/harness/namespaces.js';
import { sharedDir } from '../../testbed/harness/toolPaths.js';
import { until } from '../../testbed/harness/until.js';
import { createLogger } from '../runtime/logger.js';
import { startMigrationControllerForTest, type TestMigrationController } from './controllerForTest.js';
import { type WriteHooks } from './controllerWrites.js';
import { KubevirtStandIn, type RawVmim } from '../../testbed/support/kubevirtStandIn.js';
import { type MigrationMetrics } from './metrics.js';
import { type ControllerMigrationSettings, type ControllerSettings, DEFAULT_LEASE_NAME } from './settings.js';
import { poolNamed, poolNodeLabels, SELECTOR_MISMATCH_MESSAGE, UPGRADE_CLUSTER } from '../../testbed/support/syntheticMigrationObjects.js';
import { applyControllerRbac } from '../../testbed/support/controllerRbac.js';

const CONTROLLER_NS = 'kvfleet-system';
const SERVICE_ACCOUNT = `system:serviceaccount:${CONTROLLER_NS}:kvfleet-migration-controller`;
const MACHINE_TYPE = 'pc-q35-rhel8.6.0';
/** Runs only on the RHEL 9.6 pools: the RHEL 10 node can never take these VMs. */
const NODES = [
  { name: 'stay-1', pool: 'rhel96-staying' },
  { name: 'stay-2', pool: 'rhel96-staying' },
  { name: 'stay-3', pool: 'rhel96-staying' },
  { name: 'up-1', pool: 'rhel9-upgrading' },
  { name: 'r10-1', pool: 'rhel10' },
];
const compatibleNodes = NODES.filter((n) => machineTypeLabelKey(MACHINE_TYPE)! in poolNodeLabels(poolNamed(n.pool))).map((n) => n.name);

let plane: ControlPlane;
let admin: KubeConfig;
let kubevirt: KubevirtStandIn;
const running: TestMigrationController[] = [];

beforeAll(async () => {
  plane = await startControlPlane({
    crds: [join(sharedDir, 'crds', 'kubevirt')],
    users: [{ name: SERVICE_ACCOUNT, groups: ['system:serviceaccounts', `system:serviceaccounts:${CONTROLLER_NS}`] }],
  });
  admin = plane.kubeConfig();
  kubevirt = new KubevirtStandIn(admin);
  // The generated RBAC, applied as Argo CD would: the controller gets nothing else.
  await applyControllerRbac(admin, UPGRADE_CLUSTER, CONTROLLER_NS);
  for (const n of NODES) await kubevirt.createNode({ name: n.name, labels: poolNodeLabels(poolNamed(n.pool)) });
});

const namespaces: string[] = [];
async function newNamespace(prefix: string): Promise<string> {
  const ns = await createTestNamespace(admin, prefix);
  namespaces.push(ns);
  return ns;
}

afterEach(async () => {
  for (const c of running.splice(0)) await c.stop();
  // The controller watches every namespace: leave nothing for the next test's controller to act on.
  for (const ns of namespaces.splice(0)) await kubevirt.purge(ns);
});

afterAll(async () => plane?.stop());

function settings(identity: string, migration: Partial<ControllerMigrationSettings> = {}, over: Partial<ControllerSettings> = {}): ControllerSettings {
  return {
    migration: {
      fallbackAttempts: 3,
      attemptWindowSeconds: 3600,
      backoffBaseSeconds: 0.2,
      fallbackUnschedulableTimeoutSeconds: 45,
      finishedMigrationTtlSeconds: 3600,
      ...migration,
    },
    scheduling: { pinMode: 'addedNodeSelector', machineTypeLabeller: 'kvfleet' },
    kubeOvn: false,
    namespace: CONTROLLER_NS,
    leaseName: DEFAULT_LEASE_NAME,
    identity,
    // Short, but with room for a 2-core machine that is also compiling: a renewal that misses its
    // deadline costs the Lease (and these tests their leader).
    leaseDurationMs: 4_000,
    renewDeadlineMs: 3_000,
    retryPeriodMs: 300,
    workers: 2,
    ...over,
  };
}

async function start(identity: string, migration: Partial<ControllerMigrationSettings> = {}, over: Partial<ControllerSettings> = {}, hooks?: WriteHooks) {
  const kc = new KubeConfig();
  kc.loadFromString(plane.kubeconfigFor(SERVICE_ACCOUNT));
  const c = await startMigrationControllerForTest({
    kubeConfig: kc,
    settings: settings(identity, migration, over),
    matrix: matrixDocument(UPGRADE_CLUSTER),
    logger: createLogger(`migration-controller/${identity}`, process.env.LOG_LEVEL ?? 'silent'),
    ...(hooks ? { hooks } : {}),
  });
  running.push(c);
  return c;
}

async function leading(c: TestMigrationController): Promise<void> {
  await until(() => c.isLeader() && c.isReady(), { timeoutMs: 20_000, what: `${c.identity} leading with synced caches` });
}

async function counter(m: MigrationMetrics, name: keyof MigrationMetrics, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await (m[name] as { get(): Promise<{ values: { value: number; labels: Record<string, unknown> }[] }> }).get()).values;
  return metric.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((s, v) => s + v.value, 0);
}

/** A running VMI on stay-1 and a user's VMIM for it, moved to Scheduling. */
async function migrationInScheduling(ns: string, vmiName = 'vm-1', migrationName = 'user-mig') {
  await kubevirt.createVmi({ name: vmiName, namespace: ns, nodeName: 'stay-1', machineType: MACHINE_TYPE, liveMigratable: true });
  await kubevirt.createVmim(ns, migrationName, vmiName);
  await kubevirt.setPhase(ns, migrationName, 'Pending');
  await kubevirt.setPhase(ns, migrationName, 'Scheduling');
  return kubevirt.getVmim(ns, migrationName);
}

async function onlyFallback(ns: string): Promise<RawVmim> {
  const fallbacks = await until(
    async () => {
      const f = await kubevirt.fallbacks(ns);
      return f.length > 0 && f;
    },
    { timeoutMs: 20_000, what: `a fallback VMIM in ${ns}` },
  );
  expect(fallbacks).toHaveLength(1);
  return fallbacks[0]!;
}

const pinnedNode = (vmim: RawVmim) => vmim.spec.addedNodeSelector?.[HOSTNAME_LABEL];

describe('fallbacks', () => {
  test('an unschedulable target leads to exactly one fallback VMIM pinned to a compatible node', async () => {
    const ns = await newNamespace('mc-unsched');
    const c = await start('replica-a');
    await leading(c);
    const vmim = await migrationInScheduling(ns);
    await kubevirt.createTargetPod(vmim, { unschedulable: SELECTOR_MISMATCH_MESSAGE });
    // Seen while the target is still pending, before KubeVirt's own timeout.
    await until(async () => (await counter(c.metrics, 'targetUnschedulable')) === 1, { what: 'the unschedulable target observed' });
    await kubevirt.setPhase(ns, 'user-mig', 'Failed');

    const fallback = await onlyFallback(ns);
    expect(fallback.spec.vmiName).toBe('vm-1');
    expect(compatibleNodes).toContain(pinnedNode(fallback));
    expect(pinnedNode(fallback)).not.toBe('stay-1'); // the source
    expect(fallback.metadata?.labels).toMatchObject({ 'kvfleet.io/fallback-of': 'user-mig', 'kvfleet.io/attempt': '1', 'kvfleet.io/vmi': 'vm-1' });
    expect(fallback.metadata?.annotations?.['kubevirt.io/migrationUnschedulablePodTimeoutSeconds']).toBe('45');

    // More events for the same VMI change nothing.
    await kubevirt.setPhase(ns, 'user-mig', 'Failed', { conditions: [] });
    await c.whenIdle();
    expect(await kubevirt.fallbacks(ns)).toHaveLength(1);
    const events = await until(
      async () => {
        const e = await kubevirt.events(ns, 'MigrationFallbackCreated');
        return e.length > 0 && e;
      },
      { what: 'the fallback Event on the VMI' },
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.involvedObject.kind).toBe('VirtualMachineInstance');
    expect(events[0]!.message).toContain(pinnedNode(fallback)!);
    expect(await counter(c.metrics, 'fallbacks', { reason: 'TargetUnschedulable' })).toBe(1);
    expect(await counter(c.metrics, 'machineTypeRejections', { machine_type: MACHINE_TYPE, reason: 'target-unschedulable' })).toBe(1);
  });

  test('a user abort leads to none', async () => {
    const ns = await newNamespace('mc-abort');
    const c = await start('replica-a');
    await leading(c);
    await kubevirt.createVmi({ name: 'vm-1', namespace: ns, nodeName: 'stay-1', machineType: MACHINE_TYPE, liveMigratable: true });
    // KubeVirt's finalizer keeps a cancelled VMIM around until it has recorded the abort.
    const vmim = await kubevirt.createVmim(ns, 'user-mig', 'vm-1', { finalizers: ['kubevirt.io/migrationJobFinalize'] });
    await kubevirt.setPhase(ns, 'user-mig', 'Scheduling');
    await kubevirt.createTargetPod(vmim, { unschedulable: SELECTOR_MISMATCH_MESSAGE });
    await kubevirt.custom.deleteNamespacedCustomObject({
      group: 'kubevirt.io',
      version: 'v1',
      plural: 'virtualmachineinstancemigrations',
      namespace: ns,
      name: 'user-mig',
    });
    await kubevirt.setPhase(ns, 'user-mig', 'Failed', { conditions: [{ type: 'migrationAbortRequested', status: 'True' }] });

    await until(async () => (await counter(c.metrics, 'failures', { reason: 'AbortedByUser' })) === 1, { what: 'the abort judged' });
    await c.whenIdle();
    expect(await kubevirt.fallbacks(ns)).toEqual([]);
    await kubevirt.custom.patchNamespacedCustomObject(
      { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachineinstancemigrations', namespace: ns, name: 'user-mig', body: { metadata: { finalizers: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  });

  test('attempts stop at the limit, each on a node not tried before', async () => {
    const ns = await newNamespace('mc-limit');
    const c = await start('replica-a', { fallbackAttempts: 2 });
    await leading(c);
    const vmim = await migrationInScheduling(ns);
    await kubevirt.failUnschedulable({ ...vmim, status: { phase: 'Scheduling' } }, SELECTOR_MISMATCH_MESSAGE);

    for (let attempt = 1; attempt <= 2; attempt++) {
      const fallback = await until(async () => (await kubevirt.fallbacks(ns)).find((f) => f.metadata?.labels?.['kvfleet.io/attempt'] === String(attempt)), {
        timeoutMs: 20_000,
        what: `fallback attempt ${attempt}`,
      });
      // The pinned node turns out unschedulable too (KubeVirt's short timeout expires).
      await kubevirt.failUnschedulable(fallback, `0/5 nodes are available: 1 Insufficient memory.`);
    }
    await until(async () => (await counter(c.metrics, 'failures', { reason: 'AttemptsExhausted' })) === 1, { timeoutMs: 20_000, what: 'attempts exhausted' });
    await c.whenIdle();
    const fallbacks = await kubevirt.fallbacks(ns);
    expect(fallbacks.map((f) => f.metadata?.labels?.['kvfleet.io/attempt'])).toEqual(['1', '2']);
    const pinned = fallbacks.map(pinnedNode);
    expect(new Set(pinned).size).toBe(2);
    for (const node of pinned) expect(compatibleNodes.filter((n) => n !== 'stay-1')).toContain(node);
    // The second one retries the first.
    expect(fallbacks[1]!.metadata?.labels?.['kvfleet.io/fallback-of']).toBe(fallbacks[0]!.metadata?.name);
    expect(await kubevirt.events(ns, 'MigrationFallbackExhausted')).toHaveLength(1);
  });

  test('no compatible node: a Warning Event names the machine type and the pools that could host it', async () => {
    const ns = await newNamespace('mc-notarget');
    const c = await start('replica-a');
    await leading(c);
    // RHEL 10.0's own type: only the RHEL 10 pool runs it, and its one node is the source.
    await kubevirt.createVmi({ name: 'vm-10', namespace: ns, nodeName: 'r10-1', machineType: 'pc-q35-rhel10.0.0', liveMigratable: true });
    const vmim = await kubevirt.createVmim(ns, 'user-mig', 'vm-10');
    await kubevirt.failUnschedulable(vmim, SELECTOR_MISMATCH_MESSAGE);
    const events = await until(
      async () => {
        const e = await kubevirt.events(ns, 'NoCompatibleMigrationTarget');
        return e.length > 0 && e;
      },
      { what: 'the NoCompatibleMigrationTarget Event' },
    );
    expect(events[0]!.type).toBe('Warning');
    expect(events[0]!.message).toContain('pc-q35-rhel10.0.0');
    expect(events[0]!.message).toContain('pools that can host it: rhel10');
    expect(await kubevirt.fallbacks(ns)).toEqual([]);
  });
});

describe('restarts and failures', () => {
  test.each(['before', 'after'] as const)('a controller killed just %s creating a fallback is replaced without a duplicate', async (when) => {
    const ns = await newNamespace(`mc-kill-${when}`);
    let killed: Promise<void> | undefined;
    const kill = (w: { kind: string; verb: string }) => {
      // Not awaited: a killed process does not finish its reconcile, it just stops.
      if (w.kind === 'VirtualMachineInstanceMigration' && w.verb === 'create' && !killed) killed = first.abandon();
    };
    const hooks: WriteHooks = when === 'before' ? { beforeWrite: kill } : { afterWrite: kill };
    const first = await start('replica-a', {}, {}, hooks);
    await leading(first);
    const vmim = await migrationInScheduling(ns);
    await kubevirt.failUnschedulable(vmim, SELECTOR_MISMATCH_MESSAGE);
    await until(() => killed !== undefined, { what: 'the first controller killed mid-fallback' });
    await killed;

    // A new process: fresh caches, and it must wait out the Lease the killed one still holds.
    const second = await start('replica-b');
    await leading(second);
    const fallback = await onlyFallback(ns);
    await second.whenIdle();
    expect(await kubevirt.fallbacks(ns)).toHaveLength(1);

    // The new leader carries on from there: the fallback fails too, and gets exactly one successor.
    await kubevirt.failUnschedulable(fallback, SELECTOR_MISMATCH_MESSAGE);
    await until(async () => (await kubevirt.fallbacks(ns)).length === 2, { timeoutMs: 20_000, what: 'the second fallback' });
    await second.whenIdle();
    expect((await kubevirt.fallbacks(ns)).map((f) => f.metadata?.labels?.['kvfleet.io/attempt'])).toEqual(['1', '2']);
  });

  test('a restart of the API server during a migration loses nothing', async () => {
    const ns = await newNamespace('mc-apirestart');
    const c = await start('replica-a');
    await leading(c);
    const vmim = await migrationInScheduling(ns);
    await kubevirt.createTargetPod(vmim, { unschedulable: SELECTOR_MISMATCH_MESSAGE });
    await until(async () => (await counter(c.metrics, 'targetUnschedulable')) === 1, { what: 'the unschedulable target observed' });
    const restartsBefore = await counter(c.metrics, 'watchRestarts');

    await plane.restartApiServer();
    // Written while the controller's watches are still down or backing off.
    await kubevirt.setPhase(ns, 'user-mig', 'Failed');
    await kubevirt.createVmi({ name: 'vm-2', namespace: ns, nodeName: 'stay-2', machineType: MACHINE_TYPE, liveMigratable: true });
    const second = await kubevirt.createVmim(ns, 'user-mig-2', 'vm-2');
    await kubevirt.failUnschedulable(second, SELECTOR_MISMATCH_MESSAGE);

    const fallbacks = await until(
      async () => {
        const f = await kubevirt.fallbacks(ns);
        return f.length === 2 && f;
      },
      { timeoutMs: 60_000, what: 'fallbacks for both failures after the restart' },
    );
    await leading(c);
    await c.whenIdle();
    expect(fallbacks.map((f) => f.spec.vmiName).sort()).toEqual(['vm-1', 'vm-2']);
    expect(await kubevirt.fallbacks(ns)).toHaveLength(2);
    // The path under test ran: watches failed and were relisted.
    expect(await counter(c.metrics, 'watchRestarts')).toBeGreaterThan(restartsBefore);
  });

  test('two replicas never both act, and a stopped leader hands over at once', async () => {
    const ns = await newNamespace('mc-two');
    const a = await start('replica-a');
    const b = await start('replica-b');
    let bothLed = 0;
    const sampler = setInterval(() => {
      if (a.isLeader() && b.isLeader()) bothLed++;
    }, 10);
    try {
      const leader = await until(() => (a.isLeader() ? a : b.isLeader() ? b : undefined), { timeoutMs: 20_000, what: 'a leader' });
      await leading(leader);
      const standby = leader === a ? b : a;
      await until(() => standby.isReady(), { what: 'the standby synced' });

      const vmim = await migrationInScheduling(ns);
      await kubevirt.failUnschedulable(vmim, SELECTOR_MISMATCH_MESSAGE);
      const fallback = await onlyFallback(ns);
      await leader.whenIdle();
      expect(await counter(leader.metrics, 'fallbacks')).toBe(1);
      expect(await counter(standby.metrics, 'fallbacks')).toBe(0);

      await leader.stop();
      running.splice(running.indexOf(leader), 1);
      const lease = await admin.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: DEFAULT_LEASE_NAME, namespace: CONTROLLER_NS });
      expect([standby.identity, '']).toContain(lease.spec?.holderIdentity ?? '');
      // Released, not expired: the standby need not wait the lease out, and takes the next failure.
      await leading(standby);
      await kubevirt.failUnschedulable(fallback, SELECTOR_MISMATCH_MESSAGE);
      await until(async () => (await kubevirt.fallbacks(ns)).length === 2, { timeoutMs: 20_000, what: 'the new leader acting' });
      await standby.whenIdle();
      expect(await counter(standby.metrics, 'fallbacks')).toBe(1);
    } finally {
      clearInterval(sampler);
    }
    expect(bothLed).toBe(0);
  });

  test('a malformed VMIM is logged, counted and skipped, and forgotten once deleted; the controller carries on', async () => {
    const ns = await newNamespace('mc-malformed');
    const c = await start('replica-a');
    await leading(c);
    // Accepted by the CRD schema (vmiName is optional there); KubeVirt's webhook is not running.
    await kubevirt.createVmim(ns, 'no-vmi-name', 'ignored', { spec: {} });
    await until(async () => (await counter(c.metrics, 'malformed', { kind: 'VirtualMachineInstanceMigration', reason: 'no-vmi-name' })) === 1, {
      what: 'the malformed VMIM counted',
    });
    expect((await c.metrics.malformedNow.get()).values[0]?.value).toBe(1);
    const vmim = await migrationInScheduling(ns);
    await kubevirt.failUnschedulable(vmim, SELECTOR_MISMATCH_MESSAGE);
    await onlyFallback(ns);
    expect(c.isHealthy()).toBe(true);
    // Bounded bookkeeping: the entry for the broken object goes with the object.
    await kubevirt.custom.deleteNamespacedCustomObject({
      group: 'kubevirt.io',
      version: 'v1',
      plural: 'virtualmachineinstancemigrations',
      namespace: ns,
      name: 'no-vmi-name',
    });
    await until(async () => (await c.metrics.malformedNow.get()).values[0]?.value === 0, { what: 'the deleted malformed VMIM forgotten' });
  });
});

describe('clean-up', () => {
  test("finished fallbacks go after their TTL, and a VMI's fallbacks go with it; user VMIMs stay", async () => {
    const ns = await newNamespace('mc-cleanup');
    const c = await start('replica-a', { finishedMigrationTtlSeconds: 1, attemptWindowSeconds: 2 });
    await leading(c);
    const vmim = await migrationInScheduling(ns);
    await kubevirt.failUnschedulable(vmim, SELECTOR_MISMATCH_MESSAGE);
    const fallback = await onlyFallback(ns);
    await kubevirt.setPhase(ns, fallback.metadata!.name!, 'Succeeded');
    await until(async () => (await kubevirt.fallbacks(ns)).length === 0, { timeoutMs: 20_000, what: 'the finished fallback deleted after its TTL' });
    // The API shows the deletion a moment before the controller has counted it.
    await until(async () => (await counter(c.metrics, 'deletions', { reason: 'ttl' })) === 1, { what: 'the TTL deletion counted' });

    const other = await migrationInScheduling(ns, 'vm-2', 'user-mig-2');
    await kubevirt.failUnschedulable(other, SELECTOR_MISMATCH_MESSAGE);
    await until(async () => (await kubevirt.fallbacks(ns)).some((f) => f.spec.vmiName === 'vm-2'), { timeoutMs: 20_000, what: 'a fallback for vm-2' });
    await kubevirt.deleteVmi(ns, 'vm-2');
    await until(async () => (await kubevirt.fallbacks(ns)).length === 0, { timeoutMs: 20_000, what: "vm-2's fallback deleted with it" });
    await until(async () => (await counter(c.metrics, 'deletions', { reason: 'vmi-gone' })) === 1, { what: 'the VMI-gone deletion counted' });

    const left = (await kubevirt.listVmims(ns)).map((v) => v.metadata?.name).sort();
    expect(left).toEqual(['user-mig', 'user-mig-2']);
  });
});

describe('Kube-OVN network readiness', () => {
  test('time to a routed target and migrations that ran before it are measured', async () => {
    const ns = await newNamespace('mc-ovn');
    const c = await start('replica-a', {}, { kubeOvn: true });
    await leading(c);
    const early = await migrationInScheduling(ns, 'vm-ready', 'mig-ready');
    const earlyPod = await kubevirt.createTargetPod(early, { nodeName: 'stay-2' });
    await kubevirt.annotatePod(ns, earlyPod, { 'ovn.kubernetes.io/routed': 'true' });
    await until(async () => (await counter(c.metrics, 'targetNetworkRouted')) === 1, { what: 'the routed target pod observed' });
    // Running comes later than the routed annotation was seen.
    await kubevirt.setPhase(ns, 'mig-ready', 'Running', {}, Date.now() + 5_000);
    await kubevirt.setPhase(ns, 'mig-ready', 'Succeeded', {}, Date.now() + 6_000);

    const late = await migrationInScheduling(ns, 'vm-late', 'mig-late');
    await kubevirt.createTargetPod(late, { nodeName: 'stay-3' });
    // Running already, and Kube-OVN never marks this target routed.
    await kubevirt.setPhase(ns, 'mig-late', 'Running');
    await kubevirt.setPhase(ns, 'mig-late', 'Succeeded');

    await until(async () => (await counter(c.metrics, 'migrations', { result: 'succeeded' })) === 2, { what: 'both migrations counted' });
    expect(await counter(c.metrics, 'runningBeforeNetworkReady')).toBe(1);
    const ready = (await c.metrics.networkReadySeconds.get()).values.find((v) => v.metricName === 'kvfleet_migration_target_network_ready_seconds_count');
    expect(ready?.value).toBe(1);
  });
});

describe('machine-type capacity (issue 13)', () => {
  test('a type whose only node is cordoned shows VMIs and no schedulable node, until the node is uncordoned', async () => {
    // SYNTHETIC: a type and node of this test's own, which no pool offers: no other test's VMI runs
    // it, no other test's fallback can land here.
    const type = 'pc-q35-synthetic-1.0';
    const node = 'rhel7-cordoned';
    const core = admin.makeApiClient(CoreV1Api);
    await kubevirt.createNode({ name: node, labels: { [machineTypeLabelKey(type)!]: 'true' }, cordoned: true });
    try {
      const ns = await newNamespace('capacity');
      const c = await start('capacity-a');
      await leading(c);
      await kubevirt.createVmi({ name: 'old-vm', namespace: ns, nodeName: node, machineType: type, liveMigratable: true });
      const gauge = (name: 'machineTypeRunningVmis' | 'machineTypeSchedulableNodes') => counter(c.metrics, name, { machine_type: type });
      await until(async () => (await gauge('machineTypeRunningVmis')) === 1, { what: 'the VMI counted under its machine type' });
      expect(await gauge('machineTypeSchedulableNodes')).toBe(0);
      await core.patchNode({ name: node, body: { spec: { unschedulable: false } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      await until(async () => (await gauge('machineTypeSchedulableNodes')) === 1, { what: 'the uncordoned node counted' });
    } finally {
      await core.deleteNode({ name: node });
    }
  });
});
