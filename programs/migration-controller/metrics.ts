/**
 * The controller's Prometheus metrics, on a registry of its own (tests run several controllers
 * in one process). Names, HELP texts, labels and buckets come from the metrics contract
 * (programs/runtime/metricsContract.ts). Label values come from closed sets (phases, reasons,
 * results) or from the cluster's machine types, never from object names.
 */
import { Registry } from 'prom-client';
import { CONTROLLER_METRICS as M, counterOf, gaugeOf, histogramOf } from '../runtime/metricsContract.js';

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
