import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { type ClusterDefinition, DEFAULT_NAMESPACE } from '../../fleet/clusterDefinition.js';
import { MIGRATION_CONTROLLER_NAME } from '../migrationController.js';
import { NODE_LABELLER_NAME } from '../nodeLabeller.js';

/** The label whose value becomes each target's `job` (alertRules.ts JOBS): the program's name. */
export const JOB_LABEL = 'app.kubernetes.io/name';

export interface ScrapeMonitorsProps {
  /** The validated cluster definition: its namespace and `alerts.selectorLabels`. */
  readonly cluster: ClusterDefinition;
  /**
   * Namespace of the monitors, and the one namespace they look for targets in.
   * @default the cluster's `namespace`, else 'kvfleet-system'
   */
  readonly namespace?: string;
  /**
   * How often Prometheus scrapes both programs.
   * @default '30s'
   */
  readonly interval?: string;
}

/**
 * How Prometheus finds both programs (Prometheus Operator): a ServiceMonitor for the migration
 * controller's Service `kvfleet-migration-controller-metrics` (both replicas: `kvfleet_leader` tells
 * which acts), and a PodMonitor for the node labeller, one pod per node, which has no Service: a
 * Service in front of a DaemonSet would add nothing but an object, since every pod is scraped anyway.
 * Both scrape the container port named `metrics` over plain HTTP, which Pod Security `restricted`
 * does not restrict; kvfleet ships no NetworkPolicy, so a default-deny policy of the cluster's must
 * let Prometheus reach port `metrics` in kvfleet's namespace.
 */
export class ScrapeMonitors extends Construct {
  readonly namespace: string;
  readonly interval: string;
  readonly serviceMonitor: ApiObject;
  readonly podMonitor: ApiObject;

  constructor(scope: Construct, id: string, props: ScrapeMonitorsProps) {
    super(scope, id);
    this.namespace = props.namespace ?? props.cluster.namespace ?? DEFAULT_NAMESPACE;
    this.interval = props.interval ?? '30s';
    if (!/^[1-9][0-9]*(s|m)$/.test(this.interval)) {
      throw new Error(`'interval' (${this.interval}) must be a whole number of seconds or minutes, e.g. '30s'`);
    }
    const labels = { ...props.cluster.alerts?.selectorLabels };
    const namespaceSelector = { matchNames: [this.namespace] };

    this.serviceMonitor = new ApiObject(this, 'ServiceMonitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: MIGRATION_CONTROLLER_NAME, namespace: this.namespace, labels },
      spec: {
        jobLabel: JOB_LABEL,
        namespaceSelector,
        selector: { matchLabels: { [JOB_LABEL]: MIGRATION_CONTROLLER_NAME } },
        endpoints: [{ port: 'metrics', path: '/metrics', scheme: 'http', interval: this.interval }],
      },
    });
    this.podMonitor = new ApiObject(this, 'PodMonitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: NODE_LABELLER_NAME, namespace: this.namespace, labels },
      spec: {
        jobLabel: JOB_LABEL,
        namespaceSelector,
        selector: { matchLabels: { [JOB_LABEL]: NODE_LABELLER_NAME } },
        podMetricsEndpoints: [
          {
            port: 'metrics',
            path: '/metrics',
            scheme: 'http',
            interval: this.interval,
            // One labeller per node: `instance` is the node's name rather than the pod's address, as
            // node-exporter's is. A `node` label would clash with the drift gauges' own `node`.
            relabelings: [{ action: 'replace', sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'instance' }],
          },
        ],
      },
    });
  }
}
