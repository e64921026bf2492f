/**
 * The upgrade simulator's scenario: a KubeVirt upgrade whose launcher drops machine types that VMs
 * run. Pure: one seed and size give one scenario, byte for byte.
 *
 * The cluster runs KubeVirt 1.7.0 with upstream's CentOS Stream 9 launcher (QEMU 9.1: `q35` is
 * `pc-q35-rhel9.6.0`, the RHEL 8 and 7.6 types are still there). The planned step is KubeVirt 1.8.0
 * built from CentOS Stream 10 (QEMU 10.1 el10: every RHEL 7.6 and 8.x type gone, the RHEL 9 types
 * deprecated; compatibility/launcherCatalogue.ts). Only virt-controller v1.7.0 is built here, so the
 * step is played as virt-operator would carry it out with that binary: virt-handler relabels the nodes
 * from the new launcher (canary, then 10 % at a time), virt-controller restarts with the new
 * `--launcher-image`, the KubeVirt CR reports the new version deployed, the workload updater
 * live-migrates the outdated VMIs, then every node is drained in turn (a node-OS patch after the upgrade).
 *
 * VMIs: most started as `q35`, some pinned to RHEL 9 types (kept by the new launcher), to RHEL 8 types
 * and `pc-q35-rhel7.6.0` (dropped; `kvfleet plan`'s fix: restart onto the move-to type), and to
 * `pc-i440fx-rhel7.6.0` (dropped, and no i440fx type runs on both launchers: the only fix is holding the step).
 */
import { type ClusterDefinition, defineCluster } from '../../fleet/clusterDefinition.js';
import { validateCluster } from '../../fleet/fleetValidation.js';
import { knownIssuesOf } from '../../fleet/versionLint.js';
import { type LauncherEntry, launcherEntry } from '../../compatibility/launcherCatalogue.js';
import { type Random, seededRandom } from './prng.js';

export const SCENARIO_CLUSTER_NAME = 'upgrade-sim';
/** The label the one pool selects its nodes by (value: the pool's name). */
export const POOL_SELECTOR_LABEL = 'node.example.com/pool';
export const POOL_NAME = 'compute';

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

export type VmiKind = 'q35' | 'pinned-rhel9' | 'pinned-rhel8' | 'pinned-rhel7-q35' | 'pinned-i440fx';
export const VMI_KINDS: readonly VmiKind[] = ['q35', 'pinned-rhel9', 'pinned-rhel8', 'pinned-rhel7-q35', 'pinned-i440fx'];
const PINNED: Record<Exclude<VmiKind, 'q35'>, Readonly<Record<string, number>>> = {
  'pinned-rhel9': { 'pc-q35-rhel9.4.0': 3, 'pc-q35-rhel9.2.0': 2, 'pc-q35-rhel9.0.0': 1 },
  'pinned-rhel8': { 'pc-q35-rhel8.6.0': 5, 'pc-q35-rhel8.4.0': 3, 'pc-q35-rhel8.2.0': 2 },
  'pinned-rhel7-q35': { 'pc-q35-rhel7.6.0': 1 },
  'pinned-i440fx': { 'pc-i440fx-rhel7.6.0': 1 },
};

export interface ScenarioShape {
  readonly nodes: number;
  readonly vmis: number;
  /** VMIs per pinned kind; the rest start as `q35`. */
  readonly pinned: Readonly<Record<Exclude<VmiKind, 'q35'>, number>>;
  readonly namespaces: number;
}

/** `small` runs in `npm test`; `full` is `npm run bench:upgrade`'s default. */
export const SCENARIO_SHAPES = {
  small: { nodes: 4, vmis: 16, pinned: { 'pinned-rhel9': 2, 'pinned-rhel8': 2, 'pinned-rhel7-q35': 1, 'pinned-i440fx': 1 }, namespaces: 1 },
  full: { nodes: 20, vmis: 400, pinned: { 'pinned-rhel9': 24, 'pinned-rhel8': 28, 'pinned-rhel7-q35': 4, 'pinned-i440fx': 4 }, namespaces: 4 },
} as const satisfies Record<string, ScenarioShape>;

export type ScenarioSizeName = keyof typeof SCENARIO_SHAPES;

/** `small`, `full`, or `<nodes>x<vmis>` (e.g. `10x120`): the full shape's proportions at that size. */
export function scenarioShape(size: string): ScenarioShape {
  if (size in SCENARIO_SHAPES) return SCENARIO_SHAPES[size as ScenarioSizeName];
  const m = /^(\d+)x(\d+)$/.exec(size);
  if (!m) throw new Error(`size "${size}" is neither ${Object.keys(SCENARIO_SHAPES).join(', ')} nor <nodes>x<vmis> (e.g. 10x120)`);
  const nodes = Number(m[1]);
  const vmis = Number(m[2]);
  if (nodes < 3) throw new Error(`size "${size}": at least 3 nodes (a drain needs somewhere to go)`);
  if (vmis < 10 || vmis > 5_000) throw new Error(`size "${size}": between 10 and 5,000 VMIs`);
  const full = SCENARIO_SHAPES.full;
  const share = (n: number) => Math.max(1, Math.round((n * vmis) / full.vmis));
  return {
    nodes,
    vmis,
    pinned: {
      'pinned-rhel9': share(full.pinned['pinned-rhel9']),
      'pinned-rhel8': share(full.pinned['pinned-rhel8']),
      'pinned-rhel7-q35': share(full.pinned['pinned-rhel7-q35']),
      'pinned-i440fx': share(full.pinned['pinned-i440fx']),
    },
    namespaces: Math.max(1, Math.min(8, Math.round(vmis / 100))),
  };
}

export interface ScenarioNode {
  readonly name: string;
  readonly capacity: { readonly cpu: string; readonly memoryMiB: number; readonly pods: number };
}

export interface ScenarioVmi {
  readonly namespace: string;
  readonly name: string;
  readonly kind: VmiKind;
  /** `spec.domain.machine.type`: `q35`, or the pinned canonical type. */
  readonly specMachineType: string;
  readonly memoryMiB: number;
  readonly cpuMillis: number;
}

/** Durations, in seconds of real time (the real virt-controller keeps real time). */
export interface ScenarioTiming {
  /** virt-operator waits for the canary virt-handler to be ready. */
  readonly canarySeconds: number;
  /** …and for each 10 % batch. */
  readonly batchSeconds: number;
  /** After the CR says Deployed, how long the operator waits for the workload updater before draining. */
  readonly updateWaitSeconds: number;
  /** A drain gives up (stalls) once no VMI has left the node for this long… */
  readonly drainStallSeconds: number;
  /** …or after this long, whatever is left. */
  readonly drainCapSeconds: number;
  /** `kubectl drain` retries a refused eviction after this long (its default 5 s). */
  readonly evictRetrySeconds: number;
  /** The drained node's reboot: cordoned this long, then back. */
  readonly rebootSeconds: number;
  /** Live migration: setup plus memory copy, seconds per GiB of guest memory. */
  readonly migrationBaseSeconds: number;
  readonly migrationSecondsPerGiB: number;
  /** KubeVirt's defaults (`pkg/virt-config/virt-config.go`). */
  readonly parallelMigrationsPerCluster: number;
  readonly parallelOutboundMigrationsPerNode: number;
}

export const DEFAULT_TIMING: ScenarioTiming = {
  canarySeconds: 5,
  batchSeconds: 3,
  // Long enough for one round of KubeVirt's 300 s unschedulable timeout and a retry.
  updateWaitSeconds: 330,
  drainStallSeconds: 60,
  drainCapSeconds: 600,
  evictRetrySeconds: 5,
  rebootSeconds: 5,
  migrationBaseSeconds: 1,
  migrationSecondsPerGiB: 0.5,
  parallelMigrationsPerCluster: 5,
  parallelOutboundMigrationsPerNode: 2,
};

/** The `npm test` version: long enough to see what stalls, too short for KubeVirt's 300 s timeout. */
export const SMALL_TIMING: ScenarioTiming = {
  ...DEFAULT_TIMING,
  canarySeconds: 1,
  batchSeconds: 1,
  updateWaitSeconds: 20,
  drainStallSeconds: 8,
  drainCapSeconds: 30,
  rebootSeconds: 0,
};

export interface Scenario {
  readonly seed: number;
  readonly size: string;
  readonly shape: ScenarioShape;
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
 * generators produce its policies and controller settings and `kvfleet plan` judges it.
 */
export function scenarioCluster(scenario: Pick<Scenario, 'nodes'>): ClusterDefinition {
  const base = defineCluster({
    name: SCENARIO_CLUSTER_NAME,
    kubernetesVersion: '1.33',
    kubevirtVersion: FROM.version,
    launcher: { build: FROM.build },
    kubeOvn: 'none',
    argocd: { name: SCENARIO_CLUSTER_NAME },
    nodePools: [{ name: POOL_NAME, nodeSelector: { [POOL_SELECTOR_LABEL]: POOL_NAME }, nodeCount: scenario.nodes.length }],
    plannedSteps: [{ kind: 'kubevirt-upgrade', to: TO.version, build: TO.build, image: TO.image }],
  });
  // Known bugs of the release that would stop synthesis are accepted with the reason a cluster file must give.
  const blocking = knownIssuesOf(base).filter((f) => f.issue.severity === 'error');
  const input = blocking.length
    ? defineCluster({
        ...base,
        acceptedKnownIssues: Object.fromEntries(blocking.map((f) => [f.issue.id, 'upgrade simulator: the stand-ins do not play this bug; a real cluster must weigh it'])),
      })
    : base;
  const validated = validateCluster(`clusters/${SCENARIO_CLUSTER_NAME}.ts`, input);
  if (!validated.definition) throw new Error(`the scenario's cluster definition is invalid:\n${validated.problems.map(String).join('\n')}`);
  return validated.definition;
}

function vmiSize(rnd: Random): { cpuMillis: number; memoryMiB: number } {
  const memoryGiB = Number(rnd.weighted({ '1': 35, '2': 40, '4': 20, '8': 5 }));
  const vcpus = Math.max(1, Math.min(4, memoryGiB / 2 + (rnd.next() < 0.3 ? 1 : 0)));
  return { cpuMillis: vcpus * CPU_MILLIS_PER_VCPU, memoryMiB: memoryGiB * 1024 };
}

export function buildScenario(seed: number, size = 'full', timing: ScenarioTiming = DEFAULT_TIMING): Scenario {
  const shape = scenarioShape(size);
  const rnd = seededRandom(seed);
  const kinds: VmiKind[] = (Object.entries(shape.pinned) as [Exclude<VmiKind, 'q35'>, number][]).flatMap(([k, n]) => Array<VmiKind>(n).fill(k));
  if (kinds.length >= shape.vmis) throw new Error(`size "${size}": more pinned VMIs than VMIs`);
  while (kinds.length < shape.vmis) kinds.push('q35');
  const namespaces = Array.from({ length: shape.namespaces }, (_, i) => `tenant-${i}`);
  const width = String(shape.vmis - 1).length;
  const vmis: ScenarioVmi[] = rnd.shuffle(kinds).map((kind, i) => ({
    namespace: namespaces[i % namespaces.length]!,
    name: `vm-${String(i).padStart(width, '0')}`,
    kind,
    specMachineType: kind === 'q35' ? 'q35' : rnd.weighted(PINNED[kind]),
    ...vmiSize(rnd),
  }));
  // Nodes ~60 % full on average, so one node's VMIs fit on the others while it drains.
  const total = vmis.reduce((s, v) => s + v.memoryMiB + LAUNCHER_OVERHEAD_MIB, 0);
  const memoryMiB = Math.max(16, Math.ceil(total / 0.6 / shape.nodes / 1024)) * 1024;
  const width2 = String(shape.nodes - 1).length;
  const nodes: ScenarioNode[] = Array.from({ length: shape.nodes }, (_, i) => ({
    name: `node-${String(i).padStart(width2, '0')}`,
    capacity: { cpu: '64', memoryMiB, pods: 250 },
  }));
  const names = nodes.map((n) => n.name);
  return { seed, size, shape, nodes, vmis, namespaces, rolloutOrder: rnd.shuffle(names), drainOrder: rnd.shuffle(names), timing };
}

/** virt-operator's rollout (pkg/virt-operator/resource/apply/apps.go): one canary node, then batches of 10 % of the nodes (at least one). */
export function rolloutBatches(order: readonly string[]): string[][] {
  if (order.length === 0) return [];
  const size = Math.max(1, Math.ceil(order.length * 0.1));
  const batches = [[order[0]!]];
  for (let i = 1; i < order.length; i += size) batches.push(order.slice(i, i + size));
  return batches;
}

/** Seconds a live migration of `memoryBytes` of guest stays in Running. */
export function migrationSeconds(timing: ScenarioTiming, memoryBytes: number | undefined): number {
  return timing.migrationBaseSeconds + ((memoryBytes ?? 1024 ** 3) / 1024 ** 3) * timing.migrationSecondsPerGiB;
}

/** The canonical type the cluster's launcher (before the step) gives a VMI at start: what `status.machine.type` will say. */
export function startedMachineType(v: Pick<ScenarioVmi, 'specMachineType'>): string {
  const list = fromLauncher().architectures.amd64!;
  return list.aliases[v.specMachineType] ?? v.specMachineType;
}

/** True when the step's launcher lacks the type: the VMI can neither be updated nor drained. */
export function droppedByStep(machineType: string): boolean {
  return !toLauncher().architectures.amd64!.machineTypes.includes(machineType);
}
