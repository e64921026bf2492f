/**
 * The labeller's Prometheus metrics, on a registry of its own so tests and benches can read them.
 * Names, HELP texts and labels come from the metrics contract (programs/runtime/metricsContract.ts).
 */
import { type Counter, type Gauge, Registry } from 'prom-client';
import { counterOf, gaugeOf, LABELLER_METRICS as M, type LabelNames, type LabelValue } from '../runtime/metricsContract.js';

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
