/**
 * The controller's Prometheus metrics, on a registry of its own (tests run several controllers
 * in one process). Label values come from closed sets (phases, reasons, results) or from the
 * cluster's machine types, never from object names.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

const PHASE_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 3600];
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 7.5, 10, 30];

export function createMigrationMetrics(registry = new Registry()) {
  const registers = [registry];
  const metrics = {
    registry,
    migrations: new Counter({
      name: 'kvfleet_migrations_total',
      help: 'Migrations (VMIMs) seen reaching a final phase, by result and by who created them.',
      labelNames: ['result', 'origin'] as const,
      registers,
    }),
    phaseSeconds: new Histogram({
      name: 'kvfleet_migration_phase_seconds',
      help: 'Time VMIMs spent in each phase, from KubeVirt phase transition timestamps.',
      labelNames: ['phase'] as const,
      buckets: PHASE_BUCKETS,
      registers,
    }),
    failures: new Counter({
      name: 'kvfleet_migration_failures_total',
      help: 'Failed migrations by the reason the controller found and whether a fallback can fix it.',
      labelNames: ['reason', 'fixable'] as const,
      registers,
    }),
    fallbacks: new Counter({
      name: 'kvfleet_migration_fallbacks_total',
      help: 'Fallback VMIMs created, by the failure they retry.',
      labelNames: ['reason'] as const,
      registers,
    }),
    noTarget: new Counter({
      name: 'kvfleet_migration_no_compatible_target_total',
      help: 'Fixable failures left alone because no node could take the VM.',
      registers,
    }),
    machineTypeRejections: new Counter({
      name: 'kvfleet_machine_type_rejections_total',
      help: 'Migration targets that could not run the VM machine type (unschedulable on the machine-type selector, incompatible target, no compatible node).',
      labelNames: ['machine_type', 'reason'] as const,
      registers,
    }),
    targetUnschedulable: new Counter({
      name: 'kvfleet_migration_target_unschedulable_total',
      help: 'Migration target pods seen Unschedulable (counted once per migration, before KubeVirt times them out).',
      registers,
    }),
    malformed: new Counter({
      name: 'kvfleet_malformed_objects_total',
      help: 'Watched objects skipped because they could not be read, by kind and reason.',
      labelNames: ['kind', 'reason'] as const,
      registers,
    }),
    malformedNow: new Gauge({
      name: 'kvfleet_malformed_objects',
      help: 'Watched objects that are malformed now (each was logged and counted once in kvfleet_malformed_objects_total).',
      registers,
    }),
    deletions: new Counter({
      name: 'kvfleet_migration_vmims_deleted_total',
      help: 'kvfleet-created VMIMs deleted, by reason (ttl, vmi-gone, vmi-replaced).',
      labelNames: ['reason'] as const,
      registers,
    }),
    networkReadySeconds: new Histogram({
      name: 'kvfleet_migration_target_network_ready_seconds',
      help: 'Kube-OVN: time from the VMIM entering Scheduling until the target pod carries ovn.kubernetes.io/routed=true.',
      buckets: PHASE_BUCKETS,
      registers,
    }),
    targetNetworkRouted: new Counter({
      name: 'kvfleet_migration_target_network_routed_total',
      help: 'Kube-OVN: migration target pods seen with ovn.kubernetes.io/routed=true (once per migration).',
      registers,
    }),
    runningBeforeNetworkReady: new Counter({
      name: 'kvfleet_migration_running_before_network_ready_total',
      help: 'Kube-OVN: migrations that reached Running before their target pod network was routed.',
      registers,
    }),
    actionLatency: new Histogram({
      name: 'kvfleet_migration_fallback_latency_seconds',
      help: 'From the controller receiving the failure until its fallback VMIM was created (backoff waits excluded).',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    reconciles: new Counter({
      name: 'kvfleet_reconciles_total',
      help: 'VMI reconciles by result (success, requeue-after, error, refused, dropped).',
      labelNames: ['result'] as const,
      registers,
    }),
    reconcileErrors: new Counter({
      name: 'kvfleet_reconcile_errors_total',
      help: 'Reconcile attempts that failed and were retried with backoff, by the step that failed (vmim-create, vmim-delete, crash).',
      labelNames: ['reason'] as const,
      registers,
    }),
    eventsDropped: new Counter({
      name: 'kvfleet_events_dropped_total',
      help: 'Kubernetes Events decided but not recorded, by reason (api-error, backlog-full, not-acting).',
      labelNames: ['reason'] as const,
      registers,
    }),
    watchRestarts: new Counter({
      name: 'kvfleet_watch_restarts_total',
      help: 'Watches restarted with a full relist after an error.',
      labelNames: ['resource'] as const,
      registers,
    }),
    leader: new Gauge({
      name: 'kvfleet_leader',
      help: '1 while this replica holds the Lease and acts, else 0.',
      registers,
    }),
  };
  metrics.leader.set(0);
  return metrics;
}

export type MigrationMetrics = ReturnType<typeof createMigrationMetrics>;

/** Process metrics (RSS, heap, event-loop lag) for the real program; tests skip them. */
export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
}
