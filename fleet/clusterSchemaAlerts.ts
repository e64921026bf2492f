/**
 * The alert settings of a cluster definition (`alerts`): the thresholds of kvfleet's PrometheusRule
 * (generators/observability/alertRules.ts) and the labels that make the cluster's Prometheus select
 * kvfleet's rules and monitors. Every field is optional; the defaults below are what an absent field
 * means, and docs/runbooks.md explains each alert they feed.
 */
import * as z from 'zod';
import * as field from './clusterSchemaFields.js';
import { labelMapSchema } from './clusterSchemaLabels.js';
import { fieldInfo } from './clusterSchemaFields.js';

/** What an absent `alerts` field means, field by field. */
export const DEFAULT_ALERT_THRESHOLDS = {
  migrationFailurePercent: 20,
  migrationFailureMinCount: 3,
  noCompatibleTargetCount: 1,
  fallbacksExhaustedCount: 1,
  machineTypeWithoutNodeMinutes: 10,
  machineTypeDriftMinutes: 30,
  labellerStaleMinutes: 20,
  reconcileErrorCount: 5,
  kubeOvnRunningBeforeNetworkReadyCount: 1,
} as const satisfies Readonly<Record<string, number>>;
const d = DEFAULT_ALERT_THRESHOLDS;

export type AlertThresholds = { -readonly [K in keyof typeof DEFAULT_ALERT_THRESHOLDS]: number };

const selectorLabels = labelMapSchema({
  expected: 'a map of labels',
  fix: 'write the labels your Prometheus selects rules and monitors by, e.g. { release: "kube-prometheus-stack" }',
});

export const alertSettingsSchema = z
  .strictObject({
    /** Share of the migrations ending within 30 minutes that failed, above which `KvfleetMigrationFailureRate` fires. @default 20 */
    migrationFailurePercent: field.wholeNumber(1, 100, d.migrationFailurePercent).optional(),
    /** Failed migrations within 30 minutes below which the failure-rate alerts stay quiet (one failure of one is not a rate). @default 3 */
    migrationFailureMinCount: field.wholeNumber(1, 10_000, d.migrationFailureMinCount).optional(),
    /** Fixable failures with no compatible node within 30 minutes that fire `KvfleetMigrationNoCompatibleTarget`. @default 1 */
    noCompatibleTargetCount: field.wholeNumber(1, 10_000, d.noCompatibleTargetCount).optional(),
    /** Migrations whose fallbacks were used up within 30 minutes that fire `KvfleetMigrationFallbacksExhausted`. @default 1 */
    fallbacksExhaustedCount: field.wholeNumber(1, 10_000, d.fallbacksExhaustedCount).optional(),
    /** Minutes a machine type may run with no Ready, schedulable node offering it before `KvfleetMachineTypeWithoutSchedulableNode` fires. @default 10 */
    machineTypeWithoutNodeMinutes: field.wholeNumber(1, 1440, d.machineTypeWithoutNodeMinutes).optional(),
    /** Minutes a node may drift (from its pool, or from KubeVirt's labels) before the drift alerts fire; an upgrade in progress drifts briefly. @default 30 */
    machineTypeDriftMinutes: field.wholeNumber(1, 10_080, d.machineTypeDriftMinutes).optional(),
    /** Minutes since a labeller's last successful reconcile before `KvfleetNodeLabellerNotReconciling` fires (it resyncs every 5). @default 20 */
    labellerStaleMinutes: field.wholeNumber(10, 1440, d.labellerStaleMinutes).optional(),
    /** Failed reconcile attempts within 15 minutes (per labeller pod, or for the controller) that fire the reconcile-error alerts. @default 5 */
    reconcileErrorCount: field.wholeNumber(1, 100_000, d.reconcileErrorCount).optional(),
    /** Kube-OVN clusters: migrations Running before their target network was routed, within an hour, that fire `KvfleetKubeOvnNetworkNotReadyBeforeRunning`. @default 1 */
    kubeOvnRunningBeforeNetworkReadyCount: field.wholeNumber(1, 10_000, d.kubeOvnRunningBeforeNetworkReadyCount).optional(),
    /**
     * Labels put on the PrometheusRule, ServiceMonitor and PodMonitor so that the cluster's Prometheus
     * selects them (`ruleSelector`, `serviceMonitorSelector`, `podMonitorSelector`); kube-prometheus-stack
     * selects `release: <its release name>` unless told otherwise.
     * @default {}
     */
    selectorLabels: selectorLabels.optional(),
  })
  .readonly()
  .register(fieldInfo, {
    expected: 'alert settings',
    fix: 'leave alerts out for the defaults, or set only the fields you change, e.g. { migrationFailurePercent: 10 }',
  });

export type AlertSettings = z.output<typeof alertSettingsSchema>;

/** Every threshold, defaults applied. */
export function alertThresholds(alerts: AlertSettings | undefined): AlertThresholds {
  const { selectorLabels: _labels, ...thresholds } = alerts ?? {};
  return { ...DEFAULT_ALERT_THRESHOLDS, ...thresholds };
}
