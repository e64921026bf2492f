/**
 * The upgrade simulator's scenario: one cluster, its nodes and VMIs, the rolling upgrade and the
 * faults, all derived from a seed. Pure: one seed and size give one scenario, byte for byte.
 *
 * Four pools: two RHEL 9.6 pools whose nodes a node-OS step moves to RHEL 10.0 (half the pools), one
 * RHEL 9.6 pool that stays (its launcher is declared to lack `pc-q35-rhel7.6.0` with
 * `machineTypes.remove`) and one pool already on RHEL 10.0. Machine types come from the cluster's one
 * virt-launcher (compatibility/launcherCatalogue.ts), not from the node's OS: every node of a pool has
 * its pool's set, and the node-OS step changes none (compatibility/launcherSteps.ts). VMIs: most
 * started as `q35`, some pinned to older RHEL 8 and RHEL 9 types, a few pinned to `pc-q35-rhel7.6.0`,
 * which only the staying pool lacks. Node memory is sized from the VMIs so pools start 40–97 % full,
 * so some targets are full while the cluster as a whole has room.
 *
 * NOTE (issue 18): this scenario was written for the retired model, in which a node-OS upgrade changed
 * a node's machine types; upstream KubeVirt cannot produce that. It now plays the node-OS step
 * honestly (no type changes, so the plan strands nothing) and keeps only the pool-level difference.
 * Issue 19 replaces it with a real KubeVirt upgrade, where the launcher, and so the types, change.
 */
import { type MatrixDocument, matrixDocument } from '../../compatibility/matrixDocument.js';
import { type ResolvedPool, resolvePools } from '../../compatibility/poolMachineTypes.js';
import { type ClusterDefinition, type ClusterDefinitionInput, defineCluster } from '../../fleet/clusterDefinition.js';
import { validateCluster } from '../../fleet/fleetValidation.js';
import { knownIssuesOf } from '../../fleet/versionLint.js';
import { type CapabilitiesLayout, type NodeMachineState, nodeMachineState } from './nodeCapabilities.js';
import { type Random, seededRandom } from './prng.js';

export const SCENARIO_CLUSTER_NAME = 'upgrade-sim';
/** The label pools select their nodes by (value: the pool's name). */
export const POOL_SELECTOR_LABEL = 'node.example.com/pool';
/**
 * The type the staying pool's launcher is declared to lack (`machineTypes.remove`). Under the retired
 * model no pool ran it after the upgrade; a node-OS step keeps it on the upgraded pools, so the VMIs
 * pinned to it are no longer stranded: they just must not land on the staying pool.
 */
export const STRANDED_MACHINE_TYPE = 'pc-q35-rhel7.6.0';
const RHEL8_PINNED = { 'pc-q35-rhel8.6.0': 5, 'pc-q35-rhel8.4.0': 3, 'pc-q35-rhel8.2.0': 2 } as const;
const RHEL9_PINNED = { 'pc-q35-rhel9.4.0': 4, 'pc-q35-rhel9.2.0': 3, 'pc-q35-rhel9.0.0': 2 } as const;

export type PoolRole = 'upgraded' | 'stays-rhel9' | 'rhel10';
export type VmiKind = 'q35' | 'pinned-rhel8' | 'pinned-rhel9' | 'pinned-stranded';

export interface ScenarioPool {
  readonly name: string;
  readonly role: PoolRole;
  readonly nodes: number;
}

export interface ScenarioShape {
  readonly pools: readonly ScenarioPool[];
  readonly vmis: number;
  /** VMIs pinned to STRANDED_MACHINE_TYPE. */
  readonly strandedVmis: number;
  /** Nodes with the older alias-only capabilities layout (spread over the pools that start on 9.6). */
  readonly aliasOnlyNodes: number;
  /** Target nodes that go NotReady mid-migration. */
  readonly faults: number;
  /** Namespaces the VMIs are spread over. */
  readonly namespaces: number;
}

/** `full`: 44 nodes, 1,056 VMIs (the issue's ≥ 40 / ≥ 1,000). `small`: 8 nodes, 60 VMIs (`npm test`). */
export const SCENARIO_SHAPES = {
  full: {
    pools: [
      { name: 'rhel96-a', role: 'upgraded', nodes: 14 },
      { name: 'rhel96-b', role: 'upgraded', nodes: 14 },
      { name: 'rhel96-keep', role: 'stays-rhel9', nodes: 8 },
      { name: 'rhel10', role: 'rhel10', nodes: 8 },
    ],
    vmis: 1056,
    strandedVmis: 10,
    aliasOnlyNodes: 4,
    faults: 4,
    namespaces: 8,
  },
  small: {
    pools: [
      { name: 'rhel96-a', role: 'upgraded', nodes: 2 },
      { name: 'rhel96-b', role: 'upgraded', nodes: 2 },
      { name: 'rhel96-keep', role: 'stays-rhel9', nodes: 2 },
      { name: 'rhel10', role: 'rhel10', nodes: 2 },
    ],
    vmis: 60,
    strandedVmis: 2,
    aliasOnlyNodes: 1,
    faults: 1,
    namespaces: 2,
  },
} as const satisfies Record<string, ScenarioShape>;

export type ScenarioSizeName = keyof typeof SCENARIO_SHAPES;

/**
 * `full`, `small`, or `<nodes>x<vmis>` (e.g. `20x400`): the full shape's proportions at that size,
 * at least 2 nodes per upgraded pool and 1 per other pool.
 */
export function scenarioShape(size: string): ScenarioShape {
  if (size in SCENARIO_SHAPES) return SCENARIO_SHAPES[size as ScenarioSizeName];
  const m = /^(\d+)x(\d+)$/.exec(size);
  if (!m) throw new Error(`size "${size}" is neither ${Object.keys(SCENARIO_SHAPES).join(', ')} nor <nodes>x<vmis> (e.g. 20x400)`);
  const nodes = Number(m[1]);
  const vmis = Number(m[2]);
  if (nodes < 6) throw new Error(`size "${size}": at least 6 nodes (2 per upgraded pool, 1 per other pool)`);
  if (vmis < 10 || vmis > 20_000) throw new Error(`size "${size}": between 10 and 20,000 VMIs`);
  const full = SCENARIO_SHAPES.full;
  const fullNodes = full.pools.reduce((s, p) => s + p.nodes, 0);
  const keep = Math.max(1, Math.round((nodes * 8) / fullNodes));
  const rhel10 = Math.max(1, Math.round((nodes * 8) / fullNodes));
  const upgraded = nodes - keep - rhel10;
  const a = Math.ceil(upgraded / 2);
  return {
    pools: [
      { name: 'rhel96-a', role: 'upgraded', nodes: a },
      { name: 'rhel96-b', role: 'upgraded', nodes: upgraded - a },
      { name: 'rhel96-keep', role: 'stays-rhel9', nodes: keep },
      { name: 'rhel10', role: 'rhel10', nodes: rhel10 },
    ],
    vmis,
    strandedVmis: Math.max(1, Math.round(vmis / 100)),
    aliasOnlyNodes: Math.max(1, Math.round(nodes / 11)),
    faults: Math.max(1, Math.round(nodes / 11)),
    namespaces: Math.max(1, Math.min(8, Math.round(vmis / 120))),
  };
}

export interface ScenarioNode {
  readonly name: string;
  readonly pool: string;
  readonly layout: CapabilitiesLayout;
  /** The release the node runs at the start, and after its re-image (the same where no upgrade is planned). */
  readonly releaseBefore: string;
  readonly releaseAfter: string;
  readonly capacity: { readonly cpuMillis: number; readonly memoryMiB: number; readonly pods: number };
  /** Memory fill the scenario aimed for at the start (the generator's input; the real fill is in the VMIs). */
  readonly targetFill: number;
}

export interface ScenarioVmi {
  readonly namespace: string;
  readonly name: string;
  readonly node: string;
  readonly kind: VmiKind;
  /** `spec.domain.machine.type`: `q35`, or the pinned canonical type. */
  readonly specMachineType: string;
  /** `status.machine.type`: the canonical type QEMU resolved at start. */
  readonly machineType: string;
  readonly cpuMillis: number;
  readonly memoryMiB: number;
}

export interface ScenarioFault {
  /** Index into `upgradeOrder`: the drain during which the fault happens. */
  readonly drainIndex: number;
  /** The node where the drain's `afterTargets`-th migration target pod is bound goes NotReady. */
  readonly afterTargets: number;
  readonly notReadySeconds: number;
}

/** Simulated durations (seconds of the simulation clock). */
export interface ScenarioTiming {
  /** Drain done → node back Ready on its new release. */
  readonly reimageSeconds: number;
  /** A drain gives up once only VMIs that no other node in service can run are left, and have been for this long. */
  readonly unplaceableGraceSeconds: number;
  /** And ends at the latest after this long, whatever is left. */
  readonly maxDrainSeconds: number;
  /** KubeVirt's defaults (`pkg/virt-config/virt-config.go`). */
  readonly parallelMigrationsPerCluster: number;
  readonly parallelOutboundMigrationsPerNode: number;
}

export const DEFAULT_TIMING: ScenarioTiming = {
  reimageSeconds: 480,
  // One more round of KubeVirt's attempts for what is left: its unschedulable timeout (300 s).
  unplaceableGraceSeconds: 300,
  maxDrainSeconds: 3600,
  parallelMigrationsPerCluster: 5,
  parallelOutboundMigrationsPerNode: 2,
};

export interface Scenario {
  readonly seed: number;
  readonly size: string;
  readonly shape: ScenarioShape;
  readonly pools: readonly ScenarioPool[];
  readonly nodes: readonly ScenarioNode[];
  readonly vmis: readonly ScenarioVmi[];
  readonly namespaces: readonly string[];
  /** Nodes drained and re-imaged, one at a time, in this order. */
  readonly upgradeOrder: readonly string[];
  readonly faults: readonly ScenarioFault[];
  readonly timing: ScenarioTiming;
}

const GIB = 1024;
/** KubeVirt's default cpuAllocationRatio 10: a launcher requests 100m per vCPU. */
export const CPU_MILLIS_PER_VCPU = 100;

function poolInput(p: ScenarioPool, nodeCount: number): ClusterDefinitionInput['nodePools'][number] {
  const base = { name: p.name, nodeSelector: { [POOL_SELECTOR_LABEL]: p.name }, nodeCount, os: RELEASE_BEFORE[p.role] };
  return p.role === 'stays-rhel9' ? { ...base, machineTypes: { remove: [STRANDED_MACHINE_TYPE] } } : base;
}

/**
 * The scenario's cluster as a normal definition (validated like a `clusters/*.ts` file), so the real
 * generators produce its policies, controller settings and matrix.
 */
export function scenarioCluster(scenario: Pick<Scenario, 'pools'>, kubevirtVersion: string): ClusterDefinition {
  const base = defineCluster({
    name: SCENARIO_CLUSTER_NAME,
    kubernetesVersion: '1.33',
    kubevirtVersion,
    kubeOvn: 'none',
    argocd: { name: SCENARIO_CLUSTER_NAME },
    nodePools: scenario.pools.map((p) => poolInput(p, p.nodes)),
    // The rolling upgrade: one node-OS step per upgraded pool, which changes no machine type.
    plannedSteps: scenario.pools.filter((p) => p.role === 'upgraded').map((p) => ({ kind: 'node-os-upgrade' as const, pool: p.name, to: RELEASE_AFTER[p.role] })),
  });
  // Known bugs of the simulated KubeVirt release that would stop synthesis are accepted, with the
  // reason a cluster file must give: the stand-in does not play them.
  const blocking = knownIssuesOf(base).filter((f) => f.issue.severity === 'error');
  const input = blocking.length
    ? defineCluster({
        ...base,
        acceptedKnownIssues: Object.fromEntries(
          blocking.map((f) => [f.issue.id, 'upgrade simulator: the KubeVirt stand-in plays migration and evacuation, not this bug; a real cluster must weigh it']),
        ),
      })
    : base;
  const validated = validateCluster(`clusters/${SCENARIO_CLUSTER_NAME}.ts`, input);
  if (!validated.definition) throw new Error(`the scenario's cluster definition is invalid:\n${validated.problems.map(String).join('\n')}`);
  return validated.definition;
}

export function scenarioPools(scenario: Pick<Scenario, 'pools'>): ResolvedPool[] {
  // The pools' sets do not depend on the version: every simulated release (1.5, 1.6) ships QEMU 9.1.
  return resolvePools(scenarioCluster(scenario, '1.6.2'));
}

/** What the labeller reads for a mode's KubeVirt version: the generated matrix ConfigMap's document. */
export function scenarioMatrix(scenario: Pick<Scenario, 'pools'>, kubevirtVersion: string): MatrixDocument {
  return matrixDocument(scenarioCluster(scenario, kubevirtVersion));
}

const RELEASE_BEFORE: Record<PoolRole, string> = { upgraded: 'rhel-9.6', 'stays-rhel9': 'rhel-9.6', rhel10: 'rhel-10.0' };
const RELEASE_AFTER: Record<PoolRole, string> = { upgraded: 'rhel-10.0', 'stays-rhel9': 'rhel-9.6', rhel10: 'rhel-10.0' };

/** Memory fill aimed for at the start: upgraded pools full (some nodes nearly so), the others with room. */
function targetFill(role: PoolRole, rnd: Random): number {
  if (role === 'upgraded') return rnd.next() < 0.2 ? 0.93 + rnd.next() * 0.04 : 0.72 + rnd.next() * 0.13;
  if (role === 'stays-rhel9') return 0.38 + rnd.next() * 0.1;
  return 0.55 + rnd.next() * 0.1;
}

function vmiSize(rnd: Random): { cpuMillis: number; memoryMiB: number } {
  const memoryGiB = Number(rnd.weighted({ '2': 30, '4': 40, '8': 22, '16': 8 }));
  const vcpus = Math.max(1, Math.min(8, memoryGiB / 2 + (rnd.next() < 0.3 ? 1 : 0)));
  return { cpuMillis: vcpus * CPU_MILLIS_PER_VCPU, memoryMiB: memoryGiB * GIB };
}

/**
 * The launcher pod's memory request for a VMI: what fills a node. The KubeVirt stand-in copies the
 * VMI's requests into the pod as they are (sim/kubevirt/launcherPod.ts); real KubeVirt adds a few
 * hundred MiB of overhead, which only shifts where "full" is.
 */
export const podMemoryMiB = (v: Pick<ScenarioVmi, 'memoryMiB'>) => v.memoryMiB;

export function buildScenario(seed: number, size = 'full', timing: ScenarioTiming = DEFAULT_TIMING): Scenario {
  const shape = scenarioShape(size);
  const rnd = seededRandom(seed);
  const pools = shape.pools;
  const matrix = scenarioMatrix({ pools }, '1.6.2');
  const resolved = matrix.pools;
  const roleOf = new Map(pools.map((p) => [p.name, p.role]));

  // Alias-only nodes: spread over the pools that start on RHEL 9.6, the last nodes of each.
  const rhel9Pools = pools.filter((p) => p.role !== 'rhel10');
  const aliasOnly = new Set<string>();
  for (let i = 0; i < shape.aliasOnlyNodes; i++) {
    const p = rhel9Pools[i % rhel9Pools.length]!;
    aliasOnly.add(`${p.name}-${p.nodes - 1 - Math.floor(i / rhel9Pools.length)}`);
  }

  const draft = pools.flatMap((p) => Array.from({ length: p.nodes }, (_, i) => ({ name: `${p.name}-${i}`, pool: p.name, role: p.role, fill: targetFill(p.role, rnd) })));

  // VMIs: kinds and sizes first, then node memory from their total, then placement.
  const strandedCount = shape.strandedVmis;
  const rhel8Count = Math.round(shape.vmis * 0.07);
  const rhel9Count = Math.round(shape.vmis * 0.06);
  const kinds: VmiKind[] = [
    ...Array<VmiKind>(strandedCount).fill('pinned-stranded'),
    ...Array<VmiKind>(rhel8Count).fill('pinned-rhel8'),
    ...Array<VmiKind>(rhel9Count).fill('pinned-rhel9'),
  ];
  while (kinds.length < shape.vmis) kinds.push('q35');
  const sized = rnd.shuffle(kinds).map((kind, i) => ({ kind, i, ...vmiSize(rnd) }));
  const totalPodMemory = sized.reduce((s, v) => s + podMemoryMiB(v), 0);
  const fillSum = draft.reduce((s, n) => s + n.fill, 0);
  // Whole GiB, so capacities read as a real node's would.
  const memoryMiB = Math.ceil(totalPodMemory / fillSum / GIB) * GIB;
  const capacity = { cpuMillis: 64_000, memoryMiB, pods: 250 };
  const nodes: ScenarioNode[] = draft.map((n) => ({
    name: n.name,
    pool: n.pool,
    layout: aliasOnly.has(n.name) ? 'alias-only' : 'modern',
    releaseBefore: RELEASE_BEFORE[n.role],
    releaseAfter: RELEASE_AFTER[n.role],
    capacity,
    targetFill: Math.round(n.fill * 1000) / 1000,
  }));

  // Placement choices (every pool but the staying one runs every type): pinned-stranded VMIs start on the pools being upgraded.
  const eligible = (kind: VmiKind, role: PoolRole) => (kind === 'pinned-stranded' ? role === 'upgraded' : kind === 'pinned-rhel8' ? role !== 'rhel10' : true);
  const used = new Map(nodes.map((n) => [n.name, 0]));
  const target = new Map(draft.map((n) => [n.name, n.fill * memoryMiB]));
  const q35Of = new Map(
    nodes.map((n) => {
      const pool = resolved.find((p) => p.name === n.pool)!;
      const state = nodeMachineState({ name: n.name, pool, matrix, set: pool.current, layout: n.layout, kubevirtVersion: '1.6.2', kvfleet: false });
      return [n.name, state.q35] as const;
    }),
  );
  const namespaces = Array.from({ length: shape.namespaces }, (_, i) => `tenant-${i}`);
  const width = String(shape.vmis - 1).length;
  // Largest first, each on the eligible node furthest below its target fill that still has room.
  const order = [...sized].sort((a, b) => podMemoryMiB(b) - podMemoryMiB(a) || a.i - b.i);
  const placed = new Map<number, string>();
  for (const v of order) {
    let best: string | undefined;
    let bestRoom = -Infinity;
    for (const n of nodes) {
      if (!eligible(v.kind, roleOf.get(n.pool)!)) continue;
      if (used.get(n.name)! + podMemoryMiB(v) > memoryMiB) continue;
      const room = target.get(n.name)! - used.get(n.name)!;
      if (room > bestRoom) {
        bestRoom = room;
        best = n.name;
      }
    }
    if (!best) throw new Error(`scenario ${seed}/${size}: no node has room for a ${podMemoryMiB(v)} MiB ${v.kind} VMI`);
    used.set(best, used.get(best)! + podMemoryMiB(v));
    placed.set(v.i, best);
  }
  const vmis: ScenarioVmi[] = sized.map((v) => {
    const node = placed.get(v.i)!;
    const pinned =
      v.kind === 'pinned-stranded'
        ? STRANDED_MACHINE_TYPE
        : v.kind === 'pinned-rhel8'
          ? rnd.weighted(RHEL8_PINNED)
          : v.kind === 'pinned-rhel9'
            ? rnd.weighted(RHEL9_PINNED)
            : undefined;
    const q35 = q35Of.get(node);
    if (!pinned && !q35) throw new Error(`node ${node} resolves no q35`);
    return {
      namespace: namespaces[v.i % namespaces.length]!,
      name: `vm-${String(v.i).padStart(width, '0')}`,
      node,
      kind: v.kind,
      specMachineType: pinned ?? 'q35',
      machineType: pinned ?? q35!,
      cpuMillis: v.cpuMillis,
      memoryMiB: v.memoryMiB,
    };
  });

  const upgradeOrder = pools.filter((p) => p.role === 'upgraded').flatMap((p) => rnd.shuffle(nodes.filter((n) => n.pool === p.name).map((n) => n.name)));
  // Faults spread over the upgrade, never in the first drain (nothing has warmed up) .
  const faults: ScenarioFault[] = [];
  const stride = upgradeOrder.length / (shape.faults + 1);
  for (let f = 0; f < shape.faults; f++) {
    const drainIndex = Math.min(upgradeOrder.length - 1, Math.max(1, Math.round(stride * (f + 1))));
    if (faults.some((x) => x.drainIndex === drainIndex)) continue;
    faults.push({ drainIndex, afterTargets: 2 + rnd.int(3), notReadySeconds: 120 + rnd.int(181) });
  }
  return { seed, size, shape, pools, nodes, vmis, namespaces, upgradeOrder, faults, timing };
}

/**
 * A node's machine-type state at the start or after its re-image, as a mode's cluster labels it. The
 * re-image is a node-OS step: the node keeps its pool's set and its capabilities layout, because the
 * labeller reads capabilities inside the cluster's virt-launcher image, which the node's OS does not change.
 */
export function nodeStateOf(
  scenario: Scenario,
  nodeName: string,
  upgraded: boolean,
  mode: { readonly kubevirtVersion: string; readonly kvfleet: boolean },
  matrix: MatrixDocument = scenarioMatrix(scenario, mode.kubevirtVersion),
): NodeMachineState {
  const node = scenario.nodes.find((n) => n.name === nodeName);
  if (!node) throw new Error(`no node ${nodeName} in the scenario`);
  const pool = matrix.pools.find((p) => p.name === node.pool)!;
  // The set after the node's pool's node-OS step (the last step, when re-imaged); the same set as before.
  const set = upgraded ? pool.sets.at(-1)! : pool.current;
  return nodeMachineState({ name: node.name, pool, matrix, set, layout: node.layout, kubevirtVersion: mode.kubevirtVersion, kvfleet: mode.kvfleet });
}
