/**
 * Why a migration failed, and whether another target can fix it. Pure: the caller passes what the
 * caches hold and what it remembers of the target pod (KubeVirt deletes an unschedulable target
 * pod when it gives up, so by the time the VMIM is Failed the pod's condition may be gone).
 */
import { type MachineTypeLabeller } from '../../compatibility/kubevirtVersions.js';
import { isValidLabelName } from '../../compatibility/labelKeys.js';
import { nodeOffersMachineType } from '../../compatibility/nodeRule.js';
import { isFinalPhase, type MigrationState, type NodeView, type TargetPodView, VMIM_PHASES, type VmimView, type VmiView } from './objectViews.js';

/** Failures another node can fix. */
export const FIXABLE_REASONS = ['TargetUnschedulable', 'TargetNodeFailure', 'IncompatibleTarget'] as const;
export type FixableReason = (typeof FIXABLE_REASONS)[number];

/** Failures a fallback must leave alone (`AttemptsExhausted` is decided by the attempt history). */
export const NOT_FIXABLE_REASONS = [
  'NotFailed',
  'VmiGone',
  'AbortedByUser',
  'VmiNotMigratable',
  'MigrationInFlight',
  'Superseded',
  'FailureTooOld',
  'MachineTypeUnknown',
  'RetriedByKubeVirt',
  'UnknownFailure',
] as const;
export type NotFixableReason = (typeof NOT_FIXABLE_REASONS)[number];

export type FailureClassification =
  | { readonly fixable: true; readonly reason: FixableReason; readonly detail: string; readonly failedTarget?: string }
  | { readonly fixable: false; readonly reason: NotFixableReason; readonly detail: string };

/** What the controller saw of the failed VMIM's target pod while it existed. */
export interface TargetObservation {
  readonly unschedulableMessage?: string;
  readonly nodeName?: string;
}

export interface FailureContext {
  readonly failed: VmimView;
  readonly vmi?: VmiView;
  /** Every VMIM of the same VMI (same namespace and `spec.vmiName`), `failed` included. */
  readonly siblings: readonly VmimView[];
  readonly targetPod?: TargetPodView;
  readonly observed?: TargetObservation;
  readonly nodes: ReadonlyMap<string, NodeView>;
  /** Whose machine-type labels the scheduler checks on this cluster (compatibility/nodeRule.ts). */
  readonly labeller: MachineTypeLabeller;
  readonly nowMs: number;
  /**
   * Failures this old are history, not something to retry (the attempt window). Clean-up keeps
   * every fallback at least this long, so a failure whose fallback was cleaned up is never retried.
   */
  readonly maxAgeMs: number;
}

const notFixable = (reason: NotFixableReason, detail: string): FailureClassification => ({ fixable: false, reason, detail });

/** When KubeVirt recorded the failure; creation time when it recorded no transitions. */
export function failedAtMs(vmim: VmimView): number {
  return vmim.phaseTimes.Failed ?? vmim.createdMs;
}

/** The furthest phase the migration reached before it ended, in KubeVirt's phase order. */
function furthestPhase(vmim: VmimView): string | undefined {
  let best = -1;
  for (const phase of Object.keys(vmim.phaseTimes)) {
    const i = VMIM_PHASES.indexOf(phase as (typeof VMIM_PHASES)[number]);
    if (i > best && !isFinalPhase(phase)) best = i;
  }
  return best >= 0 ? VMIM_PHASES[best] : undefined;
}

/**
 * The VMI's migration state counts only if it belongs to this VMIM (Kube-OVN learnt this the hard
 * way, kube-ovn#6239): an older migration's state says nothing about this one.
 */
function stateOf(vmim: VmimView, vmi: VmiView | undefined): MigrationState | undefined {
  if (vmim.migrationState && (!vmim.migrationState.migrationUid || vmim.migrationState.migrationUid === vmim.uid)) return vmim.migrationState;
  return vmi?.migrationState?.migrationUid === vmim.uid ? vmi.migrationState : undefined;
}

/** The node the migration actually tried, as far as anything recorded it. */
export function attemptedTarget(vmim: VmimView, vmi: VmiView | undefined, pod?: TargetPodView, observed?: TargetObservation): string | undefined {
  return stateOf(vmim, vmi)?.targetNode ?? pod?.nodeName ?? observed?.nodeName ?? vmim.kvfleet?.targetNode;
}

export function classifyFailure(ctx: FailureContext): FailureClassification {
  const { failed, vmi } = ctx;
  if (failed.phase !== 'Failed') return notFixable('NotFailed', `phase is ${failed.phase ?? 'unset'}`);

  if (!vmi) return notFixable('VmiGone', `VMI ${failed.vmiName} no longer exists`);
  if (vmi.deleting) return notFixable('VmiGone', `VMI ${vmi.name} is being deleted`);
  // A VM restart makes a new VMI with the same name; the old one's failures are not its business.
  if (vmi.createdMs > failed.createdMs) return notFixable('VmiGone', `VMI ${vmi.name} was recreated after this migration`);
  if (vmi.phase !== 'Running') return notFixable('VmiGone', `VMI ${vmi.name} is ${vmi.phase ?? 'not running'}`);

  const state = stateOf(failed, vmi);
  if (failed.abortRequested || failed.deleting || state?.abortRequested || state?.abortStatus !== undefined) {
    return notFixable('AbortedByUser', 'the migration was cancelled');
  }
  if (vmi.liveMigratable === false) {
    return notFixable('VmiNotMigratable', `VMI is not live-migratable (${vmi.liveMigratableReason ?? 'LiveMigratable=False'})`);
  }

  const others = ctx.siblings.filter((s) => s.uid !== failed.uid);
  const inFlight = others.find((s) => !isFinalPhase(s.phase));
  if (inFlight) return notFixable('MigrationInFlight', `migration ${inFlight.name} is in progress for this VMI`);
  const newer = others.find((s) => s.createdMs > failed.createdMs || s.kvfleet?.fallbackOfUid === failed.uid);
  if (newer) return notFixable('Superseded', `migration ${newer.name} came after this one`);

  // KubeVirt retries these itself: on a failed evacuation or workload-update migration, and for any
  // VMI on a node it is evacuating, its controller creates the next VMIM at once (and holds it back
  // 20 s, doubling). A kvfleet fallback would race that VMIM, so kvfleet leaves the VMI to KubeVirt;
  // its policies still steer KubeVirt's retry to a node that runs the machine type.
  if (failed.retriedByKubevirt) return notFixable('RetriedByKubeVirt', 'an evacuation or workload-update migration: KubeVirt creates the next one itself');
  const source = vmi.nodeName ? ctx.nodes.get(vmi.nodeName) : undefined;
  if (vmi.evacuationNodeName || source?.draining) {
    return notFixable(
      'RetriedByKubeVirt',
      `VMI is being evacuated from ${vmi.evacuationNodeName ?? vmi.nodeName}: KubeVirt's evacuation creates the next migration itself`,
    );
  }

  const ageMs = ctx.nowMs - failedAtMs(failed);
  if (ageMs >= ctx.maxAgeMs) return notFixable('FailureTooOld', `failed ${Math.round(ageMs / 1000)} s ago, outside the attempt window`);

  if (!vmi.machineType || !isValidLabelName(vmi.machineType)) {
    return notFixable('MachineTypeUnknown', 'VMI status.machine.type is missing or not a label name');
  }

  const unschedulable = ctx.targetPod?.unschedulableMessage ?? ctx.observed?.unschedulableMessage;
  const target = attemptedTarget(failed, vmi, ctx.targetPod, ctx.observed);
  const withTarget = (reason: FixableReason, detail: string): FailureClassification => ({
    fixable: true,
    reason,
    detail,
    ...(target ? { failedTarget: target } : {}),
  });
  if (unschedulable) return withTarget('TargetUnschedulable', `target pod unschedulable: ${unschedulable}`);

  const reached = furthestPhase(failed);
  // Only a pinned fallback has a node before scheduling; that node is what failed to schedule.
  const scheduledOn = state?.targetNode ?? ctx.targetPod?.nodeName ?? ctx.observed?.nodeName;
  if (scheduledOn) {
    const node = ctx.nodes.get(scheduledOn);
    if (!node) return withTarget('TargetNodeFailure', `target node ${scheduledOn} is gone`);
    if (!nodeOffersMachineType(node.labels, vmi.machineType, ctx.labeller))
      return withTarget('IncompatibleTarget', `target node ${scheduledOn} does not offer ${vmi.machineType}`);
    if (!node.ready) return withTarget('TargetNodeFailure', `target node ${scheduledOn} is not Ready`);
  }
  // KubeVirt fails a migration still in Scheduling only when its target pod timed out pending
  // (unschedulable or otherwise stuck); aborts were ruled out above.
  if (reached === 'Scheduling' && !scheduledOn) return withTarget('TargetUnschedulable', 'the target pod was never scheduled');
  return notFixable('UnknownFailure', `failed after ${reached ?? 'no recorded phase'}${state?.failureReason ? `: ${state.failureReason}` : ''}`);
}
