/**
 * The upgrade simulator's scenarios, as data: a KubeVirt upgrade whose launcher drops machine types
 * that VMs run, on the node pools of a shape (shapes.ts). Pure: one scenario name, seed and size give
 * one scenario, byte for byte.
 *
 * The cluster runs KubeVirt 1.7.0 with upstream's CentOS Stream 9 launcher (QEMU 9.1: `q35` is
 * `pc-q35-rhel9.6.0`, the RHEL 8 and 7.6 types are still there; `virt` is `virt-rhel9.6.0`). The planned
 * step is KubeVirt 1.8.0 built from CentOS Stream 10 (QEMU 10.1 el10: on amd64 every RHEL 7.6 and 8.x
 * type gone, the RHEL 9 types deprecated; on arm64 every `virt-rhel9.*` type kept, deprecated;
 * compatibility/launcherCatalogue.ts). Only virt-controller v1.7.0 is built here, so the step is played
 * as virt-operator would carry it out with that binary: virt-handler relabels the nodes from the new
 * launcher (canary, then 10 % at a time), virt-controller restarts with the new `--launcher-image`, the
 * KubeVirt CR reports the new version deployed, the workload updater live-migrates the outdated VMIs,
 * then every node is drained in turn (a node-OS patch after the upgrade).
 *
 * - `kubevirt-upgrade`: one amd64 pool. VMIs: most started as `q35`, some pinned to RHEL 9 types (kept by
 *   the new launcher), to RHEL 8 types and `pc-q35-rhel7.6.0` (dropped; `kvfleet plan`'s fix: restart onto
 *   the move-to type), and to `pc-i440fx-rhel7.6.0` (dropped, and no i440fx type runs on both launchers:
 *   the only fix is holding the step).
 * - `mixed-arch`: the same amd64 VMIs on an amd64 pool, plus an arm64 pool whose VMIs start as `virt` or
 *   pinned to `virt-rhel9.*` types (vmiKinds.ts), all kept by the step.
 */
import { simulatorCluster } from '../support/simulatorCluster.js';
import { type ClusterDefinition, defineCluster } from '../../fleet/clusterDefinition.js';
import { type LauncherEntry, launcherEntry } from '../../compatibility/launcherCatalogue.js';
import { type Architecture } from '../../compatibility/machineTypeNames.js';
import { type Random, seededRandom } from '../support/prng.js';
import { mixedArchShape, type ScenarioShape, shapeNodes, shapeVmis, upgradeShape } from './shapes.js';
import { DEFAULT_TIMING, type ScenarioTiming } from '../support/timing.js';
import { aliasKindOf, type VmiKind, VMI_KIND_SPECS } from './vmiKinds.js';

export const SCENARIO_CLUSTER_NAME = 'upgrade-sim';
/** The label each pool selects its nodes by (value: the pool's name). */
export const POOL_SELECTOR_LABEL = 'node.example.com/pool';

/** The KubeVirt the cluster runs, and the step it takes. */
export const FROM = { version: '1.7.0', build: 'centos-stream-9' } as const;
export const TO = {
  version: '1.8.0',
  build: 'centos-stream-10',
  // Upstream publishes no CentOS Stream 10 launcher: the definition must name one (as a platform team building it would).
  image: 'registry.example.com/kvfleet-sim/virt-launcher:v1.8.0-cs10',
} as const;

export const fromLauncher = (): LauncherEntry => launcherEntry(FROM.version, FROM.build)!;
export const toLauncher = (): LauncherEntry => launcherEntry(TO.version, TO.build)!;

export interface ScenarioPool {
  readonly name: string;
  readonly architecture: Architecture;
  /** Its nodes' names. */
  readonly nodes: readonly string[];
}

export interface ScenarioNode {
  readonly name: string;
  readonly pool: string;
  /** What the kubelet reports as `kubernetes.io/arch`. */
  readonly architecture: Architecture;
  readonly capacity: { readonly cpu: string; readonly memoryMiB: number; readonly pods: number };
}

export interface ScenarioVmi {
  readonly namespace: string;
  readonly name: string;
  readonly kind: VmiKind;
  /** `spec.architecture` (what virt-api defaults it to in a real cluster). */
  readonly architecture: Architecture;
  /** `spec.domain.machine.type`: the architecture's alias, or the pinned canonical type. */
  readonly specMachineType: string;
  readonly memoryMiB: number;
  readonly cpuMillis: number;
}

export interface Scenario {
  /** The scenario's name in the registry (scenarios.ts), e.g. `mixed-arch`. */
  readonly name: string;
  readonly seed: number;
  readonly size: string;
  readonly shape: ScenarioShape;
  readonly pools: readonly ScenarioPool[];
  readonly nodes: readonly ScenarioNode[];
  readonly vmis: readonly ScenarioVmi[];
  readonly namespaces: readonly string[];
  /** virt-handler's rollout order (the first is the canary). */
  readonly rolloutOrder: readonly string[];
  /** Nodes drained one at a time, in this order. */
  readonly drainOrder: readonly string[];
  readonly timing: ScenarioTiming;
}

/** KubeVirt's default cpuAllocationRatio 10: a launcher requests 100m per vCPU. */
export const CPU_MILLIS_PER_VCPU = 100;
/** What virt-controller adds to a launcher pod's memory request beyond the guest (roughly; it depends on the VMI). */
export const LAUNCHER_OVERHEAD_MIB = 400;

/**
 * The scenario's cluster as a normal definition (validated like a `clusters/*.ts` file), so the real
 * generators produce its policies and controller settings and `kvfleet plan` judges it. One node pool
 * per scenario pool, with its architecture.
 */
export function scenarioCluster(scenario: Pick<Scenario, 'pools'>): ClusterDefinition {
  const base = defineCluster({
    name: SCENARIO_CLUSTER_NAME,
    kubernetesVersion: '1.33',
    kubevirtVersion: FROM.version,
    launcher: { build: FROM.build },
    kubeOvn: 'none',
    argocd: { name: SCENARIO_CLUSTER_NAME },
    nodePools: scenario.pools.map((p) => ({
      name: p.name,
      nodeSelector: { [POOL_SELECTOR_LABEL]: p.name },
      // amd64 is the schema's default; written only where it is not, as a cluster file would.
      ...(p.architecture !== 'amd64' ? { architecture: p.architecture } : {}),
      nodeCount: p.nodes.length,
    })),
    plannedSteps: [{ kind: 'kubevirt-upgrade', to: TO.version, build: TO.build, image: TO.image }],
  });
  return simulatorCluster(base, 'upgrade simulator: the stand-ins do not play this bug; a real cluster must weigh it');
}

function vmiSize(rnd: Random): { cpuMillis: number; memoryMiB: number } {
  const memoryGiB = Number(rnd.weighted({ '1': 35, '2': 40, '4': 20, '8': 5 }));
  const vcpus = Math.max(1, Math.min(4, memoryGiB / 2 + (rnd.next() < 0.3 ? 1 : 0)));
  return { cpuMillis: vcpus * CPU_MILLIS_PER_VCPU, memoryMiB: memoryGiB * 1024 };
}

/** The kinds of every VMI of the shape, pool by pool: its pinned ones, the rest as the architecture's alias. */
function kindsOf(shape: ScenarioShape, size: string): VmiKind[] {
  return shape.pools.flatMap((pool) => {
    const kinds = (Object.entries(pool.pinned) as [VmiKind, number][]).flatMap(([k, n]) => Array<VmiKind>(n).fill(k));
    const wrongArch = kinds.find((k) => VMI_KIND_SPECS[k].architecture !== pool.architecture);
    if (wrongArch) throw new Error(`size "${size}": pool ${pool.name} (${pool.architecture}) pins ${wrongArch} VMIs, a kind of another architecture`);
    if (kinds.length >= pool.vmis) throw new Error(`size "${size}": pool ${pool.name} has more pinned VMIs than VMIs`);
    return [...kinds, ...Array<VmiKind>(pool.vmis - kinds.length).fill(aliasKindOf(pool.architecture))];
  });
}

/**
 * Node memory, per pool, so a drained node's VMIs fit on the pool's other nodes: the pool ~60 % full,
 * less when it is small (at most 80 % full with one node out; a 2-node pool is 40 % full).
 */
function nodeMemoryMiB(vmis: readonly ScenarioVmi[], nodes: number): number {
  const total = vmis.reduce((s, v) => s + v.memoryMiB + LAUNCHER_OVERHEAD_MIB, 0);
  const fill = Math.min(0.6, (0.8 * (nodes - 1)) / nodes);
  return Math.max(16, Math.ceil(total / fill / nodes / 1024)) * 1024;
}

/** One scenario of `shape`. The draws are in a fixed order, so a one-pool shape gives what it always gave. */
export function scenarioFromShape(name: string, seed: number, size: string, shape: ScenarioShape, timing: ScenarioTiming): Scenario {
  const rnd = seededRandom(seed);
  const kinds = kindsOf(shape, size);
  const namespaces = Array.from({ length: shape.namespaces }, (_, i) => `tenant-${i}`);
  const width = String(shapeVmis(shape) - 1).length;
  const vmis: ScenarioVmi[] = rnd.shuffle(kinds).map((kind, i) => {
    const spec: { architecture: Architecture; alias?: string; pinned?: Readonly<Record<string, number>> } = VMI_KIND_SPECS[kind];
    return {
      namespace: namespaces[i % namespaces.length]!,
      name: `vm-${String(i).padStart(width, '0')}`,
      kind,
      architecture: spec.architecture,
      specMachineType: spec.alias ?? rnd.weighted(spec.pinned!),
      ...vmiSize(rnd),
    };
  });
  const nodeWidth = String(Math.max(...shape.pools.map((p) => p.nodes)) - 1).length;
  const nodes: ScenarioNode[] = shape.pools.flatMap((pool) => {
    const memoryMiB = nodeMemoryMiB(
      vmis.filter((v) => v.architecture === pool.architecture),
      pool.nodes,
    );
    return Array.from({ length: pool.nodes }, (_, i) => ({
      name: `${pool.nodePrefix}-${String(i).padStart(nodeWidth, '0')}`,
      pool: pool.name,
      architecture: pool.architecture,
      capacity: { cpu: '64', memoryMiB, pods: 250 },
    }));
  });
  const pools = shape.pools.map((p) => ({ name: p.name, architecture: p.architecture, nodes: nodes.filter((n) => n.pool === p.name).map((n) => n.name) }));
  const names = nodes.map((n) => n.name);
  if (shapeNodes(shape) !== names.length) throw new Error(`size "${size}": node count mismatch`);
  return { name, seed, size, shape, pools, nodes, vmis, namespaces, rolloutOrder: rnd.shuffle(names), drainOrder: rnd.shuffle(names), timing };
}

/** The `kubevirt-upgrade` scenario: one amd64 pool. */
export function buildScenario(seed: number, size = 'full', timing: ScenarioTiming = DEFAULT_TIMING): Scenario {
  return scenarioFromShape('kubevirt-upgrade', seed, size, upgradeShape(size), timing);
}

/** The `mixed-arch` scenario: an amd64 and an arm64 pool. */
export function buildMixedArchScenario(seed: number, size = 'full', timing: ScenarioTiming = DEFAULT_TIMING): Scenario {
  return scenarioFromShape('mixed-arch', seed, size, mixedArchShape(size), timing);
}

/** virt-operator's rollout (pkg/virt-operator/resource/apply/apps.go): one canary node, then batches of 10 % of the nodes (at least one). */
export function rolloutBatches(order: readonly string[]): string[][] {
  if (order.length === 0) return [];
  const size = Math.max(1, Math.ceil(order.length * 0.1));
  const batches = [[order[0]!]];
  for (let i = 1; i < order.length; i += size) batches.push(order.slice(i, i + size));
  return batches;
}

/** The canonical type the cluster's launcher (before the step) gives a VMI at start: what `status.machine.type` will say. */
export function startedMachineType(v: Pick<ScenarioVmi, 'specMachineType' | 'architecture'>): string {
  const list = fromLauncher().architectures[v.architecture]!;
  return list.aliases[v.specMachineType] ?? v.specMachineType;
}

/** True when the step's launcher lacks the type on the architecture: the VMI can neither be updated nor drained. */
export function droppedByStep(machineType: string, architecture: Architecture): boolean {
  return !(toLauncher().architectures[architecture]?.machineTypes ?? []).includes(machineType);
}
