import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { type ClusterDefinition, DEFAULT_NAMESPACE } from '../../fleet/clusterDefinition.js';
import { type AlertThresholds, alertThresholds } from '../../fleet/clusterSchemaAlerts.js';
import { type AlertDefinition, alertsFor, RECORDING_RULES } from './alertRules.js';
import { RUNBOOKS_FILE, runbookAnchor } from './runbookUrl.js';

export const PROMETHEUS_RULE_NAME = 'kvfleet';
export const RECORDING_GROUP = 'kvfleet.recording';
export const ALERTING_GROUP = 'kvfleet.alerts';

/** A rule as Prometheus reads it (`spec.groups[].rules[]` of a PrometheusRule, a rule file's `groups[].rules[]`). */
export interface PrometheusRuleEntry {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface PrometheusRuleGroup {
  readonly name: string;
  readonly rules: readonly PrometheusRuleEntry[];
}

export interface PrometheusRulesProps {
  /** The validated cluster definition: its `alerts` thresholds and whether it runs Kube-OVN. */
  readonly cluster: ClusterDefinition;
  /**
   * Namespace of the PrometheusRule.
   * @default the cluster's `namespace`, else 'kvfleet-system'
   */
  readonly namespace?: string;
  /**
   * Where `docs/runbooks.md` is read; every alert links `<runbooksUrl>#<alert name lower-cased>`.
   * synthFleet passes `<repoURL>/blob/<targetRevision>/docs/runbooks.md` from kvfleet.config.ts.
   * @default 'docs/runbooks.md' (relative: for charts built without the fleet configuration)
   */
  readonly runbooksUrl?: string;
}

/** One alert as a rule: severity label, summary, description and runbook link. */
export function alertRule(a: AlertDefinition, t: AlertThresholds, runbooksUrl: string): PrometheusRuleEntry {
  const holdFor = a.for(t);
  return {
    alert: a.alert,
    expr: a.expr(t),
    ...(holdFor === '0m' ? {} : { for: holdFor }),
    labels: { severity: a.severity },
    annotations: { summary: a.summary, description: a.description(t), runbook_url: `${runbooksUrl}#${runbookAnchor(a.alert)}` },
  };
}

/** The rule groups of one cluster: the recording rules first (the alerts read them), then its alerts. */
export function prometheusRuleGroups(cluster: ClusterDefinition, runbooksUrl: string): PrometheusRuleGroup[] {
  const thresholds = alertThresholds(cluster.alerts);
  return [
    { name: RECORDING_GROUP, rules: RECORDING_RULES.map((r) => ({ record: r.record, expr: r.expr })) },
    { name: ALERTING_GROUP, rules: alertsFor({ thresholds, kubeOvn: cluster.kubeOvn !== 'none' }).map((a) => alertRule(a, thresholds, runbooksUrl)) },
  ];
}

/**
 * kvfleet's alerts and recording rules for one cluster, as a `monitoring.coreos.com/v1`
 * PrometheusRule (Prometheus Operator); the rules themselves are data in alertRules.ts.
 */
export class PrometheusRules extends Construct {
  readonly namespace: string;
  readonly runbooksUrl: string;
  readonly groups: readonly PrometheusRuleGroup[];
  readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: PrometheusRulesProps) {
    super(scope, id);
    this.namespace = props.namespace ?? props.cluster.namespace ?? DEFAULT_NAMESPACE;
    this.runbooksUrl = props.runbooksUrl ?? RUNBOOKS_FILE;
    this.groups = prometheusRuleGroups(props.cluster, this.runbooksUrl);
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: PROMETHEUS_RULE_NAME, namespace: this.namespace, labels: { ...props.cluster.alerts?.selectorLabels } },
      spec: { groups: this.groups },
    });
  }
}
