/**
 * The KubeVirt simulator against a real etcd + kube-apiserver + kube-scheduler with the shared
 * KubeVirt CRDs. Each test has its own namespace and its own nodes (labelled with a group the VMIs
 * select on, so the scheduler never uses another test's nodes), and a simulator scoped to the
 * namespace. 1 simulated second = 10 real ms. Simulated durations include the real latency of the
 * API server and the scheduler (on a loaded machine, tens of simulated seconds), so timing
 * assertions are lower bounds, or compare two migrations that ran side by side.
 */
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type ControlPlane, startControlPlane } from '../../test/harness/controlPlane.js';
import { createFakeNode } from '../../test/harness/fakeNodes.js';
import { createTestNamespace } from '../../test/harness/namespaces.js';
import { sharedDir } from '../../test/harness/toolPaths.js';
import { until } from '../../test/harness/until.js';
import { createLogger } from '../../programs/runtime/logger.js';
import { kubevirtNodeLabels, setDrainTaint, setNodeReady } from './fleet.js';
import { KubevirtSim, type KubevirtSimOptions, type SimStats } from './kubevirtSim.js';
import { VMIMS, VMIS } from './names.js';
import { type RawVmi, type RawVmim } from './objects.js';
import { SimClock } from './simClock.js';

const A = 'pc-q35-rhel9.6.0';
const B = 'pc-q35-rhel10.0.0';
const SCALE_MS = 10;

let plane: ControlPlane;
let admin: KubeConfig;
let core: CoreV1Api;
let custom: CustomObjectsApi;

beforeAll(async () => {
  plane = await startControlPlane({ crds: [join(sharedDir, 'crds', 'kubevirt')], scheduler: true });
  admin = plane.kubeConfig();
  core = admin.makeApiClient(CoreV1Api);
  custom = admin.makeApiClient(CustomObjectsApi);
});
afterAll(async () => plane?.stop());

interface Bed {
  readonly ns: string;
  readonly group: string;
  /** Node name → machine types its hypervisor runs. */
  readonly offers: Map<string, readonly string[]>;
  readonly sim: KubevirtSim;
  node(short: string): string;
}
const beds: Bed[] = [];
let bedCount = 0;

afterEach(async () => {
  for (const bed of beds.splice(0)) {
    await bed.sim.stop();
    for (const name of bed.offers.keys()) await core.deleteNode({ name }).catch(() => undefined);
  }
});

/**
 * Nodes `<group>-<short>`: KubeVirt's schedulable/arch labels, virt-handler's machine-type labels
 * (≥ 1.5.1 only) for the types the node offers, and the group label.
 */
async function bed(version: string, nodes: Record<string, { offers: readonly string[]; cordoned?: boolean }>, opts: Partial<KubevirtSimOptions> = {}): Promise<Bed> {
  const group = `b${++bedCount}-${process.pid}`;
  const ns = await createTestNamespace(admin, 'kvsim');
  const offers = new Map<string, readonly string[]>();
  const node = (short: string) => `${group}-${short}`;
  const native = !version.startsWith('1.5.0');
  for (const [short, n] of Object.entries(nodes)) {
    const labels: Record<string, string> = { ...kubevirtNodeLabels(), 'sim.kvfleet.io/group': group };
    if (native) for (const t of n.offers) labels[`machine-type.node.kubevirt.io/${t}`] = 'true';
    await createFakeNode(admin, node(short), { labels, unschedulable: n.cordoned ?? false });
    offers.set(node(short), n.offers);
  }
  const sim = new KubevirtSim({
    kubeConfig: admin,
    kubevirtVersion: version,
    namespace: ns,
    clock: new SimClock({ realMsPerSimSecond: SCALE_MS }),
    canRun: (n, type) => offers.get(n)?.includes(type) ?? false,
    logger: createLogger('kubevirt-sim-test', process.env.LOG_LEVEL ?? 'silent'),
    ...opts,
  });
  const b: Bed = { ns, group, offers, sim, node };
  beds.push(b);
  await sim.start();
  return b;
}

async function vmis(b: Bed, list: { name: string; node: string; type?: string }[]): Promise<void> {
  await b.sim.createVmis(
    list.map((v) => ({
      namespace: b.ns,
      name: v.name,
      node: b.node(v.node),
      machineType: v.type ?? A,
      memory: '1Gi',
      cpu: '500m',
      nodeSelector: { 'sim.kvfleet.io/group': b.group },
    })),
  );
}

async function createVmim(b: Bed, name: string, vmiName: string, annotations: Record<string, string> = {}): Promise<void> {
  await custom.createNamespacedCustomObject({
    ...VMIMS,
    namespace: b.ns,
    body: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { name, annotations }, spec: { vmiName } },
  });
}

const getVmi = async (b: Bed, name: string) => (await custom.getNamespacedCustomObject({ ...VMIS, namespace: b.ns, name })) as RawVmi;
const getVmim = async (b: Bed, name: string) => (await custom.getNamespacedCustomObject({ ...VMIMS, namespace: b.ns, name })) as RawVmim;
const listVmims = async (b: Bed) => ((await custom.listNamespacedCustomObject({ ...VMIMS, namespace: b.ns })) as { items: RawVmim[] }).items;
const waitPhase = (b: Bed, name: string, phase: string, timeoutMs = 20_000) =>
  until(async () => (await getVmim(b, name)).status?.phase === phase, { timeoutMs, what: `VMIM ${name} ${phase}` });
const attempts = (s: SimStats, b: Bed, vmi: string) => s.history[`${b.ns}/${vmi}`] ?? [];

/**
 * Independent of the simulator's own accounting: from the objects' phase transitions, no two VMIMs
 * of a VMI were ever accepted (Pending or later) and unfinished at the same time.
 */
async function expectNoOverlappingMigrations(b: Bed): Promise<void> {
  const byVmi = new Map<string, { from: number; to: number; name: string }[]>();
  for (const m of await listVmims(b)) {
    const at = (p: string) => {
      const t = m.status?.phaseTransitionTimestamps?.find((x) => x.phase === p)?.phaseTransitionTimestamp;
      return t ? Date.parse(t) : undefined;
    };
    const from = at('Pending');
    if (from === undefined) continue; // refused as a duplicate: never accepted
    const to = at('Succeeded') ?? at('Failed') ?? Number.POSITIVE_INFINITY;
    const list = byVmi.get(m.spec.vmiName) ?? [];
    list.push({ from, to, name: m.metadata.name! });
    byVmi.set(m.spec.vmiName, list);
  }
  for (const [vmi, list] of byVmi) {
    list.sort((x, y) => x.from - y.from);
    for (let i = 1; i < list.length; i++) expect(list[i]!.from, `${vmi}: ${list[i]!.name} overlaps ${list[i - 1]!.name}`).toBeGreaterThanOrEqual(list[i - 1]!.to);
  }
}

describe('KubevirtSim against a real API server and scheduler', () => {
  test('a drain evacuates the node onto nodes that run the machine type, within the limits', async () => {
    const b = await bed('1.6.2', { n1: { offers: [A] }, n2: { offers: [A] }, n3: { offers: [A] }, n4: { offers: [B] } });
    await vmis(b, [
      { name: 'v1', node: 'n1' },
      { name: 'v2', node: 'n1' },
      { name: 'v3', node: 'n1' },
      { name: 'v4', node: 'n1' },
      { name: 'w1', node: 'n2' },
    ]);
    await setDrainTaint(admin, b.node('n1'), true, { cordon: true });
    expect(await b.sim.settled({ quietSimSeconds: 20, timeoutSimSeconds: 2_000 })).toBe(true);

    for (const v of ['v1', 'v2', 'v3', 'v4']) {
      const vmi = await getVmi(b, v);
      expect([b.node('n2'), b.node('n3')]).toContain(vmi.status?.nodeName);
      expect(vmi.status?.migrationState).toMatchObject({ completed: true, sourceNode: b.node('n1'), targetNode: vmi.status?.nodeName });
      expect(vmi.metadata.labels?.['kubevirt.io/nodeName']).toBe(vmi.status?.nodeName);
    }
    expect((await getVmi(b, 'w1')).status?.nodeName).toBe(b.node('n2'));
    const pods = (await core.listNamespacedPod({ namespace: b.ns })).items;
    expect(pods.filter((p) => p.spec?.nodeName === b.node('n1'))).toEqual([]);
    expect(pods).toHaveLength(5);

    const vmims = await listVmims(b);
    expect(vmims).toHaveLength(4);
    for (const m of vmims) {
      expect(m.metadata.name).toMatch(/^kubevirt-evacuation-/);
      expect(m.metadata.annotations?.['kubevirt.io/evacuationMigration']).toBe(b.node('n1'));
      expect(m.metadata.labels?.['kubevirt.io/vmi-name']).toBe(m.spec.vmiName);
      expect(m.metadata.finalizers ?? []).toEqual([]);
      expect(m.status?.phaseTransitionTimestamps?.map((t) => t.phase)).toEqual([
        'Pending',
        'Scheduling',
        'Scheduled',
        'PreparingTarget',
        'TargetReady',
        'Running',
        'Succeeded',
      ]);
      expect(m.status?.migrationState).toMatchObject({ completed: true, sourceNode: b.node('n1'), migrationUid: m.metadata.uid });
    }
    const s = b.sim.stats();
    expect(s).toMatchObject({ created: { evacuation: 4, other: 0 }, succeeded: 4, duplicates: 0, inFlight: 0, maxInFlightPerVmi: 1 });
    expect(Object.values(s.failed).reduce((x, y) => x + y, 0)).toBe(0);
    expect(s.maxOutboundPerNode).toBeLessThanOrEqual(2);
    expect(s.maxRunning).toBeLessThanOrEqual(5);
    await expectNoOverlappingMigrations(b);
  });

  test('KubeVirt 1.5.0 alone: a target whose QEMU lacks the machine type fails the migration (machine-type); evacuation retries with backoff', async () => {
    const b = await bed('1.5.0', { n1: { offers: [A] }, n2: { offers: [B] }, n3: { offers: [A], cordoned: true } });
    await vmis(b, [{ name: 'v1', node: 'n1' }]);
    const pod = (await core.listNamespacedPod({ namespace: b.ns })).items[0]!;
    expect(Object.keys(pod.spec?.nodeSelector ?? {}).filter((k) => k.startsWith('machine-type.'))).toEqual([]);

    await setDrainTaint(admin, b.node('n1'), true, { cordon: true });
    // Three failed evacuation attempts on n2, the waits between them at least 20 s, then 40 s
    // (migration.go handleMigrationBackoff; exact values in migrationRules.test.ts).
    await until(() => attempts(b.sim.stats(), b, 'v1').filter((a) => a.result === 'failed').length >= 3, { timeoutMs: 20_000, what: 'three failed attempts' });
    const failed = attempts(b.sim.stats(), b, 'v1').filter((a) => a.result === 'failed');
    for (const a of failed) {
      expect(a).toMatchObject({ origin: 'evacuation', cause: 'machine-type', targetNode: b.node('n2'), sourceNode: b.node('n1') });
      expect(a.reason).toMatch(`-machine ${A}: unsupported machine type`);
      expect(a.phases.Running).toBeDefined();
    }
    const gap = (i: number) => failed[i]!.targetPodCreatedAt! - failed[i - 1]!.phases.Failed!;
    expect(gap(1)).toBeGreaterThanOrEqual(19.9);
    expect(gap(2)).toBeGreaterThanOrEqual(39.9);
    const vmi = await getVmi(b, 'v1');
    expect(vmi.status?.nodeName).toBe(b.node('n1'));

    // A node that runs the type becomes available: the next evacuation attempt gets there.
    await setDrainTaint(admin, b.node('n3'), false, { cordon: false });
    await setDrainTaint(admin, b.node('n2'), false, { cordon: true });
    await until(async () => (await getVmi(b, 'v1')).status?.nodeName === b.node('n3'), { timeoutMs: 20_000, what: 'v1 on n3' });
    expect(b.sim.stats().maxInFlightPerVmi).toBe(1);
    expect(b.sim.stats().duplicates).toBe(0);
    await expectNoOverlappingMigrations(b);
  });

  test('only the 5 newest finished VMIMs of a VMI are kept', async () => {
    const b = await bed('1.5.0', { n1: { offers: [A] }, n2: { offers: [B] } });
    await vmis(b, [{ name: 'v1', node: 'n1' }]);
    for (let i = 1; i <= 7; i++) {
      await createVmim(b, `u${i}`, 'v1');
      await waitPhase(b, `u${i}`, 'Failed');
    }
    await until(async () => (await listVmims(b)).length === 5, { what: 'garbage collection down to 5' });
    expect((await listVmims(b)).map((m) => m.metadata.name).sort()).toEqual(['u3', 'u4', 'u5', 'u6', 'u7']);
    const all = attempts(b.sim.stats(), b, 'v1');
    expect(all.map((a) => a.cause)).toEqual(Array(7).fill('machine-type'));
  });

  test("KubeVirt 1.6.2: the native machine-type selector keeps targets off a node that lacks KubeVirt's label", async () => {
    const b = await bed('1.6.2', { n1: { offers: [A] }, n2: { offers: [B] }, n3: { offers: [A] } }, { limits: { parallelOutboundMigrationsPerNode: 3 } });
    await vmis(b, [
      { name: 'v1', node: 'n1' },
      { name: 'v2', node: 'n1' },
      { name: 'v3', node: 'n1' },
    ]);
    for (const v of ['v1', 'v2', 'v3']) await createVmim(b, `mig-${v}`, v);
    for (const v of ['v1', 'v2', 'v3']) await waitPhase(b, `mig-${v}`, 'Succeeded');
    for (const v of ['v1', 'v2', 'v3']) expect((await getVmi(b, v)).status?.nodeName).toBe(b.node('n3'));
    const targets = (await core.listNamespacedPod({ namespace: b.ns, labelSelector: 'kubevirt.io/migrationJobUID' })).items;
    expect(targets).toHaveLength(3);
    for (const p of targets) {
      expect(p.spec?.nodeSelector?.[`machine-type.node.kubevirt.io/${A}`]).toBe('true');
      expect(p.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0]?.labelSelector?.matchLabels).toEqual({
        'kubevirt.io/created-by': p.metadata?.labels?.['kubevirt.io/created-by'],
      });
      expect(p.metadata?.annotations?.['kubevirt.io/migrationJobName']).toMatch(/^mig-v\d$/);
    }
    expect(b.sim.stats()).toMatchObject({ created: { evacuation: 0, other: 3 }, succeeded: 3 });
  });

  test('an unschedulable target fails after its (scaled) timeout: the annotation, else 300 s', async () => {
    const b = await bed('1.6.2', { n1: { offers: [A] }, n2: { offers: [B] } });
    await vmis(b, [
      { name: 'v1', node: 'n1' },
      { name: 'v2', node: 'n1' },
    ]);
    await createVmim(b, 'short', 'v1', { 'kubevirt.io/migrationUnschedulablePodTimeoutSeconds': '40' });
    await createVmim(b, 'default', 'v2');
    // The scheduler reports the target pod Unschedulable before KubeVirt gives up.
    await until(
      async () =>
        (await core.listNamespacedPod({ namespace: b.ns, labelSelector: 'kubevirt.io/migrationJobUID' })).items.some((p) =>
          p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable'),
        ),
      { what: 'an Unschedulable target pod' },
    );
    await waitPhase(b, 'short', 'Failed');
    await waitPhase(b, 'default', 'Failed');
    const s = b.sim.stats();
    const [short] = attempts(s, b, 'v1');
    const [dflt] = attempts(s, b, 'v2');
    const waited = (a: typeof short) => a!.endedAt! - a!.targetPodCreatedAt!;
    for (const a of [short, dflt]) {
      expect(a).toMatchObject({ result: 'failed', cause: 'unschedulable' });
      expect(a!.reason).toMatch(/^unschedulable pod .* timeout period exceeded$/);
    }
    expect(waited(short)).toBeGreaterThanOrEqual(39.9);
    expect(waited(dflt)).toBeGreaterThanOrEqual(299.9);
    // Side by side, the annotated one gave up long before the default.
    expect(waited(dflt) - waited(short)).toBeGreaterThan(150);
    // The sim deletes failed target pods after it writes Failed: wait for it rather than race it.
    await until(async () => (await core.listNamespacedPod({ namespace: b.ns, labelSelector: 'kubevirt.io/migrationJobUID' })).items.length === 0, {
      what: 'the failed target pods deleted',
    });
    expect(s.failed).toEqual({ 'machine-type': 0, unschedulable: 2, 'node-failure': 0, other: 0 });
  });

  test('a target node going NotReady mid-migration fails it with node-failure', async () => {
    const b = await bed('1.6.2', { n1: { offers: [A] }, n2: { offers: [A] } }, { migrationSeconds: () => 600 });
    await vmis(b, [{ name: 'v1', node: 'n1' }]);
    await createVmim(b, 'mig', 'v1');
    await waitPhase(b, 'mig', 'Running');
    await setNodeReady(admin, b.node('n2'), false);
    await waitPhase(b, 'mig', 'Failed');
    const [a] = attempts(b.sim.stats(), b, 'v1');
    expect(a).toMatchObject({ result: 'failed', cause: 'node-failure', targetNode: b.node('n2') });
    const vmi = await getVmi(b, 'v1');
    expect(vmi.status?.nodeName).toBe(b.node('n1'));
    expect(vmi.status?.migrationState).toMatchObject({ failed: true, targetNode: b.node('n2') });
    const vmim = await getVmim(b, 'mig');
    expect(vmim.status?.migrationState).toMatchObject({ failed: true, targetNode: b.node('n2'), migrationUid: vmim.metadata.uid });
  });

  test('a VMIM deleted before hand-off is cancelled; a deleted VMI takes its VMIMs and pods with it', async () => {
    const b = await bed('1.6.2', { n1: { offers: [A] }, n2: { offers: [B] }, n3: { offers: [A] } }, { migrationSeconds: () => 600 });
    await vmis(b, [
      { name: 'v1', node: 'n1', type: 'pc-q35-rhel8.6.0' },
      { name: 'v2', node: 'n1' },
    ]);
    // No node offers v1's type: its target pod stays Unschedulable (the timeout is set out of reach).
    await createVmim(b, 'cancel-me', 'v1', { 'kubevirt.io/migrationUnschedulablePodTimeoutSeconds': '100000' });
    await waitPhase(b, 'cancel-me', 'Scheduling');
    await custom.deleteNamespacedCustomObject({ ...VMIMS, namespace: b.ns, name: 'cancel-me' });
    await until(async () => !(await listVmims(b)).some((m) => m.metadata.name === 'cancel-me'), { what: 'cancel-me gone (finalizer released)' });
    const [cancelled] = attempts(b.sim.stats(), b, 'v1');
    expect(cancelled).toMatchObject({ result: 'failed', cause: 'other', reason: 'Migration failed due to being canceled' });

    await createVmim(b, 'doomed', 'v2');
    await waitPhase(b, 'doomed', 'Running');
    await custom.deleteNamespacedCustomObject({ ...VMIS, namespace: b.ns, name: 'v2' });
    await until(async () => !(await listVmims(b)).some((m) => m.metadata.name === 'doomed'), { what: 'doomed gone' });
    await until(async () => (await core.listNamespacedPod({ namespace: b.ns })).items.every((p) => p.metadata?.annotations?.['kubevirt.io/domain'] !== 'v2'), {
      what: "v2's pods gone",
    });
    const [doomed] = attempts(b.sim.stats(), b, 'v2');
    expect(doomed).toMatchObject({ result: 'failed', cause: 'other', reason: 'Migration failed vmi shutdown during migration.' });
    expect((await getVmi(b, 'v1')).status?.nodeName).toBe(b.node('n1'));
  });

  test('one in-flight VMIM per VMI: a second one is refused, and evacuation never races an in-flight VMIM', async () => {
    const b = await bed('1.6.2', { n1: { offers: [A] }, n2: { offers: [A] } }, { migrationSeconds: () => 100 });
    await vmis(b, [{ name: 'v1', node: 'n1' }]);
    await createVmim(b, 'first', 'v1');
    await createVmim(b, 'second', 'v1');
    await waitPhase(b, 'second', 'Failed');
    // The drain starts while `first` is in flight: the evacuation controller waits for it, and
    // once v1 has left n1 there is nothing left to evacuate.
    await waitPhase(b, 'first', 'Running');
    await setDrainTaint(admin, b.node('n1'), true);
    await waitPhase(b, 'first', 'Succeeded');
    expect(await b.sim.settled({ quietSimSeconds: 20, timeoutSimSeconds: 1_000 })).toBe(true);
    const s = b.sim.stats();
    expect(s).toMatchObject({ created: { evacuation: 0, other: 1 }, succeeded: 1, duplicates: 1, duplicatesByOrigin: { other: 1, evacuation: 0 }, maxInFlightPerVmi: 1 });
    expect(attempts(s, b, 'v1').map((a) => [a.vmim, a.result])).toEqual([
      ['first', 'succeeded'],
      ['second', 'duplicate'],
    ]);
    expect((await getVmim(b, 'second')).status?.phaseTransitionTimestamps?.map((t) => t.phase)).toEqual(['Failed']);
    await expectNoOverlappingMigrations(b);
  });
});
