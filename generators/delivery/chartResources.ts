/**
 * The kinds each Helm chart kvfleet delivers can render, for the AppProject of chart Applications.
 * Argo CD renders a chart itself, so kvfleet cannot read the objects from dist/ as it does for its
 * own; the kinds are read from the chart's templates instead, and listed by kind (a chart's
 * cluster-scoped names depend on its values and release, so they are not restricted by name).
 */
import { type GroupKind } from './appProjects.js';

export interface ChartResources {
  /** Where the list was read. */
  readonly source: string;
  readonly clusterScoped: readonly GroupKind[];
  readonly namespaced: readonly GroupKind[];
}

const KUBE_OVN_COMMON = {
  clusterScoped: [
    { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
    { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
    { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
  ],
  namespaced: [
    { group: '', kind: 'ConfigMap' },
    { group: '', kind: 'Secret' },
    { group: '', kind: 'Service' },
    { group: '', kind: 'ServiceAccount' },
    { group: 'apps', kind: 'DaemonSet' },
    { group: 'apps', kind: 'Deployment' },
    // Helm hooks (pre-upgrade / upgrade / post-delete Jobs), which Argo CD runs as sync hooks.
    { group: 'batch', kind: 'Job' },
    { group: 'rbac.authorization.k8s.io', kind: 'Role' },
    { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' },
  ],
} as const;

/**
 * By chart name (ChartValuesSource.chart). Every object of both Kube-OVN charts goes to
 * `.Values.namespace` (`kube-system`), the source's `namespace`.
 */
export const CHART_RESOURCES: Readonly<Record<string, ChartResources>> = {
  'kube-ovn': {
    source: 'kubeovn/kube-ovn charts/kube-ovn/templates/*.yaml, the same kinds at v1.15.14 and v1.16.2',
    ...KUBE_OVN_COMMON,
  },
  'kube-ovn-v2': {
    source: 'kubeovn/kube-ovn charts/kube-ovn-v2/templates/**/*.yaml and crds/, the same kinds at v1.15.14 and v1.16.2',
    clusterScoped: [
      ...KUBE_OVN_COMMON.clusterScoped,
      { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
      { group: 'kubeovn.io', kind: 'Subnet' },
    ],
    namespaced: [
      ...KUBE_OVN_COMMON.namespaced,
      { group: 'cert-manager.io', kind: 'Certificate' },
      { group: 'cert-manager.io', kind: 'Issuer' },
      { group: 'k8s.cni.cncf.io', kind: 'NetworkAttachmentDefinition' },
      { group: 'monitoring.coreos.com', kind: 'ServiceMonitor' },
    ],
  },
};

/** The chart's kinds; throws for a chart with no entry, so a new chart cannot ship without one. */
export function chartResources(chart: string): ChartResources {
  const found = CHART_RESOURCES[chart];
  if (!found) {
    throw new Error(`no resource list for Helm chart "${chart}": add the kinds its templates render to CHART_RESOURCES in generators/delivery/chartResources.ts`);
  }
  return found;
}
