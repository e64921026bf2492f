/**
 * The node rule: which label proves that a node runs a machine type, and which nodes are
 * candidates for a migration target. The labeller writes the labels it names, the target-pod
 * policies select on them (through `schedulingContract`), the migration controller picks fallback
 * nodes with it and `kvfleet plan` counts hosts with it, so all of them agree by construction.
 *
 * One labeller per fact: on KubeVirt ≥ 1.5.1 the scheduler checks KubeVirt's own
 * `machine-type.node.kubevirt.io/<type>` (virt-controller puts it on every target pod), so that is
 * the label that proves support there; before, only kvfleet's `machine-type.kvfleet.io/<type>`
 * exists and kvfleet's policy puts it on the target.
 */
import { KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX } from './kubevirtNames.js';
import { type MachineTypeLabeller } from './kubevirtVersions.js';
import { deprecatedMachineTypeLabelKey, isValidLabelName, MACHINE_TYPE_LABEL_PREFIX } from './labelKeys.js';
import { type ResolvedPool } from './poolMachineTypes.js';

type Labels = Readonly<Record<string, string>>;

const PREFIX: Record<MachineTypeLabeller, string> = {
  kubevirt: KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX,
  kvfleet: MACHINE_TYPE_LABEL_PREFIX,
};

/** The node label the scheduler checks for `machineType` on a cluster of this labeller; `undefined` when it cannot be a label name. */
export function schedulerMachineTypeLabelKey(machineType: string, labeller: MachineTypeLabeller): string | undefined {
  return isValidLabelName(machineType) ? PREFIX[labeller] + machineType : undefined;
}

/** True when the node carries the label that the scheduler will check for this type. */
export function nodeOffersMachineType(nodeLabels: Labels, machineType: string, labeller: MachineTypeLabeller): boolean {
  const key = schedulerMachineTypeLabelKey(machineType, labeller);
  return key !== undefined && nodeLabels[key] === 'true';
}

/** Every machine-type name one labeller has labelled the node with, sorted. */
export function machineTypesLabelledBy(nodeLabels: Labels, labeller: MachineTypeLabeller): string[] {
  const prefix = PREFIX[labeller];
  return Object.entries(nodeLabels)
    .filter(([k, v]) => k.startsWith(prefix) && v === 'true')
    .map(([k]) => k.slice(prefix.length))
    .sort();
}

/** Only kvfleet records deprecation on nodes (KubeVirt exports it as a metric), whoever schedules. */
export function isDeprecatedOnNode(nodeLabels: Labels, machineType: string): boolean {
  const key = deprecatedMachineTypeLabelKey(machineType);
  return key !== undefined && nodeLabels[key] === 'true';
}

/** The pool whose nodeSelector a node's labels satisfy (validation keeps pools from overlapping). */
export function poolOfNode(pools: readonly ResolvedPool[], nodeLabels: Labels): ResolvedPool | undefined {
  return pools.find((p) => Object.entries(p.nodeSelector).every(([k, v]) => nodeLabels[k] === v));
}

/** What the candidate rule needs to know about a node. */
export interface CandidateNode {
  readonly name: string;
  readonly labels: Labels;
  readonly ready: boolean;
  /** `spec.unschedulable` (cordoned or draining). */
  readonly cordoned: boolean;
}

export interface CandidateQuery {
  /** The VMI's canonical `status.machine.type`. */
  readonly machineType: string;
  readonly labeller: MachineTypeLabeller;
  readonly sourceNode?: string;
  /** Nodes earlier attempts failed on. */
  readonly excluded: ReadonlySet<string>;
}

/** Why a node is not a candidate, in the order they are checked. */
export type Exclusion = 'lacks-machine-type' | 'not-ready' | 'cordoned' | 'source' | 'failed-before';

/** Why the node cannot be a migration target for the query, or `undefined` when it can. */
export function candidateExclusion(node: CandidateNode, q: CandidateQuery): Exclusion | undefined {
  if (!nodeOffersMachineType(node.labels, q.machineType, q.labeller)) return 'lacks-machine-type';
  if (!node.ready) return 'not-ready';
  if (node.cordoned) return 'cordoned';
  if (node.name === q.sourceNode) return 'source';
  if (q.excluded.has(node.name)) return 'failed-before';
  return undefined;
}
