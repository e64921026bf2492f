/**
 * One decision per failed migration: leave it, wait out the backoff, report that no node fits, or
 * create a fallback VMIM. Pure composition of the failure, attempt and target rules.
 */
import { type MigrationSettings } from '../../fleet/clusterDefinition.js';
import { type SchedulingContract } from '../../compatibility/kubevirtVersions.js';
import { type ResolvedPool } from '../../compatibility/poolMachineTypes.js';
import { attemptVerdict, failedTargets } from './attemptHistory.js';
import { classifyFailure, type FailureContext, type FixableReason, type NotFixableReason } from './failureReasons.js';
import { fallbackVmim, type VmimManifest } from './fallbackVmim.js';
import { chooseTarget, exclusionSummary, hostingPools, type TargetCandidate, type TargetQuery } from './migrationTargets.js';

export type SkipReason = NotFixableReason | 'AttemptsExhausted';

export type FallbackDecision =
  | { readonly kind: 'skip'; readonly reason: SkipReason; readonly detail: string }
  | { readonly kind: 'wait'; readonly reason: FixableReason; readonly attempt: number; readonly delayMs: number; readonly detail: string }
  | {
      readonly kind: 'no-target';
      readonly reason: FixableReason;
      readonly attempt: number;
      readonly machineType: string;
      readonly hostingPools: readonly string[];
      readonly detail: string;
    }
  | {
      readonly kind: 'create';
      readonly reason: FixableReason;
      readonly attempt: number;
      readonly target: TargetCandidate;
      readonly vmim: VmimManifest;
      readonly detail: string;
    };

export type DecisionSettings = Pick<MigrationSettings, 'fallbackAttempts' | 'attemptWindowSeconds' | 'backoffBaseSeconds' | 'fallbackUnschedulableTimeoutSeconds'>;

export interface DecisionInput extends Omit<FailureContext, 'maxAgeMs' | 'labeller'> {
  readonly settings: DecisionSettings;
  /** What the cluster's KubeVirt does for placement: whose labels the scheduler checks, how to pin. */
  readonly scheduling: SchedulingContract;
  readonly pools?: readonly ResolvedPool[];
}

export function decideFallback(input: DecisionInput): FallbackDecision {
  const { settings } = input;
  const classification = classifyFailure({ ...input, labeller: input.scheduling.machineTypeLabeller, maxAgeMs: settings.attemptWindowSeconds * 1000 });
  if (!classification.fixable) return { kind: 'skip', reason: classification.reason, detail: classification.detail };
  const vmi = input.vmi!; // a fixable failure has a running VMI
  const machineType = vmi.machineType!;

  const verdict = attemptVerdict(input.failed, vmi, input.siblings, input.nowMs, settings);
  if (verdict.kind === 'exhausted') {
    return {
      kind: 'skip',
      reason: 'AttemptsExhausted',
      detail: `${verdict.used} of ${verdict.limit} fallbacks used within ${settings.attemptWindowSeconds} s (${classification.detail})`,
    };
  }
  if (verdict.kind === 'wait') {
    return { kind: 'wait', reason: classification.reason, attempt: verdict.attempt, delayMs: verdict.delayMs, detail: classification.detail };
  }

  const excluded = failedTargets(vmi, input.siblings, input.nowMs, settings);
  if (classification.failedTarget) excluded.add(classification.failedTarget);
  const query: TargetQuery = {
    machineType,
    labeller: input.scheduling.machineTypeLabeller,
    ...(vmi.nodeName ? { sourceNode: vmi.nodeName } : {}),
    excluded,
    nodes: [...input.nodes.values()],
    ...(input.pools ? { pools: input.pools } : {}),
    tieBreakSeed: vmi.uid,
  };
  const target = chooseTarget(query);
  if (!target) {
    const pools = hostingPools(machineType, query.labeller, query.nodes, input.pools);
    const skipped = Object.entries(exclusionSummary(query))
      .filter(([why]) => why !== 'lacks-machine-type')
      .map(([why, n]) => `${n} ${why}`);
    return {
      kind: 'no-target',
      reason: classification.reason,
      attempt: verdict.attempt,
      machineType,
      hostingPools: pools,
      detail:
        `no Ready, uncordoned node other than the source offers ${machineType}` +
        (skipped.length ? ` (nodes offering it: ${skipped.join(', ')})` : '') +
        `; pools that can host it: ${pools.length ? pools.join(', ') : 'none in this cluster'}`,
    };
  }
  return {
    kind: 'create',
    reason: classification.reason,
    attempt: verdict.attempt,
    target,
    detail: classification.detail,
    vmim: fallbackVmim({
      failed: input.failed,
      vmi,
      target,
      attempt: verdict.attempt,
      reason: classification.reason,
      pinMode: input.scheduling.pinMode,
      unschedulableTimeoutSeconds: settings.fallbackUnschedulableTimeoutSeconds,
    }),
  };
}
