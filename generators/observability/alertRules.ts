/**
 * kvfleet's alerting and recording rules, as data: one entry per alert with its expression, the
 * threshold it reads from the cluster definition (`alerts`, fleet/clusterSchemaAlerts.ts), how long
 * it must hold, its severity and its texts. prometheusRules.ts turns them into a PrometheusRule per
 * cluster; docs/runbooks.md has a section per alert (`runbook_url`); test/observability/ checks every
 * expression with promtool and unit-tests every alert, firing and quiet.
 *
 * They complement KubeVirt's own alerts (pkg/monitoring/rules/alerts, v1.9) and never repeat them:
 * KubeVirtVMIExcessiveMigrations, DeprecatedMachineType (HCO), VMCannotBeEvicted,
 * KubeVirtNoAvailableNodesToRunVMs stay KubeVirt's. KubeVirt has no alert on failed migrations, and
 * none knows which machine type a node can run.
 *
 * Conventions (KubeVirt's and OpenShift's alerting guideline): CamelCase names prefixed `Kvfleet`;
 * label `severity` (critical | warning); annotations `summary`, `description`, `runbook_url`.
 * Counters are read with `increase()` (`increaseOf` for labelled ones) over fixed windows (30 minutes
 * for migrations, 15 for errors, an hour for Kube-OVN), summed over pods: only the controller replica
 * holding the Lease counts.
 */
import { type AlertThresholds } from '../../fleet/clusterSchemaAlerts.js';
import { MIGRATION_CONTROLLER_NAME } from '../migrationController.js';
import { NODE_LABELLER_NAME } from '../nodeLabeller.js';

/**
 * The `job` label of each program's targets: scrapeMonitors.ts sets `jobLabel:
 * app.kubernetes.io/name`, whose value on the controller's Service and the labeller's pods is the
 * program's name.
 */
export const JOBS = { controller: MIGRATION_CONTROLLER_NAME, labeller: NODE_LABELLER_NAME } as const;

/** What a cluster's rules depend on besides the thresholds. */
export interface AlertContext {
  readonly thresholds: AlertThresholds;
  /** The cluster runs Kube-OVN: the network-readiness alert applies. */
  readonly kubeOvn: boolean;
}

export type Severity = 'critical' | 'warning';

export interface RecordingRuleDefinition {
  readonly record: string;
  readonly expr: string;
  /** Which alert or dashboard panel reads it. */
  readonly usedBy: string;
}

export interface AlertDefinition {
  /** The alert's name; its runbook is `docs/runbooks.md#<name lower-cased>`. */
  readonly alert: string;
  readonly severity: Severity;
  /** Which program or fact the alert is about, for the runbooks' index. */
  readonly area: 'migrations' | 'machine types' | 'node labeller' | 'migration controller' | 'Kube-OVN';
  readonly expr: (t: AlertThresholds) => string;
  /** How long the expression must hold, as Prometheus writes durations (`5m`). */
  readonly for: (t: AlertThresholds) => string;
  /** The threshold in words, for the runbooks and the report of a cluster's rules. */
  readonly threshold: (t: AlertThresholds) => string;
  /** Go template, as Prometheus expands it: `$labels`, `$value`. */
  readonly summary: string;
  readonly description: (t: AlertThresholds) => string;
  /** `false` for clusters the alert does not apply to. @default always */
  readonly appliesTo?: (ctx: AlertContext) => boolean;
}

/** Recorded series names, so the alerts, dashboards and tests name them once. */
export const RECORDED = {
  failures30m: 'cluster:kvfleet_migration_failures:increase30m',
  migrations30m: 'cluster:kvfleet_migrations:increase30m',
  failureRatio30m: 'cluster:kvfleet_migration_failures:ratio30m',
  kubevirtFailed30m: 'cluster:kubevirt_vmi_migrations_failed:new30m',
  kubevirtSucceeded30m: 'cluster:kubevirt_vmi_migrations_succeeded:new30m',
  kubevirtFailureRatio30m: 'cluster:kubevirt_vmi_migration_failures:ratio30m',
  leaders: 'cluster:kvfleet_leader:sum',
  runningVmis: 'machine_type:kvfleet_machine_type_running_vmis:max',
  schedulableNodes: 'machine_type:kvfleet_machine_type_schedulable_nodes:max',
  driftingNodesByPool: 'pool:kvfleet_node_machine_type_drift:sum',
  migrationsRate5m: 'result_origin:kvfleet_migrations:rate5m',
  phaseBucketsRate5m: 'phase_le:kvfleet_migration_phase_seconds_bucket:rate5m',
} as const;

/**
 * What a counter with labels rose by within `window`, its first increments included: prom-client
 * creates a labelled series at its first `inc()` (and a restarted pod starts new series), so
 * `increase()` never sees the step from nothing to that first value. A series that did not exist
 * `window` ago counts with its whole value; the others with `increase()`. Unlabelled counters are
 * exported at 0 from the start and need none of this.
 */
export const increaseOf = (selector: string, window: string) => `(${selector} unless ${selector} offset ${window}) or increase(${selector}[${window}])`;

/**
 * VMIMs KubeVirt reports in `kind` (failed or succeeded) now that it did not 30 minutes ago: its
 * gauges hold one series per VMIM still in virt-controller's cache, so new series are new outcomes.
 * Aggregated by VMIM first: every virt-controller replica may export the same VMIM.
 */
const kubevirtNewOutcomes = (metric: string) =>
  `count(max by (namespace, vmim) (max_over_time(${metric}[30m])) == 1 unless on (namespace, vmim) max by (namespace, vmim) (${metric} offset 30m) == 1) or vector(0)`;

export const RECORDING_RULES: readonly RecordingRuleDefinition[] = [
  {
    record: RECORDED.failures30m,
    expr: `sum(${increaseOf('kvfleet_migration_failures_total', '30m')})`,
    usedBy: 'KvfleetMigrationFailureRate, KvfleetMigrationControllerNotReconciling',
  },
  { record: RECORDED.migrations30m, expr: `sum(${increaseOf('kvfleet_migrations_total', '30m')})`, usedBy: 'KvfleetMigrationFailureRate' },
  { record: RECORDED.failureRatio30m, expr: `${RECORDED.failures30m} / (${RECORDED.migrations30m} > 0)`, usedBy: 'KvfleetMigrationFailureRate, dashboards' },
  {
    record: RECORDED.kubevirtFailed30m,
    expr: kubevirtNewOutcomes('kubevirt_vmi_migration_failed'),
    usedBy: 'KvfleetKubevirtMigrationFailureRate, KvfleetMigrationControllerNotReconciling',
  },
  { record: RECORDED.kubevirtSucceeded30m, expr: kubevirtNewOutcomes('kubevirt_vmi_migration_succeeded'), usedBy: 'KvfleetKubevirtMigrationFailureRate' },
  {
    record: RECORDED.kubevirtFailureRatio30m,
    expr: `${RECORDED.kubevirtFailed30m} / ((${RECORDED.kubevirtFailed30m} + ${RECORDED.kubevirtSucceeded30m}) > 0)`,
    usedBy: 'KvfleetKubevirtMigrationFailureRate, dashboards',
  },
  { record: RECORDED.leaders, expr: 'sum(kvfleet_leader)', usedBy: 'leader alerts, dashboards' },
  // Every synced replica exports the capacity gauges: max, not sum.
  { record: RECORDED.runningVmis, expr: 'max by (machine_type) (kvfleet_machine_type_running_vmis)', usedBy: 'KvfleetMachineTypeWithoutSchedulableNode, dashboards' },
  {
    record: RECORDED.schedulableNodes,
    expr: 'max by (machine_type) (kvfleet_machine_type_schedulable_nodes)',
    usedBy: 'KvfleetMachineTypeWithoutSchedulableNode, dashboards',
  },
  // Nodes drifting per pool; max by node first, as a restarted labeller pod briefly has two series.
  { record: RECORDED.driftingNodesByPool, expr: 'sum by (pool) (max by (node, pool) (kvfleet_node_machine_type_drift))', usedBy: 'dashboards (drift per pool)' },
  { record: RECORDED.migrationsRate5m, expr: 'sum by (result, origin) (rate(kvfleet_migrations_total[5m]))', usedBy: 'dashboards (results by origin)' },
  { record: RECORDED.phaseBucketsRate5m, expr: 'sum by (phase, le) (rate(kvfleet_migration_phase_seconds_bucket[5m]))', usedBy: 'dashboards (per-phase durations)' },
];

const minutes = (n: number) => `${n}m`;
const up = (job: string) => `up{job="${job}"}`;

export const ALERT_RULES: readonly AlertDefinition[] = [
  {
    alert: 'KvfleetMigrationFailureRate',
    severity: 'warning',
    area: 'migrations',
    expr: (t) => `${RECORDED.failureRatio30m} > ${t.migrationFailurePercent / 100} and ${RECORDED.failures30m} >= ${t.migrationFailureMinCount}`,
    for: () => '5m',
    threshold: (t) => `more than ${t.migrationFailurePercent}% of the migrations ending within 30 minutes failed, and at least ${t.migrationFailureMinCount} did`,
    summary: '{{ $value | humanizePercentage }} of live migrations failed in the last 30 minutes',
    description: (t) =>
      `kvfleet's migration controller saw {{ $value | humanizePercentage }} of the migrations that ended in the last 30 minutes fail (threshold ${t.migrationFailurePercent}%, at least ${t.migrationFailureMinCount} failures). Node drains and upgrades stall while migrations fail; the reasons are in kvfleet_migration_failures_total{reason,fixable}.`,
  },
  {
    alert: 'KvfleetKubevirtMigrationFailureRate',
    severity: 'warning',
    area: 'migrations',
    // KubeVirt's own view of the same migrations, for when kvfleet's controller is not counting:
    // with a leader the alert above covers it, and one page per problem is enough.
    expr: (t) =>
      `${RECORDED.kubevirtFailureRatio30m} > ${t.migrationFailurePercent / 100} and ${RECORDED.kubevirtFailed30m} >= ${t.migrationFailureMinCount} unless on () ${RECORDED.leaders} == 1`,
    for: () => '5m',
    threshold: (t) =>
      `more than ${t.migrationFailurePercent}% of the VMIMs KubeVirt saw finish within 30 minutes failed, at least ${t.migrationFailureMinCount}, while no kvfleet controller replica leads`,
    summary: '{{ $value | humanizePercentage }} of live migrations failed in the last 30 minutes (KubeVirt metrics)',
    description: (t) =>
      `virt-controller reports {{ $value | humanizePercentage }} of the migrations (VMIMs) that finished in the last 30 minutes as Failed (kubevirt_vmi_migration_failed; threshold ${t.migrationFailurePercent}%, at least ${t.migrationFailureMinCount}). kvfleet's controller is not leading, so no fallback retries them.`,
  },
  {
    alert: 'KvfleetMigrationNoCompatibleTarget',
    severity: 'warning',
    area: 'machine types',
    expr: (t) => `sum(increase(kvfleet_migration_no_compatible_target_total[30m])) >= ${t.noCompatibleTargetCount}`,
    for: () => '0m',
    threshold: (t) => `at least ${t.noCompatibleTargetCount} fixable failed migration(s) within 30 minutes found no node to fall back to`,
    summary: 'Failed migrations found no node that can run their machine type',
    description: (t) =>
      `{{ printf "%.0f" $value }} failed migration(s) in the last 30 minutes could have been retried on another node, but no Ready, schedulable node offers the VM's machine type (threshold ${t.noCompatibleTargetCount}). The VMs stay where they are; a drain of their node waits. Event NoCompatibleMigrationTarget on each VMI names the type and the pools that could host it.`,
  },
  {
    alert: 'KvfleetMigrationFallbacksExhausted',
    severity: 'warning',
    area: 'migrations',
    expr: (t) => `sum(${increaseOf('kvfleet_migration_failures_total{reason="AttemptsExhausted"}', '30m')}) >= ${t.fallbacksExhaustedCount}`,
    for: () => '0m',
    threshold: (t) => `at least ${t.fallbacksExhaustedCount} migration(s) within 30 minutes used up their fallback attempts`,
    summary: 'Migrations failed after every fallback attempt',
    description: (t) =>
      `{{ printf "%.0f" $value }} migration(s) in the last 30 minutes failed again after kvfleet had used every fallback attempt for the VM (migration.fallbackAttempts within migration.attemptWindowSeconds; threshold ${t.fallbacksExhaustedCount}). Event MigrationFallbackExhausted on each VMI.`,
  },
  {
    alert: 'KvfleetMachineTypeWithoutSchedulableNode',
    severity: 'critical',
    area: 'machine types',
    expr: () => `${RECORDED.runningVmis} > 0 unless on (machine_type) ${RECORDED.schedulableNodes} > 0`,
    for: (t) => minutes(t.machineTypeWithoutNodeMinutes),
    threshold: (t) => `VMIs run a machine type that no Ready, uncordoned node offers, for ${t.machineTypeWithoutNodeMinutes} minutes`,
    summary: 'VMs run machine type {{ $labels.machine_type }}, which no Ready, schedulable node offers',
    description: (t) =>
      `{{ printf "%.0f" $value }} running VMI(s) have machine type {{ $labels.machine_type }}, and no node that is Ready and not cordoned carries the label the scheduler checks for it (for ${t.machineTypeWithoutNodeMinutes} minutes). They cannot live-migrate or restart anywhere: a drain of their nodes blocks, a node failure stops them.`,
  },
  {
    alert: 'KvfleetNodeMachineTypeDrift',
    severity: 'warning',
    area: 'machine types',
    // Not during virt-handler's canary window (reason="canary"): virt-operator rolls a new virt-handler
    // out 10 % of nodes at a time (pkg/virt-operator/resource/apply/apps.go), so every node of a
    // planned KubeVirt upgrade passes through it; the Event and the node annotation still record it.
    expr: () => 'max by (node, pool, reason) (kvfleet_node_machine_type_drift{reason!="canary"}) == 1',
    for: (t) => minutes(t.machineTypeDriftMinutes),
    threshold: (t) => `a node's machine types match no planned launcher of the cluster for ${t.machineTypeDriftMinutes} minutes`,
    summary: "Node {{ $labels.node }} offers other machine types than its launcher's catalogue entry",
    description: (t) =>
      `The QEMU on node {{ $labels.node }} (pool {{ $labels.pool }}) offers a machine-type set that differs from the catalogue entry of the cluster's current virt-launcher, and from every planned step's, for ${t.machineTypeDriftMinutes} minutes (reason {{ $labels.reason }}): a wrong launcher image or a broken node. kvfleet's policies admit VMs by the catalogue's set, so they may admit VMs the node cannot run, or refuse ones it can. Annotation kvfleet.io/machine-type-drift on the node lists the extra and missing types.`,
  },
  {
    alert: 'KvfleetNodeKubevirtMachineTypeDrift',
    severity: 'warning',
    area: 'machine types',
    expr: () => 'max by (node) (kvfleet_node_kubevirt_machine_type_drift) == 1',
    for: (t) => minutes(t.machineTypeDriftMinutes),
    threshold: (t) => `KubeVirt's machine-type labels on a node disagree with what its QEMU offers, for ${t.machineTypeDriftMinutes} minutes`,
    summary: "KubeVirt's machine-type labels on node {{ $labels.node }} disagree with its QEMU",
    description: (t) =>
      `KubeVirt's machine-type.node.kubevirt.io/ labels on node {{ $labels.node }} differ from the machine types its QEMU offers with KVM, for ${t.machineTypeDriftMinutes} minutes. Where KubeVirt selects on its own labels (1.5.1 and later), VMs of a type it lacks cannot migrate to the node, and a type it labels wrongly can be scheduled where it fails. Annotation kvfleet.io/kubevirt-machine-type-drift lists both.`,
  },
  {
    alert: 'KvfleetNodeLabellerAbsent',
    severity: 'warning',
    area: 'node labeller',
    expr: () => `absent(${up(JOBS.labeller)} == 1)`,
    for: () => '15m',
    threshold: () => 'no node labeller target is up for 15 minutes',
    summary: 'No kvfleet node labeller is being scraped',
    description: () =>
      `Prometheus has no node labeller target (job ${JOBS.labeller}) that is up. Either the labeller DaemonSets run no pods, or the PodMonitor kvfleet-node-labeller is not selected by this Prometheus. Machine-type labels and drift are no longer kept up to date, and the alerts built on them stay silent.`,
  },
  {
    alert: 'KvfleetNodeLabellerDown',
    severity: 'warning',
    area: 'node labeller',
    expr: () => `${up(JOBS.labeller)} == 0`,
    for: () => '15m',
    threshold: () => "a node labeller target's scrape fails for 15 minutes",
    summary: 'The node labeller on {{ $labels.instance }} cannot be scraped',
    description: () =>
      'Prometheus cannot scrape the node labeller pod {{ $labels.pod }} on node {{ $labels.instance }}: the pod is not Ready (its init container cannot read the capabilities, or it is crash-looping) or its metrics port is unreachable.',
  },
  {
    alert: 'KvfleetNodeLabellerNotReconciling',
    severity: 'warning',
    area: 'node labeller',
    expr: (t) => `time() - max by (instance) (kvfleet_node_labeller_last_success_timestamp_seconds) > ${t.labellerStaleMinutes * 60}`,
    for: () => '5m',
    threshold: (t) => `a node labeller has not reconciled its node successfully for ${t.labellerStaleMinutes} minutes`,
    summary: 'The node labeller on {{ $labels.instance }} has not labelled its node for {{ $value | humanizeDuration }}',
    description: (t) =>
      `The node labeller on node {{ $labels.instance }} last matched the node's labels to its capabilities {{ $value | humanizeDuration }} ago (threshold ${t.labellerStaleMinutes} minutes; it resyncs every 5). Its labels may no longer describe what the node can run.`,
  },
  {
    alert: 'KvfleetNodeLabellerReconcileErrors',
    severity: 'warning',
    area: 'node labeller',
    expr: (t) => `sum by (instance, reason) (${increaseOf('kvfleet_node_labeller_errors_total', '15m')}) >= ${t.reconcileErrorCount}`,
    for: () => '15m',
    threshold: (t) => `at least ${t.reconcileErrorCount} failed labeller attempts of one reason on one node within 15 minutes, for 15 minutes`,
    summary: 'The node labeller on {{ $labels.instance }} keeps failing: {{ $labels.reason }}',
    description: (t) =>
      `The node labeller on node {{ $labels.instance }} failed {{ printf "%.0f" $value }} times in the last 15 minutes with reason {{ $labels.reason }} (threshold ${t.reconcileErrorCount}). It keeps the node's labels as they were and retries with backoff; each failure is logged with the API server's answer.`,
  },
  {
    alert: 'KvfleetMigrationControllerAbsent',
    severity: 'warning',
    area: 'migration controller',
    expr: () => `absent(${up(JOBS.controller)} == 1)`,
    for: () => '10m',
    threshold: () => 'no migration controller target is up for 10 minutes',
    summary: 'No kvfleet migration controller is being scraped',
    description: () =>
      `Prometheus has no migration controller target (job ${JOBS.controller}) that is up: the Deployment runs no Ready pod, or the ServiceMonitor kvfleet-migration-controller is not selected by this Prometheus. Failed migrations get no fallback and kvfleet's migration alerts stay silent.`,
  },
  {
    alert: 'KvfleetMigrationControllerNotReconciling',
    severity: 'warning',
    area: 'migration controller',
    expr: () => `${RECORDED.kubevirtFailed30m} > 0 unless on () ${RECORDED.failures30m} > 0 and on () ${RECORDED.leaders} == 1`,
    for: () => '15m',
    threshold: () => 'KubeVirt reports failed migrations within 30 minutes that the leading controller did not judge, for 15 minutes',
    summary: 'The migration controller leads but does not handle failed migrations',
    description: () =>
      "KubeVirt reports {{ $value }} failed migration(s) in the last 30 minutes, and kvfleet's leading controller counted none: it holds the Lease but is not reconciling (watches not synced, or its work stuck), so no fallback is created.",
  },
  {
    alert: 'KvfleetMigrationControllerReconcileErrors',
    severity: 'warning',
    area: 'migration controller',
    expr: (t) => `sum by (reason) (${increaseOf('kvfleet_reconcile_errors_total', '15m')}) >= ${t.reconcileErrorCount}`,
    for: () => '15m',
    threshold: (t) => `at least ${t.reconcileErrorCount} failed reconcile attempts of one step within 15 minutes, for 15 minutes`,
    summary: 'The migration controller keeps failing to {{ $labels.reason }}',
    description: (t) =>
      `kvfleet's migration controller failed {{ printf "%.0f" $value }} reconcile attempts at step {{ $labels.reason }} in the last 15 minutes (threshold ${t.reconcileErrorCount}). Each is retried with backoff and logged with the API server's status, reason and message.`,
  },
  {
    alert: 'KvfleetMigrationControllerNoLeader',
    severity: 'warning',
    area: 'migration controller',
    expr: () => `${RECORDED.leaders} == 0`,
    for: () => '5m',
    threshold: () => 'the controller replicas are scraped and none holds the Lease, for 5 minutes',
    summary: 'No migration controller replica holds the Lease',
    description: () =>
      "kvfleet's migration controller replicas are running, but none holds the Lease kvfleet-migration-controller: no replica acts, so failed migrations get no fallback and finished fallbacks are not cleaned up.",
  },
  {
    alert: 'KvfleetMigrationControllerMultipleLeaders',
    severity: 'warning',
    area: 'migration controller',
    expr: () => `${RECORDED.leaders} > 1`,
    for: () => '5m',
    threshold: () => 'more than one controller replica reports holding the Lease, for 5 minutes',
    summary: '{{ $value }} migration controller replicas act at once',
    description: () =>
      "{{ $value }} replicas of kvfleet's migration controller report kvfleet_leader 1. Fallback names are derived from the failed VMIM, so no duplicate VMIM can be created, but both replicas write Events and delete VMIMs, and a Lease that two hold points at clock skew or an API server problem.",
  },
  {
    alert: 'KvfleetKubeOvnNetworkNotReadyBeforeRunning',
    severity: 'warning',
    area: 'Kube-OVN',
    appliesTo: (ctx) => ctx.kubeOvn,
    expr: (t) => `sum(increase(kvfleet_migration_running_before_network_ready_total[1h])) >= ${t.kubeOvnRunningBeforeNetworkReadyCount}`,
    for: () => '0m',
    threshold: (t) => `at least ${t.kubeOvnRunningBeforeNetworkReadyCount} migration(s) within an hour reached Running before Kube-OVN routed the target pod`,
    summary: "Migrations reached Running before Kube-OVN had set up the target's network",
    description: (t) =>
      `{{ printf "%.0f" $value }} migration(s) in the last hour reached Running before Kube-OVN marked the target pod routed (ovn.kubernetes.io/routed; threshold ${t.kubeOvnRunningBeforeNetworkReadyCount}). Those VMs lose network for the switch-over, seconds or longer: Kube-OVN configured the migration too late.`,
  },
];

/** The alerts that apply to a cluster, in the order above. */
export function alertsFor(ctx: AlertContext): AlertDefinition[] {
  return ALERT_RULES.filter((a) => a.appliesTo?.(ctx) ?? true);
}

/**
 * docs/operations.md's table of the alerts at the default thresholds (prometheusRules.test.ts checks it
 * is current). Its links are relative to docs/, where runbooks.md sits beside it.
 */
export function alertsTable(t: AlertThresholds): string {
  const rows = ALERT_RULES.map((a) => {
    const holdFor = a.for(t);
    const where = a.appliesTo ? ' (Kube-OVN clusters)' : '';
    return `| [\`${a.alert}\`](runbooks.md#${a.alert.toLowerCase()}) | ${a.severity} | ${a.threshold(t)}${where} | ${holdFor === '0m' ? '—' : holdFor} |`;
  });
  return ['| alert | severity | fires when (default thresholds) | for |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
