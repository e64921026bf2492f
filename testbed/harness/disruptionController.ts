/**
 * kube-controller-manager's disruption controller, played: it writes each PodDisruptionBudget's status
 * (k8s.io/kubernetes v1.35.8 pkg/controller/disruption/disruption.go `getExpectedPodCount`,
 * `countHealthyPods`, `updatePdbStatus`), which the test bed otherwise never gets (no
 * kube-controller-manager runs in it).
 *
 * KubeVirt 1.5.x needs it: before creating a migration target pod, its migration controller raises the
 * VMI's PDB to `minAvailable: 2` and waits until "the k8s pdb controller has processed the pdb
 * expansion" (pkg/virt-controller/watch/migration/migration.go at v1.5.0: `expandPDB`,
 * `isMigrationProtected`: `status.desiredHealthy == 2` and `status.observedGeneration == generation`).
 * KubeVirt 1.6.0 dropped that wait, so the v1.7.0 simulations never needed this.
 *
 * Only what KubeVirt's PDBs use is played: an integer `minAvailable` and a `matchLabels` selector
 * (pkg/virt-controller/watch/drain/disruptionbudget/disruptionbudget.go `createPDB`); no disrupted-pods
 * bookkeeping (evictions of launcher pods are denied by virt-api's webhook before they reach a PDB).
 */
import { type BulkApi } from '../support/bulkApi.js';

export interface Pdb {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly generation?: number };
  readonly spec?: { readonly minAvailable?: number | string; readonly selector?: { readonly matchLabels?: Readonly<Record<string, string>> } };
  readonly status?: Readonly<Record<string, unknown>>;
}

export interface PodView {
  readonly metadata: { readonly namespace?: string; readonly labels?: Readonly<Record<string, string>>; readonly deletionTimestamp?: string };
  readonly status?: { readonly conditions?: readonly { readonly type: string; readonly status: string }[] };
}

export interface PdbStatus {
  readonly currentHealthy: number;
  readonly desiredHealthy: number;
  readonly expectedPods: number;
  readonly disruptionsAllowed: number;
  readonly observedGeneration: number;
  /** metav1.Condition: the API server requires lastTransitionTime and message. */
  readonly conditions: readonly {
    readonly type: 'DisruptionAllowed';
    readonly status: 'True' | 'False';
    readonly reason: 'SufficientPods' | 'InsufficientPods';
    readonly message: string;
    readonly observedGeneration: number;
    readonly lastTransitionTime: string;
  }[];
}

const matches = (selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);
const isReady = (p: PodView) => (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** The status the disruption controller writes for an integer-`minAvailable` PDB at `now`; `undefined` for any other kind. */
export function pdbStatus(pdb: Pdb, pods: readonly PodView[], now: string): PdbStatus | undefined {
  const min = pdb.spec?.minAvailable;
  const selector = pdb.spec?.selector?.matchLabels;
  if (typeof min !== 'number' || !selector) return undefined;
  const mine = pods.filter((p) => p.metadata.namespace === pdb.metadata.namespace && matches(selector, p.metadata.labels));
  const currentHealthy = mine.filter((p) => !p.metadata.deletionTimestamp && isReady(p)).length;
  // No disruption allowed while the PDB selects no pod (updatePdbStatus: expectedCount must be > 0).
  const disruptionsAllowed = mine.length > 0 ? Math.max(0, currentHealthy - min) : 0;
  const generation = pdb.metadata.generation ?? 0;
  return {
    currentHealthy,
    desiredHealthy: min,
    expectedPods: mine.length,
    disruptionsAllowed,
    observedGeneration: generation,
    // k8s.io/component-helpers apps/poddisruptionbudget UpdateDisruptionAllowedCondition (SetStatusCondition stamps the time).
    conditions: [
      {
        type: 'DisruptionAllowed',
        status: disruptionsAllowed > 0 ? 'True' : 'False',
        reason: disruptionsAllowed > 0 ? 'SufficientPods' : 'InsufficientPods',
        message: '',
        observedGeneration: generation,
        lastTransitionTime: now,
      },
    ],
  };
}

const same = (status: Readonly<Record<string, unknown>> | undefined, next: PdbStatus) =>
  (['currentHealthy', 'desiredHealthy', 'expectedPods', 'disruptionsAllowed', 'observedGeneration'] as const).every((k) => (status?.[k] ?? 0) === next[k]);

export interface DisruptionController {
  readonly errors: readonly string[];
  stop(): Promise<void>;
}

/** Polls PDBs and pods every `intervalMs` and writes the statuses that changed. */
export function startDisruptionController(api: BulkApi, intervalMs = 250): DisruptionController {
  const errors: string[] = [];
  const note = (e: string) => {
    errors.push(`${new Date().toISOString()} ${e}`);
    if (errors.length > 50) errors.shift();
  };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    const pdbs = (await api.json<{ items: Pdb[] }>('GET', '/apis/policy/v1/poddisruptionbudgets')).items;
    if (pdbs.length === 0) return;
    // KubeVirt's PDBs select `kubevirt.io/created-by`, which only launcher pods carry.
    const pods = (await api.json<{ items: PodView[] }>('GET', '/api/v1/pods?labelSelector=kubevirt.io%3Dvirt-launcher')).items;
    for (const pdb of pdbs) {
      const next = pdbStatus(pdb, pods, new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
      if (!next || same(pdb.status, next)) continue;
      const path = `/apis/policy/v1/namespaces/${pdb.metadata.namespace}/poddisruptionbudgets/${pdb.metadata.name}/status`;
      const r = await api.request('PATCH', path, { status: next }, { contentType: 'application/merge-patch+json' });
      if (r.status >= 300 && r.status !== 404 && r.status !== 409) note(`PATCH ${path}: HTTP ${r.status}: ${r.body.toString().slice(0, 300)}`);
    }
  };
  const loop = () => {
    if (stopped) return;
    running = tick()
      .catch((e: Error) => note(e.message))
      .then(() => {
        if (!stopped) timer = setTimeout(loop, intervalMs);
      });
  };
  loop();
  return {
    errors,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
