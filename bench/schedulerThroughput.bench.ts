/**
 * Scheduler cost of machine-type labels (`npm run bench schedulerThroughput`): the real
 * kube-scheduler's throughput and create → bound latency for 2,000 migration target virt-launcher
 * Pods over 1,000 and 5,000 Node objects that carry both labellers' labels, with and without the
 * machine-type nodeSelector (a type half the pools offer, and as a control a type every pool
 * offers), in one run; and the bytes kvfleet's (and KubeVirt's) machine-type labels add to each
 * Node object as the API server returns it.
 *
 * Per node count: a fresh etcd + kube-apiserver (test harness) and the Nodes, created in parallel
 * over a few connections. Per configuration: a fresh kube-scheduler process (fresh cache and queue)
 * and a fresh namespace, the previous configuration's Pods deleted first; Pods are created in
 * parallel while a watch on `spec.nodeName!=` records when each is bound. No kubelet runs: Pods are
 * only bound, never started.
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { schedulerMachineTypeLabelKey } from '../compatibility/nodeRule.js';
import { schedulingContractOf } from '../compatibility/kubevirtVersions.js';
import { startControlPlane } from '../testbed/harness/controlPlane.js';
import { toolPath } from '../testbed/harness/toolPaths.js';
import { TEST_CS10_LAUNCHER_IMAGE, testCluster, testPool } from '../testbed/support/clusterFixtures.js';
import { BulkApi, inParallel } from '../testbed/support/bulkApi.js';
import { launcherTargetPod } from './support/launcherPods.js';
import { quantile } from './support/quantile.js';
import { countKeys, KUBEVIRT_DEVICE_RESOURCES, machineTypeCountOf, nodeBody, type PoolNodeLabels, poolNodeLabelSets, sampleHostCpu } from './support/realisticNodes.js';
import { type BenchScheduler, startBenchScheduler } from './support/schedulerProcess.js';

const PODS = 2_000;
const NODE_COUNTS = [1_000, 5_000];
/** In-flight requests while creating Nodes and Pods, each on its own keep-alive connection. */
const CONNECTIONS = 12;
const RUN_TIMEOUT_MS = 150_000;
const ZONES = ['zone-a', 'zone-b', 'zone-c'];
/**
 * kube-scheduler's client rate limit: its default (what a cluster runs unless tuned: 50 QPS, burst
 * 100, so at most ~50 binds/s), then lifted so the scheduling work itself shows. The lifted runs go
 * off, half, all, half, off so a drift in the shared machine's load falls on every side alike (the
 * control, a selector every Node matches, once, in the middle).
 */
const DEFAULT_QPS = { name: 'default (QPS 50)', args: [] as string[] };
const LIFTED_QPS = { name: 'QPS 5000', args: ['--kube-api-qps=5000', '--kube-api-burst=5000'] };
/**
 * The machine-type selector of a run: none; a VM pinned to a RHEL 8 type half-way through the
 * virt-handler rollout of a switch to a CentOS Stream 10 launcher (virt-operator replaces virt-handler
 * a share of the Nodes at a time, and each relabels its Node from the launcher it runs, so the Nodes
 * already switched lack the RHEL 8 types the el10 QEMU dropped); as a control, a type both launchers
 * offer (the key is there, no Node is excluded).
 */
type Selector = 'off' | 'half' | 'all';
const SELECTED_MACHINE_TYPE: Record<Exclude<Selector, 'off'>, string> = { half: 'pc-q35-rhel8.6.0', all: 'pc-q35-rhel9.6.0' };
const SELECTOR_NAME: Record<Selector, string> = { off: 'off', half: 'on (half the Nodes)', all: 'on (every Node)' };
/** The default-QPS pair only at the largest size: its rate limit caps both sides alike. */
const runsFor = (nodeCount: number) => [
  ...(nodeCount === Math.max(...NODE_COUNTS)
    ? [
        { client: DEFAULT_QPS, selector: 'off' as Selector },
        { client: DEFAULT_QPS, selector: 'half' as Selector },
      ]
    : []),
  ...(['off', 'half', 'all', 'half', 'off'] as const).map((selector) => ({ client: LIFTED_QPS, selector: selector as Selector })),
];

/** Half the Nodes still labelled by the CentOS Stream 9 virt-handler, half by the CentOS Stream 10 one (same KubeVirt). */
const cluster = testCluster({ name: 'bench-scheduler', kubevirtVersion: '1.8.0', nodePools: [testPool('cs9-a'), testPool('cs9-b')] });
const switched = testCluster({
  ...cluster,
  launcher: { build: 'centos-stream-10', image: TEST_CS10_LAUNCHER_IMAGE },
  nodePools: [testPool('cs10-a'), testPool('cs10-b')],
});
const labeller = schedulingContractOf(cluster.kubevirtVersion).machineTypeLabeller;
const selectorKey = (selector: Exclude<Selector, 'off'>) => schedulerMachineTypeLabelKey(SELECTED_MACHINE_TYPE[selector], labeller)!;
const hostCpu = sampleHostCpu();
const sets = [...poolNodeLabelSets(cluster, hostCpu), ...poolNodeLabelSets(switched, hostCpu)];
const capacity = { cpu: '64', memory: '512Gi', pods: '110', 'ephemeral-storage': '400Gi', ...Object.fromEntries(KUBEVIRT_DEVICE_RESOURCES.map((r) => [r, '1k'])) };

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const now = () => performance.now();

function nodesOf(count: number): { name: string; set: PoolNodeLabels; zone: string }[] {
  return Array.from({ length: count }, (_, i) => {
    const set = sets[i % sets.length]!;
    return { name: `${set.pool.name}-${String(Math.floor(i / sets.length)).padStart(4, '0')}`, set, zone: ZONES[i % ZONES.length]! };
  });
}

/** Creates a Node with its status, then lifts the not-ready taint TaintNodesByCondition put on it. */
async function createNode(api: BulkApi, name: string, body: Record<string, unknown>): Promise<void> {
  await api.must('POST', '/api/v1/nodes', body);
  await api.must('PATCH', `/api/v1/nodes/${name}`, { spec: { taints: null } }, { contentType: 'application/merge-patch+json' });
}

/** Sum and count of a Prometheus histogram's series whose labels contain every `match` string. */
function histogramMean(text: string, name: string, ...match: string[]): number {
  let sum = 0;
  let count = 0;
  for (const m of text.matchAll(new RegExp(`^${name}_(sum|count)(\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm'))) {
    if (!match.every((x) => (m[2] ?? '').includes(x))) continue;
    if (m[1] === 'sum') sum += Number(m[3]);
    else count += Number(m[3]);
  }
  return count === 0 ? NaN : sum / count;
}

interface RunResult {
  readonly run: number;
  readonly nodes: number;
  readonly client: string;
  readonly selector: Selector;
  readonly feasible: number;
  readonly created: number;
  readonly bound: number;
  readonly createMs: number;
  readonly spanMs: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  /** kube-scheduler's CPU time (process_cpu_seconds_total) from the first create to the last bind, per bound Pod. */
  readonly cpuMsPerPod: number;
  /** Mean of the scheduler's Filter extension point per scheduling cycle. */
  readonly filterMs: number;
  /** 1-minute load average of the machine at the end of the run (other sessions share it). */
  readonly load: number;
  /** Times the server ended the bound-Pods watch and it was started again (bound times seen late). */
  readonly watchRestarts: number;
  readonly unboundReason?: string;
}

async function measure(
  api: BulkApi,
  scheduler: BenchScheduler,
  namespace: string,
  selector: Selector,
): Promise<Omit<RunResult, 'nodes' | 'client' | 'selector' | 'feasible' | 'run'>> {
  await api.must('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  const watch = watchBoundPods(api, namespace);
  const cpu0 = cpuSecondsOf(await scheduler.metrics());
  const sent = new Map<string, number>();
  const pods = Array.from({ length: PODS }, (_, i) => `virt-launcher-vm-${String(i).padStart(4, '0')}-target`);
  const t0 = now();
  try {
    await createPods(api, namespace, selector, pods, sent);
    const createMs = now() - t0;
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    while (watch.bound.size < PODS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const { spanMs, latencies } = bindTimes(watch.bound, sent, t0);
    const metrics = await scheduler.metrics();
    const pending = pods.find((p) => !watch.bound.has(p));
    const unboundReason = pending === undefined ? undefined : await unboundReasonOf(api, namespace, pending);
    const bound = watch.bound.size;
    return {
      created: sent.size,
      bound,
      createMs,
      spanMs,
      perSecond: bound / (spanMs / 1000),
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      cpuMsPerPod: ((cpuSecondsOf(metrics) - cpu0) * 1000) / bound,
      load: loadavg()[0]!,
      filterMs: histogramMean(metrics, 'scheduler_framework_extension_point_duration_seconds', 'extension_point="Filter"', 'status="Success"') * 1000,
      watchRestarts: watch.restarts(),
      ...(unboundReason ? { unboundReason } : {}),
    };
  } finally {
    watch.stop();
    await deleteAllPods(api, namespace);
  }
}

/** kube-scheduler's CPU time so far (`process_cpu_seconds_total`), from its metrics text. */
function cpuSecondsOf(metrics: string): number {
  return Number(/^process_cpu_seconds_total ([0-9.e+-]+)$/m.exec(metrics)?.[1] ?? NaN);
}

interface BoundPodWatch {
  /** Pod name → when the watch saw it bound. */
  readonly bound: ReadonlyMap<string, number>;
  /** Times the server ended the stream and it was started again. */
  restarts(): number;
  stop(): void;
}

/**
 * A watch without resourceVersion first lists what already matches, so a Pod bound before the
 * stream is up is still seen; if the server ends the stream, the same kind of watch starts again.
 */
function watchBoundPods(api: BulkApi, namespace: string): BoundPodWatch {
  const bound = new Map<string, number>();
  let restarts = 0;
  let watching = true;
  let watch: { stop(): void };
  const startWatch = () => {
    watch = api.watch(
      `/api/v1/namespaces/${namespace}/pods?${new URLSearchParams({ watch: '1', fieldSelector: 'spec.nodeName!=' })}`,
      (type, o) => {
        const name = (o.metadata as { name?: string } | undefined)?.name;
        if ((type === 'ADDED' || type === 'MODIFIED') && name && !bound.has(name)) bound.set(name, now());
      },
      () => {
        if (!watching) return;
        restarts++;
        setTimeout(startWatch, 100);
      },
    );
  };
  startWatch();
  return {
    bound,
    restarts: () => restarts,
    stop: () => {
      watching = false;
      watch!.stop();
    },
  };
}

/** Creates the migration target Pods in parallel, recording in `sent` when each create was sent. */
async function createPods(api: BulkApi, namespace: string, selector: Selector, pods: readonly string[], sent: Map<string, number>): Promise<void> {
  await inParallel(pods, CONNECTIONS, async (name, i) => {
    const body = launcherTargetPod({
      name,
      vmName: `vm-${i}`,
      vmiUid: randomUUID(),
      vmimName: `migrate-vm-${i}`,
      vmimUid: randomUUID(),
      hostCpu,
      ...(selector === 'off' ? {} : { machineTypeSelector: { [selectorKey(selector)]: 'true' } }),
    });
    sent.set(name, now());
    await api.must('POST', `/api/v1/namespaces/${namespace}/pods`, body);
  });
}

/** From the first create (`t0`) to the last bind, and each bound Pod's create → bound latency, sorted. */
function bindTimes(bound: ReadonlyMap<string, number>, sent: ReadonlyMap<string, number>, t0: number): { spanMs: number; latencies: number[] } {
  const boundTimes = [...bound.values()].sort((a, b) => a - b);
  const latencies = [...bound].map(([name, at]) => at - sent.get(name)!).sort((a, b) => a - b);
  return { spanMs: (boundTimes.at(-1) ?? t0) - t0, latencies };
}

/** Why a Pod is still unbound: the scheduler's PodScheduled message, if it has tried. */
async function unboundReasonOf(api: BulkApi, namespace: string, pod: string): Promise<string> {
  const got = await api.json<{ status?: { conditions?: { type: string; message?: string }[] } }>('GET', `/api/v1/namespaces/${namespace}/pods/${pod}`);
  return got.status?.conditions?.find((c) => c.type === 'PodScheduled')?.message ?? 'not attempted yet';
}

/**
 * Leaves nothing for the next configuration's scheduler: Pods of an unscheduled or bound Pod with
 * grace period 0 go at once (no kubelet to wait for).
 */
async function deleteAllPods(api: BulkApi, namespace: string): Promise<void> {
  await api.must('DELETE', `/api/v1/namespaces/${namespace}/pods?gracePeriodSeconds=0`);
  const left = async () => (await api.json<{ items: unknown[] }>('GET', `/api/v1/namespaces/${namespace}/pods?limit=1`)).items.length;
  const until = Date.now() + 60_000;
  while ((await left()) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  if ((await left()) > 0) console.log(`  WARNING: Pods of ${namespace} still there 60 s after deleting them`);
}

/** JSON and protobuf size of a Node as the API server returns it, for three label sets. */
async function nodeSizes(api: BulkApi, set: PoolNodeLabels) {
  const variants = [
    ['all labels', { kvfleet: true, kubevirtMachineTypes: true }],
    ['without kvfleet', { kvfleet: false, kubevirtMachineTypes: true }],
    ['without kvfleet and KubeVirt machine types', { kvfleet: false, kubevirtMachineTypes: false }],
  ] as const;
  const sizes: Record<string, { json: number; protobuf: number; labels: number }> = {};
  for (const [i, [variant, opts]] of variants.entries()) {
    const name = `size-probe-${i}`;
    const body = nodeBody(name, set, { zone: ZONES[0]!, capacity, ...opts });
    await createNode(api, name, body);
    const json = (await api.must('GET', `/api/v1/nodes/${name}`)).body;
    const protobuf = (await api.request('GET', `/api/v1/nodes/${name}`, undefined, { accept: 'application/vnd.kubernetes.protobuf' })).body;
    sizes[variant] = { json: json.length, protobuf: protobuf.length, labels: countKeys((body.metadata as { labels: Record<string, string> }).labels) };
    await api.must('DELETE', `/api/v1/nodes/${name}`);
  }
  return sizes;
}

console.log(`kube-scheduler throughput: ${PODS} migration target virt-launcher Pods, ${NODE_COUNTS.join(' and ')} Nodes, machine-type selector off / on`);
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, shared with etcd, kube-apiserver, kube-scheduler and this client; ${new Date().toISOString().slice(0, 10)}`,
);
console.log(
  `cluster: KubeVirt ${cluster.kubevirtVersion} (scheduler selects on ${labeller}'s label), pools ${sets.map((p) => `${p.pool.name} (${p.pool.current.launcher})`).join(', ')}, Nodes spread evenly`,
);
console.log('labels per Node, by writer:');
console.log(
  ['pool', 'machine types (+aliases)', 'kvfleet labels', 'kvfleet annotations', 'KubeVirt machine-type', 'KubeVirt CPU/other', 'Kubernetes + pool', 'total'].join(' | '),
);
for (const set of sets) {
  const total = countKeys(set.kubernetes) + 2 + countKeys(set.kubevirtOther) + countKeys(set.kubevirtMachineTypes) + countKeys(set.kvfleetLabels);
  console.log(
    [
      set.pool.name,
      machineTypeCountOf(set),
      countKeys(set.kvfleetLabels),
      countKeys(set.kvfleetAnnotations),
      countKeys(set.kubevirtMachineTypes),
      countKeys(set.kubevirtOther),
      countKeys(set.kubernetes) + 2,
      total,
    ].join(' | '),
  );
}
const offering = (selector: Exclude<Selector, 'off'>) => sets.filter((set) => set.kubevirtMachineTypes[selectorKey(selector)] === 'true').map((set) => set.pool.name);
for (const selector of ['half', 'all'] as const) {
  console.log(
    `selector ${SELECTOR_NAME[selector]}: ${selectorKey(selector)}: "true" (offered by ${offering(selector).join(', ')}: ${offering(selector).length} of ${sets.length} pools)`,
  );
}
console.log(
  `every Pod: KubeVirt's own ${2 + 1 + hostCpu.requiredFeatures.length} nodeSelector keys (schedulable, arch, host-model CPU and its ${hostCpu.requiredFeatures.length} required features) and a required anti-affinity per VMI`,
);
if (offering('half').length * 2 !== sets.length || offering('all').length !== sets.length)
  throw new Error('the selected machine types no longer match half / all of the pools');

const results: RunResult[] = [];
for (const [n, nodeCount] of NODE_COUNTS.entries()) {
  const plane = await startControlPlane();
  const api = await BulkApi.of(plane.kubeConfig(), CONNECTIONS);
  try {
    if (n === 0) {
      const rhel96 = sets.find((x) => x.pool.name === 'rhel96')!;
      const sizes = await nodeSizes(api, rhel96);
      const all = sizes['all labels']!;
      const noKvfleet = sizes['without kvfleet']!;
      const neither = sizes['without kvfleet and KubeVirt machine types']!;
      console.log(`\nNode object size as kube-apiserver returns it (pool rhel96, managedFields included: each label key appears twice)`);
      console.log(['Node', 'labels', 'JSON', 'protobuf'].join(' | '));
      for (const [variant, size] of Object.entries(sizes)) console.log([variant, size.labels, `${size.json} B`, `${size.protobuf} B`].join(' | '));
      console.log(
        ['added by kvfleet (labels + annotations)', all.labels - noKvfleet.labels, `${all.json - noKvfleet.json} B`, `${all.protobuf - noKvfleet.protobuf} B`].join(
          ' | ',
        ),
      );
      console.log(
        [
          'added by KubeVirt machine-type labels',
          noKvfleet.labels - neither.labels,
          `${noKvfleet.json - neither.json} B`,
          `${noKvfleet.protobuf - neither.protobuf} B`,
        ].join(' | '),
      );
      console.log(['kvfleet, 5,000 Nodes', '', mib((all.json - noKvfleet.json) * 5_000), mib((all.protobuf - noKvfleet.protobuf) * 5_000)].join(' | '));
      console.log(
        ['KubeVirt machine types, 5,000 Nodes', '', mib((noKvfleet.json - neither.json) * 5_000), mib((noKvfleet.protobuf - neither.protobuf) * 5_000)].join(' | '),
      );
      console.log(['all Nodes, 5,000 Nodes', '', mib(all.json * 5_000), mib(all.protobuf * 5_000)].join(' | '));
    }

    const nodes = nodesOf(nodeCount);
    const t = now();
    await inParallel(nodes, CONNECTIONS, async (node) => {
      await createNode(api, node.name, nodeBody(node.name, node.set, { zone: node.zone, capacity }));
    });
    const createNodesMs = now() - t;
    const feasible = (selector: Selector) => (selector === 'off' ? nodeCount : nodes.filter((x) => x.set.kubevirtMachineTypes[selectorKey(selector)] === 'true').length);
    console.log(
      `\n${nodeCount} Nodes created and made schedulable in ${s(createNodesMs)} (${Math.round(nodeCount / (createNodesMs / 1000))} Nodes/s, ${CONNECTIONS} connections)`,
    );

    for (const [i, { client, selector }] of runsFor(nodeCount).entries()) {
      const tag = `${nodeCount}-${i + 1}-${selector}`;
      const scheduler = await startBenchScheduler(plane, tag, client.args);
      try {
        const r = await measure(api, scheduler, `bench-${tag}`, selector);
        results.push({ run: i + 1, nodes: nodeCount, client: client.name, selector, feasible: feasible(selector), ...r });
        console.log(
          `  run ${i + 1}, ${client.name}, selector ${SELECTOR_NAME[selector]}: ${r.bound}/${PODS} bound ${s(r.spanMs)} after the first create (all created in ${s(r.createMs)}), ` +
            `${r.perSecond.toFixed(0)} Pods/s, load ${r.load.toFixed(1)}` +
            (r.watchRestarts > 0 ? `, watch restarted ${r.watchRestarts}×` : '') +
            (r.unboundReason ? `; UNBOUND ${PODS - r.bound}: ${r.unboundReason}` : ''),
        );
      } finally {
        await scheduler.stop();
      }
    }
  } finally {
    api.close();
    await plane.stop();
  }
}

const schedulerVersion = /kube-scheduler-(v[\d.]+)/.exec(toolPath('kube-scheduler'))?.[1] ?? '';
const ms = (x: number) => `${Math.round(x)} ms`;
console.log(`\nEvery run: kube-scheduler ${schedulerVersion}, ${PODS} Pods created with the scheduler running (create → bound seen by a watch on spec.nodeName)`);
console.log(
  [
    'run',
    'Nodes',
    'scheduler client',
    'machine-type selector',
    'feasible Nodes',
    'bound',
    'Pods bound/s',
    'create→bound p50',
    'p99',
    'scheduler CPU/Pod',
    'Filter mean',
    'load',
  ].join(' | '),
);
for (const r of results) {
  console.log(
    [
      r.run,
      r.nodes,
      r.client,
      SELECTOR_NAME[r.selector],
      r.feasible,
      `${r.bound}/${PODS}`,
      r.perSecond.toFixed(0),
      ms(r.p50),
      ms(r.p99),
      `${r.cpuMsPerPod.toFixed(2)} ms`,
      `${r.filterMs.toFixed(2)} ms`,
      r.load.toFixed(1),
    ].join(' | '),
  );
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log('\nSelector on vs off (mean of the runs of each; ratio = on ÷ off)');
console.log(
  ['Nodes', 'scheduler client', 'selector', 'Pods bound/s off → on', 'ratio', 'create→bound p50 off → on', 'p99 off → on', 'scheduler CPU/Pod off → on', 'ratio'].join(
    ' | ',
  ),
);
for (const nodeCount of NODE_COUNTS) {
  for (const client of [DEFAULT_QPS, LIFTED_QPS]) {
    const pick = (selector: Selector) => results.filter((r) => r.nodes === nodeCount && r.client === client.name && r.selector === selector);
    const off = pick('off');
    for (const selector of ['half', 'all'] as const) {
      const on = pick(selector);
      if (off.length === 0 || on.length === 0) continue;
      const f = (rs: RunResult[], k: 'perSecond' | 'p50' | 'p99' | 'cpuMsPerPod') => mean(rs.map((r) => r[k]));
      console.log(
        [
          nodeCount,
          `${client.name}${off.length > 1 ? ` (${off.length}+${on.length} runs)` : ''}`,
          SELECTOR_NAME[selector],
          `${f(off, 'perSecond').toFixed(0)} → ${f(on, 'perSecond').toFixed(0)}`,
          (f(on, 'perSecond') / f(off, 'perSecond')).toFixed(2),
          `${ms(f(off, 'p50'))} → ${ms(f(on, 'p50'))}`,
          `${ms(f(off, 'p99'))} → ${ms(f(on, 'p99'))}`,
          `${f(off, 'cpuMsPerPod').toFixed(2)} → ${f(on, 'cpuMsPerPod').toFixed(2)} ms`,
          (f(on, 'cpuMsPerPod') / f(off, 'cpuMsPerPod')).toFixed(2),
        ].join(' | '),
      );
    }
  }
}
console.log('Pods are created as fast as the API server takes them while the scheduler runs; bound/s counts from the first create to the last bind.');
console.log(
  "'scheduler CPU/Pod' is kube-scheduler's own process_cpu_seconds_total over the run, per bound Pod; 'Filter mean' its framework_extension_point_duration_seconds{extension_point=\"Filter\"}.",
);
if (results.some((r) => r.bound < PODS)) process.exitCode = 1;
