import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { type ClusterDefinition, DEFAULT_NAMESPACE } from '../../fleet/clusterDefinition.js';
import { dashboard, GRAFANA_DASHBOARD_LABEL, renderDashboard } from './grafanaDashboards.js';
import { RUNBOOKS_FILE } from './runbookUrl.js';

export const CLUSTER_DASHBOARD_CONFIGMAP = 'kvfleet-dashboard';
export const FLEET_DASHBOARD_CONFIGMAP = 'kvfleet-fleet-dashboard';

export interface DashboardConfigMapsProps {
  /** The validated cluster definition the dashboards are synthesised for. */
  readonly cluster: ClusterDefinition;
  /**
   * Namespace of the ConfigMaps: Grafana's dashboard sidecar must watch it (kube-prometheus-stack
   * watches every namespace: `sidecar.dashboards.searchNamespace: ALL`).
   * @default the cluster's `namespace`, else 'kvfleet-system'
   */
  readonly namespace?: string;
  /**
   * Every cluster of the fleet, when this cluster's Grafana carries the fleet dashboard
   * (kvfleet.config.ts `monitoring.fleetDashboardCluster`).
   * @default no fleet dashboard
   */
  readonly fleet?: readonly ClusterDefinition[];
  /**
   * The address of docs/runbooks.md, linked from the dashboards.
   * @default 'docs/runbooks.md'
   */
  readonly runbooksUrl?: string;
}

/**
 * kvfleet's Grafana dashboards as ConfigMaps labelled `grafana_dashboard: "1"`, which Grafana's
 * dashboard sidecar loads: the cluster's own, and on the cluster named for it, the fleet's.
 */
export class DashboardConfigMaps extends Construct {
  readonly namespace: string;
  readonly configMaps: readonly kplus.ConfigMap[];

  constructor(scope: Construct, id: string, props: DashboardConfigMapsProps) {
    super(scope, id);
    this.namespace = props.namespace ?? props.cluster.namespace ?? DEFAULT_NAMESPACE;
    const runbooksUrl = props.runbooksUrl ?? RUNBOOKS_FILE;
    const configMap = (name: string, file: string, model: Record<string, unknown>) =>
      new kplus.ConfigMap(this, name, {
        metadata: { name, namespace: this.namespace, labels: { ...GRAFANA_DASHBOARD_LABEL } },
        data: { [file]: renderDashboard(model) },
      });
    this.configMaps = [
      configMap(CLUSTER_DASHBOARD_CONFIGMAP, `kvfleet-${props.cluster.name}.json`, dashboard({ kind: 'cluster', cluster: props.cluster }, { runbooksUrl })),
      ...(props.fleet ? [configMap(FLEET_DASHBOARD_CONFIGMAP, 'kvfleet-fleet.json', dashboard({ kind: 'fleet', clusters: props.fleet }, { runbooksUrl }))] : []),
    ];
  }
}
