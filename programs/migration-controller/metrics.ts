/**
 * The controller's Prometheus metrics: their definitions (name, type, labels, buckets, meaning; the
 * controller's part of the metrics contract, programs/runtime/metricsContract.ts) and the metrics
 * created from them, on a registry of its own (tests run several controllers in one process). Label
 * values come from closed sets (phases, reasons, results) or from the cluster's machine types, never
 * from object names.
 */
import { Registry } from 'prom-client';
import { counterOf, gaugeOf, histogramOf, type MetricContract } from '../runtime/metricsContract.js';
import { CRASH_REASON } from '../runtime/reconcileLoop.js';
import { FIXABLE_REASONS, NOT_FIXABLE_REASONS } from './failureReasons.js';
import { FINAL_PHASES, VMIM_PHASES } from './objectViews.js';

// Migration phases last seconds to minutes; a stuck one up to the hour.
const PHASE_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 3600];
// Failure → fallback is milliseconds when idle, seconds in a burst.
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 7.5, 10, 30];

const reason = <const V extends readonly string[]>(values: V) => ({ name: 'reason', values }) as const;

/** Every metric of the migration controller (one acting replica per cluster), as docs/operations.md lists it. */
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

const M = CONTROLLER_METRICS;

export function createMigrationMetrics(registry = new Registry()) {
  const metrics = {
    registry,
    migrations: counterOf(M.migrations, registry),
    phaseSeconds: histogramOf(M.phaseSeconds, registry),
    failures: counterOf(M.failures, registry),
    fallbacks: counterOf(M.fallbacks, registry),
    noTarget: counterOf(M.noTarget, registry),
    machineTypeRejections: counterOf(M.machineTypeRejections, registry),
    targetUnschedulable: counterOf(M.targetUnschedulable, registry),
    malformed: counterOf(M.malformed, registry),
    malformedNow: gaugeOf(M.malformedNow, registry),
    deletions: counterOf(M.deletions, registry),
    networkReadySeconds: histogramOf(M.networkReadySeconds, registry),
    targetNetworkRouted: counterOf(M.targetNetworkRouted, registry),
    runningBeforeNetworkReady: counterOf(M.runningBeforeNetworkReady, registry),
    actionLatency: histogramOf(M.actionLatency, registry),
    reconciles: counterOf(M.reconciles, registry),
    reconcileErrors: counterOf(M.reconcileErrors, registry),
    eventsDropped: counterOf(M.eventsDropped, registry),
    watchRestarts: counterOf(M.watchRestarts, registry),
    // Filled at scrape time from the caches (machineTypeCapacity.ts exportMachineTypeCapacity).
    machineTypeRunningVmis: gaugeOf(M.machineTypeRunningVmis, registry),
    machineTypeSchedulableNodes: gaugeOf(M.machineTypeSchedulableNodes, registry),
    leader: gaugeOf(M.leader, registry),
  };
  metrics.leader.set(0);
  return metrics;
}

export type MigrationMetrics = ReturnType<typeof createMigrationMetrics>;
