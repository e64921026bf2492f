/**
 * Image figures (`npm run bench images`): each program's image size (compressed layers of this machine's
 * architecture, the two-architecture .oci.tar, unpacked in podman's storage) and how fast it starts when
 * podman runs it as prod-east's dist/ pod spec says (testbed/harness/podman.ts, as the *.podman.test.ts do):
 * container start → /readyz 200 and → Lease held for the controller, container start → first label patch
 * on its Node for the labeller; plus SIGTERM → exit and the process's RSS once ready. Each start is a new
 * container against one loopback API server; runs are sequential, so each controller replica takes over
 * the Lease its predecessor handed back.
 */
import { readFileSync } from 'node:fs';
import { arch } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { CoordinationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { HOSTNAME_LABEL, isKvfleetNodeLabel } from '../compatibility/labelKeys.js';
import { type ImageName } from '../generators/imageDigests.js';
import { startControlPlane } from '../testbed/harness/controlPlane.js';
import { freePort } from '../testbed/harness/freePort.js';
import {
  applyDistAccess,
  containerOf,
  distWorkload,
  ensureImages,
  type LoadedImage,
  loadImage,
  type PodContainer,
  podman,
  podmanUnavailable,
  readinessPath,
  serviceAccountGroups,
  serviceAccountUser,
  specEnv,
  startPodContainer,
} from '../testbed/harness/podman.js';
import { ENV } from '../programs/node-labeller/settings.js';
import { METRICS_HOST_ENV, METRICS_PORT_ENV } from '../programs/runtime/programEnv.js';
import { sharedDir } from '../testbed/harness/toolPaths.js';
import { quantile } from './support/quantile.js';

const RUNS = Number(process.env.KVFLEET_BENCH_IMAGE_RUNS ?? 5);
const CLUSTER = 'prod-east';
const labellerWorkload = distWorkload(CLUSTER, 'DaemonSet', 'kvfleet-node-labeller-rhel9-compute');
const controllerWorkload = distWorkload(CLUSTER, 'Deployment', 'kvfleet-migration-controller');
const labeller = containerOf(labellerWorkload, 'labeller');
const controller = containerOf(controllerWorkload, 'controller');
const sampleXml = readFileSync(join(sharedDir, 'samples', 'capabilities', 'kvm-x86_64.xml'), 'utf8');

const unavailable = podmanUnavailable();
if (unavailable) {
  console.log(`skipped: ${unavailable}`);
  process.exit(0);
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const rssMiB = (pid: number) => Math.round(Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024);
const ociArch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[arch()] ?? arch();

const built = await ensureImages((line) => console.log(`[images] ${line}`));
if (built.mismatch) console.log(`note: ${built.mismatch}`);
const images = new Map<ImageName, LoadedImage>();
// Imported afresh (from our own podman storage only), so the import times are a cold node's: the first image
// brings all three layers, the second only its app layer (base and node are the same blobs).
// (An image a running test's container uses stays; its import then shows as cached.)
for (const b of built.images) await podman(['rmi', '--ignore', b.reference.slice(0, b.reference.indexOf('@'))]).catch(() => undefined);
console.log(`Image sizes (linux/${ociArch} compressed layers; the .oci.tar holds both architectures)`);
console.log(['image', 'compressed', '.oci.tar', 'unpacked', 'podman import'].join(' | '));
for (const b of built.images) {
  const loaded = await loadImage(b);
  images.set(b.program, loaded);
  const layers = b.platforms[`linux/${ociArch}`]?.layers ?? [];
  const compressed = layers.reduce((sum, l) => sum + l.bytes, 0);
  console.log([b.program, mb(compressed), mb(b.archiveBytes), mb(loaded.unpackedBytes), loaded.loadMs ? `${loaded.loadMs} ms` : 'cached'].join(' | '));
}

const plane = await startControlPlane({
  crds: [join(sharedDir, 'crds', 'kubevirt')],
  users: [labellerWorkload, controllerWorkload].map((w) => ({ name: serviceAccountUser(w), groups: serviceAccountGroups(w) })),
});
const admin = plane.kubeConfig();
const core = admin.makeApiClient(CoreV1Api);
const leases = admin.makeApiClient(CoordinationV1Api);
await applyDistAccess(admin, CLUSTER);

interface Run {
  readonly createMs: number;
  readonly readyMs: number;
  readonly leaderMs?: number;
  readonly stopMs: number;
  readonly exitCode: number;
  readonly rssMiB: number;
}

async function measure(start: () => Promise<{ container: PodContainer; ready: () => Promise<boolean>; leader?: () => Promise<boolean> }>, grace: number): Promise<Run> {
  const { container, ready, leader } = await start();
  try {
    await container.waitFor(ready, 'ready', 120_000);
    const readyMs = Date.now() - container.startedAtMs;
    let leaderMs: number | undefined;
    if (leader) {
      await container.waitFor(leader, 'the Lease');
      leaderMs = Date.now() - container.startedAtMs;
    }
    const rss = rssMiB(container.pid);
    const stopped = await container.stop(grace);
    return { createMs: container.createMs, readyMs, ...(leaderMs !== undefined ? { leaderMs } : {}), stopMs: stopped.stopMs, exitCode: stopped.exitCode, rssMiB: rss };
  } finally {
    await container.remove();
  }
}

const capabilitiesPath = specEnv(labeller, ENV.capabilitiesPath);
const capabilitiesVolume = labeller.volumeMounts!.find((m) => m.mountPath === dirname(capabilitiesPath))!.name;
const labellerRuns: Run[] = [];
for (let i = 1; i <= RUNS; i++) {
  const nodeName = `bench-labeller-${i}`;
  await core.createNode({ body: { metadata: { name: nodeName, labels: { ...labellerWorkload.podSpec.nodeSelector, [HOSTNAME_LABEL]: nodeName } } } });
  labellerRuns.push(
    await measure(async () => {
      const port = await freePort();
      const container = await startPodContainer({
        image: images.get('node-labeller')!,
        workload: labellerWorkload,
        container: 'labeller',
        plane,
        fieldRefs: { 'spec.nodeName': nodeName },
        envOverrides: { [METRICS_PORT_ENV]: String(port), [METRICS_HOST_ENV]: '127.0.0.1' },
        emptyDirFiles: { [capabilitiesVolume]: { [basename(capabilitiesPath)]: sampleXml } },
      });
      // The first label patch: the Node carries kvfleet labels.
      const ready = async () => Object.keys((await core.readNode({ name: nodeName })).metadata?.labels ?? {}).some(isKvfleetNodeLabel);
      return { container, ready };
    }, labellerWorkload.podSpec.terminationGracePeriodSeconds!),
  );
}

const controllerRuns: Run[] = [];
const leaseName = specEnv(controller, 'KVFLEET_LEASE_NAME');
for (let i = 1; i <= RUNS; i++) {
  const podName = `kvfleet-migration-controller-bench-${i}`;
  controllerRuns.push(
    await measure(async () => {
      const port = await freePort();
      const container = await startPodContainer({
        image: images.get('migration-controller')!,
        workload: controllerWorkload,
        container: 'controller',
        plane,
        fieldRefs: { 'metadata.name': podName },
        envOverrides: { [METRICS_PORT_ENV]: String(port), [METRICS_HOST_ENV]: '127.0.0.1' },
      });
      const ready = async () => (await fetch(`http://127.0.0.1:${port}${readinessPath(controller)}`).catch(() => undefined))?.status === 200;
      const leader = async () => (await leases.readNamespacedLease({ name: leaseName, namespace: controllerWorkload.namespace })).spec?.holderIdentity === podName;
      return { container, ready, leader };
    }, controllerWorkload.podSpec.terminationGracePeriodSeconds!),
  );
}
await plane.stop();

const fmt = (runs: readonly Run[], pick: (r: Run) => number | undefined) => {
  const values = runs
    .map(pick)
    .filter((v): v is number => v !== undefined)
    .sort((a, b) => a - b);
  return values.length ? `${quantile(values, 0.5)} / ${values[values.length - 1]}` : '-';
};
console.log(`\nStart-up as dist/${CLUSTER} runs them, ${RUNS} containers each, median / max (ms; RSS in MiB)`);
console.log(['image', 'podman create', 'start → ready', 'start → Lease held', 'SIGTERM → exit', 'exit codes', 'RSS when ready', 'limit'].join(' | '));
for (const [name, runs, c, readyWhat] of [
  ['node-labeller', labellerRuns, labeller, 'first label patch'],
  ['migration-controller', controllerRuns, controller, '/readyz 200'],
] as const) {
  console.log(
    [
      `${name} (ready = ${readyWhat})`,
      fmt(runs, (r) => r.createMs),
      fmt(runs, (r) => r.readyMs),
      fmt(runs, (r) => r.leaderMs),
      fmt(runs, (r) => r.stopMs),
      [...new Set(runs.map((r) => r.exitCode))].join(','),
      fmt(runs, (r) => r.rssMiB),
      `${c.resources?.limits?.memory ?? '-'}, ${c.resources?.limits?.cpu ?? '-'} CPU`,
    ].join(' | '),
  );
}
