/**
 * The metrics contract: every metric kvfleet's programs export, and the KubeVirt metrics kvfleet's
 * alerts and dashboards build on, with name, type, labels and meaning, in one place.
 *
 * - The programs create their prom-client metrics from these entries (`counterOf`, `gaugeOf`,
 *   `histogramOf`, used by labellerMetrics.ts and migration-controller/metrics.ts), so a name, HELP
 *   text or label set cannot differ between code and contract.
 * - docs/operations.md's metrics tables are generated from them (`npm run docs:metrics`,
 *   scripts/metricsDocs.ts); metricsContract.test.ts fails when they differ.
 * - `knownMetricNames()` is every series name a query may use; tests of the generated alerts and
 *   dashboards check their expressions against it.
 * - test/observability/promtoolMetrics.apiserver.test.ts scrapes both programs' real `/metrics`
 *   and checks it with `promtool check metrics` and against these entries.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { FIXABLE_REASONS, NOT_FIXABLE_REASONS } from '../migration-controller/failureReasons.js';
import { FINAL_PHASES, VMIM_PHASES } from '../migration-controller/objectViews.js';
import { LABEL_LIMIT_ERROR_REASONS, LABEL_LIMIT_EXCEEDED_REASON, LABEL_LIMITS } from '../node-labeller/labelLimits.js';
import { CRASH_REASON } from './reconcileLoop.js';

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricLabel {
  readonly name: string;
  /** The closed set of values, when there is one (phases, reasons, results). */
  readonly values?: readonly string[];
  /** What the value is, when it is not from a closed set (a node name, a machine type). */
  readonly note?: string;
}

export interface MetricContract {
  /** As exported; a counter's name ends in `_total` (prom-client adds nothing). */
  readonly name: string;
  readonly type: MetricType;
  readonly labels: readonly MetricLabel[];
  /** The `# HELP` line. */
  readonly help: string;
  /** How to read it, for the docs table. */
  readonly readAs: string;
  /** Histograms only. */
  readonly buckets?: readonly number[];
}

/** A metric kvfleet does not export but may query, and where its definition was read. */
export interface ExternalMetricContract extends Omit<MetricContract, 'buckets'> {
  /** The component that exports it. */
  readonly exporter: string;
  /** Where the name, type and labels were verified. */
  readonly source: string;
}

// Migration phases last seconds to minutes; a stuck one up to the hour.
const PHASE_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 3600];
// Failure → fallback is milliseconds when idle, seconds in a burst.
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 7.5, 10, 30];

// The labeller's own Node: every series of a labeller pod carries it.
const node = { name: 'node' } as const;

/** The node labeller (one per node): `programs/node-labeller/labellerMetrics.ts`. */
export const LABELLER_METRICS = {
  reconciles: {
    name: 'kvfleet_node_labeller_reconciles_total',
    type: 'counter',
    labels: [{ name: 'result', values: ['patched', 'unchanged', 'invalid', 'error'] }],
    help: 'Reconciles by result.',
    readAs: '`invalid`: the capabilities or matrix file cannot be used, or yields more than the labeller writes to a Node; `error`: an API request failed',
  },
  errors: {
    name: 'kvfleet_node_labeller_errors_total',
    type: 'counter',
    labels: [
      {
        name: 'reason',
        values: [
          'capabilities_unreadable',
          'capabilities_invalid',
          'matrix_unreadable',
          'matrix_invalid',
          // Over a limit of LABEL_LIMITS: nothing written, a Warning Event on the Node.
          ...LABEL_LIMIT_ERROR_REASONS,
          'node_get',
          'node_patch',
          'event_create',
          // The reconciler threw (the runtime loop's own reason).
          CRASH_REASON,
        ],
      },
    ],
    help: 'Reconciles that kept the node as it was, by reason (unreadable or malformed input, a label limit exceeded, API failure).',
    readAs: `one per failed attempt, each logged and retried with backoff; ${LABEL_LIMIT_ERROR_REASONS.map((r) => `\`${r}\``).join(', ')}: the capabilities document yields more than ${LABEL_LIMITS.maxLabels.toLocaleString('en-US')} kvfleet labels or a label patch over ${LABEL_LIMITS.maxPatchBytes / 1024} KiB, so nothing was written (Event \`${LABEL_LIMIT_EXCEEDED_REASON}\`); \`event_create\`: an Event that could not be recorded and was dropped`,
  },
  apiRequests: {
    name: 'kvfleet_node_labeller_api_requests_total',
    type: 'counter',
    labels: [
      { name: 'verb', values: ['get', 'patch', 'create'] },
      { name: 'resource', values: ['nodes', 'events'] },
    ],
    help: 'Requests sent to the Kubernetes API, by verb and resource.',
    readAs: 'steady state: one GET per reconcile, no writes',
  },
  drift: {
    name: 'kvfleet_node_machine_type_drift',
    type: 'gauge',
    labels: [node, { name: 'pool', note: 'the pool whose `nodeSelector` matches' }, { name: 'reason', values: ['none', 'canary', 'unknown-launcher'] }],
    help: "1 when the node's machine types differ from the catalogue entry of the cluster's current launcher for its architecture, else 0.",
    readAs:
      "1: the node's machine types differ from its launcher's entry; `reason`: `canary` when it measures a later planned step's launcher (virt-handler's canary window during an upgrade), `unknown-launcher` when no step's (nodes no pool selects have none)",
  },
  driftTypes: {
    name: 'kvfleet_node_machine_type_drift_types',
    type: 'gauge',
    labels: [node, { name: 'direction', values: ['extra', 'missing'] }],
    help: 'Machine types the node offers beyond (extra) or lacks from (missing) its pool declaration.',
    readAs: 'how many types differ, each way',
  },
  kubevirtDrift: {
    name: 'kvfleet_node_kubevirt_machine_type_drift',
    type: 'gauge',
    labels: [node],
    help: "1 when KubeVirt's machine-type labels on the node disagree with what its QEMU offers with KVM, else 0; absent while KubeVirt has not labelled it.",
    readAs: "1: KubeVirt's `machine-type.node.kubevirt.io/` labels disagree with QEMU; absent until KubeVirt labels the node",
  },
  kubevirtDriftTypes: {
    name: 'kvfleet_node_kubevirt_machine_type_drift_types',
    type: 'gauge',
    labels: [node, { name: 'direction', values: ['kubevirt_lacks', 'kubevirt_only'] }],
    help: 'Machine types the node runs that KubeVirt has not labelled (kubevirt_lacks), or that KubeVirt labels and the node cannot run with KVM (kubevirt_only).',
    readAs: '`kubevirt_lacks`: VMs of those types cannot migrate to the node',
  },
  machineTypes: {
    name: 'kvfleet_node_machine_types',
    type: 'gauge',
    labels: [node, { name: 'kind', values: ['canonical', 'alias', 'deprecated'] }],
    help: 'Machine types the node offers with KVM, by kind (canonical, alias, deprecated).',
    readAs: 'counts of what the node offers',
  },
  deprecatedMachineType: {
    name: 'kvfleet_node_deprecated_machine_type',
    type: 'gauge',
    labels: [node, { name: 'machine_type', note: 'a type QEMU marks deprecated' }],
    help: "1 for each machine type the node's QEMU marks deprecated.",
    readAs: "1 per deprecated type (the same fact as KubeVirt's `kubevirt_node_deprecated_machine_types`, on every KubeVirt version)",
  },
  unlabellable: {
    name: 'kvfleet_node_labeller_unlabellable_machine_types',
    type: 'gauge',
    labels: [node],
    help: 'Machine types whose names cannot be label names and were left unlabelled.',
    readAs: 'types skipped with a warning (over 63 characters, or characters a label name cannot hold)',
  },
  lastSuccess: {
    name: 'kvfleet_node_labeller_last_success_timestamp_seconds',
    type: 'gauge',
    labels: [],
    help: 'When the node last matched its capabilities (Unix time).',
    readAs: "`time() - …` is how stale the node's labels may be; 0 until the first success",
  },
} as const satisfies Record<string, MetricContract>;

const reason = <const V extends readonly string[]>(values: V) => ({ name: 'reason', values }) as const;

/** The migration controller (one acting replica per cluster): `programs/migration-controller/metrics.ts`. */
export const CONTROLLER_METRICS = {
  migrations: {
    name: 'kvfleet_migrations_total',
    type: 'counter',
    labels: [
      { name: 'result', values: ['succeeded', 'failed'] },
      { name: 'origin', values: ['user', 'kvfleet'] },
    ],
    help: 'Migrations (VMIMs) seen reaching a final phase, by result and by who created them.',
    readAs: 'migrations ending; `origin="kvfleet"` are fallbacks',
  },
  phaseSeconds: {
    name: 'kvfleet_migration_phase_seconds',
    type: 'histogram',
    // Phases with a duration: the final ones end the migration (phaseTimings.ts).
    labels: [{ name: 'phase', values: VMIM_PHASES.filter((p) => !FINAL_PHASES.includes(p)) }],
    help: 'Time VMIMs spent in each phase, from KubeVirt phase transition timestamps.',
    readAs: 'time in each phase, observed when the migration ends',
    buckets: PHASE_BUCKETS,
  },
  failures: {
    name: 'kvfleet_migration_failures_total',
    type: 'counter',
    labels: [
      {
        name: 'reason',
        // What failureReasons.ts finds, then the attempt history's verdict (fallbackDecision.ts).
        values: [...FIXABLE_REASONS, ...NOT_FIXABLE_REASONS, 'AttemptsExhausted'],
      },
      { name: 'fixable', values: ['true', 'false'] },
    ],
    help: 'Failed migrations by the reason the controller found and whether a fallback can fix it.',
    readAs: 'every failed migration, once, by the first reason found',
  },
  fallbacks: {
    name: 'kvfleet_migration_fallbacks_total',
    type: 'counter',
    labels: [reason(FIXABLE_REASONS)],
    help: 'Fallback VMIMs created, by the failure they retry.',
    readAs: 'fallback VMIMs created',
  },
  noTarget: {
    name: 'kvfleet_migration_no_compatible_target_total',
    type: 'counter',
    labels: [],
    help: 'Fixable failures left alone because no node could take the VM.',
    readAs: 'fixable failures with no node to go to (Event `NoCompatibleMigrationTarget`)',
  },
  machineTypeRejections: {
    name: 'kvfleet_machine_type_rejections_total',
    type: 'counter',
    labels: [{ name: 'machine_type', note: "the VMI's `status.machine.type`" }, reason(['target-unschedulable', 'incompatible-target', 'no-compatible-node'])],
    help: 'Migration targets that could not run the VM machine type (unschedulable on the machine-type selector, incompatible target, no compatible node).',
    readAs: "targets that could not run the VM's machine type",
  },
  targetUnschedulable: {
    name: 'kvfleet_migration_target_unschedulable_total',
    type: 'counter',
    labels: [],
    help: 'Migration target pods seen Unschedulable (counted once per migration, before KubeVirt times them out).',
    readAs: "target pods seen `Unschedulable` before KubeVirt's timeout",
  },
  actionLatency: {
    name: 'kvfleet_migration_fallback_latency_seconds',
    type: 'histogram',
    labels: [],
    help: 'From the controller receiving the failure until its fallback VMIM was created (backoff waits excluded).',
    readAs: 'failure received → first fallback created',
    buckets: LATENCY_BUCKETS,
  },
  deletions: {
    name: 'kvfleet_migration_vmims_deleted_total',
    type: 'counter',
    labels: [reason(['ttl', 'vmi-gone', 'vmi-replaced'])],
    help: 'kvfleet-created VMIMs deleted, by reason (ttl, vmi-gone, vmi-replaced).',
    readAs: "clean-up of kvfleet's own VMIMs",
  },
  malformed: {
    name: 'kvfleet_malformed_objects_total',
    type: 'counter',
    labels: [
      { name: 'kind', values: ['VirtualMachineInstanceMigration', 'VirtualMachineInstance', 'Node', 'Pod'] },
      { name: 'reason', note: 'what is wrong: `no-vmi-name`, `bad-status`, …' },
    ],
    help: 'Watched objects skipped because they could not be read, by kind and reason.',
    readAs: 'objects skipped because they could not be read (once per object and problem)',
  },
  malformedNow: {
    name: 'kvfleet_malformed_objects',
    type: 'gauge',
    labels: [],
    help: 'Watched objects that are malformed now (each was logged and counted once in kvfleet_malformed_objects_total).',
    readAs: "objects malformed now (the controller's memory of them; falls as they are fixed or deleted)",
  },
  reconciles: {
    name: 'kvfleet_reconciles_total',
    type: 'counter',
    labels: [{ name: 'result', values: ['success', 'requeue-after', 'error', 'refused', 'dropped'] }],
    help: 'VMI reconciles by result (success, requeue-after, error, refused, dropped).',
    readAs: 'VMI reconciles; `refused`: the Lease was lost mid-reconcile, `dropped`: queued work given up on losing it',
  },
  reconcileErrors: {
    name: 'kvfleet_reconcile_errors_total',
    type: 'counter',
    labels: [reason(['vmim-create', 'vmim-delete', CRASH_REASON])],
    help: 'Reconcile attempts that failed and were retried with backoff, by the step that failed (vmim-create, vmim-delete, crash).',
    readAs: 'failed attempts, each logged with the API error and retried with backoff',
  },
  eventsDropped: {
    name: 'kvfleet_events_dropped_total',
    type: 'counter',
    labels: [reason(['api-error', 'backlog-full', 'not-acting'])],
    help: 'Kubernetes Events decided but not recorded, by reason (api-error, backlog-full, not-acting).',
    readAs: 'Events decided but not recorded, each logged',
  },
  networkReadySeconds: {
    name: 'kvfleet_migration_target_network_ready_seconds',
    type: 'histogram',
    labels: [],
    help: 'Kube-OVN: time from the VMIM entering Scheduling until the target pod carries ovn.kubernetes.io/routed=true.',
    readAs: 'Kube-OVN: VMIM `Scheduling` → target pod `ovn.kubernetes.io/routed=true` (the window in which the second chassis must be set up)',
    buckets: PHASE_BUCKETS,
  },
  targetNetworkRouted: {
    name: 'kvfleet_migration_target_network_routed_total',
    type: 'counter',
    labels: [],
    help: 'Kube-OVN: migration target pods seen with ovn.kubernetes.io/routed=true (once per migration).',
    readAs: 'Kube-OVN: target pods seen routed; with `kvfleet_migrations_total` it shows migrations whose target never was',
  },
  runningBeforeNetworkReady: {
    name: 'kvfleet_migration_running_before_network_ready_total',
    type: 'counter',
    labels: [],
    help: 'Kube-OVN: migrations that reached Running before their target pod network was routed.',
    readAs: 'Kube-OVN: migrations that reached `Running` before the target network was routed (Kube-OVN versions that configure too late)',
  },
  watchRestarts: {
    name: 'kvfleet_watch_restarts_total',
    type: 'counter',
    labels: [{ name: 'resource', values: ['virtualmachineinstancemigrations', 'virtualmachineinstances', 'nodes', 'pods'] }],
    help: 'Watches restarted with a full relist after an error.',
    readAs: 'relists after watch errors',
  },
  // Both gauges are computed from the caches at scrape time by every replica whose watches have
  // listed (not only the acting one): read them with max by (machine_type). issue 13.
  machineTypeRunningVmis: {
    name: 'kvfleet_machine_type_running_vmis',
    type: 'gauge',
    labels: [{ name: 'machine_type', note: "a Running VMI's `status.machine.type` (canonical, never an alias)" }],
    help: 'Running VMIs by their canonical machine type (status.machine.type).',
    readAs: 'VMIs that need a node offering the type to migrate or restart to',
  },
  machineTypeSchedulableNodes: {
    name: 'kvfleet_machine_type_schedulable_nodes',
    type: 'gauge',
    labels: [{ name: 'machine_type', note: 'a type a Running VMI has or a node is labelled with' }],
    help: 'Ready, uncordoned nodes carrying the machine-type label the scheduler checks on this cluster, by machine type.',
    readAs: '0 while VMIs run the type: they cannot migrate anywhere (alert `KvfleetMachineTypeWithoutSchedulableNode`)',
  },
  leader: {
    name: 'kvfleet_leader',
    type: 'gauge',
    labels: [],
    help: '1 while this replica holds the Lease and acts, else 0.',
    readAs: '1 on the acting replica: `sum(kvfleet_leader)` is 1 in a healthy cluster',
  },
} as const satisfies Record<string, MetricContract>;

/**
 * KubeVirt's metrics that kvfleet's alerts and dashboards may use. KubeVirt has no alert on failed
 * migrations; these are what kvfleet's complement it with.
 */
export const KUBEVIRT_METRICS = [
  {
    name: 'kubevirt_vmi_migration_failed',
    type: 'gauge',
    labels: [{ name: 'vmi' }, { name: 'vmim' }, { name: 'namespace' }],
    help: 'Indicates if the VMI migration failed.',
    readAs:
      "1 per failed VMIM still in virt-controller's cache (KubeVirt keeps 5 finished VMIMs per VMI; releases without `kubevirt_vmi_migrations_in_unset_phase` count a VMIM with no phase yet here too): a gauge, so watch for new series, not `increase()`",
    exporter: 'virt-controller',
    source: 'kubevirt/kubevirt pkg/monitoring/metrics/virt-controller/migrationstats_collector.go',
  },
  {
    name: 'kubevirt_vmi_migration_succeeded',
    type: 'gauge',
    labels: [{ name: 'vmi' }, { name: 'vmim' }, { name: 'namespace' }],
    help: 'Indicates if the VMI migration succeeded.',
    readAs: '1 per succeeded VMIM still in the cache',
    exporter: 'virt-controller',
    source: 'kubevirt/kubevirt pkg/monitoring/metrics/virt-controller/migrationstats_collector.go',
  },
  {
    name: 'kubevirt_vmi_migrations_in_pending_phase',
    type: 'gauge',
    labels: [],
    help: 'Number of current pending migrations.',
    readAs: 'VMIMs in Pending now',
    exporter: 'virt-controller',
    source: 'kubevirt/kubevirt pkg/monitoring/metrics/virt-controller/migrationstats_collector.go',
  },
  {
    name: 'kubevirt_vmi_migrations_in_scheduling_phase',
    type: 'gauge',
    labels: [],
    help: 'Number of current scheduling migrations.',
    readAs: 'VMIMs in Scheduling now',
    exporter: 'virt-controller',
    source: 'kubevirt/kubevirt pkg/monitoring/metrics/virt-controller/migrationstats_collector.go',
  },
  {
    name: 'kubevirt_vmi_migrations_in_running_phase',
    type: 'gauge',
    labels: [],
    help: 'Number of current running migrations.',
    readAs: 'VMIMs in Scheduled, PreparingTarget, TargetReady or Running now',
    exporter: 'virt-controller',
    source: 'kubevirt/kubevirt pkg/monitoring/metrics/virt-controller/migrationstats_collector.go',
  },
  {
    name: 'kubevirt_vmi_migration_phase_transition_time_from_creation_seconds',
    type: 'histogram',
    labels: [{ name: 'phase' }],
    help: 'Histogram of VM migration phase transitions duration from creation time in seconds.',
    readAs: 'VMIM creation → entering each phase',
    exporter: 'virt-controller',
    source: 'kubevirt/kubevirt pkg/monitoring/metrics/virt-controller/migration_metrics.go',
  },
  {
    name: 'kubevirt_node_deprecated_machine_types',
    type: 'gauge',
    labels: [{ name: 'machine_type' }, { name: 'node' }],
    help: 'List of deprecated machine types based on the capabilities of individual nodes, as detected by virt-handler.',
    readAs: '1 per deprecated machine type per node',
    exporter: 'virt-handler',
    source: 'kubevirt/kubevirt pkg/monitoring/metrics/virt-handler/machine_type.go',
  },
  {
    name: 'kubevirt_vm_info',
    type: 'gauge',
    labels: [
      { name: 'name' },
      { name: 'namespace' },
      { name: 'os' },
      { name: 'workload' },
      { name: 'flavor' },
      { name: 'machine_type', note: "the VM template's `spec.domain.machine.type`, often the alias `q35`" },
      { name: 'instance_type' },
      { name: 'preference' },
      { name: 'status' },
      { name: 'status_group' },
    ],
    help: 'Information about Virtual Machines.',
    readAs: "1 per VM; join on `machine_type` (KubeVirt's DeprecatedMachineType alert does)",
    exporter: 'virt-controller',
    source: 'kubevirt/kubevirt pkg/monitoring/metrics/virt-controller/vmstats_collector.go',
  },
] as const satisfies readonly ExternalMetricContract[];

/** Series Prometheus itself writes for every scrape target (the programs' absence shows here). */
export const PROMETHEUS_SERIES = ['up'] as const;

export type LabelNames<M extends MetricContract> = M['labels'][number]['name'];
/** The values of a closed-set label, as a type: `LabelValue<typeof LABELLER_METRICS.errors, 'reason'>`. */
export type LabelValue<M extends MetricContract, N extends LabelNames<M>> =
  Extract<M['labels'][number], { readonly name: N }> extends { readonly values: readonly (infer V)[] } ? V : string;

const labelNames = <M extends MetricContract>(m: M) => m.labels.map((l) => l.name) as LabelNames<M>[];

export function counterOf<const M extends MetricContract & { readonly type: 'counter' }>(m: M, registry: Registry): Counter<LabelNames<M>> {
  return new Counter({ name: m.name, help: m.help, labelNames: labelNames(m), registers: [registry] });
}

export function gaugeOf<const M extends MetricContract & { readonly type: 'gauge' }>(m: M, registry: Registry): Gauge<LabelNames<M>> {
  return new Gauge({ name: m.name, help: m.help, labelNames: labelNames(m), registers: [registry] });
}

export function histogramOf<const M extends MetricContract & { readonly type: 'histogram' }>(m: M, registry: Registry): Histogram<LabelNames<M>> {
  return new Histogram({ name: m.name, help: m.help, labelNames: labelNames(m), ...(m.buckets ? { buckets: [...m.buckets] } : {}), registers: [registry] });
}

/**
 * prom-client's default gauges that break the `_total`-is-a-counter rule (`promtool check metrics`:
 * 'non-counter metrics should not have "_total" suffix'). Each is the sum over the `type` label of
 * the gauge of the same name without `_total` (`nodejs_active_handles{type}`, …), which stays, so
 * `sum(nodejs_active_handles)` answers what they did. No kvfleet query used them.
 */
export const DROPPED_PROCESS_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'] as const;

/**
 * Process metrics of the real programs (RSS, heap, event-loop lag, GC: prom-client's defaults,
 * `process_*` and `nodejs_*`, without DROPPED_PROCESS_METRICS); tests that build metrics in-process skip them.
 */
export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of DROPPED_PROCESS_METRICS) registry.removeSingleMetric(name);
}

/** The names of the series a metric adds to a scrape: a histogram's three, else its own name. */
export function seriesNames(m: { readonly name: string; readonly type: string }): string[] {
  if (m.type === 'histogram') return [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`];
  if (m.type === 'summary') return [m.name, `${m.name}_sum`, `${m.name}_count`];
  return [m.name];
}

/** prom-client's default metrics, as both programs export them, read off prom-client itself. */
export function processMetrics(): { name: string; type: string }[] {
  const registry = new Registry();
  collectProcessMetrics(registry);
  // prom-client's typings declare a numeric enum; at runtime the type is the exposition format's word.
  return registry.getMetricsAsArray().map((m) => ({ name: m.name, type: String(m.type) }));
}

/**
 * Every series name a PromQL expression of kvfleet's may use: both programs' metrics (histograms as
 * `_bucket`, `_sum`, `_count`), their process metrics, KubeVirt's metrics above and Prometheus's `up`.
 */
export function knownMetricNames(): Set<string> {
  const all = [...Object.values(LABELLER_METRICS), ...Object.values(CONTROLLER_METRICS), ...KUBEVIRT_METRICS, ...processMetrics()];
  return new Set([...all.flatMap(seriesNames), ...PROMETHEUS_SERIES]);
}
