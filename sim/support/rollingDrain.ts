/**
 * The rolling drain after the upgrade, as an operator's node-maintenance loop runs it: per node in
 * order, cordon, `kubectl drain`'s eviction loop (every running launcher pod, through virt-api's
 * eviction webhook; 429 means "evacuating"), stop by the drain rule (metrics.ts `drainVerdict`),
 * reboot, uncordon. A stalled drain leaves its VMs where they are.
 */
import { type BulkApi, inParallel } from '../../testbed/support/bulkApi.js';
import { type DrainRecord, drainVerdict, type LeftVmi } from '../upgrade/metrics.js';
import { type ObserverClock, type RunObserver } from '../upgrade/observer.js';
import { type Scenario } from '../upgrade/scenario.js';

const MERGE = { contentType: 'application/merge-patch+json' } as const;
const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

/** `namespace/name` keys → what was left, with type and architecture as the observer last saw them. */
export function leftVmis(obs: RunObserver, keys: readonly string[]): LeftVmi[] {
  return keys.map((k) => {
    const [namespace, name] = k.split('/') as [string, string];
    const v = obs.vmi(k);
    return { namespace, name, machineType: v?.machineType ?? '', ...(v?.architecture ? { architecture: v.architecture } : {}) };
  });
}

/** One node's drain, start to uncordon. */
async function drainNode(api: BulkApi, obs: RunObserver, clock: ObserverClock, scenario: Scenario, node: string): Promise<DrainRecord> {
  const timing = scenario.timing;
  const startedAt = clock.now();
  const vmisAtStart = obs.vmisOn(node).length;
  await api.must('PATCH', `/api/v1/nodes/${node}`, { spec: { unschedulable: true } }, MERGE);
  let verdict: ReturnType<typeof drainVerdict> = 'continue';
  let lastCount = vmisAtStart;
  let lastProgressAt = startedAt;
  for (;;) {
    const count = obs.vmisOn(node).length;
    if (count < lastCount) lastProgressAt = clock.now();
    lastCount = count;
    verdict = drainVerdict({ nowSeconds: clock.now(), startedAt, vmisOnNode: count, lastProgressAt }, timing);
    if (verdict !== 'continue') break;
    await evictLaunchers(api, node);
    const waitUntil = Date.now() + timing.evictRetrySeconds * 1000;
    while (Date.now() < waitUntil && obs.vmisOn(node).length > 0) await sleep(0.5);
  }
  const endedAt = clock.now();
  const left = leftVmis(obs, obs.vmisOn(node));
  const architecture = scenario.nodes.find((n) => n.name === node)?.architecture;
  // Stalled: the operator gives up on this node's maintenance; the VMs stay where they are.
  await sleep(timing.rebootSeconds);
  await api.must('PATCH', `/api/v1/nodes/${node}`, { spec: { unschedulable: null } }, MERGE);
  return { node, ...(architecture ? { architecture } : {}), startedAt, endedAt, ended: verdict, vmisAtStart, left };
}

/** Every node of `scenario.drainOrder`, one at a time; `onDrain` hears each as it ends. */
export async function rollingDrain(
  api: BulkApi,
  obs: RunObserver,
  clock: ObserverClock,
  scenario: Scenario,
  onDrain: (d: DrainRecord, index: number) => void,
): Promise<DrainRecord[]> {
  const drains: DrainRecord[] = [];
  for (const [index, node] of scenario.drainOrder.entries()) {
    const d = await drainNode(api, obs, clock, scenario, node);
    drains.push(d);
    onDrain(d, index);
  }
  return drains;
}

/** One round of `kubectl drain`'s evictions: every running launcher pod on the node (429s are the webhook saying "evacuating"). */
async function evictLaunchers(api: BulkApi, node: string): Promise<void> {
  const pods = await api.json<{ items: { metadata: { name: string; namespace: string }; status?: { phase?: string } }[] }>(
    'GET',
    `/api/v1/pods?labelSelector=${encodeURIComponent('kubevirt.io=virt-launcher')}&fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`,
  );
  await inParallel(
    pods.items.filter((p) => p.status?.phase === 'Running'),
    8,
    async (p) => {
      await api.request('POST', `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}/eviction`, {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name: p.metadata.name, namespace: p.metadata.namespace },
      });
    },
  );
}
