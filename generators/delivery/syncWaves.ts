/**
 * Argo CD sync waves for the objects of one cluster's Application: Argo CD applies wave by wave,
 * in ascending order, and waits for each wave to be healthy before the next (docs/user-guide/
 * sync-waves.md). Chosen by kind, in one place, so a new construct needs no annotation of its own.
 */
import { ApiObject, Chart } from 'cdk8s';

export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** The waves, first to last. Every object kvfleet generates carries one explicitly. */
export const SYNC_WAVES = {
  /** Namespaces, ServiceAccounts, RBAC (and CRDs, should kvfleet ever ship one): what everything else runs under. */
  foundation: 0,
  /** ConfigMaps, Services and custom resources of CRDs that others install (KubeVirt, Kube-OVN, Prometheus Operator…). */
  configuration: 1,
  /** Kyverno policies and workloads last: they act on, or read, everything before them. */
  policiesAndWorkloads: 2,
} as const;

const FOUNDATION_KINDS = new Set(['/Namespace', '/ServiceAccount', 'apiextensions.k8s.io/CustomResourceDefinition']);
const LAST_GROUPS = new Set([
  // Kyverno's policy kinds: a policy that already admits while the objects it reads (its lookup
  // ClusterRole, the ConfigMap) are missing would act on a half-applied cluster.
  'policies.kyverno.io',
  'kyverno.io',
  // Workload controllers: their pods need the RBAC and configuration of the waves before.
  'apps',
  'batch',
]);

/** `apps/v1` → `apps`; `v1` → `` (the core group). */
export function apiGroupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/** The wave of an object of this kind. */
export function syncWaveOf(apiVersion: string, kind: string): number {
  const group = apiGroupOf(apiVersion);
  if (FOUNDATION_KINDS.has(`${group}/${kind}`) || group === 'rbac.authorization.k8s.io') return SYNC_WAVES.foundation;
  if (LAST_GROUPS.has(group)) return SYNC_WAVES.policiesAndWorkloads;
  return SYNC_WAVES.configuration;
}

/**
 * Annotates every object of `chart` (not of nested charts) with its wave. Call it last in the
 * chart's constructor: objects added afterwards would go without (synthFleet's tests check that
 * every object in dist/ has one).
 */
export function applySyncWaves(chart: Chart): void {
  for (const node of chart.node.findAll()) {
    if (!(node instanceof ApiObject) || Chart.of(node) !== chart) continue;
    node.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(syncWaveOf(node.apiVersion, node.kind)));
  }
}
