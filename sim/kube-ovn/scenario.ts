/**
 * The Kube-OVN scenario of the simulator: every live migration of a rolling drain goes through the
 * REAL virt-controller (v1.7.0) and the REAL kube-ovn-controller (v1.16.2, the release the Go module
 * proxy serves) with its OVN Northbound database, and the report says per migration whether and when
 * kube-ovn-controller gave the VM's port both chassis (`requested-chassis=<src>,<dst>`,
 * `activation-strategy=rarp`: the target's copy of the port is ready before the switch-over, which is
 * what keeps the network downtime of a migration minimal).
 *
 * Two phases, each migration an evacuation virt-controller creates for a node carrying its drain taint
 * (`kubevirt.io/drain=draining:NoSchedule`, KubeVirt's default `nodeDrainTaintKey`):
 * - **rolling drain**: every node in turn, the others open: the scheduler binds each target pod as
 *   soon as virt-controller creates it;
 * - **targets wait for a node**: one more drain while every other node is cordoned (a maintenance
 *   window), uncordoned `targetWaitSeconds` later: the target pods are still unbound when the
 *   migrations enter `Scheduling`, the case kube-ovn#6823 names (fixed by PR #6834 after v1.16.2).
 *
 * Pure: one seed and size give one scenario.
 */
import { simulatorCluster } from '../support/simulatorCluster.js';
import { type ClusterDefinition, defineCluster } from '../../fleet/clusterDefinition.js';
import { type Random, seededRandom } from '../support/prng.js';

export const KUBE_OVN_SCENARIO_CLUSTER = 'kube-ovn-sim';
/** The release the test bed builds (testbed/tools.d/kube-ovn.sh); the scenario's definition names it. */
export const SIM_KUBE_OVN_VERSION = '1.16.2';
export const SIM_KUBEVIRT_VERSION = '1.7.0';
/** The namespace the VMs run in (kube-ovn-controller puts it on its default subnet). */
export const VM_NAMESPACE = 'vms';

export interface KubeOvnScenarioShape {
  readonly nodes: number;
  readonly vms: number;
}

export const KUBE_OVN_SHAPES = {
  small: { nodes: 3, vms: 6 },
  full: { nodes: 6, vms: 48 },
} as const satisfies Record<string, KubeOvnScenarioShape>;

/** Durations in seconds of real time (both controllers keep real time). */
export interface KubeOvnTiming {
  /** A drain gives up once a VMI has been left on the node this long. */
  readonly drainCapSeconds: number;
  /** How long the other nodes stay cordoned while the last drain's target pods wait. */
  readonly targetWaitSeconds: number;
  /** Live migration: setup plus memory copy per GiB (the virt-handler stand-in's Running time). */
  readonly migrationBaseSeconds: number;
  readonly migrationSecondsPerGiB: number;
  /** KubeVirt's defaults (`pkg/virt-config/virt-config.go`). */
  readonly parallelMigrationsPerCluster: number;
  readonly parallelOutboundMigrationsPerNode: number;
}

export const KUBE_OVN_TIMING: KubeOvnTiming = {
  drainCapSeconds: 180,
  targetWaitSeconds: 15,
  migrationBaseSeconds: 1,
  migrationSecondsPerGiB: 0.5,
  parallelMigrationsPerCluster: 5,
  parallelOutboundMigrationsPerNode: 2,
};

export const KUBE_OVN_SMALL_TIMING: KubeOvnTiming = { ...KUBE_OVN_TIMING, drainCapSeconds: 30, targetWaitSeconds: 6 };

export interface KubeOvnScenarioVm {
  readonly name: string;
  readonly memoryMiB: number;
}

export interface KubeOvnScenario {
  readonly seed: number;
  readonly size: string;
  readonly nodes: readonly string[];
  readonly vms: readonly KubeOvnScenarioVm[];
  /** Nodes drained one at a time, in this order (phase 1). */
  readonly drainOrder: readonly string[];
  /** The node drained while every other node is cordoned (phase 2). */
  readonly waitingDrainNode: string;
  readonly timing: KubeOvnTiming;
}

/** `small`, `full`, or `<nodes>x<vms>` (e.g. `4x20`). */
export function kubeOvnShape(size: string): KubeOvnScenarioShape {
  if (size in KUBE_OVN_SHAPES) return KUBE_OVN_SHAPES[size as keyof typeof KUBE_OVN_SHAPES];
  const m = /^(\d+)x(\d+)$/.exec(size);
  if (!m) throw new Error(`size "${size}" is neither ${Object.keys(KUBE_OVN_SHAPES).join(', ')} nor <nodes>x<vms> (e.g. 4x20)`);
  const shape = { nodes: Number(m[1]), vms: Number(m[2]) };
  if (shape.nodes < 2) throw new Error(`size "${size}": at least 2 nodes (a drain needs somewhere to go)`);
  if (shape.vms < 2 || shape.vms > 500) throw new Error(`size "${size}": between 2 and 500 VMs`);
  return shape;
}

function vmMemoryMiB(rnd: Random): number {
  return Number(rnd.weighted({ '1': 50, '2': 40, '4': 10 })) * 1024;
}

export function buildKubeOvnScenario(seed: number, size = 'full', timing: KubeOvnTiming = KUBE_OVN_TIMING): KubeOvnScenario {
  const shape = kubeOvnShape(size);
  const rnd = seededRandom(seed);
  const nodeWidth = String(shape.nodes - 1).length;
  const vmWidth = String(shape.vms - 1).length;
  const nodes = Array.from({ length: shape.nodes }, (_, i) => `node-${String(i).padStart(nodeWidth, '0')}`);
  const vms = Array.from({ length: shape.vms }, (_, i) => ({ name: `vm-${String(i).padStart(vmWidth, '0')}`, memoryMiB: vmMemoryMiB(rnd) }));
  const drainOrder = rnd.shuffle(nodes);
  return { seed, size, nodes, vms, drainOrder, waitingDrainNode: rnd.pick(nodes), timing };
}

/** Seconds a live migration of `memoryBytes` of guest stays in Running. */
export function kubeOvnMigrationSeconds(timing: KubeOvnTiming, memoryBytes: number | undefined): number {
  return timing.migrationBaseSeconds + ((memoryBytes ?? 1024 ** 3) / 1024 ** 3) * timing.migrationSecondsPerGiB;
}

/**
 * The scenario's cluster as a definition (validated like a `clusters/*.ts` file): Kube-OVN at the
 * release the test bed runs, its chart values written by kvfleet as edge-ovn's are. Its version
 * lint finds kube-ovn#6823, which the run then shows happening; the definition accepts it so the
 * generators run, as a cluster file would have to.
 */
export function kubeOvnScenarioCluster(nodeCount: number): ClusterDefinition {
  const base = defineCluster({
    name: KUBE_OVN_SCENARIO_CLUSTER,
    kubernetesVersion: '1.33',
    kubevirtVersion: SIM_KUBEVIRT_VERSION,
    kubeOvn: { version: SIM_KUBE_OVN_VERSION, install: { chart: 'kube-ovn-v2', version: `v${SIM_KUBE_OVN_VERSION}` } },
    argocd: { name: KUBE_OVN_SCENARIO_CLUSTER },
    nodePools: [{ name: 'compute', nodeSelector: { 'node.example.com/pool': 'compute' }, nodeCount }],
  });
  return simulatorCluster(base, 'Kube-OVN simulator: runs the release the test bed builds to show what the lint predicts');
}
