/**
 * Which node a fallback migration goes to. Pure: which nodes qualify is the node rule of
 * compatibility/nodeRule.ts (the label the scheduler itself will check on this cluster), pools and
 * upgrade plans come from the matrix ConfigMap, and the same placement code the Kyverno policies
 * are generated from decides what a pool can host.
 */
import { type MachineTypeLabeller } from '../../compatibility/kubevirtVersions.js';
import { POOL_LABEL } from '../../compatibility/labelKeys.js';
import { candidateExclusion, type Exclusion, isDeprecatedOnNode, nodeOffersMachineType, poolOfNode } from '../../compatibility/nodeRule.js';
import { placeMachineType, supportsMachineType } from '../../compatibility/placement.js';
import { type ResolvedPool } from '../../compatibility/poolMachineTypes.js';
import { type NodeView } from './objectViews.js';

/** Whether a node's pool keeps the type through the planned launcher steps, best first. */
export type UpgradeOutlook = 'none-planned' | 'keeps-type' | 'loses-type';
const OUTLOOK_RANK: Record<UpgradeOutlook, number> = { 'none-planned': 0, 'keeps-type': 1, 'loses-type': 2 };

export interface TargetQuery {
  /** The VMI's canonical `status.machine.type`. */
  readonly machineType: string;
  /** Whose machine-type labels the scheduler checks on this cluster. */
  readonly labeller: MachineTypeLabeller;
  readonly sourceNode?: string;
  /** Nodes earlier attempts failed on. */
  readonly excluded: ReadonlySet<string>;
  readonly nodes: readonly NodeView[];
  /** From the matrix ConfigMap; without it pools come from node labels and no upgrade is known. */
  readonly pools?: readonly ResolvedPool[];
  /** Spreads equally good choices across VMIs deterministically (the VMI's UID). */
  readonly tieBreakSeed: string;
}

export interface TargetCandidate {
  readonly node: string;
  readonly hostname: string;
  readonly pool?: string;
  readonly deprecated: boolean;
  readonly upgrade: UpgradeOutlook;
}

export type { Exclusion };

/** Why a node cannot take the migration, or `undefined` when it can (the node rule). */
export function exclusionOf(node: NodeView, q: TargetQuery): Exclusion | undefined {
  return candidateExclusion(node, q);
}

export function poolNameOf(node: NodeView, pools: readonly ResolvedPool[] | undefined): string | undefined {
  return node.labels[POOL_LABEL] ?? (pools ? poolOfNode(pools, node.labels)?.name : undefined);
}

/**
 * Whether the pool keeps the type through every planned step (matrix `sets`): `none-planned` when no
 * step changes its set, `loses-type` when some step's launcher lacks it.
 */
function outlook(poolName: string | undefined, q: TargetQuery): UpgradeOutlook {
  const pool = q.pools?.find((p) => p.name === poolName);
  const later = pool?.sets.slice(1).filter((s) => s.launcher !== pool.current.launcher) ?? [];
  if (later.length === 0) return 'none-planned';
  return later.every((s) => supportsMachineType(s, q.machineType)) ? 'keeps-type' : 'loses-type';
}

/** 32-bit FNV-1a: a stable, dependency-free hash for rendezvous tie-breaking. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Every eligible node, best first: the type not deprecated there, then pools with no upgrade
 * planned, then ones whose upgrade keeps the type; among equals a rendezvous hash of VMI and node,
 * so one VMI always gets the same answer from the same nodes while a burst of fallbacks spreads
 * over the nodes instead of piling onto the alphabetically first.
 */
export function rankTargets(q: TargetQuery): TargetCandidate[] {
  return q.nodes
    .filter((n) => exclusionOf(n, q) === undefined)
    .map((n) => {
      const pool = poolNameOf(n, q.pools);
      return {
        candidate: {
          node: n.name,
          hostname: n.hostname,
          ...(pool ? { pool } : {}),
          deprecated: isDeprecatedOnNode(n.labels, q.machineType),
          upgrade: outlook(pool, q),
        },
        hash: fnv1a(`${q.tieBreakSeed}/${n.name}`),
      };
    })
    .sort(
      (a, b) =>
        Number(a.candidate.deprecated) - Number(b.candidate.deprecated) ||
        OUTLOOK_RANK[a.candidate.upgrade] - OUTLOOK_RANK[b.candidate.upgrade] ||
        a.hash - b.hash ||
        (a.candidate.node < b.candidate.node ? -1 : a.candidate.node > b.candidate.node ? 1 : 0),
    )
    .map((x) => x.candidate);
}

export function chooseTarget(q: TargetQuery): TargetCandidate | undefined {
  return rankTargets(q)[0];
}

/**
 * Pools that could host the type, for the `NoCompatibleMigrationTarget` message: the matrix's
 * answer when there is one, else the pools of nodes labelled with the type.
 */
export function hostingPools(machineType: string, labeller: MachineTypeLabeller, nodes: readonly NodeView[], pools?: readonly ResolvedPool[]): string[] {
  if (pools) return [...placeMachineType(pools, machineType).hostsNow].sort();
  const names = nodes.filter((n) => nodeOffersMachineType(n.labels, machineType, labeller)).map((n) => poolNameOf(n, pools) ?? `(node ${n.name}, no pool)`);
  return [...new Set(names)].sort();
}

/** Counts of excluded nodes by cause, for messages: `{ 'not-ready': 2, cordoned: 1 }`. */
export function exclusionSummary(q: TargetQuery): Partial<Record<Exclusion, number>> {
  const out: Partial<Record<Exclusion, number>> = {};
  for (const n of q.nodes) {
    const why = exclusionOf(n, q);
    if (why) out[why] = (out[why] ?? 0) + 1;
  }
  return out;
}
