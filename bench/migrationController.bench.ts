/**
 * Migration controller figures (`npm run bench migrationController`): with 10,000 VMIs in the
 * controller's caches and a burst of 1,000 failing migrations on a loopback kube-apiserver, the
 * event-to-action latency (VMIM set Failed → its fallback VMIM seen by a watcher) and the
 * controller's RSS against the memory goal of tracker issue 21, with what it is made of. The
 * controller runs as its own process from the bundle the image ships
 * (build/migration-controller/main.mjs), with its ServiceAccount's RBAC, so its RSS is its own.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi, type KubernetesObject, KubernetesObjectApi, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import { Testing } from 'cdk8s';
import { MigrationController } from '../generators/migrationController.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../compatibility/labelKeys.js';
import { matrixDocument, renderMatrixDocument } from '../compatibility/matrixDocument.js';
import { POD_NAME_ENV, POD_NAMESPACE_ENV } from '../programs/migration-controller/settings.js';
import { MATRIX_FILE_ENV, METRICS_HOST_ENV, METRICS_PORT_ENV } from '../programs/runtime/programEnv.js';
import { KubevirtStandIn } from '../testbed/support/kubevirtStandIn.js';
import { iso, poolNamed, poolNodeLabels, UPGRADE_CLUSTER, vmiObject } from '../testbed/support/syntheticMigrationObjects.js';
import { startControlPlane } from '../testbed/harness/controlPlane.js';
import { freePort } from '../testbed/harness/freePort.js';
import { projectDir, sharedDir } from '../testbed/harness/toolPaths.js';
import { until } from '../testbed/harness/until.js';
import { openSockets, type ProcessMemory, processMemory } from './support/processMemory.js';

const VMIS = 10_000;
const BURST = 1_000;
const SINGLES = 50;
const NAMESPACES = 10;
const NODES_PER_POOL = 8;
const CONCURRENCY = 32;
const SA = 'system:serviceaccount:kvfleet-system:kvfleet-migration-controller';
const VMIM = { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachineinstancemigrations' } as const;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
/** Tracker issue 21: the controller's peak RSS in this bench, under the Deployment's heap flags. */
const PEAK_RSS_GOAL_MIB = 256;

async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const gauge = (text: string, name: string) => Number(new RegExp(`^${name} ([0-9.e+]+)`, 'm').exec(text)?.[1] ?? NaN);

interface MemorySample {
  readonly memory: ProcessMemory;
  /** The controller's own gauges at that moment (prom-client's process metrics). */
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  readonly externalBytes: number;
}

/**
 * Samples the process every `intervalMs` until stopped: the sample with the highest RSS, with the
 * V8 heap and external memory of that moment, and the most sockets seen open.
 */
function sampleMemory(pid: number, metricsText: () => Promise<string>, intervalMs: number) {
  let highest: MemorySample | undefined;
  let mostSockets = 0;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    const memory = processMemory(pid);
    mostSockets = Math.max(mostSockets, openSockets(pid));
    if (highest && memory.rssBytes <= highest.memory.rssBytes) {
      busy = false;
      return;
    }
    metricsText()
      .then((m) => {
        highest = {
          memory,
          heapUsedBytes: gauge(m, 'nodejs_heap_size_used_bytes'),
          heapTotalBytes: gauge(m, 'nodejs_heap_size_total_bytes'),
          externalBytes: gauge(m, 'nodejs_external_memory_bytes'),
        };
      })
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      return { highest, mostSockets };
    },
  };
}

/** The memory rows: the peak against the goal, then what the highest sample in the burst was made of. */
function printMemory(rssIdle: number, highest: MemorySample | undefined, mostSockets: number, after: ProcessMemory): void {
  const peakMib = after.peakRssBytes / 2 ** 20;
  const verdict = peakMib <= PEAK_RSS_GOAL_MIB ? '' : ', over the goal';
  console.log(
    ['controller peak RSS, start-up and burst (kernel high-water mark)', `${mib(after.peakRssBytes)} (goal <= ${PEAK_RSS_GOAL_MIB} MiB${verdict})`].join(' | '),
  );
  console.log(['controller RSS after sync (10,000 VMIs cached)', mib(rssIdle)].join(' | '));
  if (highest) {
    const { memory: m } = highest;
    // What no V8 or Buffer figure covers: the C heap (OpenSSL, sockets), V8's own malloc, thread stacks.
    const rest = Math.max(0, m.anonBytes - highest.heapTotalBytes - highest.externalBytes);
    console.log(['controller RSS at the highest sample in the burst (every 0.25 s)', mib(m.rssBytes)].join(' | '));
    console.log(['  of which file-backed (the node binary, libraries)', mib(m.fileBytes)].join(' | '));
    console.log(['  of which V8 heap, used / total', `${mib(highest.heapUsedBytes)} / ${mib(highest.heapTotalBytes)}`].join(' | '));
    console.log(['  of which external (Buffers, strings outside the V8 heap)', mib(highest.externalBytes)].join(' | '));
    console.log(['  of which other anonymous memory (C heap: TLS, sockets; V8 internals)', mib(rest)].join(' | '));
  }
  console.log(['controller sockets open, most seen in the burst (every 0.25 s)', String(mostSockets)].join(' | '));
  console.log(['controller RSS after the burst', mib(after.rssBytes)].join(' | '));
}

/** Quantile from a Prometheus histogram's cumulative buckets (upper bound of the bucket it falls in). */
function histogramQuantile(text: string, name: string, q: number): string {
  const buckets = [...text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)`, 'gm'))].map((m) => [m[1]!, Number(m[2])] as const);
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return '-';
  const hit = buckets.find(([, n]) => n >= q * total)!;
  return hit[0] === '+Inf' ? '> last bucket' : `≤ ${Number(hit[0]) * 1000} ms`;
}

console.log(`Building the bundle the image ships (npm run bundle) …`);
const built = spawnSync(process.execPath, ['--import', 'tsx', join(projectDir, 'scripts', 'bundle.ts')], { cwd: projectDir, encoding: 'utf8' });
if (built.status !== 0) throw new Error(`bundle failed: ${built.stderr}`);

const plane = await startControlPlane({ crds: [join(sharedDir, 'crds', 'kubevirt')], users: [{ name: SA, groups: ['system:serviceaccounts'] }] });
const dir = mkdtempSync(join(tmpdir(), 'kvfleet-bench-controller-'));
chmodSync(dir, 0o755);
let controller: ChildProcess | undefined;
/** Set once the bench stops the controller itself; an exit before that is news. */
const stopping = { now: false };
try {
  const admin = plane.kubeConfig();
  const kubevirt = new KubevirtStandIn(admin);
  const custom = admin.makeApiClient(CustomObjectsApi);
  const objects = KubernetesObjectApi.makeApiClient(admin);
  await objects.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kvfleet-system' } });
  const chart = Testing.chart();
  const deployed = new MigrationController(chart, 'mc', { cluster: UPGRADE_CLUSTER });
  for (const o of Testing.synth(chart) as KubernetesObject[]) {
    if (/Role|ServiceAccount/.test(o.kind!)) await objects.patch(o, undefined, undefined, 'bench', true, PatchStrategy.ServerSideApply);
  }

  // Nodes of the synthetic RHEL 9 → 10 cluster; VMs run RHEL 8.6 and 9.6 machine types.
  const nodes = UPGRADE_CLUSTER.nodePools.flatMap((p) => Array.from({ length: NODES_PER_POOL }, (_, i) => ({ name: `${p.name}-${i}`, pool: p.name })));
  for (const n of nodes) await kubevirt.createNode({ name: n.name, labels: poolNodeLabels(poolNamed(n.pool)) });
  const rhel96Nodes = nodes.filter((n) => n.pool !== 'rhel10').map((n) => n.name);
  const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `bench-${i}`);
  for (const ns of namespaces) await objects.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });

  const vmis = Array.from({ length: VMIS }, (_, i) => ({
    namespace: namespaces[i % NAMESPACES]!,
    name: `vm-${i}`,
    nodeName: rhel96Nodes[i % rhel96Nodes.length]!,
    machineType: i % 2 === 0 ? 'pc-q35-rhel8.6.0' : 'pc-q35-rhel9.6.0',
  }));
  let t = Date.now();
  await inParallel(vmis, CONCURRENCY, async (v) => {
    await custom.createNamespacedCustomObject({
      group: 'kubevirt.io',
      version: 'v1',
      plural: 'virtualmachineinstances',
      namespace: v.namespace,
      body: vmiObject({ ...v, liveMigratable: true }),
    });
  });
  const createVmisMs = Date.now() - t;

  // The controller process, configured as the Deployment configures it.
  const port = await freePort();
  writeFileSync(join(dir, 'kubeconfig'), plane.kubeconfigFor(SA));
  writeFileSync(join(dir, 'matrix.yaml'), renderMatrixDocument(matrixDocument(UPGRADE_CLUSTER)));
  const env = {
    ...deployed.env, // what the Deployment sets, NODE_OPTIONS (heap cap) included
    KUBECONFIG: join(dir, 'kubeconfig'),
    [MATRIX_FILE_ENV]: join(dir, 'matrix.yaml'),
    [METRICS_PORT_ENV]: String(port),
    [METRICS_HOST_ENV]: '127.0.0.1',
    [POD_NAME_ENV]: 'bench-controller',
    [POD_NAMESPACE_ENV]: 'kvfleet-system',
    LOG_LEVEL: 'warn',
  };
  t = Date.now();
  controller = spawn(process.execPath, [join(projectDir, 'build', 'migration-controller', 'main.mjs')], { env, cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  controller.once('exit', (code, signal) => {
    if (!stopping.now) console.error(`the controller exited during the bench (code ${code}, signal ${signal})`);
  });
  const metricsText = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  await until(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 && gauge(await metricsText(), 'kvfleet_leader') === 1, {
    timeoutMs: 180_000,
    intervalMs: 250,
    what: 'the controller synced and leading',
  });
  const syncMs = Date.now() - t;
  const rssIdle = processMemory(controller.pid!).rssBytes;

  const burst = vmis.slice(0, BURST);
  const startMs = Date.now() - 60_000;
  // Watch for fallbacks the way any client would see them.
  const seen = new Map<string, number>();
  const watch = await new Watch(admin).watch(
    '/apis/kubevirt.io/v1/virtualmachineinstancemigrations',
    { labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}` },
    (type, obj: KubernetesObject) => {
      const key = `${obj.metadata?.namespace}/${obj.metadata?.labels?.['kvfleet.io/fallback-of']}`;
      if (type === 'ADDED' && !seen.has(key)) seen.set(key, Date.now());
    },
    () => undefined,
  );
  // 1,000 user migrations stuck in Scheduling, one per VMI.
  const createScheduling = async (v: { namespace: string; name: string }) => {
    await custom.createNamespacedCustomObject({
      ...VMIM,
      namespace: v.namespace,
      body: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { name: `mig-${v.name}` }, spec: { vmiName: v.name } },
    });
    await custom.patchNamespacedCustomObjectStatus(
      {
        ...VMIM,
        namespace: v.namespace,
        name: `mig-${v.name}`,
        body: {
          status: {
            phase: 'Scheduling',
            phaseTransitionTimestamps: [
              { phase: 'Pending', phaseTransitionTimestamp: iso(startMs) },
              { phase: 'Scheduling', phaseTransitionTimestamp: iso(startMs + 1000) },
            ],
          },
        },
      },
      merge,
    );
  };
  await inParallel(burst, CONCURRENCY, createScheduling);

  // One failure at a time, nothing else going on: the latency a single failed migration sees.
  const fail = async (v: { namespace: string; name: string }) => {
    const now = Date.now();
    await custom.patchNamespacedCustomObjectStatus(
      {
        ...VMIM,
        namespace: v.namespace,
        name: `mig-${v.name}`,
        body: {
          status: {
            phase: 'Failed',
            phaseTransitionTimestamps: [
              { phase: 'Pending', phaseTransitionTimestamp: iso(startMs) },
              { phase: 'Scheduling', phaseTransitionTimestamp: iso(startMs + 1000) },
              { phase: 'Failed', phaseTransitionTimestamp: iso(now) },
            ],
          },
        },
      },
      merge,
    );
  };
  const singles = vmis.slice(BURST, BURST + SINGLES);
  await inParallel(singles, 1, createScheduling);
  const singleLatencies: number[] = [];
  for (const v of singles) {
    const key = `${v.namespace}/mig-${v.name}`;
    const sent = Date.now();
    await fail(v);
    await until(() => seen.has(key), { timeoutMs: 30_000, intervalMs: 2, what: `fallback for ${key}` });
    singleLatencies.push(seen.get(key)! - sent);
  }
  singleLatencies.sort((a, b) => a - b);

  const sampler = sampleMemory(controller.pid!, metricsText, 250);

  // The burst: every migration fails at once (KubeVirt's unschedulable timeout expiring).
  const failedAt = new Map<string, number>();
  t = Date.now();
  await inParallel(burst, 64, async (v) => {
    const key = `${v.namespace}/mig-${v.name}`;
    failedAt.set(key, Date.now());
    await fail(v);
  });
  const burstWriteMs = Date.now() - t;
  await until(() => seen.size >= BURST + SINGLES, { timeoutMs: 300_000, intervalMs: 200, what: `${BURST} fallbacks (seen ${seen.size})` });
  const burstDoneMs = Date.now() - t;
  const { highest, mostSockets } = sampler.stop();
  watch.abort();
  const finalMetrics = await metricsText();
  const memoryAfter = processMemory(controller.pid!);
  const fallbacks = (await Promise.all(namespaces.map((ns) => kubevirt.fallbacks(ns)))).flat();

  const latencies = [...failedAt].map(([key, at]) => seen.get(key)! - at).sort((a, b) => a - b);
  const internal = (q: number) => histogramQuantile(finalMetrics, 'kvfleet_migration_fallback_latency_seconds', q);
  console.log(`\nMigration controller on a loopback kube-apiserver: ${VMIS} VMIs, ${nodes.length} nodes, burst of ${BURST} failing VMIMs`);
  console.log(['figure', 'value'].join(' | '));
  console.log(['create 10,000 VMIs (bench client, 32 parallel)', seconds(createVmisMs)].join(' | '));
  console.log(['controller start → synced and leading', seconds(syncMs)].join(' | '));
  console.log(['burst: 1,000 Failed status writes sent', seconds(burstWriteMs)].join(' | '));
  console.log(['burst: until the last fallback was seen', seconds(burstDoneMs)].join(' | '));
  console.log([`one failure at a time (${SINGLES}): event → fallback seen, p50`, `${quantile(singleLatencies, 0.5)} ms`].join(' | '));
  console.log([`one failure at a time (${SINGLES}): event → fallback seen, p99`, `${quantile(singleLatencies, 0.99)} ms`].join(' | '));
  console.log(['burst: event → fallback seen by a watcher, p50', `${quantile(latencies, 0.5)} ms`].join(' | '));
  console.log(['burst: event → fallback seen by a watcher, p90', `${quantile(latencies, 0.9)} ms`].join(' | '));
  console.log(['burst: event → fallback seen by a watcher, p99', `${quantile(latencies, 0.99)} ms`].join(' | '));
  console.log(['burst: event → fallback seen by a watcher, max', `${latencies.at(-1)} ms`].join(' | '));
  console.log(['controller-internal, all failures (Failed received → created), p50', internal(0.5)].join(' | '));
  console.log(['controller-internal, all failures (Failed received → created), p99', internal(0.99)].join(' | '));
  console.log(['fallback VMIMs created (must equal the failures: no duplicates)', `${fallbacks.length} of ${BURST + SINGLES}`].join(' | '));
  printMemory(rssIdle, highest, mostSockets, memoryAfter);
  if (fallbacks.length !== BURST + SINGLES) process.exitCode = 1;
} finally {
  stopping.now = true;
  if (controller && controller.exitCode === null) {
    controller.kill('SIGTERM');
    await new Promise((r) => controller!.once('exit', r));
  }
  await plane.stop();
  rmSync(dir, { recursive: true, force: true });
}
