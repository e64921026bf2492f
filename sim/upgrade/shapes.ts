/**
 * How big a scenario is (`--size small|full|<nodes>x<vmis>`): its node pools, each with an
 * architecture, a node count, a VMI count and its pinned VMIs per kind, and the namespaces. Pure.
 *
 * - `kubevirt-upgrade`: one amd64 pool.
 * - `mixed-arch`: an amd64 pool (about 2/3 of the nodes) and an arm64 pool (about 1/3, at least 2 nodes
 *   so a drain has somewhere to go), VMIs split in proportion to the nodes.
 */
import { type Architecture } from '../../compatibility/machineTypeNames.js';
import { type PinnedKind } from './vmiKinds.js';

export interface PoolShape {
  /** The pool's name in the cluster definition (a DNS label). */
  readonly name: string;
  readonly architecture: Architecture;
  /** Node names are `<nodePrefix>-<n>`. */
  readonly nodePrefix: string;
  readonly nodes: number;
  readonly vmis: number;
  /** VMIs per pinned kind (kinds of the pool's architecture); the rest start as the architecture's alias. */
  readonly pinned: Readonly<Partial<Record<PinnedKind, number>>>;
}

export interface ScenarioShape {
  readonly pools: readonly PoolShape[];
  readonly namespaces: number;
}

export const shapeNodes = (s: ScenarioShape) => s.pools.reduce((n, p) => n + p.nodes, 0);
export const shapeVmis = (s: ScenarioShape) => s.pools.reduce((n, p) => n + p.vmis, 0);

/** The kubevirt-upgrade full shape's pinned amd64 VMIs, per 400 VMIs. */
const AMD64_PINNED_PER_400 = { 'pinned-rhel9': 24, 'pinned-rhel8': 28, 'pinned-rhel7-q35': 4, 'pinned-i440fx': 4 } as const;
/** A quarter of the arm64 VMIs are pinned to a `virt-rhel9.*` type. */
const ARM64_PINNED_SHARE = 0.25;

/** The amd64 pinned kinds of a pool of `vmis` VMIs, in the full shape's proportions (at least one of each). */
function amd64Pinned(vmis: number): PoolShape['pinned'] {
  const share = (n: number) => Math.max(1, Math.round((n * vmis) / 400));
  return {
    'pinned-rhel9': share(AMD64_PINNED_PER_400['pinned-rhel9']),
    'pinned-rhel8': share(AMD64_PINNED_PER_400['pinned-rhel8']),
    'pinned-rhel7-q35': share(AMD64_PINNED_PER_400['pinned-rhel7-q35']),
    'pinned-i440fx': share(AMD64_PINNED_PER_400['pinned-i440fx']),
  };
}

const namespacesFor = (vmis: number) => Math.max(1, Math.min(8, Math.round(vmis / 100)));

const pool = (name: string, architecture: Architecture, nodePrefix: string, nodes: number, vmis: number, pinned: PoolShape['pinned']): PoolShape => ({
  name,
  architecture,
  nodePrefix,
  nodes,
  vmis,
  pinned,
});

/** `<nodes>x<vmis>` → the counts; throws with the sizes a scenario knows. */
function parseSize(size: string, named: readonly string[], minNodes: number, why: string): { nodes: number; vmis: number } {
  const m = /^(\d+)x(\d+)$/.exec(size);
  if (!m) throw new Error(`size "${size}" is neither ${named.join(', ')} nor <nodes>x<vmis> (e.g. 10x120)`);
  const nodes = Number(m[1]);
  const vmis = Number(m[2]);
  if (nodes < minNodes) throw new Error(`size "${size}": at least ${minNodes} nodes (${why})`);
  if (vmis < 10 || vmis > 5_000) throw new Error(`size "${size}": between 10 and 5,000 VMIs`);
  return { nodes, vmis };
}

const computePool = (nodes: number, vmis: number, pinned: PoolShape['pinned']) => pool('compute', 'amd64', 'node', nodes, vmis, pinned);

/** `small` runs in `npm test`; `full` is `npm run bench:upgrade`'s default. */
export const UPGRADE_SHAPES: Readonly<Record<'small' | 'full', ScenarioShape>> = {
  small: { pools: [computePool(4, 16, { 'pinned-rhel9': 2, 'pinned-rhel8': 2, 'pinned-rhel7-q35': 1, 'pinned-i440fx': 1 })], namespaces: 1 },
  full: { pools: [computePool(20, 400, AMD64_PINNED_PER_400)], namespaces: 4 },
};

/** The kubevirt-upgrade scenario's shape: `small`, `full`, or `<nodes>x<vmis>` in the full shape's proportions. */
export function upgradeShape(size: string): ScenarioShape {
  if (size in UPGRADE_SHAPES) return UPGRADE_SHAPES[size as keyof typeof UPGRADE_SHAPES];
  const { nodes, vmis } = parseSize(size, Object.keys(UPGRADE_SHAPES), 3, 'a drain needs somewhere to go');
  return { pools: [computePool(nodes, vmis, amd64Pinned(vmis))], namespaces: namespacesFor(vmis) };
}

function mixedArchOf(nodes: number, vmis: number): ScenarioShape {
  const armNodes = Math.max(2, Math.round(nodes / 3));
  const amdNodes = nodes - armNodes;
  const armVmis = Math.round((vmis * armNodes) / nodes);
  const amdVmis = vmis - armVmis;
  return {
    pools: [
      pool('amd64', 'amd64', 'amd64', amdNodes, amdVmis, amd64Pinned(amdVmis)),
      pool('arm64', 'arm64', 'arm64', armNodes, armVmis, { 'pinned-virt-rhel9': Math.max(1, Math.round(armVmis * ARM64_PINNED_SHARE)) }),
    ],
    namespaces: namespacesFor(vmis),
  };
}

/** `small` (3 amd64 + 2 arm64 nodes, 14 VMIs) runs in `npm test`; `full` is 13 + 7 nodes, 400 VMIs. */
export const MIXED_ARCH_SHAPES: Readonly<Record<'small' | 'full', ScenarioShape>> = {
  small: {
    pools: [
      pool('amd64', 'amd64', 'amd64', 3, 9, { 'pinned-rhel9': 1, 'pinned-rhel8': 2, 'pinned-rhel7-q35': 1, 'pinned-i440fx': 1 }),
      pool('arm64', 'arm64', 'arm64', 2, 5, { 'pinned-virt-rhel9': 2 }),
    ],
    namespaces: 1,
  },
  full: mixedArchOf(20, 400),
};

/** The mixed-arch scenario's shape: `small`, `full`, or `<nodes>x<vmis>` (at least 2 nodes per pool). */
export function mixedArchShape(size: string): ScenarioShape {
  if (size in MIXED_ARCH_SHAPES) return MIXED_ARCH_SHAPES[size as keyof typeof MIXED_ARCH_SHAPES];
  const { nodes, vmis } = parseSize(size, Object.keys(MIXED_ARCH_SHAPES), 4, 'two pools of at least 2, so a drain has somewhere to go');
  return mixedArchOf(nodes, vmis);
}
