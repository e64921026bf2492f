/**
 * The two ways the Kube-OVN scenario runs kube-ovn-controller: with the flags kvfleet's generated
 * values file gives it, and the same with the live-migration optimisation turned off (what a cluster
 * whose values say `enableLiveMigrationOptimization: false` runs). Both keep VM IPs (`--keep-vm-ip`),
 * so the port is the same object through every migration and only the optimisation differs.
 */
import { type ClusterDefinition } from '../../fleet/clusterDefinition.js';
import { kvfleetKubeOvnControllerFlags } from '../../testbed/harness/kubeOvnChartFlags.js';

export const KUBE_OVN_MODE_NAMES = ['optimisation-off', 'kvfleet'] as const;
export type KubeOvnModeName = (typeof KUBE_OVN_MODE_NAMES)[number];

export interface KubeOvnMode {
  readonly name: KubeOvnModeName;
  readonly description: string;
  /** kube-ovn-controller's migration flags in this mode. */
  flags(cluster: ClusterDefinition): string[];
}

const OPTIMISE_FLAG = '--enable-live-migration-optimize=';

export const KUBE_OVN_MODES: Readonly<Record<KubeOvnModeName, KubeOvnMode>> = {
  'optimisation-off': {
    name: 'optimisation-off',
    description: "kvfleet's values with the live-migration optimisation off (--enable-live-migration-optimize=false)",
    flags: (cluster) => kvfleetKubeOvnControllerFlags(cluster).map((f) => (f.startsWith(OPTIMISE_FLAG) ? `${OPTIMISE_FLAG}false` : f)),
  },
  kvfleet: {
    name: 'kvfleet',
    description: "the flags kvfleet's generated values/kube-ovn.yaml renders through the kube-ovn-v2 chart",
    flags: (cluster) => kvfleetKubeOvnControllerFlags(cluster),
  },
};
