/**
 * Values files kvfleet writes beside a cluster's manifests, in `dist/<cluster>/values/`: settings for
 * software kvfleet configures but does not install. They are not manifests (Argo CD's directory
 * source does not recurse into the folder): the Kube-OVN chart values go to the Application that
 * installs the chart (generators/delivery/chartValues.ts), the HCO fragment to the team's
 * HyperConverged CR.
 */
import { stringify } from 'yaml';
import { type ClusterDefinition } from '../fleet/clusterDefinition.js';
import { type KubeOvnChartInstall } from '../fleet/clusterSchemaKubeOvn.js';
import { KUBE_OVN_MIGRATION_FLAGS } from '../fleet/versionLint.js';
import { chartValuesSources, VALUES_FOLDER } from './delivery/chartValues.js';
import { configOwnerOf, migrationConfiguration } from './kubevirtMigrationConfig.js';

export interface ValuesFile {
  /** Relative to `dist/<cluster>/`: `values/kube-ovn.yaml`. */
  readonly path: string;
  readonly content: string;
}

/**
 * The chart values that render kube-ovn-controller's migration flags (both default true in every
 * chart; written so an override elsewhere cannot turn them off unseen): `func.*` in the `kube-ovn`
 * chart (`templates/controller-deploy.yaml`), `features.*` in `kube-ovn-v2`
 * (`templates/controller/controller-deployment.yaml`).
 */
export function kubeOvnChartValues(install: KubeOvnChartInstall): Record<string, unknown> {
  return install.chart === 'kube-ovn'
    ? { func: { ENABLE_LIVE_MIGRATION_OPTIMIZE: true, ENABLE_KEEP_VM_IP: true } }
    : { features: { enableLiveMigrationOptimization: true, enableKeepVmIps: true } };
}

/** HCO's `spec.liveMigrationConfig` has the same eight fields as the definition's `kubevirt.migrations`. */
export function hcoMigrationsFragment(cluster: ClusterDefinition): Record<string, unknown> | undefined {
  const migrations = migrationConfiguration(cluster);
  if (migrations === undefined || configOwnerOf(cluster) !== 'hco') return undefined;
  return { spec: { liveMigrationConfig: migrations } };
}

const render = (header: readonly string[], body: Record<string, unknown>) =>
  `${header.map((line) => `# ${line}`.trimEnd()).join('\n')}\n${stringify(body, { sortMapEntries: true })}`;

/** Every values file of one cluster, sorted by path. */
export function valuesFiles(cluster: ClusterDefinition): ValuesFile[] {
  const out: ValuesFile[] = [];
  const source = cluster.kubeOvn !== 'none' ? chartValuesSources(cluster).find((s) => s.name === 'kube-ovn') : undefined;
  if (source && cluster.kubeOvn !== 'none' && cluster.kubeOvn.install !== undefined && cluster.kubeOvn.install !== 'external') {
    out.push({
      path: `${VALUES_FOLDER}/kube-ovn.yaml`,
      content: render(
        [
          `Kube-OVN chart values from clusters/${cluster.name}.ts (kvfleet; do not edit: run npm run synth).`,
          `Chart ${source.chart} ${source.targetRevision}, namespace ${source.namespace}; Argo CD passes this file as a $values ref.`,
          `They render kube-ovn-controller's ${KUBE_OVN_MIGRATION_FLAGS.join(' and ')}.`,
        ],
        kubeOvnChartValues(cluster.kubeOvn.install),
      ),
    });
  }
  const hco = hcoMigrationsFragment(cluster);
  if (hco) {
    out.push({
      path: `${VALUES_FOLDER}/hco-migrations.yaml`,
      content: render(
        [
          `HyperConverged migration settings from clusters/${cluster.name}.ts (kvfleet; do not edit: run npm run synth).`,
          'HCO owns the KubeVirt CR and overwrites changes to it, so kvfleet writes no KubeVirt CR on this cluster.',
          'Merge this into your HyperConverged CR, e.g.:',
          `  kubectl patch hyperconverged kubevirt-hyperconverged -n kubevirt-hyperconverged --type merge --patch-file dist/${cluster.name}/${VALUES_FOLDER}/hco-migrations.yaml`,
          'Fields not listed keep their HCO defaults.',
        ],
        hco,
      ),
    });
  }
  return out;
}
