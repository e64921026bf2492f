/**
 * Which pool each inventory node belongs to, and where its machine-type labels disagree with the
 * launcher's set for that pool. Whether a node hosts a type is the node rule's alone
 * (compatibility/nodeRule.ts, applied in planSteps.ts): only the labeller the scheduler follows on
 * this KubeVirt version counts, with no fallback to the other's labels or to the definition — on
 * KubeVirt ≥ 1.5.1 virt-controller selects on `machine-type.node.kubevirt.io/<type>`, so a node
 * without it is no migration target whatever kvfleet's labels say.
 */
import { type MachineTypeLabeller } from '../compatibility/kubevirtVersions.js';
import { parseMachineType, sortMachineTypes } from '../compatibility/machineTypeNames.js';
import { machineTypesLabelledBy, schedulerMachineTypeLabelKey } from '../compatibility/nodeRule.js';
import { type ResolvedPool } from '../compatibility/poolMachineTypes.js';
import { type InventoryNode, type Resources } from './inventory.js';

type Labels = Readonly<Record<string, string>>;

/** An inventory node placed in its pool. */
export interface PlannedNode {
  readonly name: string;
  readonly pool: string;
  /** Not cordoned: only schedulable nodes host VMs in the plan (cordoned ones still count in the pool). */
  readonly schedulable: boolean;
  readonly allocatable?: Resources;
  /** The node's labels, which the node rule reads. */
  readonly labels: Labels;
  /** Versioned types the cluster's labeller has labelled it with, in machine-type order. */
  readonly labelledTypes: readonly string[];
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
 * Where a node's labels (of the cluster's labeller; versioned names only — KubeVirt also labels
 * `q35`, `pc`, `none`…) disagree with its pool's set now, one line per direction. A node with no
 * such label at all gets one line: it hosts nothing until labelled.
 */
export function labelMismatches(node: string, pool: ResolvedPool, labelled: readonly string[], labeller: MachineTypeLabeller): string[] {
  const who = LABELLER_NAME[labeller];
  const launcher = pool.current.launcher;
  if (labelled.length === 0) {
    const example = schedulerMachineTypeLabelKey(pool.current.supported.at(-1) ?? 'pc-q35-rhel9.6.0', labeller);
    return [
      `${node}: node ${node} (pool ${pool.name}) carries no ${who} machine-type label (${example}…): the scheduler places no migration target there, so it hosts nothing in this plan — labeller not running?`,
    ];
  }
  const missing = pool.current.supported.filter((t) => !labelled.includes(t));
  const extra = labelled.filter((t) => !pool.current.supported.includes(t));
  const out: string[] = [];
  if (missing.length > 0) {
    out.push(
      `${node}: node ${node} (pool ${pool.name}) carries no ${who} label for ${missing.join(', ')} that ${launcher} offers — labeller behind, or a virt-handler still on another launcher?`,
    );
  }
  if (extra.length > 0) {
    out.push(
      `${node}: node ${node} (pool ${pool.name}) carries ${who} labels for ${extra.join(', ')} that ${launcher} does not offer — another launcher image, or a machineTypes override missing?`,
    );
  }
  return out;
}

/**
 * Places every inventory node in the first pool (pools in resolveCluster order, by name) whose
 * nodeSelector its labels satisfy; a node matching several pools is placed in the first and named
 * in `labelMismatches`; a node matching none is in `unmatchedNodes` and hosts nothing in the plan.
 */
export function matchNodes(pools: readonly ResolvedPool[], nodes: readonly InventoryNode[], labeller: MachineTypeLabeller): NodeMatching {
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
    const labelledTypes = sortMachineTypes(machineTypesLabelledBy(node.labels, labeller).filter((n) => parseMachineType(n) !== undefined));
    mismatches.push(...labelMismatches(node.name, pool, labelledTypes, labeller));
    planned.push({
      name: node.name,
      pool: pool.name,
      schedulable: !node.unschedulable,
      ...(node.allocatable ? { allocatable: node.allocatable } : {}),
      labels: node.labels,
      labelledTypes,
    });
  }
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    nodes: planned.sort((a, b) => byText(a.name, b.name)),
    unmatchedNodes: unmatched.sort(byText),
    labelMismatches: mismatches.sort(byText),
  };
}
