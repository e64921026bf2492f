/**
 * The migration controller's decisions, pure. Each function names the kubevirt/kubevirt v1.6.2
 * function it follows (`pkg/virt-controller/watch/migration/migration.go` unless stated; v1.5.0
 * is the same for everything here). Times are simulated seconds.
 */
import { isFinalPhase, isRunningPhase } from './names.js';

/** KubeVirt CR `spec.configuration.migrations` limits. */
export interface MigrationLimits {
  /** @default 5 (`ParallelMigrationsPerClusterDefault`, pkg/virt-config/virt-config.go) */
  readonly parallelMigrationsPerCluster: number;
  /** @default 2 (`ParallelOutboundMigrationsPerNodeDefault`, same file) */
  readonly parallelOutboundMigrationsPerNode: number;
}

export const DEFAULT_LIMITS: MigrationLimits = { parallelMigrationsPerCluster: 5, parallelOutboundMigrationsPerNode: 2 };

/** `defaultUnschedulablePendingTimeoutSeconds` = 60 * 5. */
export const DEFAULT_UNSCHEDULABLE_TIMEOUT_SECONDS = 300;
/** `defaultCatchAllPendingTimeoutSeconds` = 60 * 15. */
export const DEFAULT_CATCH_ALL_TIMEOUT_SECONDS = 900;
/** `defaultFinalizedMigrationGarbageCollectionBuffer`: finished VMIMs kept per VMI. */
export const FINALIZED_MIGRATIONS_KEPT = 5;
/** handleMigrationBackoff: the first step, doubled per further consecutive failure. */
export const MIGRATION_BACKOFF_BASE_SECONDS = 20;

/** What the rules need to know of one VMIM. */
export interface VmimFacts {
  readonly uid: string;
  readonly name: string;
  readonly phase?: string;
  readonly deleting: boolean;
  /** Creation order (creation time, then resource version at first sight): larger is newer. */
  readonly order: number;
  /** Carries `kubevirt.io/evacuationMigration` or `kubevirt.io/workloadUpdateMigration`. */
  readonly backoffEligible: boolean;
  /** Carries KubeVirt's test-only `kubevirt.io/func-test-ignore-migration-backoff`. */
  readonly ignoreBackoff?: boolean;
  /** When it entered Failed (`phaseTransitionTimestamps`), simulated seconds. */
  readonly failedAt?: number;
  /** A target pod exists for it. */
  readonly hasTargetPod?: boolean;
}

/**
 * handleMigrationBackoff: how long the newest backoff-eligible VMIM of a VMI must stay Pending.
 * Only VMIMs carrying the evacuation or workload-update annotation take part
 * (listBackoffEligibleMigrations), and only the newest of them waits. Walking the older eligible
 * ones newest first: a Succeeded one ends the walk, deleting ones are skipped, each Failed one adds
 * a step (20 s, then doubling). The wait runs from the Failed timestamp of the next older eligible
 * VMIM (`migrations[1]`, whatever its phase: one without a Failed time gives no wait). Returns the
 * simulated seconds left, 0 when the VMIM may proceed.
 */
export function migrationBackoffRemaining(vmim: VmimFacts, siblings: readonly VmimFacts[], now: number, baseSeconds = MIGRATION_BACKOFF_BASE_SECONDS): number {
  if (vmim.ignoreBackoff || !vmim.backoffEligible) return 0;
  const eligible = [...siblings.filter((s) => s.uid !== vmim.uid && s.backoffEligible), vmim].sort((a, b) => b.order - a.order);
  if (eligible.length < 2 || eligible[0]!.uid !== vmim.uid) return 0;
  let backoff = 0;
  for (const m of eligible.slice(1)) {
    if (m.phase === 'Succeeded') break;
    if (m.deleting) continue;
    if (m.phase === 'Failed') backoff = backoff === 0 ? baseSeconds : backoff * 2;
  }
  if (backoff === 0) return 0;
  const previousFailedAt = eligible[1]!.failedAt;
  if (previousFailedAt === undefined) return 0;
  return Math.max(0, previousFailedAt + backoff - now);
}

/**
 * virt-api's create admitter, `ensureNoMigrationConflict` (migration-create-admitter.go): a VMIM is
 * refused while another VMIM of the same VMI is in any phase but Succeeded/Failed (unset, Pending,
 * or being deleted all count). The simulator cannot refuse a create, so it applies the rule after
 * the fact in creation order: a VMIM is a duplicate when an older one that was not itself a
 * duplicate is still unfinished.
 */
export function isDuplicateVmim(vmim: VmimFacts, siblings: readonly VmimFacts[], isMarkedDuplicate: (uid: string) => boolean): boolean {
  return siblings.some((s) => s.uid !== vmim.uid && s.order < vmim.order && !isFinalPhase(s.phase) && !isMarkedDuplicate(s.uid));
}

/**
 * findRunningMigrations: unfinished VMIMs that are Running in KubeVirt's sense (IsRunning: past
 * Pending) or still Pending with a target pod already created.
 */
export function runningMigrations<T extends VmimFacts>(vmims: readonly T[]): T[] {
  return vmims.filter((m) => !isFinalPhase(m.phase) && (isRunningPhase(m.phase) || m.hasTargetPod === true));
}

export interface TargetPodGateInput {
  /** Target pod creations issued and not yet seen (podExpectations.AllPendingCreations). */
  readonly pendingCreations: number;
  /** Launcher pods of the VMI not yet terminated (controller.VMIActivePodsCount). */
  readonly activePodsForVmi: number;
  /** findRunningMigrations, cluster-wide. */
  readonly running: number;
  /** outboundMigrationsOnNode for the VMI's node. */
  readonly outboundFromSourceNode: number;
  readonly limits: MigrationLimits;
}

export type GateDecision = { readonly kind: 'create' } | { readonly kind: 'wait'; readonly afterSeconds: number; readonly reason: string };

/**
 * handleTargetPodCreation: wait 1 s while pod creations are unobserved or the VMI still has more
 * than one active launcher pod; wait 5 s (pendingPriority re-queue) while the cluster is at
 * `parallelMigrationsPerCluster` or the VMI's node at `parallelOutboundMigrationsPerNode`.
 */
export function targetPodGate(i: TargetPodGateInput): GateDecision {
  if (i.pendingCreations > 0) return { kind: 'wait', afterSeconds: 1, reason: 'waiting for target pod creations to be observed' };
  if (i.activePodsForVmi > 1) return { kind: 'wait', afterSeconds: 1, reason: 'the VMI has more than one active launcher pod' };
  if (i.running >= i.limits.parallelMigrationsPerCluster)
    return { kind: 'wait', afterSeconds: 5, reason: `${i.running} running migrations reach parallelMigrationsPerCluster` };
  if (i.outboundFromSourceNode >= i.limits.parallelOutboundMigrationsPerNode)
    return { kind: 'wait', afterSeconds: 5, reason: `${i.outboundFromSourceNode} outbound migrations reach parallelOutboundMigrationsPerNode` };
  return { kind: 'create' };
}

/**
 * getUnschedulablePendingTimeoutSeconds / getCatchAllPendingTimeoutSeconds: the annotation's value
 * parsed as Go's strconv.Atoi would (an optional sign and decimal digits), else the default.
 */
export function timeoutFromAnnotation(annotations: Readonly<Record<string, string>> | undefined, key: string, fallback: number): number {
  const v = annotations?.[key];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return fallback;
  return Number.parseInt(v, 10);
}

export interface PendingPodInput {
  /** Simulated seconds since the target pod was created. */
  readonly secondsPending: number;
  readonly unschedulable: boolean;
  readonly unschedulableTimeout: number;
  readonly catchAllTimeout: number;
}

export type PendingPodDecision =
  | { readonly kind: 'delete'; readonly why: 'unschedulable' | 'pending'; readonly message: string }
  | { readonly kind: 'recheck'; readonly afterSeconds: number };

/**
 * handlePendingPodTimeout, for a target pod that is Pending and not being deleted: an
 * Unschedulable one is deleted once it has been pending `unschedulableTimeout`, any one once it
 * has been pending `catchAllTimeout`; otherwise look again when the nearer deadline comes. Pod
 * names are filled in by the caller (`%s/%s` in KubeVirt's messages).
 */
export function pendingPodTimeout(i: PendingPodInput): PendingPodDecision {
  if (i.unschedulable && i.secondsPending >= i.unschedulableTimeout) {
    return { kind: 'delete', why: 'unschedulable', message: 'unschedulable pod %s timeout period exceeded' };
  }
  if (i.secondsPending >= i.catchAllTimeout) return { kind: 'delete', why: 'pending', message: 'pending pod %s timeout period exceeded' };
  const deadlines = [i.catchAllTimeout - i.secondsPending];
  if (i.unschedulable) deadlines.push(i.unschedulableTimeout - i.secondsPending);
  return { kind: 'recheck', afterSeconds: Math.max(0, Math.min(...deadlines)) };
}

/**
 * garbageCollectFinalizedMigrations: of a VMI's finished VMIMs not being deleted, oldest first,
 * all but the newest `FINALIZED_MIGRATIONS_KEPT` are deleted. Returns their names.
 */
export function finalizedMigrationsToCollect(vmims: readonly VmimFacts[], keep = FINALIZED_MIGRATIONS_KEPT): string[] {
  const finalized = vmims.filter((m) => isFinalPhase(m.phase) && !m.deleting).sort((a, b) => a.order - b.order);
  return finalized.slice(0, Math.max(0, finalized.length - keep)).map((m) => m.name);
}
