/**
 * The real virt-controller (KubeVirt v1.7.0) against the loopback API server with the real
 * kube-scheduler, virt-handler/kubelet/virt-api played by testbed/harness/kubevirtStandIns.ts.
 *
 * What it shows: on KubeVirt ≥ 1.5.1 the migration target pod carries
 * `machine-type.node.kubevirt.io/<status.machine.type>: "true"` — the premise of
 * compatibility/nodeRule.ts — so the scheduler places it only on a node whose virt-handler labelled
 * that type; a `kubevirt.io/drain` taint and an Eviction of the launcher pod both become evacuation
 * migrations; a restart on a new `--launcher-image` makes the workload updater migrate outdated VMIs.
 */
import { type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX } from '../../compatibility/kubevirtNames.js';
import { type LauncherEntry, launcherEntry } from '../../compatibility/launcherCatalogue.js';
import { nodeOffersMachineType } from '../../compatibility/nodeRule.js';
import { type ControlPlane, startControlPlane } from '../../testbed/harness/controlPlane.js';
import { type KubevirtStandIns, startKubevirtStandIns } from '../../testbed/harness/kubevirtStandIns.js';
import { createTestNamespace } from '../../testbed/harness/namespaces.js';
import { rawRequest } from '../../testbed/harness/rawRequest.js';
import { until } from '../../testbed/harness/until.js';
import { installKubevirt, launcherImageOf, listeningPid, setKubevirtDeployed, startVirtController, type VirtController } from '../../testbed/harness/virtController.js';

type Obj = {
  metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  status?: any;
};

const CS9_17 = launcherEntry('1.7.0', 'centos-stream-9')!;
const CS9_18 = launcherEntry('1.8.0', 'centos-stream-9')!;
const CS10_18 = launcherEntry('1.8.0', 'centos-stream-10')!;
const RHEL8 = 'pc-q35-rhel8.6.0';
// Polls on a loaded 2-core machine: generous bounds, no fixed sleeps.
const WAIT = { timeoutMs: 120_000, intervalMs: 250 } as const;

let plane: ControlPlane;
let kc: KubeConfig;
let standIns: KubevirtStandIns;
let controller: VirtController;
let ns: string;

async function get(path: string): Promise<any> {
  const res = await rawRequest(kc, 'GET', path);
  if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status}: ${res.body.slice(0, 300)}`);
  return JSON.parse(res.body);
}
async function create(path: string, body: unknown): Promise<any> {
  const res = await rawRequest(kc, 'POST', path, body);
  if (res.status >= 300) throw new Error(`POST ${path}: HTTP ${res.status}: ${res.body.slice(0, 500)}`);
  return JSON.parse(res.body);
}
const vmiPath = (name = '') => `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances${name && `/${name}`}`;
const vmimPath = (name = '') => `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstancemigrations${name && `/${name}`}`;
const vmi = (name: string): Promise<Obj> => get(vmiPath(name));
const migrations = async (): Promise<Obj[]> => (await get(vmimPath())).items;
const launcherPods = async (vmiName: string): Promise<Obj[]> =>
  ((await get(`/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent('kubevirt.io=virt-launcher')}`)).items as Obj[]).filter(
    (p) => p.metadata.annotations?.['kubevirt.io/domain'] === vmiName,
  );
const nodeLabels = async (name: string): Promise<Record<string, string>> => (await get(`/api/v1/nodes/${name}`)).metadata.labels;

function diagnostics(): string {
  return `stand-in errors: ${standIns?.errors.slice(-5).join(' | ') || 'none'}; virt-controller log tail:\n${controller?.process.tail(15)}`;
}

async function startVmi(name: string, machineType: string): Promise<void> {
  await create(vmiPath(), {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { name, namespace: ns },
    spec: {
      evictionStrategy: 'LiveMigrate',
      terminationGracePeriodSeconds: 0,
      domain: { machine: { type: machineType }, devices: {}, resources: { requests: { memory: '64Mi' } } },
    },
  });
}

async function running(name: string): Promise<Obj> {
  return until(
    async () => {
      const v = await vmi(name);
      if (v.status?.phase === 'Failed') throw new Error(`VMI ${name} failed: ${JSON.stringify(v.status)}`);
      return v.status?.phase === 'Running' && v.status?.launcherContainerImageVersion ? v : undefined;
    },
    { ...WAIT, what: `VMI ${name} Running (${diagnostics()})` },
  );
}

async function migrationDone(name: string): Promise<Obj> {
  return until(
    async () => {
      const m: Obj = await get(vmimPath(name));
      if (m.status?.phase === 'Failed') throw new Error(`VMIM ${name} failed: ${JSON.stringify(m.status)}`);
      return m.status?.phase === 'Succeeded' ? m : undefined;
    },
    { ...WAIT, what: `VMIM ${name} Succeeded (${diagnostics()})` },
  );
}

async function targetPodOf(vmim: Obj): Promise<Obj> {
  return until(
    async () => {
      const pods = (await get(`/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(`kubevirt.io/migrationJobUID=${vmim.metadata.uid}`)}`)).items as Obj[];
      return pods[0];
    },
    { ...WAIT, what: `the target pod of ${vmim.metadata.name} (${diagnostics()})` },
  );
}

beforeAll(async () => {
  plane = await startControlPlane({ scheduler: true });
  kc = plane.kubeConfig();
  await installKubevirt(kc, { workloadUpdateMethods: ['LiveMigrate'] });
  standIns = await startKubevirtStandIns(kc);
  // node-a: virt-handler of the cluster's launcher (1.7, CentOS Stream 9: RHEL 8 types present).
  await standIns.addNode({ name: 'node-a', launcher: CS9_17 });
  controller = await startVirtController(plane);
  ns = await createTestNamespace(kc, 'vms');
}, 300_000);

afterAll(async () => {
  await controller?.stop();
  await standIns?.stop();
  await plane?.stop();
});

// Each step waits on real controllers and the scheduler: room for a loaded 2-core machine.
describe('virt-controller v1.7.0 with stand-ins for virt-handler, kubelet and virt-api', { timeout: 300_000 }, () => {
  test('it leads, on its own port, as our process', () => {
    expect(controller.port).toBeGreaterThan(0);
    expect(controller.launcherImage).toBe('quay.io/kubevirt/virt-launcher:v1.7.0');
    // The port's listening socket is held by our child, not by this process or anyone else.
    const pid = controller.process.child.pid!;
    expect(listeningPid(controller.port, process.pid, pid)).toBe(pid);
    expect(listeningPid(controller.port, process.pid)).toBeUndefined();
    // Reported figures (the issue asks for them): start until leading, resident memory.
    console.info(`virt-controller ${controller.version}: leading after ${controller.startMs} ms, RSS ${controller.rssMiB()} MiB`);
    expect(controller.startMs).toBeLessThan(120_000);
  });

  test('a VMI started with spec type q35 gets the canonical type of its node’s launcher as status type', async () => {
    await startVmi('vm-q35', 'q35');
    const v = await running('vm-q35');
    const entry: LauncherEntry = standIns.node(v.status.nodeName)!.launcher;
    expect(v.status.machine.type).toBe(entry.architectures.amd64!.aliases.q35);
    // node-a is the only node yet; its launcher (1.7 CS9) resolves q35 to pc-q35-rhel9.6.0.
    expect(v.status.nodeName).toBe('node-a');
    expect(v.status.machine.type).toBe('pc-q35-rhel9.6.0');
    // The launcher pod selected the spec type at start (KubeVirt ≥ 1.5.1, #13690).
    const [pod] = await launcherPods('vm-q35');
    expect(pod!.spec.nodeSelector[`${KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX}q35`]).toBe('true');
    expect(v.status.launcherContainerImageVersion).toBe(controller.launcherImage);
  });

  test('the node labeller labels each node from its launcher catalogue entry', async () => {
    // node-b: a launcher whose QEMU lacks the RHEL 8 types (1.8 CentOS Stream 10).
    await standIns.addNode({ name: 'node-b', launcher: CS10_18 });
    const a = await nodeLabels('node-a');
    const b = await nodeLabels('node-b');
    expect(a['kubevirt.io/schedulable']).toBe('true');
    expect(nodeOffersMachineType(a, RHEL8, 'kubevirt')).toBe(true);
    expect(nodeOffersMachineType(b, RHEL8, 'kubevirt')).toBe(false);
    expect(a[`${KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX}q35`]).toBe('true');
    expect(b[`${KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX}pc-q35-rhel10.2.0`]).toBe('true');
  });

  test('a migration target selects status.machine.type and is scheduled only onto a node labelled with it', async () => {
    await startVmi('vm-rhel8', RHEL8);
    const v = await running('vm-rhel8');
    expect(v.status.nodeName).toBe('node-a'); // the only node whose launcher offers it
    expect(v.status.machine.type).toBe(RHEL8);

    const vmim = await create(vmimPath(), {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachineInstanceMigration',
      metadata: { name: 'mig-rhel8', namespace: ns },
      spec: { vmiName: 'vm-rhel8' },
    });
    const target = await targetPodOf(vmim);
    expect(target.spec.nodeSelector).toMatchObject({ [`${KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX}${RHEL8}`]: 'true', 'kubevirt.io/schedulable': 'true' });

    // node-b's launcher lacks the type and node-a is the source: the scheduler leaves the pod pending.
    const unschedulable = await until(
      async () => {
        const p: Obj = await get(`/api/v1/namespaces/${ns}/pods/${target.metadata.name}`);
        return p.status?.conditions?.find(
          (c: { type: string; status: string; reason?: string }) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
        );
      },
      { ...WAIT, what: 'the target pod to be reported Unschedulable' },
    );
    expect(unschedulable.message).toMatch(/node affinity|selector/i);
    expect((await get(`/api/v1/namespaces/${ns}/pods/${target.metadata.name}`)).spec.nodeName).toBeUndefined();

    // A node whose virt-handler runs the cluster's launcher joins: the pending target goes there.
    await standIns.addNode({ name: 'node-c', launcher: CS9_17 });
    const bound = await until(async () => (await get(`/api/v1/namespaces/${ns}/pods/${target.metadata.name}`)).spec.nodeName as string | undefined, {
      ...WAIT,
      what: 'the target pod to be bound',
    });
    expect(bound).toBe('node-c');
    expect(nodeOffersMachineType(await nodeLabels(bound), RHEL8, 'kubevirt')).toBe(true);

    await migrationDone('mig-rhel8');
    const after = await vmi('vm-rhel8');
    expect(after.status.nodeName).toBe('node-c');
    expect(after.metadata.labels?.['kubevirt.io/nodeName']).toBe('node-c');
    expect(after.status.machine.type).toBe(RHEL8);
    const source = (await launcherPods('vm-rhel8')).find((p) => p.spec.nodeName === 'node-a');
    expect(source?.status.phase).toBe('Succeeded');
  });

  test('a kubevirt.io/drain taint makes virt-controller create an evacuation migration', async () => {
    // vm-rhel8 runs on node-c; node-a (same launcher) is free again.
    const node = await get('/api/v1/nodes/node-c');
    const taints = [...(node.spec.taints ?? []), { key: 'kubevirt.io/drain', value: 'draining', effect: 'NoSchedule' }];
    const res = await rawRequest(
      kc,
      'PATCH',
      '/api/v1/nodes/node-c',
      { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints } },
      'application/merge-patch+json',
    );
    expect(res.status).toBe(200);
    const evacuation = await until(async () => (await migrations()).find((m) => m.spec.vmiName === 'vm-rhel8' && m.metadata.name.startsWith('kubevirt-evacuation-')), {
      ...WAIT,
      what: `an evacuation VMIM for vm-rhel8 (${diagnostics()})`,
    });
    expect(evacuation.metadata.annotations?.['kubevirt.io/evacuationMigration']).toBe('node-c');
    await migrationDone(evacuation.metadata.name);
    expect((await vmi('vm-rhel8')).status.nodeName).toBe('node-a');
    // The node is back (maintenance done): the taint goes.
    const drained = await get('/api/v1/nodes/node-c');
    const untainted = (drained.spec.taints ?? []).filter((t: { key: string }) => t.key !== 'kubevirt.io/drain');
    await rawRequest(
      kc,
      'PATCH',
      '/api/v1/nodes/node-c',
      { metadata: { resourceVersion: drained.metadata.resourceVersion }, spec: { taints: untainted } },
      'application/merge-patch+json',
    );
  });

  test('an Eviction of a launcher pod is denied by the eviction webhook and becomes an evacuation migration', async () => {
    const v = await vmi('vm-q35');
    const [pod] = (await launcherPods('vm-q35')).filter((p) => p.status?.phase === 'Running' && p.spec.nodeName === v.status.nodeName);
    const res = await standIns.evictPod(ns, pod!.metadata.name);
    expect(res.status).toBe(429);
    expect(res.body).toContain('Eviction triggered evacuation of VMI');
    const evacuation = await until(async () => (await migrations()).find((m) => m.spec.vmiName === 'vm-q35' && m.metadata.name.startsWith('kubevirt-evacuation-')), {
      ...WAIT,
      what: `an evacuation VMIM for vm-q35 (${diagnostics()})`,
    });
    await migrationDone(evacuation.metadata.name);
    const after = await vmi('vm-q35');
    expect(after.status.nodeName).not.toBe(v.status.nodeName);
    expect(after.status.evacuationNodeName).toBeUndefined();
  });

  test('restarted on a new launcher image, the workload updater migrates outdated VMIs onto it', async () => {
    // A KubeVirt 1.8 upgrade as virt-operator runs it, in the order that matters here: virt-handler
    // relabels the nodes from the new launcher, virt-controller restarts with the new image, the CR
    // reports the new version deployed.
    for (const name of ['node-a', 'node-c']) await standIns.relabelNode(name, CS9_18);
    await controller.stop();
    const newImage = launcherImageOf('v1.8.0');
    controller = await startVirtController(plane, { launcherImage: newImage });
    await setKubevirtDeployed(kc, 'v1.8.0');

    const update = await until(async () => (await migrations()).find((m) => m.spec.vmiName === 'vm-rhel8' && m.metadata.name.startsWith('kubevirt-workload-update-')), {
      ...WAIT,
      what: `a workload-update VMIM for vm-rhel8 (${diagnostics()})`,
    });
    expect(update.metadata.annotations).toHaveProperty('kubevirt.io/workloadUpdateMigration');
    const target = await targetPodOf(update);
    const compute = target.spec.containers.find((c: { name: string }) => c.name === 'compute');
    expect(compute.image).toBe(newImage);
    await migrationDone(update.metadata.name);
    const updated = await until(async () => ((await vmi('vm-rhel8')).status.launcherContainerImageVersion === newImage ? true : undefined), {
      ...WAIT,
      what: 'vm-rhel8 on the new launcher',
    });
    expect(updated).toBe(true);
    console.info(`virt-controller after the restart: leading after ${controller.startMs} ms, RSS ${controller.rssMiB()} MiB`);
  });
});
