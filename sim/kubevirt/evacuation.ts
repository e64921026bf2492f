/**
 * The evacuation controller's decision for one node, pure. Follows kubevirt/kubevirt v1.6.2
 * `pkg/virt-controller/watch/drain/evacuation/evacuation.go` (v1.5.0 is the same but for an
 * indexer rename): sync, vmisToMigrate, nodeHasTaint, getMarkedForEvictionVMIs,
 * filterRunningNonMigratingVMIs, numOfVMIMForThisSourceNode, GenerateNewMigration; and
 * `pkg/util/migrations/migrations.go` VMIMigratableOnEviction, FilterRunningMigrations.
 *
 * These are the ≤ v1.6 rules (the MigrationPriorityQueue gate of v1.7+, GA in v1.9, moved the limits
 * to the migration controller alone): the free slots are computed from *running* migrations only
 * (IsRunning: past Pending), so VMIMs still Pending do not use a slot here, and in practice the
 * controller creates a VMIM for every VMI of the node within a few syncs while the migration
 * controller's own gate (migrationRules.ts targetPodGate) holds the real concurrency.
 */
import { EVACUATION_MIGRATION_ANNOTATION, isFinalPhase, isRunningPhase, MIGRATION_FINALIZER, MIGRATION_SELECTOR_LABEL } from './names.js';
import { type MigrationLimits } from './migrationRules.js';
import { type EvictionStrategy, type RawVmim } from './objects.js';

export interface EvacuationVmi {
  readonly namespace: string;
  readonly name: string;
  readonly nodeName?: string;
  /** `status.evacuationNodeName`, set by virt-api's pod-eviction admitter. */
  readonly evacuationNodeName?: string;
  /** Failed/Succeeded (IsFinal). */
  readonly final: boolean;
  readonly deleting: boolean;
  readonly evictionStrategy?: EvictionStrategy;
  /** Condition `LiveMigratable` is True. */
  readonly liveMigratable: boolean;
  /** migrations.IsMigrating: its migration state has a start and no end. */
  readonly migrating: boolean;
  /** Launcher pods not terminated (controller.VMIActivePodsCount). */
  readonly activePods: number;
}

export interface UnfinishedVmim {
  readonly namespace: string;
  readonly vmiName: string;
  readonly phase?: string;
}

export interface EvacuationInput {
  readonly node: { readonly name: string; readonly taints: readonly { readonly key: string; readonly effect: string }[] };
  /** `migrations.nodeDrainTaintKey` (default `kubevirt.io/drain`, pkg/virt-config/configuration.go). */
  readonly drainTaintKey: string;
  /** VMIs whose `status.nodeName` is the node. */
  readonly vmisOnNode: readonly EvacuationVmi[];
  /** Every unfinished VMIM of the cluster (ListUnfinishedMigrations), whoever created it. */
  readonly unfinished: readonly UnfinishedVmim[];
  /** KubeVirt CR `spec.configuration.evictionStrategy`, for VMIs without their own. */
  readonly clusterEvictionStrategy?: EvictionStrategy;
  readonly limits: MigrationLimits;
}

export interface EvacuationDecision {
  /** VMIs to create an evacuation VMIM for now. */
  readonly create: readonly EvacuationVmi[];
  /** Candidates that lack `LiveMigratable=True` (KubeVirt emits "VirtualMachineInstance is not migrateable" events for them). */
  readonly nonMigratable: readonly EvacuationVmi[];
  /** Look at the node again after this many simulated seconds (sync's `Queue.AddAfter`). */
  readonly requeueAfterSeconds?: number;
  readonly reason: string;
}

const key = (namespace: string, name: string) => `${namespace}/${name}`;

/** nodeHasTaint: a taint with the drain key and effect NoSchedule (MatchTaint ignores the value). */
export function hasDrainTaint(node: EvacuationInput['node'], drainTaintKey: string): boolean {
  return node.taints.some((t) => t.key === drainTaintKey && t.effect === 'NoSchedule');
}

/** VMIMigratableOnEviction: LiveMigrate → yes; LiveMigrateIfPossible → if migratable; None, External or unset → no. */
export function migratableOnEviction(vmi: EvacuationVmi, clusterStrategy: EvictionStrategy | undefined): boolean {
  const strategy = vmi.evictionStrategy ?? clusterStrategy;
  if (strategy === 'LiveMigrate') return true;
  if (strategy === 'LiveMigrateIfPossible') return vmi.liveMigratable;
  return false;
}

/**
 * vmisToMigrate: every VMI on a node carrying the drain taint (the deprecated path kvfleet's
 * rolling upgrade uses), else those marked for eviction (`evacuationNodeName` set, still equal to
 * the VMI's node, not migrating right now).
 */
export function vmisToMigrate(input: EvacuationInput): EvacuationVmi[] {
  if (hasDrainTaint(input.node, input.drainTaintKey)) return [...input.vmisOnNode];
  return input.vmisOnNode.filter((v) => !!v.evacuationNodeName && v.nodeName === v.evacuationNodeName && !v.migrating);
}

/**
 * filterRunningNonMigratingVMIs: skips VMIs that are final or deleting, that do not want to migrate
 * on eviction, that already have an unfinished VMIM (of any origin: this is what keeps KubeVirt from
 * racing another controller's VMIM), or that still have more than one active launcher pod (the
 * target or source pod of a previous attempt). VMIs without `LiveMigratable=True` are set apart.
 */
export function filterCandidates(
  vmis: readonly EvacuationVmi[],
  unfinished: readonly UnfinishedVmim[],
  clusterStrategy: EvictionStrategy | undefined,
): { migratable: EvacuationVmi[]; nonMigratable: EvacuationVmi[] } {
  const hasMigration = new Set(unfinished.map((m) => key(m.namespace, m.vmiName)));
  const migratable: EvacuationVmi[] = [];
  const nonMigratable: EvacuationVmi[] = [];
  for (const vmi of vmis) {
    if (vmi.final || vmi.deleting) continue;
    if (!migratableOnEviction(vmi, clusterStrategy)) continue;
    if (!vmi.liveMigratable) {
      nonMigratable.push(vmi);
      continue;
    }
    if (hasMigration.has(key(vmi.namespace, vmi.name))) continue;
    if (vmi.activePods > 1) continue;
    migratable.push(vmi);
  }
  return { migratable, nonMigratable };
}

/**
 * sync: candidates within min(free cluster slots, free outbound slots of this node), where both
 * count running VMIMs only (FilterRunningMigrations; numOfVMIMForThisSourceNode counts the running
 * VMIMs whose VMI is on this node; KubeVirt matches by VMI name alone, the simulator by namespace and
 * name). No free slot: look again in 5 s. Candidates are taken in name order (KubeVirt takes the
 * indexer's order, "TODO: should the order be randomized?").
 */
export function planEvacuation(input: EvacuationInput): EvacuationDecision {
  const toMigrate = vmisToMigrate(input);
  if (toMigrate.length === 0) return { create: [], nonMigratable: [], reason: 'nothing to evacuate' };
  const { migratable, nonMigratable } = filterCandidates(toMigrate, input.unfinished, input.clusterEvictionStrategy);
  if (migratable.length === 0 && nonMigratable.length === 0) return { create: [], nonMigratable: [], reason: 'no candidate' };
  migratable.sort((a, b) => key(a.namespace, a.name).localeCompare(key(b.namespace, b.name)));

  const running = input.unfinished.filter((m) => isRunningPhase(m.phase) && !isFinalPhase(m.phase));
  const onNode = new Set(input.vmisOnNode.map((v) => key(v.namespace, v.name)));
  const fromThisNode = running.filter((m) => onNode.has(key(m.namespace, m.vmiName))).length;
  const freeCluster = input.limits.parallelMigrationsPerCluster - running.length;
  const freeNode = input.limits.parallelOutboundMigrationsPerNode - fromThisNode;
  const freeSpots = Math.min(freeCluster, freeNode);
  if (freeSpots <= 0) {
    return { create: [], nonMigratable, requeueAfterSeconds: 5, reason: `no free migration slot (cluster ${freeCluster}, node ${freeNode})` };
  }
  const diff = Math.min(freeSpots, migratable.length);
  const remaining = freeSpots - diff;
  const warned = nonMigratable.slice(0, Math.min(remaining, nonMigratable.length));
  if (diff === 0) {
    // KubeVirt re-queues after a minute to keep its "not migrateable" warnings fresh.
    return { create: [], nonMigratable: warned, ...(warned.length > 0 ? { requeueAfterSeconds: 60 } : {}), reason: 'only non-migratable VMIs' };
  }
  return { create: migratable.slice(0, diff), nonMigratable: warned, reason: `${diff} of ${migratable.length} candidates within ${freeSpots} free slots` };
}

/** GenerateNewMigration, plus what virt-api's create mutator adds (label `kubevirt.io/vmi-name`, finalizer). */
export function evacuationVmim(namespace: string, vmiName: string, nodeName: string, withFinalizer = true): RawVmim {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstanceMigration',
    metadata: {
      generateName: 'kubevirt-evacuation-',
      namespace,
      annotations: { [EVACUATION_MIGRATION_ANNOTATION]: nodeName },
      labels: { [MIGRATION_SELECTOR_LABEL]: vmiName },
      ...(withFinalizer ? { finalizers: [MIGRATION_FINALIZER] } : {}),
    },
    spec: { vmiName },
  };
}
