/**
 * Scheduler cost of machine-type labels (`npm run bench schedulerThroughput`): the real
 * kube-scheduler's throughput and create → bound latency for 2,000 migration target virt-launcher
 * Pods over 1,000 and 5,000 Node objects that carry both labellers' labels, with and without the
 * machine-type nodeSelector, in one run; and the bytes kvfleet's (and KubeVirt's) machine-type
 * labels add to each Node object as the API server returns it.
 *
 * Per node count: a fresh etcd + kube-apiserver (test harness) and the Nodes, created in parallel
 * over a few connections. Per configuration: a fresh kube-scheduler process (fresh cache and queue)
 * and a fresh namespace, the previous configuration's Pods deleted first; Pods are created in
 * parallel while a watch on `spec.nodeName!=` records when each is bound. No kubelet runs: Pods are
 * only bound, never started.
 */
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { schedulerMachineTypeLabelKey } from '../compatibility/nodeRule.js';
import { schedulingContractOf } from '../compatibility/kubevirtVersions.js';
import { startControlPlane } from '../test/harness/controlPlane.js';
import { testCluster, testPool } from '../test/support/clusterFixtures.js';
import { BulkApi, inParallel } from './support/bulkApi.js';
import { launcherTargetPod } from './support/launcherPods.js';
import { countKeys, KUBEVIRT_DEVICE_RESOURCES, machineTypeCountOf, nodeBody, type PoolNodeLabels, poolNodeLabelSets, sampleHostCpu } from './support/realisticNodes.js';
import { type BenchScheduler, startBenchScheduler } from './support/schedulerProcess.js';

const PODS = Number(process.env.TMP_PODS ?? 2_000);
const NODE_COUNTS = (process.env.TMP_NODES ?? '1000,5000').split(',').map(Number);
/** In-flight requests while creating Nodes and Pods, each on its own keep-alive connection. */
const CONNECTIONS = 12;
const RUN_TIMEOUT_MS = 150_000;
const ZONES = ['zone-a', 'zone-b', 'zone-c'];
/** kube-scheduler's client rate limit: its default (what a cluster runs unless tuned), then lifted so scheduling CPU shows. */
const SCHEDULER_CLIENTS = [
  { name: 'default QPS 50', args: [] as string[] },
  { name: 'QPS 5000', args: ['--kube-api-qps=5000', '--kube-api-burst=5000'] },
] as const;
/** A VM pinned to a RHEL 8 type in the middle of a RHEL 9 → 10 upgrade: RHEL 10 dropped it, so half the pools offer it. */
const SELECTED_MACHINE_TYPE = 'pc-q35-rhel8.6.0';

const cluster = testCluster({
  name: 'bench-scheduler',
  kubevirtVersion: '1.6.2',
  nodePools: [testPool('rhel93', 'rhel-9.3'), testPool('rhel96', 'rhel-9.6', { upgradeTo: 'rhel-10.0' }), testPool('rhel10-a', 'rhel-10.0'), testPool('rhel10-b', 'rhel-10.0')],
});
const labeller = schedulingContractOf(cluster.kubevirtVersion).machineTypeLabeller;
const selectorKey = schedulerMachineTypeLabelKey(SELECTED_MACHINE_TYPE, labeller)!;
const hostCpu = sampleHostCpu();
const sets = poolNodeLabelSets(cluster, hostCpu);
const capacity = { cpu: '64', memory: '512Gi', pods: '110', 'ephemeral-storage': '400Gi', ...Object.fromEntries(KUBEVIRT_DEVICE_RESOURCES.map((r) => [r, '1k'])) };

const quantile = (sorted: readonly number[], q: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
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
  readonly nodes: number;
  readonly client: string;
  readonly selector: boolean;
  readonly feasible: number;
  readonly created: number;
  readonly bound: number;
  readonly createMs: number;
  readonly spanMs: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly attemptMs: number;
  readonly filterMs: number;
  readonly unboundReason?: string;
}

async function measure(api: BulkApi, scheduler: BenchScheduler, namespace: string, selector: boolean): Promise<Omit<RunResult, 'nodes' | 'client' | 'selector' | 'feasible'>> {
  await api.must('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  const rv = ((await api.json<{ metadata: { resourceVersion: string } }>('GET', `/api/v1/namespaces/${namespace}/pods?limit=1`)).metadata.resourceVersion);
  const bound = new Map<string, number>();
  let watchError: Error | undefined;
  const query = new URLSearchParams({ watch: '1', resourceVersion: rv, fieldSelector: 'spec.nodeName!=' });
  const watch = api.watch(
    `/api/v1/namespaces/${namespace}/pods?${query}`,
    (type, o) => {
      const name = (o.metadata as { name: string }).name;
      if ((type === 'ADDED' || type === 'MODIFIED') && !bound.has(name)) bound.set(name, now());
    },
    (e) => (watchError = e),
  );
  const sent = new Map<string, number>();
  const pods = Array.from({ length: PODS }, (_, i) => `virt-launcher-vm-${String(i).padStart(4, '0')}-target`);
  const t0 = now();
  try {
    await inParallel(pods, CONNECTIONS, async (name, i) => {
      const body = launcherTargetPod({
        name,
        vmName: `vm-${i}`,
        vmiUid: randomUUID(),
        vmimName: `migrate-vm-${i}`,
        vmimUid: randomUUID(),
        hostCpu,
        ...(selector ? { machineTypeSelector: { [selectorKey]: 'true' } } : {}),
      });
      sent.set(name, now());
      await api.must('POST', `/api/v1/namespaces/${namespace}/pods`, body);
    });
    const createMs = now() - t0;
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    while (bound.size < PODS && Date.now() < deadline && !watchError) await new Promise((r) => setTimeout(r, 50));
    if (watchError) throw watchError;
    const boundTimes = [...bound.values()].sort((a, b) => a - b);
    const latencies = [...bound].map(([name, at]) => at - sent.get(name)!).sort((a, b) => a - b);
    const spanMs = (boundTimes.at(-1) ?? t0) - t0;
    const metrics = await scheduler.metrics();
    let unboundReason: string | undefined;
    if (bound.size < PODS) {
      const pending = pods.find((p) => !bound.has(p))!;
      const pod = await api.json<{ status?: { conditions?: { type: string; message?: string }[] } }>('GET', `/api/v1/namespaces/${namespace}/pods/${pending}`);
      unboundReason = pod.status?.conditions?.find((c) => c.type === 'PodScheduled')?.message ?? 'not attempted yet';
    }
    return {
      created: sent.size,
      bound: bound.size,
      createMs,
      spanMs,
      perSecond: bound.size / (spanMs / 1000),
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      attemptMs: histogramMean(metrics, 'scheduler_scheduling_attempt_duration_seconds', 'result="scheduled"') * 1000,
      filterMs: histogramMean(metrics, 'scheduler_framework_extension_point_duration_seconds', 'extension_point="Filter"', 'status="Success"') * 1000,
      ...(unboundReason ? { unboundReason } : {}),
    };
  } finally {
    watch.stop();
    // Leave nothing for the next configuration's scheduler: Pods of an unscheduled or bound Pod
    // with grace period 0 go at once (no kubelet to wait for).
    await api.must('DELETE', `/api/v1/namespaces/${namespace}/pods?gracePeriodSeconds=0`);
    const left = async () => (await api.json<{ items: unknown[] }>('GET', `/api/v1/namespaces/${namespace}/pods?limit=1`)).items.length;
    const until = Date.now() + 60_000;
    while ((await left()) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  }
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

console.log(`kube-scheduler throughput: ${PODS} migration target virt-launcher Pods, ${NODE_COUNTS.join(' and ')} Nodes, machine-type selector off/on`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, shared with etcd, kube-apiserver, kube-scheduler and this client; ${new Date().toISOString().slice(0, 10)}`);
console.log(`cluster: KubeVirt ${cluster.kubevirtVersion} (scheduler selects on ${labeller}'s label), pools ${sets.map((p) => `${p.pool.name} (${p.pool.current.release})`).join(', ')}, Nodes spread evenly`);
console.log('labels per Node, by writer:');
console.log(['pool', 'machine types (+aliases)', 'kvfleet labels', 'kvfleet annotations', 'KubeVirt machine-type', 'KubeVirt CPU/other', 'Kubernetes + pool', 'total'].join(' | '));
for (const set of sets) {
  const total = countKeys(set.kubernetes) + 2 + countKeys(set.kubevirtOther) + countKeys(set.kubevirtMachineTypes) + countKeys(set.kvfleetLabels);
  console.log(
    [set.pool.name, machineTypeCountOf(set), countKeys(set.kvfleetLabels), countKeys(set.kvfleetAnnotations), countKeys(set.kubevirtMachineTypes), countKeys(set.kubevirtOther), countKeys(set.kubernetes) + 2, total].join(' | '),
  );
}
const offering = sets.filter((set) => set.kubevirtMachineTypes[selectorKey] === 'true' || set.kvfleetLabels[selectorKey] === 'true').map((set) => set.pool.name);
console.log(`selector on: nodeSelector ${selectorKey}: "true" (offered by ${offering.join(', ')}: ${offering.length} of ${sets.length} pools), on top of KubeVirt's own ${2 + 1 + hostCpu.requiredFeatures.length} keys (schedulable, arch, host-model CPU and its ${hostCpu.requiredFeatures.length} required features) and a required anti-affinity per VMI`);

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
      console.log(['added by kvfleet (labels + annotations)', all.labels - noKvfleet.labels, `${all.json - noKvfleet.json} B`, `${all.protobuf - noKvfleet.protobuf} B`].join(' | '));
      console.log(['added by KubeVirt machine-type labels', noKvfleet.labels - neither.labels, `${noKvfleet.json - neither.json} B`, `${noKvfleet.protobuf - neither.protobuf} B`].join(' | '));
      console.log(
        ['kvfleet, 5,000 Nodes', '', mib((all.json - noKvfleet.json) * 5_000), mib((all.protobuf - noKvfleet.protobuf) * 5_000)].join(' | '),
      );
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
    const feasible = nodes.filter((x) => x.set.kubevirtMachineTypes[selectorKey] === 'true').length;
    console.log(`\n${nodeCount} Nodes created and made schedulable in ${s(createNodesMs)} (${Math.round(nodeCount / (createNodesMs / 1000))} Nodes/s, ${CONNECTIONS} connections)`);

    for (const client of SCHEDULER_CLIENTS) {
      for (const selector of [false, true]) {
        const tag = `${nodeCount}-${client.name.replace(/\W+/g, '')}-${selector ? 'on' : 'off'}`.toLowerCase();
        const scheduler = await startBenchScheduler(plane, tag, client.args);
        try {
          const r = await measure(api, scheduler, `bench-${tag}`, selector);
          results.push({ nodes: nodeCount, client: client.name, selector, feasible: selector ? feasible : nodeCount, ...r });
          console.log(
            `  ${client.name}, selector ${selector ? 'on ' : 'off'}: ${r.bound}/${PODS} bound in ${s(r.spanMs)} (Pods created in ${s(r.createMs)}), ${r.perSecond.toFixed(0)} Pods/s` +
              (r.unboundReason ? `; UNBOUND ${PODS - r.bound}: ${r.unboundReason}` : ''),
          );
        } finally {
          await scheduler.stop();
        }
      }
    }
  } finally {
    api.close();
    await plane.stop();
  }
}

console.log(`\nkube-scheduler v1.35.8 throughput, ${PODS} Pods (create → bound measured by a watch on spec.nodeName)`);
console.log(
  ['Nodes', 'scheduler client', 'machine-type selector', 'feasible Nodes', 'bound', 'Pods bound/s', 'create→bound p50', 'create→bound p99', 'attempt mean', 'Filter mean', 'bound/s on ÷ off'].join(
    ' | ',
  ),
);
for (const r of results) {
  const off = results.find((x) => x.nodes === r.nodes && x.client === r.client && !x.selector)!;
  console.log(
    [
      r.nodes,
      r.client,
      r.selector ? 'on' : 'off',
      r.feasible,
      `${r.bound}/${PODS}`,
      r.perSecond.toFixed(0),
      `${Math.round(r.p50)} ms`,
      `${Math.round(r.p99)} ms`,
      `${r.attemptMs.toFixed(2)} ms`,
      `${r.filterMs.toFixed(2)} ms`,
      r.selector ? (r.perSecond / off.perSecond).toFixed(2) : '',
    ].join(' | '),
  );
}
console.log(`'attempt mean' and 'Filter mean' are the scheduler's own histograms (scheduling_attempt_duration_seconds, framework_extension_point_duration_seconds{Filter}).`);
console.log('Pods are created as fast as the API server takes them; where creation takes about as long as binding, the rate is creation-bound.');
if (results.some((r) => r.bound < PODS)) process.exitCode = 1;
