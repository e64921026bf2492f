/**
 * Which pool each inventory node belongs to, and which machine types it runs now. A node's own
 * machine-type labels, when it has any, are the truth about it; the definition is the fallback.
 */
import { type MachineTypeLabeller } from '../compatibility/kubevirtVersions.js';
import { aliasMachineTypeLabelKey } from '../compatibility/labelKeys.js';
import { aliasChipset, MACHINE_TYPE_ALIASES, parseMachineType, sortMachineTypes } from '../compatibility/machineTypeNames.js';
import { isDeprecatedOnNode, machineTypesLabelledBy } from '../compatibility/nodeRule.js';
import { type MachineTypeSet, type ResolvedPool } from '../compatibility/poolMachineTypes.js';
import { type InventoryNode, type Resources } from './inventory.js';

type Labels = Readonly<Record<string, string>>;

/** Where a node's machine types now were read from. */
export type NodeTypesSource = 'kvfleet-labels' | 'kubevirt-labels' | 'definition';

/** An inventory node placed in its pool. */
export interface PlannedNode {
  readonly name: string;
  readonly pool: string;
  /** Not cordoned: only schedulable nodes host VMs in the plan (cordoned ones still count in the pool). */
  readonly schedulable: boolean;
  readonly allocatable?: Resources;
  /** What the node runs now: from its labels when it carries machine-type labels, else its pool's current set. */
  readonly now: MachineTypeSet;
  readonly nowSource: NodeTypesSource;
}

export interface NodeMatching {
  /** Matched nodes, sorted by name. */
  readonly nodes: readonly PlannedNode[];
  /** Nodes no pool's nodeSelector matches, sorted. */
  readonly unmatchedNodes: readonly string[];
  /** `node: text` for nodes matching several pools and nodes whose labels disagree with their pool, sorted. */
  readonly labelMismatches: readonly string[];
}

const LABELLER_NAME: Record<MachineTypeLabeller, string> = { kvfleet: 'kvfleet', kubevirt: 'KubeVirt' };

/** A nodeSelector matches when every key is on the node with the same value (so `{}` matches every node). */
export function selectorMatches(selector: Labels, labels: Labels): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/**
 * The machine types a node's labels say it runs, or `undefined` when it carries none.
 * - Labels: the scheduling labeller's first (`preferred`: the one the scheduler checks on this
 *   cluster), else the other's. Only versioned x86 names count (`pc-q35-rhel9.6.0`): KubeVirt also
 *   labels `q35`, `pc`, `microvm`, `none`…
 * - Aliases: an alias labelled `true` resolves to kvfleet's `alias.machine-type.kvfleet.io/<alias>`
 *   value when that is labelled too, else to the newest labelled type of its chipset (what QEMU does).
 * - Deprecation: kvfleet's `deprecated.machine-type.kvfleet.io/<type>` labels when the node carries
 *   kvfleet's machine-type labels (the labeller writes one for every deprecated type it offers, so no
 *   label means not deprecated); else the pool's declared deprecations (KubeVirt labels none).
 */
export function labelledMachineTypes(
  labels: Labels,
  poolSet: MachineTypeSet,
  preferred: MachineTypeLabeller = 'kvfleet',
): { readonly set: MachineTypeSet; readonly labeller: MachineTypeLabeller } | undefined {
  const order: MachineTypeLabeller[] = preferred === 'kvfleet' ? ['kvfleet', 'kubevirt'] : ['kubevirt', 'kvfleet'];
  for (const labeller of order) {
    const names = machineTypesLabelledBy(labels, labeller);
    const supported = sortMachineTypes(names.filter((n) => parseMachineType(n) !== undefined));
    if (supported.length === 0) continue;
    const aliases: Record<string, string> = {};
    for (const alias of MACHINE_TYPE_ALIASES) {
      if (!names.includes(alias)) continue;
      const key = aliasMachineTypeLabelKey(alias);
      const labelled = key === undefined ? undefined : labels[key];
      const newest = supported.filter((t) => parseMachineType(t)!.chipset === aliasChipset(alias)).at(-1);
      const target = labelled !== undefined && supported.includes(labelled) ? labelled : newest;
      if (target !== undefined) aliases[alias] = target;
    }
    const hasKvfleetLabels = machineTypesLabelledBy(labels, 'kvfleet').length > 0;
    const deprecated = hasKvfleetLabels ? supported.filter((t) => isDeprecatedOnNode(labels, t)) : poolSet.deprecated.filter((t) => supported.includes(t));
    return { set: { release: poolSet.release, vendor: poolSet.vendor, supported, deprecated, aliases }, labeller };
  }
  return undefined;
}

/**
 * Where a node's labels disagree with its pool's current set, one line per direction:
 * types the pool offers but the node has no label for, and labels for types the pool does not offer.
 */
export function labelMismatches(node: string, pool: ResolvedPool, labelled: MachineTypeSet, labeller: MachineTypeLabeller): string[] {
  const missing = pool.current.supported.filter((t) => !labelled.supported.includes(t));
  const extra = labelled.supported.filter((t) => !pool.current.supported.includes(t));
  const who = LABELLER_NAME[labeller];
  const release = pool.current.release;
  const out: string[] = [];
  if (missing.length > 0) {
    out.push(
      `${node}: node ${node} (pool ${pool.name}) carries no ${who} label for ${missing.join(', ')} that ${release} offers — already upgraded? labeller not running?`,
    );
  }
  if (extra.length > 0) {
    out.push(
      `${node}: node ${node} (pool ${pool.name}) carries ${who} labels for ${extra.join(', ')} that ${release} does not offer — upgraded ahead of the definition? a machineTypes override missing?`,
    );
  }
  return out;
}

/**
 * Places every inventory node in the first pool (pools in resolvePools order, by name) whose
 * nodeSelector its labels satisfy; a node matching several pools is placed in the first and named
 * in `labelMismatches`; a node matching none is in `unmatchedNodes` and hosts nothing in the plan.
 */
export function matchNodes(pools: readonly ResolvedPool[], nodes: readonly InventoryNode[], preferred: MachineTypeLabeller = 'kvfleet'): NodeMatching {
  const planned: PlannedNode[] = [];
  const unmatched: string[] = [];
  const mismatches: string[] = [];
  for (const node of nodes) {
    const matching = pools.filter((p) => selectorMatches(p.nodeSelector, node.labels));
    const pool = matching[0];
    if (!pool) {
      unmatched.push(node.name);
      continue;
    }
    if (matching.length > 1) {
      mismatches.push(`${node.name}: matches the nodeSelectors of pools ${matching.map((p) => p.name).join(', ')}; planned in ${pool.name}, the first by name`);
    }
    const labelled = labelledMachineTypes(node.labels, pool.current, preferred);
    if (labelled) mismatches.push(...labelMismatches(node.name, pool, labelled.set, labelled.labeller));
    planned.push({
      name: node.name,
      pool: pool.name,
      schedulable: !node.unschedulable,
      ...(node.allocatable ? { allocatable: node.allocatable } : {}),
      now: labelled?.set ?? pool.current,
      nowSource: labelled ? (labelled.labeller === 'kvfleet' ? 'kvfleet-labels' : 'kubevirt-labels') : 'definition',
    });
  }
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    nodes: planned.sort((a, b) => byText(a.name, b.name)),
    unmatchedNodes: unmatched.sort(byText),
    labelMismatches: mismatches.sort(byText),
  };
}
