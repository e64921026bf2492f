/**
 * The ways out for a stranded or at-risk VM, best first: restart it onto a newer machine type that
 * every pool keeps, or keep part of a pool on its old release for it.
 */
import { aliasChipset, type Chipset, compareMachineTypes, isMachineTypeAlias, parseMachineType } from '../compatibility/machineTypeNames.js';
import { canonicalMachineType } from '../compatibility/placement.js';
import { type MachineTypeSet, type ResolvedPool } from '../compatibility/poolMachineTypes.js';
import { type Resources } from './inventory.js';
import { type Fix, type Verdict, type VmPlan, type VmStepPlacement } from './planModel.js';

/** What the fixes need to know of the cluster beyond its pools. */
export interface FixContext {
  readonly pools: readonly ResolvedPool[];
  /** Nodes per pool (null: unknown). A pool with 0 nodes is not a place to restart onto. */
  readonly poolNodes: ReadonlyMap<string, number | null>;
  /** The sets of the schedulable nodes after the last step; undefined when the inventory listed no nodes. */
  readonly finalNodeSets?: readonly MachineTypeSet[];
  /** Average allocatable memory of a pool's schedulable nodes; absent when unknown. */
  readonly averageNodeMemoryBytes: ReadonlyMap<string, number>;
}

/** What the fixes need to know of a VM. */
export interface FixVm {
  readonly kind: VmPlan['kind'];
  readonly requestedMachineType: string;
  /** The canonical type (VmPlan.machineType). */
  readonly machineType: string;
  /** The type it is placed by: the running type, else the requested one (maybe an alias). */
  readonly placementMachineType: string;
  readonly verdict: Verdict;
  readonly steps: readonly VmStepPlacement[];
  readonly requests?: Resources;
}

const GiB = 1024 ** 3;
const gib = (bytes: number) => `${Number((bytes / GiB).toFixed(1))} GiB`;

function chipsetOf(machineType: string): Chipset | undefined {
  if (isMachineTypeAlias(machineType)) return aliasChipset(machineType);
  return parseMachineType(machineType)?.chipset;
}

/**
 * The type to restart onto: the newest canonical type of the VM's chipset, newer than its own, that
 * every pool remaining after the last step (every pool not known to be empty, on its upgrade set if
 * it has one) supports without deprecation; among those, preferably one every schedulable node runs
 * after the last step (a node labelled apart from its pool may lack it). `undefined` when none.
 */
export function newerMachineType(machineType: string, ctx: FixContext): { readonly machineType: string; readonly onEveryNode: boolean } | undefined {
  const chipset = chipsetOf(machineType);
  const remaining = ctx.pools.filter((p) => ctx.poolNodes.get(p.name) !== 0);
  if (chipset === undefined || remaining.length === 0) return undefined;
  const finals = remaining.map((p) => p.upgrade ?? p.current);
  const own = parseMachineType(machineType);
  const candidates = finals[0]!.supported.filter(
    (t) =>
      parseMachineType(t)?.chipset === chipset &&
      (own === undefined || compareMachineTypes(t, machineType) > 0) &&
      finals.every((s) => s.supported.includes(t) && !s.deprecated.includes(t)),
  );
  const nodeSets = ctx.finalNodeSets;
  const onNodes = nodeSets ? candidates.filter((t) => nodeSets.every((s) => s.supported.includes(t))) : [];
  const pick = (onNodes.length > 0 ? onNodes : candidates).sort(compareMachineTypes).at(-1);
  return pick === undefined ? undefined : { machineType: pick, onEveryNode: onNodes.length > 0 };
}

/** The `restart-onto-newer-type` fix, or `undefined` when no newer type fits (see newerMachineType). */
export function restartFix(vm: FixVm, ctx: FixContext): Fix | undefined {
  const newer = newerMachineType(vm.machineType, ctx);
  if (!newer) return undefined;
  const type = newer.machineType;
  const how =
    vm.kind === 'VirtualMachine'
      ? `set spec.template.spec.domain.machine.type to ${type}, then stop and start the VM`
      : `recreate the VMI with spec.domain.machine.type ${type} (a VMI without a VM has no template to edit)`;
  const alias = isMachineTypeAlias(vm.requestedMachineType)
    ? ` Its spec names the alias ${vm.requestedMachineType}, which resolves anew on whichever node it boots on; naming ${type} makes that choice explicit.`
    : '';
  return {
    kind: 'restart-onto-newer-type',
    machineType: type,
    restartRequired: true,
    text:
      `Restart onto ${type}: ${how}. A restart is required: the machine type is fixed when the VM boots, and live migration cannot change it. ` +
      `Every pool runs ${type} without deprecation after the last upgrade${newer.onEveryNode ? ', and so does every schedulable node' : ''}.${alias}`,
  };
}

/** True when the pool runs the type now by definition and its planned upgrade drops it. */
export function upgradeDrops(pool: ResolvedPool, machineType: string): boolean {
  return pool.upgrade !== undefined && canonicalMachineType(machineType, pool.upgrade) === undefined;
}

export interface NodesToKeep {
  /** What to keep: `wanted`, capped at the pool's size when that is known. */
  readonly nodes: number;
  readonly wanted: number;
  readonly basis: 'memory' | 'count';
}

/**
 * Nodes to keep on the old release for the VMs that need it: max(2, ceil(sum of their memory
 * requests / the pool's average node allocatable memory) + 1 spare); when a memory figure is
 * unknown, the number of those VMs, at least 2. Never more than the pool's node count when known.
 */
export function nodesToKeep(vmMemoryBytes: readonly (number | undefined)[], poolNodes: number | null, averageNodeMemoryBytes: number | undefined): NodesToKeep {
  const known = vmMemoryBytes.filter((m): m is number => m !== undefined);
  const byMemory = known.length === vmMemoryBytes.length && averageNodeMemoryBytes !== undefined && averageNodeMemoryBytes > 0;
  const wanted = byMemory ? Math.max(2, Math.ceil(known.reduce((a, b) => a + b, 0) / averageNodeMemoryBytes) + 1) : Math.max(2, vmMemoryBytes.length);
  return { nodes: poolNodes === null ? wanted : Math.min(wanted, poolNodes), wanted, basis: byMemory ? 'memory' : 'count' };
}

/**
 * The VMs a pool's old release is needed for: stranded or at-risk overall, hosted by the pool now,
 * and of a type its upgrade drops. (At-risk ones count too: they are one node from stranded.)
 */
export function vmsNeedingOldRelease(pool: ResolvedPool, vms: readonly FixVm[]): FixVm[] {
  return vms.filter(
    (vm) => (vm.verdict === 'stranded' || vm.verdict === 'at-risk') && vm.steps[0]!.pools.includes(pool.name) && upgradeDrops(pool, vm.placementMachineType),
  );
}

/** The `keep-pool-on-release` fix for one pool, sized for every VM that needs its old release. */
export function keepPoolFix(pool: ResolvedPool, needing: readonly FixVm[], ctx: FixContext): Fix {
  const poolNodes = ctx.poolNodes.get(pool.name) ?? null;
  const average = ctx.averageNodeMemoryBytes.get(pool.name);
  const memory = needing.map((vm) => vm.requests?.memoryBytes);
  const keep = nodesToKeep(memory, poolNodes, average);
  const release = pool.current.release;
  const of = poolNodes === null ? `pool ${pool.name}'s nodes` : `pool ${pool.name}'s ${poolNodes} nodes`;
  const vmsText = `${needing.length} VM${needing.length === 1 ? '' : 's'} that need it`;
  const rule =
    keep.basis === 'memory'
      ? `max(2, ceil(memory requests of the ${vmsText}, ${gib(memory.reduce<number>((a, b) => a + (b ?? 0), 0))}, / average node allocatable memory, ${gib(average!)}) + 1 spare) = ${keep.wanted}`
      : `the number of ${vmsText} (their memory requests or the pool's node memory are not all known), at least 2: ${keep.wanted}`;
  const capped = keep.wanted > keep.nodes ? ` That is more than the pool has: keep all ${keep.nodes} and move VMs to a newer machine type first.` : '';
  return {
    kind: 'keep-pool-on-release',
    pool: pool.name,
    release,
    nodesNeeded: keep.nodes,
    text: `Keep ${keep.nodes} of ${of} on ${release} (do not upgrade them to ${pool.upgrade?.release}) until its VMs on types that release drops have moved. Nodes: ${rule}.${capped}`,
  };
}

/**
 * The fixes for one VM, best first: a restart onto a newer type when one exists, then keeping each
 * pool that hosts it now and loses its type in its upgrade. None for VMs neither stranded nor at-risk.
 */
export function fixesFor(vm: FixVm, all: readonly FixVm[], ctx: FixContext): Fix[] {
  if (vm.verdict !== 'stranded' && vm.verdict !== 'at-risk') return [];
  const restart = restartFix(vm, ctx);
  const keep = ctx.pools
    .filter((p) => vm.steps[0]!.pools.includes(p.name) && upgradeDrops(p, vm.placementMachineType))
    .map((p) => keepPoolFix(p, vmsNeedingOldRelease(p, all), ctx));
  return [...(restart ? [restart] : []), ...keep];
}
