/** The labeller's Prometheus metrics, on a registry of its own so tests and benches can read them. */
import { Counter, Gauge, Registry } from 'prom-client';

export type ReconcileResult = 'patched' | 'unchanged' | 'invalid' | 'error';
/** Why a reconcile could not use its inputs or reach the API. */
export type LabellerErrorReason =
  | 'capabilities_unreadable'
  | 'capabilities_invalid'
  | 'matrix_unreadable'
  | 'matrix_invalid'
  | 'node_get'
  | 'node_patch'
  | 'event_create';

export interface LabellerMetrics {
  readonly registry: Registry;
  readonly reconciles: Counter<'result'>;
  readonly errors: Counter<'reason'>;
  /** Every request the labeller sends to the API server, by verb and resource. */
  readonly apiRequests: Counter<'verb' | 'resource'>;
  readonly drift: Gauge<'node' | 'pool' | 'release'>;
  readonly driftTypes: Gauge<'node' | 'direction'>;
  readonly kubevirtDrift: Gauge<'node'>;
  readonly kubevirtDriftTypes: Gauge<'node' | 'direction'>;
  readonly machineTypes: Gauge<'node' | 'kind'>;
  readonly deprecatedMachineType: Gauge<'node' | 'machine_type'>;
  readonly unlabellable: Gauge<'node'>;
  readonly lastSuccess: Gauge;
}

export function createLabellerMetrics(registry = new Registry()): LabellerMetrics {
  const r = [registry];
  return {
    registry,
    reconciles: new Counter({ name: 'kvfleet_node_labeller_reconciles_total', help: 'Reconciles by result.', labelNames: ['result'], registers: r }),
    errors: new Counter({
      name: 'kvfleet_node_labeller_errors_total',
      help: 'Reconciles that kept the node as it was, by reason (unreadable or malformed input, API failure).',
      labelNames: ['reason'],
      registers: r,
    }),
    apiRequests: new Counter({
      name: 'kvfleet_node_labeller_api_requests_total',
      help: 'Requests sent to the Kubernetes API, by verb and resource.',
      labelNames: ['verb', 'resource'],
      registers: r,
    }),
    drift: new Gauge({
      name: 'kvfleet_node_machine_type_drift',
      help: "1 when the node's machine types differ from what its pool declares, else 0.",
      labelNames: ['node', 'pool', 'release'],
      registers: r,
    }),
    driftTypes: new Gauge({
      name: 'kvfleet_node_machine_type_drift_types',
      help: 'Machine types the node offers beyond (extra) or lacks from (missing) its pool declaration.',
      labelNames: ['node', 'direction'],
      registers: r,
    }),
    kubevirtDrift: new Gauge({
      name: 'kvfleet_node_kubevirt_machine_type_drift',
      help: "1 when KubeVirt's machine-type labels on the node disagree with what its QEMU offers with KVM, else 0; absent while KubeVirt has not labelled it.",
      labelNames: ['node'],
      registers: r,
    }),
    kubevirtDriftTypes: new Gauge({
      name: 'kvfleet_node_kubevirt_machine_type_drift_types',
      help: 'Machine types the node runs that KubeVirt has not labelled (kubevirt_lacks), or that KubeVirt labels and the node cannot run with KVM (kubevirt_only).',
      labelNames: ['node', 'direction'],
      registers: r,
    }),
    machineTypes: new Gauge({
      name: 'kvfleet_node_machine_types',
      help: 'Machine types the node offers with KVM, by kind (canonical, alias, deprecated).',
      labelNames: ['node', 'kind'],
      registers: r,
    }),
    deprecatedMachineType: new Gauge({
      name: 'kvfleet_node_deprecated_machine_type',
      help: "1 for each machine type the node's QEMU marks deprecated.",
      labelNames: ['node', 'machine_type'],
      registers: r,
    }),
    unlabellable: new Gauge({
      name: 'kvfleet_node_labeller_unlabellable_machine_types',
      help: 'Machine types whose names cannot be label names and were left unlabelled.',
      labelNames: ['node'],
      registers: r,
    }),
    lastSuccess: new Gauge({
      name: 'kvfleet_node_labeller_last_success_timestamp_seconds',
      help: 'When the node last matched its capabilities (Unix time).',
      registers: r,
    }),
  };
}
