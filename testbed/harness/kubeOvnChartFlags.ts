/**
 * kube-ovn-controller's migration flags as a Kube-OVN chart renders them from a values file, so the
 * Kube-OVN test bed runs the controller with what kvfleet's `dist/<cluster>/values/kube-ovn.yaml` would
 * give it. It follows the two charts' templates at Kube-OVN v1.16.2 (the release the test bed builds;
 * the lines are the same in v1.15.14, the chart edge-ovn installs):
 *
 * - `charts/kube-ovn-v2/templates/controller/controller-deployment.yaml`:
 *   `--keep-vm-ip={{- .Values.features.enableKeepVmIps }}`,
 *   `--enable-live-migration-optimize={{- .Values.features.enableLiveMigrationOptimization }}`;
 *   defaults `true` in `charts/kube-ovn-v2/values.yaml`.
 * - `charts/kube-ovn/templates/controller-deploy.yaml`:
 *   `--keep-vm-ip={{- .Values.func.ENABLE_KEEP_VM_IP }}`,
 *   `--enable-live-migration-optimize={{- .Values.func.ENABLE_LIVE_MIGRATION_OPTIMIZE }}`;
 *   defaults `true` in `charts/kube-ovn/values.yaml`.
 *
 * Helm merges the values file over the chart's defaults, so a key the file leaves out renders the
 * default. Only the two flags kvfleet writes are mapped; the test bed sets the network flags itself.
 */
import { parse } from 'yaml';
import { isRecord } from '../../compatibility/guards.js';
import { type ClusterDefinition } from '../../fleet/clusterDefinition.js';
import { valuesFiles } from '../../generators/valuesFiles.js';

export type KubeOvnChart = 'kube-ovn' | 'kube-ovn-v2';

interface ChartFlag {
  readonly flag: string;
  /** Where the template reads the value from, under `.Values`. */
  readonly path: readonly [string, string];
  /** The chart's default (values.yaml). */
  readonly default: boolean;
}

const CHART_FLAGS: Record<KubeOvnChart, readonly ChartFlag[]> = {
  'kube-ovn': [
    { flag: '--keep-vm-ip', path: ['func', 'ENABLE_KEEP_VM_IP'], default: true },
    { flag: '--enable-live-migration-optimize', path: ['func', 'ENABLE_LIVE_MIGRATION_OPTIMIZE'], default: true },
  ],
  'kube-ovn-v2': [
    { flag: '--keep-vm-ip', path: ['features', 'enableKeepVmIps'], default: true },
    { flag: '--enable-live-migration-optimize', path: ['features', 'enableLiveMigrationOptimization'], default: true },
  ],
};

/**
 * The `--flag=value` arguments the chart renders for these values, in the templates' order. A value of
 * another type than boolean is an error: the template would print it verbatim and the controller's
 * flag parser would refuse it at start.
 */
export function kubeOvnControllerMigrationFlags(chart: KubeOvnChart, values: unknown): string[] {
  return CHART_FLAGS[chart].map(({ flag, path: [section, key], default: fallback }) => {
    const group = isRecord(values) ? values[section] : undefined;
    const value = isRecord(group) ? group[key] : undefined;
    if (value === undefined || value === null) return `${flag}=${fallback}`;
    if (typeof value !== 'boolean') throw new Error(`${chart} values ${section}.${key} is ${JSON.stringify(value)}, not a boolean`);
    return `${flag}=${value}`;
  });
}

/**
 * The migration flags kube-ovn-controller gets from the values file kvfleet generates for `cluster`
 * (`dist/<cluster>/values/kube-ovn.yaml`, rendered by the chart the definition installs). Throws
 * when the definition has kvfleet write no Kube-OVN values.
 */
export function kvfleetKubeOvnControllerFlags(cluster: ClusterDefinition): string[] {
  const kubeOvn = cluster.kubeOvn;
  if (kubeOvn === 'none' || kubeOvn.install === undefined || kubeOvn.install === 'external') {
    throw new Error(`${cluster.name} does not have kvfleet write Kube-OVN chart values (kubeOvn.install)`);
  }
  const file = valuesFiles(cluster).find((f) => f.path === 'values/kube-ovn.yaml');
  if (!file) throw new Error(`kvfleet writes no values/kube-ovn.yaml for ${cluster.name}`);
  return kubeOvnControllerMigrationFlags(kubeOvn.install.chart, parse(file.content));
}
