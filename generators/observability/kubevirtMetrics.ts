/**
 * KubeVirt's metrics that kvfleet's alerts and dashboards (alertRules.ts, grafanaDashboards.ts) build
 * on, with name, type, labels and meaning as read in KubeVirt's source, and the series Prometheus
 * writes itself. kvfleet's own metrics are each program's (programs/node-labeller/metrics.ts,
 * programs/migration-controller/metrics.ts); metricNames.ts joins them all.
 */
import { type MetricContract } from '../../programs/runtime/metricsContract.js';

/** A metric kvfleet does not export but may query, and where its definition was read. */
export interface ExternalMetricContract extends Omit<MetricContract, 'buckets'> {
  /** The component that exports it. */
  readonly exporter: string;
  /** Where the name, type and labels were verified. */
  readonly source: string;
}

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
