/**
 * The labeller's Prometheus metrics: their definitions (name, type, labels, meaning; the labeller's
 * part of the metrics contract, programs/runtime/metricsContract.ts) and the metrics created from
 * them, on a registry of its own so tests and benches can read them.
 */
import { type Counter, type Gauge, Registry } from 'prom-client';
import { counterOf, gaugeOf, type LabelNames, type LabelValue, type MetricContract } from '../runtime/metricsContract.js';
import { CRASH_REASON } from '../runtime/reconcileLoop.js';
import { LABEL_LIMIT_ERROR_REASONS, LABEL_LIMIT_EXCEEDED_REASON, LABEL_LIMITS } from './labelLimits.js';

// The labeller's own Node: every series of a labeller pod carries it.
const node = { name: 'node' } as const;

/** Every metric of the node labeller (one per node), as docs/operations.md lists it. */
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

const M = LABELLER_METRICS;

export type ReconcileResult = LabelValue<typeof M.reconciles, 'result'>;
/** Why a reconcile could not use its inputs or reach the API (`crash` is the runtime loop's own). */
export type LabellerErrorReason = Exclude<LabelValue<typeof M.errors, 'reason'>, 'crash'>;

type C<K extends keyof typeof M> = Counter<LabelNames<(typeof M)[K]>>;
type G<K extends keyof typeof M> = Gauge<LabelNames<(typeof M)[K]>>;

export interface LabellerMetrics {
  readonly registry: Registry;
  readonly reconciles: C<'reconciles'>;
  readonly errors: C<'errors'>;
  /** Every request the labeller sends to the API server, by verb and resource. */
  readonly apiRequests: C<'apiRequests'>;
  readonly drift: G<'drift'>;
  readonly driftTypes: G<'driftTypes'>;
  readonly kubevirtDrift: G<'kubevirtDrift'>;
  readonly kubevirtDriftTypes: G<'kubevirtDriftTypes'>;
  readonly machineTypes: G<'machineTypes'>;
  readonly deprecatedMachineType: G<'deprecatedMachineType'>;
  readonly unlabellable: G<'unlabellable'>;
  readonly lastSuccess: G<'lastSuccess'>;
}

export function createLabellerMetrics(registry = new Registry()): LabellerMetrics {
  return {
    registry,
    reconciles: counterOf(M.reconciles, registry),
    errors: counterOf(M.errors, registry),
    apiRequests: counterOf(M.apiRequests, registry),
    drift: gaugeOf(M.drift, registry),
    driftTypes: gaugeOf(M.driftTypes, registry),
    kubevirtDrift: gaugeOf(M.kubevirtDrift, registry),
    kubevirtDriftTypes: gaugeOf(M.kubevirtDriftTypes, registry),
    machineTypes: gaugeOf(M.machineTypes, registry),
    deprecatedMachineType: gaugeOf(M.deprecatedMachineType, registry),
    unlabellable: gaugeOf(M.unlabellable, registry),
    lastSuccess: gaugeOf(M.lastSuccess, registry),
  };
}
