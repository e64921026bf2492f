/**
 * The migration controller's image, run by podman as prod-east's Deployment in dist/ says
 * (testbed/harness/podman.ts): its env (the cluster's migration settings, KubeVirt 1.5.0, the Lease name) with
 * the downward API filled in, its matrix ConfigMap mounted, uid 65532, read-only root, no capabilities,
 * no_new_privs, its limits, and the ServiceAccount mount of a pod, whose RBAC is dist/'s. The test plays
 * KubeVirt (testbed/support/kubevirtStandIn.ts) on a real API server with KubeVirt's CRDs, on nodes labelled
 * from dist/'s matrix as the labeller labels them.
 */
import { join } from 'node:path';
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { HOSTNAME_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, machineTypeLabelKey, TARGET_NODE_ANNOTATION } from '../../compatibility/labelKeys.js';
import { schedulingContractOf } from '../../compatibility/kubevirtVersions.js';
import { parseMatrixDocument } from '../../compatibility/matrixDocument.js';
import { CONTROLLER_METRICS } from '../../programs/migration-controller/metrics.js';
import { METRICS_HOST_ENV, METRICS_PORT_ENV } from '../../programs/runtime/programEnv.js';
import { type ControlPlane, startControlPlane } from '../../testbed/harness/controlPlane.js';
import { freePort } from '../../testbed/harness/freePort.js';
import { createTestNamespace } from '../../testbed/harness/namespaces.js';
import {
  applyDistAccess,
  containerOf,
  distWorkload,
  ensureImages,
  type LoadedImage,
  loadImage,
  type PodContainer,
  podmanRequired,
  podmanUnavailable,
  processFacts,
  quantityBytes,
  readinessPath,
  serviceAccountGroups,
  serviceAccountUser,
  specEnv,
  startPodContainer,
} from '../../testbed/harness/podman.js';
import { sharedDir } from '../../testbed/harness/toolPaths.js';
import { distMatrixText } from '../../testbed/support/distObjects.js';
import { KubevirtStandIn, type RawVmim } from '../../testbed/support/kubevirtStandIn.js';
import { poolNodeLabels, SELECTOR_MISMATCH_MESSAGE } from '../../testbed/support/syntheticMigrationObjects.js';

const CLUSTER = 'prod-east';
const workload = distWorkload(CLUSTER, 'Deployment', 'kvfleet-migration-controller');
const spec = workload.podSpec;
const controller = containerOf(workload, 'controller');
const matrixText = distMatrixText(CLUSTER);
const parsedMatrix = parseMatrixDocument(matrixText);
if (!parsedMatrix.ok) throw new Error(`dist/${CLUSTER}'s matrix does not parse: ${parsedMatrix.message}`);
const pools = parsedMatrix.matrix.pools;
/** Two nodes of each pool, labelled as the labeller labels them from the pool's current launcher. */
const NODES = pools.flatMap((p) => [1, 2].map((i) => ({ name: `${p.name}-${i}`, labels: poolNodeLabels(p) })));
/** A type every pool runs now, so the VMI's source pool has other nodes to fall back to. */
const MACHINE_TYPE = pools[0]!.current.supported.find((t) => pools.every((p) => p.current.supported.includes(t)))!;
const SOURCE = NODES[0]!.name;
const compatibleTargets = NODES.filter((n) => n.name !== SOURCE && n.labels[machineTypeLabelKey(MACHINE_TYPE)!] === 'true').map((n) => n.name);
const scheduling = schedulingContractOf(specEnv(controller, 'KVFLEET_KUBEVIRT_VERSION'));
/** Where a fallback names its node: KubeVirt ≥ 1.6 has addedNodeSelector; before, kvfleet's annotation. */
const pinnedNode = (vmim: RawVmim) =>
  scheduling.pinMode === 'addedNodeSelector' ? vmim.spec.addedNodeSelector?.[HOSTNAME_LABEL] : vmim.metadata?.annotations?.[TARGET_NODE_ANNOTATION];

const unavailable = podmanUnavailable();
const skip = unavailable !== undefined && !podmanRequired();
if (skip) console.warn(`migration controller's image tests skipped: ${unavailable}`);

let plane: ControlPlane;
let admin: KubeConfig;
let kubevirt: KubevirtStandIn;
let image: LoadedImage;
let pinMismatch: string | undefined;
const containers: PodContainer[] = [];
const namespaces: string[] = [];
let replica = 0;

/** One replica of the Deployment, its metrics on a free loopback port; resolves once it answers /readyz 200. */
async function startReplica() {
  const podName = `kvfleet-migration-controller-${process.pid}-${++replica}`;
  const port = await freePort();
  const container = await startPodContainer({
    image,
    workload,
    container: 'controller',
    plane,
    fieldRefs: { 'metadata.name': podName },
    // Host network: the pod's port 8080 on all interfaces becomes a free loopback port.
    envOverrides: { [METRICS_PORT_ENV]: String(port), [METRICS_HOST_ENV]: '127.0.0.1' },
  });
  containers.push(container);
  const get = async (path: string) => {
    const r = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: r.status, body: await r.text() };
  };
  await container.waitFor(async () => (await get(readinessPath(controller)).catch(() => ({ status: 0 }))).status === 200, `${readinessPath(controller)} 200`, 90_000);
  return { podName, port, container, readyMs: Date.now() - container.startedAtMs, get };
}

const lease = () => admin.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: specEnv(controller, 'KVFLEET_LEASE_NAME'), namespace: workload.namespace });

describe.skipIf(skip)(`the migration controller's image under podman${skip ? ` (skipped: ${unavailable})` : ''}`, () => {
  beforeAll(async () => {
    if (unavailable) throw new Error(`CI must run the image tests: ${unavailable}`);
    const built = await ensureImages();
    pinMismatch = built.mismatch;
    image = await loadImage(built.images.find((i) => i.program === 'migration-controller')!);
    plane = await startControlPlane({
      crds: [join(sharedDir, 'crds', 'kubevirt')],
      users: [{ name: serviceAccountUser(workload), groups: serviceAccountGroups(workload) }],
    });
    admin = plane.kubeConfig();
    kubevirt = new KubevirtStandIn(admin);
    await applyDistAccess(admin, CLUSTER);
    for (const n of NODES) await kubevirt.createNode(n);
  });

  afterEach(async () => {
    for (const c of containers.splice(0)) await c.remove();
    for (const ns of namespaces.splice(0)) await kubevirt.purge(ns);
  });

  afterAll(async () => {
    await plane?.stop();
  });

  test('the image is the one the Deployment pins by digest', () => {
    expect(image.digest, pinMismatch).toBe(controller.image!.split('@')[1]);
  });

  test('leads through its Lease, serves /readyz 200 and its metrics as uid 65532 with a read-only root and no capabilities, and exits 0 on SIGTERM within its grace period, handing the Lease back', async () => {
    const { podName, port, container, readyMs, get } = await startReplica();
    await container.waitFor(async () => (await lease()).spec?.holderIdentity === podName, `${podName} holding the Lease`, 30_000);
    const metrics = (await get('/metrics')).body;
    for (const m of Object.values(CONTROLLER_METRICS)) expect(metrics, `${m.name} in /metrics`).toContain(`# TYPE ${m.name} ${m.type}`);
    expect(metrics).toMatch(/^kvfleet_leader 1$/m);
    expect(container.serves(port)).toBe(true);

    const sc = { ...spec.securityContext, ...controller.securityContext };
    const facts = processFacts(container.pid);
    expect({ uid: facts.uid, gid: facts.gid }).toEqual({ uid: sc.runAsUser, gid: sc.runAsGroup });
    expect(facts.uid).not.toBe(0);
    expect({ capEff: facts.capEff, capBnd: facts.capBnd, noNewPrivs: facts.noNewPrivs }).toEqual({ capEff: '0'.repeat(16), capBnd: '0'.repeat(16), noNewPrivs: true });
    expect(facts.rootMountOptions).toContain('ro');
    if (facts.memoryLimitBytes !== undefined) expect(facts.memoryLimitBytes).toBe(quantityBytes(controller.resources!.limits!.memory!));

    const grace = spec.terminationGracePeriodSeconds!;
    const stopped = await container.stop(grace);
    expect({ exitCode: stopped.exitCode, killed: stopped.killed }).toEqual({ exitCode: 0, killed: false });
    expect(stopped.stopMs).toBeLessThan(grace * 1000);
    expect((await lease()).spec?.holderIdentity ?? '').toBe('');
    console.log(`[controller image] create ${container.createMs} ms; start → /readyz 200 ${readyMs} ms; SIGTERM → exit ${stopped.stopMs} ms (grace ${grace} s)`);
  });

  test('a migration that failed because no node offered its machine type gets one fallback, pinned to another node that offers it', async () => {
    const { podName, container } = await startReplica();
    await container.waitFor(async () => (await lease()).spec?.holderIdentity === podName, `${podName} holding the Lease`, 30_000);
    const ns = await createTestNamespace(admin, 'image');
    namespaces.push(ns);

    await kubevirt.createVmi({ name: 'vm-1', namespace: ns, nodeName: SOURCE, machineType: MACHINE_TYPE, liveMigratable: true });
    await kubevirt.createVmim(ns, 'user-mig', 'vm-1');
    await kubevirt.setPhase(ns, 'user-mig', 'Pending');
    await kubevirt.setPhase(ns, 'user-mig', 'Scheduling');
    await kubevirt.createTargetPod(await kubevirt.getVmim(ns, 'user-mig'), { unschedulable: SELECTOR_MISMATCH_MESSAGE });
    await kubevirt.setPhase(ns, 'user-mig', 'Failed');

    const fallback = await container.waitFor(async () => (await kubevirt.fallbacks(ns))[0], `a fallback VMIM in ${ns}`);
    expect(fallback.spec.vmiName).toBe('vm-1');
    expect(fallback.metadata?.labels?.[MANAGED_BY_LABEL]).toBe(MANAGED_BY_VALUE);
    expect(compatibleTargets).toContain(pinnedNode(fallback));
    // One fallback for one failure: nothing else follows while the first is in flight.
    const stopped = await container.stop(spec.terminationGracePeriodSeconds!);
    expect(await kubevirt.fallbacks(ns)).toHaveLength(1);
    expect(stopped.exitCode).toBe(0);
  });
});
