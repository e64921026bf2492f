import { Construct } from 'constructs';
import { type ClusterDefinition, DEFAULT_NAMESPACE } from '../../fleet/clusterDefinition.js';
import { DefinitionError } from '../../fleet/definitionError.js';
import { closestName } from '../../fleet/definitionSuggestion.js';
import { formatValue } from '../../fleet/definitionValue.js';
import { type FleetConfig } from '../../fleet/fleetConfigSchema.js';
import { DashboardConfigMaps } from './dashboardConfigMaps.js';
import { PrometheusRules } from './prometheusRules.js';
import { RUNBOOKS_FILE, runbooksUrl } from './runbookUrl.js';
import { ScrapeMonitors } from './scrapeMonitors.js';

/** What a cluster's observability needs from the fleet (kvfleet.config.ts), passed in by synthFleet. */
export interface FleetObservability {
  /**
   * Where docs/runbooks.md is read: `runbooksUrl(repoURL, targetRevision)`.
   * @default 'docs/runbooks.md'
   */
  readonly runbooksUrl?: string;
  /**
   * Every cluster of the fleet, set only on the cluster that carries the fleet dashboard.
   * @default no fleet dashboard
   */
  readonly fleetDashboard?: readonly ClusterDefinition[];
}

export interface ClusterObservabilityProps extends FleetObservability {
  /** The validated cluster definition. */
  readonly cluster: ClusterDefinition;
  /**
   * Namespace of the rules, monitors and dashboards: kvfleet's.
   * @default the cluster's `namespace`, else 'kvfleet-system'
   */
  readonly namespace?: string;
}

/**
 * What a platform team runs kvfleet with (issue 13): the PrometheusRule with kvfleet's alerts and
 * recording rules, the ServiceMonitor and PodMonitor that make Prometheus scrape both programs, and
 * the Grafana dashboards. Needs the Prometheus Operator's CRDs on the cluster.
 */
export class ClusterObservability extends Construct {
  readonly rules: PrometheusRules;
  readonly monitors: ScrapeMonitors;
  readonly dashboards: DashboardConfigMaps;

  constructor(scope: Construct, id: string, props: ClusterObservabilityProps) {
    super(scope, id);
    const namespace = props.namespace ?? props.cluster.namespace ?? DEFAULT_NAMESPACE;
    const runbooksUrl = props.runbooksUrl ?? RUNBOOKS_FILE;
    this.rules = new PrometheusRules(this, 'rules', { cluster: props.cluster, namespace, runbooksUrl });
    this.monitors = new ScrapeMonitors(this, 'monitors', { cluster: props.cluster, namespace });
    this.dashboards = new DashboardConfigMaps(this, 'dashboards', {
      cluster: props.cluster,
      namespace,
      runbooksUrl,
      ...(props.fleetDashboard ? { fleet: props.fleetDashboard } : {}),
    });
  }
}

/** What synthFleet passes to the chart of `clusterName`: runbook links, and the fleet dashboard where it belongs. */
export function fleetObservabilityFor(clusterName: string, clusters: readonly ClusterDefinition[], fleet: FleetConfig | undefined): FleetObservability {
  if (!fleet) return {};
  return {
    runbooksUrl: runbooksUrl(fleet.repoURL, fleet.targetRevision),
    ...(fleet.monitoring?.fleetDashboardCluster === clusterName ? { fleetDashboard: clusters } : {}),
  };
}

/**
 * A fleet dashboard cluster that no definition names would silently ship no fleet dashboard. A
 * cluster whose definition has errors (`failedClusters`) is not reported again here: its own file's
 * errors are the cause.
 */
export function monitoringProblems(clusterNames: readonly string[], fleet: FleetConfig, fleetFile: string, failedClusters: readonly string[] = []): DefinitionError[] {
  const wanted = fleet.monitoring?.fleetDashboardCluster;
  if (wanted === undefined || clusterNames.includes(wanted) || failedClusters.includes(wanted)) return [];
  const names = [...clusterNames].sort();
  const guess = closestName(wanted, names);
  return [
    new DefinitionError(
      fleetFile,
      'monitoring.fleetDashboardCluster',
      `${formatValue(wanted)} is not a cluster of the fleet (${names.join(', ')})`,
      `${guess ? `did you mean "${guess}"? ` : ''}name the cluster whose Grafana reads every cluster's metrics, or leave the field out for no fleet dashboard`,
    ),
  ];
}
