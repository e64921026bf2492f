/**
 * The Helm charts whose values kvfleet writes for a cluster, and where: the contract between the
 * migration-settings generator (which writes `dist/<cluster>/values/*.yaml`) and the Argo CD
 * delivery objects (which install each chart with that file as a multi-source `$values` ref).
 * Values files sit in a subfolder because Argo CD's directory source is not recursive by default, so
 * they are never applied as manifests.
 */
import { type ClusterDefinition } from '../../fleet/clusterDefinition.js';

/** One chart kvfleet writes values for, as an Argo CD multi-source Application needs it. */
export interface ChartValuesSource {
  /** Short name of the component, e.g. `kube-ovn`; also the values file's base name. */
  readonly name: string;
  /**
   * Helm repository (https), or an OCI registry path without `oci://` as Argo CD's Helm-over-OCI
   * sources take it (`repoURL: ghcr.io/kubeovn/charts`, `chart: kube-ovn-v2`; the repository must be
   * registered in Argo CD as type helm with `enableOCI: "true"`).
   */
  readonly repoURL: string;
  /** Chart name in that repository: `kube-ovn` or `kube-ovn-v2`. */
  readonly chart: string;
  /** Chart version, exactly as the cluster definition gives it. */
  readonly targetRevision: string;
  /** Namespace the chart installs into; `kube-system` for Kube-OVN. */
  readonly namespace: string;
  /** The values file, relative to the repository root: `dist/edge-ovn/values/kube-ovn.yaml`. */
  readonly valuesFile: string;
}

/** The folder under `dist/<cluster>/` that holds values files; Argo CD's directory source skips it. */
export const VALUES_FOLDER = 'values';

/**
 * Where each chart lives. Kube-OVN publishes the `kube-ovn` chart in its GitHub Pages Helm repository
 * and `kube-ovn-v2` (the long-term chart) as an OCI artifact, `oci://ghcr.io/kubeovn/charts/kube-ovn-v2`.
 */
export const KUBE_OVN_CHART_REPOSITORIES = {
  'kube-ovn': 'https://kubeovn.github.io/kube-ovn/',
  'kube-ovn-v2': 'ghcr.io/kubeovn/charts',
} as const;

/** The values file of chart values source `name` for `cluster`, relative to the repository root. */
export function valuesFilePath(clusterName: string, name: string): string {
  return `dist/${clusterName}/${VALUES_FOLDER}/${name}.yaml`;
}

/**
 * The charts kvfleet writes values for in `dist/<cluster>/values/`: Kube-OVN when the definition says
 * it is installed from a chart; none for clusters without Kube-OVN or with `install: 'external'`.
 */
export function chartValuesSources(cluster: ClusterDefinition): ChartValuesSource[] {
  if (cluster.kubeOvn === 'none') return [];
  const install = cluster.kubeOvn.install ?? 'external';
  if (install === 'external') return [];
  return [
    {
      name: 'kube-ovn',
      repoURL: KUBE_OVN_CHART_REPOSITORIES[install.chart],
      chart: install.chart,
      targetRevision: install.version,
      namespace: 'kube-system',
      valuesFile: valuesFilePath(cluster.name, 'kube-ovn'),
    },
  ];
}
