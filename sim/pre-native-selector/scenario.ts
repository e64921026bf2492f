/**
 * The `pre-1.5.1` scenario (issue 19, item 3): a cluster on KubeVirt 1.5.0, the last release whose
 * virt-controller puts no machine-type selector on launcher pods, with one node whose launcher QEMU
 * lacks the type most VMs run, then a rolling drain of the other nodes. Pure: one seed and size give
 * one scenario, byte for byte.
 *
 * Why this node, and not another per-node difference (README.md says more):
 * - Machine types come from the launcher image, one per cluster and architecture
 *   (../shared/notes/machine-types-source.md); across architectures KubeVirt 1.5.0 already steers:
 *   its `NewNodeSelectorRenderer` (pkg/virt-controller/services/nodeselectorrenderer.go at v1.5.0) puts
 *   `kubernetes.io/arch` from `spec.architecture`, which virt-api defaults (pkg/defaults/defaults.go
 *   `setDefaultArchitecture`). On 1.5.0 there are no machine-type labels for a canary window to mix.
 * - What is left is a node whose container runtime runs another launcher build than the others under
 *   the cluster's image reference (a stale image kept with `imagePullPolicy: IfNotPresent`, a mirror
 *   serving an older build): an operator's fault, not a KubeVirt behaviour, which 1.5.0 does nothing
 *   against. It has /dev/kvm, virt-handler runs, `kubevirt.io/schedulable` is true: nothing keeps a
 *   migration target off it, and its QEMU refuses the VM's type (libvirt src/qemu/qemu_validate.c).
 *   Here it is the KubeVirt 1.4 build (QEMU 9.0: `q35` is `pc-q35-rhel9.4.0`, no `pc-q35-rhel9.6.0`).
 *   It joins empty after the VMs started, so kube-scheduler's least-allocated scoring favours it.
 */
import { simulatorCluster } from '../support/simulatorCluster.js';
import { type ClusterDefinition, defineCluster } from '../../fleet/clusterDefinition.js';
import { LAUNCHER_CATALOGUE, type LauncherEntry, launcherEntry } from '../../compatibility/launcherCatalogue.js';
import { type Architecture } from '../../compatibility/machineTypeNames.js';
import { POOL_SELECTOR_LABEL, type Scenario, type ScenarioNode, type ScenarioVmi, scenarioFromShape } from '../upgrade/scenario.js';
import { upgradeShape } from '../upgrade/shapes.js';
import { DEFAULT_TIMING, type ScenarioTiming } from '../support/timing.js';

export const SCENARIO_NAME = 'pre-1.5.1';
export const CLUSTER_NAME = 'pre-native-selector-sim';

/** The cluster's KubeVirt: before `NATIVE_MACHINE_TYPE_SELECTOR_SINCE` (compatibility/kubevirtVersions.ts). */
export const KUBEVIRT = { version: '1.5.0', build: 'centos-stream-9' } as const;
/** The launcher build the broken node's runtime runs under the cluster's launcher image reference. */
export const STALE_LAUNCHER = { version: '1.4.0', build: 'centos-stream-9' } as const;
export const BROKEN_NODE = 'node-stale-launcher';

export const clusterLauncher = (): LauncherEntry => launcherEntry(KUBEVIRT.version, KUBEVIRT.build)!;
export const staleLauncher = (): LauncherEntry => launcherEntry(STALE_LAUNCHER.version, STALE_LAUNCHER.build)!;

export interface PreNativeScenario {
  readonly name: typeof SCENARIO_NAME;
  readonly seed: number;
  readonly size: string;
  /**
   * The healthy nodes (one amd64 pool, ~60 % full), the VMIs, the drain order and the timing, built as the
   * upgrade simulator builds its one-pool scenario (sim/upgrade/scenario.ts `scenarioFromShape`): most
   * VMIs `q35`, some pinned to RHEL 9, RHEL 8 and 7.6 types.
   */
  readonly base: Scenario;
  /** Joins the pool empty once the VMIs run; never drained itself (it is a target, not a source). */
  readonly brokenNode: ScenarioNode;
  /** Catalogue entry id of each node's launcher as the node runs it. */
  readonly nodeLaunchers: Readonly<Record<string, string>>;
}

/** `--size small|full|<nodes>x<vmis>` as the upgrade simulator reads it; the nodes are the healthy ones, the broken node is one more. */
export function buildPreNativeScenario(seed: number, size = 'full', timing: ScenarioTiming = DEFAULT_TIMING): PreNativeScenario {
  const base = scenarioFromShape(SCENARIO_NAME, seed, size, upgradeShape(size), timing);
  const like = base.nodes[0]!;
  const brokenNode: ScenarioNode = { name: BROKEN_NODE, pool: like.pool, architecture: like.architecture, capacity: like.capacity };
  const nodeLaunchers = Object.fromEntries([...base.nodes.map((n) => [n.name, clusterLauncher().id]), [BROKEN_NODE, staleLauncher().id]]);
  return { name: SCENARIO_NAME, seed, size, base, brokenNode, nodeLaunchers };
}

/** The catalogue entry of an id in `nodeLaunchers`. */
export function launcherById(id: string): LauncherEntry {
  const entry = LAUNCHER_CATALOGUE.find((e) => e.id === id);
  if (!entry) throw new Error(`no launcher catalogue entry ${id}`);
  return entry;
}

/** Whether the launcher's QEMU offers the canonical type on the architecture. */
export function offers(entry: LauncherEntry, architecture: Architecture, machineType: string): boolean {
  return (entry.architectures[architecture]?.machineTypes ?? []).includes(machineType);
}

/** The canonical type the cluster's launcher gives a VMI at start: what `status.machine.type` says. */
export function startedType(v: Pick<ScenarioVmi, 'specMachineType' | 'architecture'>): string {
  const list = clusterLauncher().architectures[v.architecture]!;
  return list.aliases[v.specMachineType] ?? v.specMachineType;
}

/** `namespace/name` of the VMIs whose started type the broken node's launcher lacks (a migration there fails). */
export function vmisLackingOnBrokenNode(s: PreNativeScenario): string[] {
  const stale = launcherById(s.nodeLaunchers[BROKEN_NODE]!);
  return s.base.vmis.filter((v) => !offers(stale, v.architecture, startedType(v))).map((v) => `${v.namespace}/${v.name}`);
}

/**
 * The scenario's cluster as a normal definition, validated like a `clusters/*.ts` file, so the real
 * generators produce kvfleet's labeller, policies and controller for KubeVirt 1.5.0 (machine-type
 * labeller `kvfleet`, pin mode `targetNodeAnnotation`). One pool: the healthy nodes and the broken one.
 * No planned step: the drain is a node-OS patch, which changes no machine type.
 */
export function preNativeCluster(s: PreNativeScenario): ClusterDefinition {
  const base = defineCluster({
    name: CLUSTER_NAME,
    kubernetesVersion: '1.33',
    kubevirtVersion: KUBEVIRT.version,
    launcher: { build: KUBEVIRT.build },
    kubeOvn: 'none',
    argocd: { name: CLUSTER_NAME },
    nodePools: s.base.pools.map((p) => ({ name: p.name, nodeSelector: { [POOL_SELECTOR_LABEL]: p.name }, nodeCount: p.nodes.length + 1 })),
  });
  return simulatorCluster(base, 'pre-1.5.1 simulator: the stand-ins do not play this bug; a real cluster must weigh it');
}
