/**
 * The node labeller's image, run by podman as prod-east's rhel9-compute DaemonSet in dist/ says
 * (testbed/harness/podman.ts): its env with the downward API filled in, its matrix ConfigMap and capabilities
 * emptyDir mounted, uid 65532, read-only root, no capabilities, no_new_privs, its memory and CPU limits, and
 * the ServiceAccount mount of a pod, whose RBAC is dist/'s. The init container (virsh in the launcher image)
 * does not run here: the test writes what it would, a real `virsh capabilities` sample, into the emptyDir.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { aliasMachineTypeLabelKey, HOSTNAME_LABEL, isKvfleetNodeLabel, POOL_LABEL } from '../../compatibility/labelKeys.js';
import { parseMatrixDocument } from '../../compatibility/matrixDocument.js';
import { parseCapabilities } from '../../programs/node-labeller/capabilitiesXml.js';
import { desiredNodeMetadata } from '../../programs/node-labeller/nodeLabels.js';
import { LABELLER_METRICS } from '../../programs/node-labeller/metrics.js';
import { ENV } from '../../programs/node-labeller/settings.js';
import { METRICS_HOST_ENV, METRICS_PORT_ENV } from '../../programs/runtime/programEnv.js';
import { type ControlPlane, startControlPlane } from '../../testbed/harness/controlPlane.js';
import { freePort } from '../../testbed/harness/freePort.js';
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

const CLUSTER = 'prod-east';
const workload = distWorkload(CLUSTER, 'DaemonSet', 'kvfleet-node-labeller-rhel9-compute');
const spec = workload.podSpec;
const labeller = containerOf(workload, 'labeller');
/** Real `virsh capabilities` output (virt-manager's test data): upstream QEMU names, alias q35 → pc-q35-6.1. */
const sampleXml = readFileSync(join(sharedDir, 'samples', 'capabilities', 'kvm-x86_64.xml'), 'utf8');

const unavailable = podmanUnavailable();
const skip = unavailable !== undefined && !podmanRequired();
if (skip) console.warn(`node labeller's image tests skipped: ${unavailable}`);

let plane: ControlPlane;
let admin: KubeConfig;
let core: CoreV1Api;
let image: LoadedImage;
let pinMismatch: string | undefined;
const containers: PodContainer[] = [];

describe.skipIf(skip)(`the node labeller's image under podman${skip ? ` (skipped: ${unavailable})` : ''}`, () => {
  beforeAll(async () => {
    if (unavailable) throw new Error(`CI must run the image tests: ${unavailable}`);
    const built = await ensureImages();
    pinMismatch = built.mismatch;
    image = await loadImage(built.images.find((i) => i.program === 'node-labeller')!);
    plane = await startControlPlane({ users: [{ name: serviceAccountUser(workload), groups: serviceAccountGroups(workload) }] });
    admin = plane.kubeConfig();
    core = admin.makeApiClient(CoreV1Api);
    await applyDistAccess(admin, CLUSTER);
  });

  afterEach(async () => {
    for (const c of containers.splice(0)) await c.remove();
  });

  afterAll(async () => {
    await plane?.stop();
  });

  test('the image is the one the DaemonSet pins by digest', () => {
    expect(image.digest, pinMismatch).toBe(labeller.image!.split('@')[1]);
  });

  test('labels a Node of its pool from a real capabilities sample, as uid 65532 with a read-only root and no capabilities, and exits 0 on SIGTERM within its grace period', async () => {
    // A node the DaemonSet would run on: it carries the DaemonSet's nodeSelector.
    const nodeName = `image-labeller-${process.pid}`;
    const initialLabels: Record<string, string> = { ...spec.nodeSelector, [HOSTNAME_LABEL]: nodeName };
    await core.createNode({ body: { metadata: { name: nodeName, labels: initialLabels } } });
    // The init container writes KVFLEET_CAPABILITIES_FILE into the emptyDir mounted at its folder.
    const capabilitiesPath = specEnv(labeller, ENV.capabilitiesPath);
    const capabilitiesVolume = labeller.volumeMounts!.find((m) => m.mountPath === dirname(capabilitiesPath))!.name;
    const port = await freePort();

    const container = await startPodContainer({
      image,
      workload,
      container: 'labeller',
      plane,
      fieldRefs: { 'spec.nodeName': nodeName },
      // Host network: the pod's port 8080 on all interfaces becomes a free loopback port.
      envOverrides: { [METRICS_PORT_ENV]: String(port), [METRICS_HOST_ENV]: '127.0.0.1' },
      emptyDirFiles: { [capabilitiesVolume]: { [basename(capabilitiesPath)]: sampleXml } },
    });
    containers.push(container);

    const kvfleetLabels = (node: V1Node) => Object.fromEntries(Object.entries(node.metadata?.labels ?? {}).filter(([k]) => isKvfleetNodeLabel(k)));
    const labelled = await container.waitFor(async () => {
      const labels = kvfleetLabels(await core.readNode({ name: nodeName }));
      return Object.keys(labels).length > 0 && labels;
    }, `kvfleet labels on ${nodeName}`);
    const labelledMs = Date.now() - container.startedAtMs;
    const get = async (path: string) => {
      const r = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: r.status, body: await r.text() };
    };
    await container.waitFor(async () => (await get(readinessPath(labeller)).catch(() => ({ status: 0 }))).status === 200, `${readinessPath(labeller)} 200`);

    // The labels the program computes from this sample, this matrix and this node, derived from the inputs.
    const caps = parseCapabilities(sampleXml);
    if (!caps.ok) throw new Error(`the sample does not parse: ${caps.message}`);
    const matrix = parseMatrixDocument(distMatrixText(CLUSTER));
    if (!matrix.ok) throw new Error(`dist/'s matrix does not parse: ${matrix.message}`);
    const expected = desiredNodeMetadata(caps.machineTypes, matrix.matrix, initialLabels).labels;
    expect(labelled).toEqual(expected);
    const pool = matrix.matrix.pools.find((p) => Object.entries(p.nodeSelector).every(([k, v]) => initialLabels[k] === v))!;
    expect(labelled[POOL_LABEL]).toBe(pool.name);
    expect(labelled[aliasMachineTypeLabelKey('q35')!]).toBe(caps.machineTypes.aliases.q35);

    // What the runtime applied, read from the kernel, is what the pod spec asks for.
    const sc = { ...spec.securityContext, ...labeller.securityContext };
    const facts = processFacts(container.pid);
    expect({ uid: facts.uid, gid: facts.gid }).toEqual({ uid: sc.runAsUser, gid: sc.runAsGroup });
    expect(facts.uid).not.toBe(0);
    expect({ capEff: facts.capEff, capBnd: facts.capBnd, noNewPrivs: facts.noNewPrivs }).toEqual({ capEff: '0'.repeat(16), capBnd: '0'.repeat(16), noNewPrivs: true });
    expect(facts.rootMountOptions).toContain('ro');
    if (facts.memoryLimitBytes !== undefined) expect(facts.memoryLimitBytes).toBe(quantityBytes(labeller.resources!.limits!.memory!));
    expect(container.serves(port)).toBe(true);

    const metrics = (await get('/metrics')).body;
    for (const m of Object.values(LABELLER_METRICS)) expect(metrics, `${m.name} in /metrics`).toContain(`# TYPE ${m.name} ${m.type}`);

    const grace = spec.terminationGracePeriodSeconds!;
    const stopped = await container.stop(grace);
    expect({ exitCode: stopped.exitCode, killed: stopped.killed }).toEqual({ exitCode: 0, killed: false });
    expect(stopped.stopMs).toBeLessThan(grace * 1000);
    console.log(`[labeller image] create ${container.createMs} ms; start → node labelled ${labelledMs} ms; SIGTERM → exit ${stopped.stopMs} ms (grace ${grace} s)`);
  });
});
