/**
 * SYNTHETIC inventories for `kvfleet plan`: Kubernetes objects shaped as `kubectl get nodes,vm,vmi
 * -A -o yaml` prints them, to feed plan/inventoryFromObjects.ts. The builders state what a test
 * depends on; `prodEastInventoryObjects()` is the example cluster prod-east (clusters/prod-east.ts)
 * before its node OS upgrade, shared by the planner, renderer, docs and CLI tests;
 * `launcherStepInventoryObjects()` is a cluster before launcher steps that drop types VMs still run.
 */
import { schedulingContractOf } from '../../compatibility/kubevirtVersions.js';
import prodEast from '../../clusters/prod-east.js';
import { KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX } from '../../compatibility/kubevirtNames.js';
import { aliasMachineTypeLabelKey, deprecatedMachineTypeLabelKey, HOSTNAME_LABEL, machineTypeLabelKey, POOL_LABEL } from '../../compatibility/labelKeys.js';
import { type MachineTypeSet, type ResolvedPool, resolveCluster, resolvePools } from '../../compatibility/poolMachineTypes.js';
import { type ClusterDefinition } from '../../fleet/clusterDefinition.js';
import { ARGOCD_TRACKING_ID_ANNOTATION } from '../../plan/inventoryFromObjects.js';
import { upgradingTestCluster } from './clusterFixtures.js';

/** The labels kvfleet's labeller writes for a machine-type set: each type and alias, each deprecation, each alias target. */
export function kvfleetMachineTypeLabels(set: MachineTypeSet): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const t of [...set.supported, ...Object.keys(set.aliases)]) labels[machineTypeLabelKey(t)!] = 'true';
  for (const t of set.deprecated) labels[deprecatedMachineTypeLabelKey(t)!] = 'true';
  for (const [alias, target] of Object.entries(set.aliases)) labels[aliasMachineTypeLabelKey(alias)!] = target;
  return labels;
}

/**
 * The labels KubeVirt's virt-handler (≥ 1.5.1) writes for a set: `machine-type.node.kubevirt.io/<name>`
 * for every type and alias the launcher's QEMU lists (node_labeller.go; no deprecation labels).
 */
export function kubevirtMachineTypeLabels(set: MachineTypeSet): Record<string, string> {
  return Object.fromEntries([...set.supported, ...Object.keys(set.aliases)].map((t) => [`${KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX}${t}`, 'true']));
}

export interface NodeOptions {
  readonly labels?: Readonly<Record<string, string>>;
  /** `status.allocatable.cpu`. @default '63500m' */
  readonly cpu?: string;
  /** `status.allocatable.memory`. @default '262705460Ki' (about 250.5 GiB) */
  readonly memory?: string;
  /** `spec.unschedulable` (cordoned). @default false */
  readonly unschedulable?: boolean;
}

/** A Node as kubectl prints it (trimmed to what a reader would recognise). */
export function nodeObject(name: string, options: NodeOptions = {}): Record<string, unknown> {
  const cpu = options.cpu ?? '63500m';
  const memory = options.memory ?? '262705460Ki';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { [HOSTNAME_LABEL]: name, 'kubernetes.io/os': 'linux', 'node-role.kubernetes.io/worker': '', ...options.labels } },
    spec: options.unschedulable ? { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] } : {},
    status: {
      allocatable: { cpu, memory, pods: '250', 'devices.kubevirt.io/kvm': '1k' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
    },
  };
}

export interface GuestOptions {
  /** `domain.machine.type`; omitted means KubeVirt's default, `q35`. */
  readonly machineType?: string;
  /** `domain.memory.guest`. */
  readonly memory?: string;
  /** `domain.cpu.cores`. */
  readonly cores?: number;
  /** `domain.resources.requests` instead of guest memory / cores. */
  readonly requests?: { readonly cpu?: string; readonly memory?: string };
}

function domain(g: GuestOptions): Record<string, unknown> {
  return {
    ...(g.machineType ? { machine: { type: g.machineType } } : {}),
    ...(g.cores ? { cpu: { cores: g.cores, sockets: 1, threads: 1 } } : {}),
    ...(g.memory ? { memory: { guest: g.memory } } : {}),
    resources: g.requests ? { requests: { ...g.requests } } : {},
    devices: { disks: [{ name: 'rootdisk', disk: { bus: 'virtio' } }] },
  };
}

export interface VmOptions extends GuestOptions {
  /** Argo CD Application name (as the tracking id writes it); sets `argocd.argoproj.io/tracking-id`. */
  readonly argoCdApplication?: string;
  /** `spec.instancetype.name`: then the template carries no size of its own. */
  readonly instancetype?: string;
  /** `spec.runStrategy`. @default 'Always' */
  readonly runStrategy?: string;
}

/** A VirtualMachine as kubectl prints it. */
export function vmObject(namespace: string, name: string, options: VmOptions = {}): Record<string, unknown> {
  const annotations = options.argoCdApplication
    ? { [ARGOCD_TRACKING_ID_ANNOTATION]: `${options.argoCdApplication}:kubevirt.io/VirtualMachine:${namespace}/${name}` }
    : undefined;
  const runStrategy = options.runStrategy ?? 'Always';
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name, namespace, ...(annotations ? { annotations } : {}), labels: { 'kubevirt.io/vm': name } },
    spec: {
      runStrategy,
      ...(options.instancetype ? { instancetype: { kind: 'VirtualMachineClusterInstancetype', name: options.instancetype } } : {}),
      template: { metadata: { labels: { 'kubevirt.io/vm': name } }, spec: { domain: domain(options) } },
    },
    status: { printableStatus: runStrategy === 'Halted' ? 'Stopped' : 'Running', ready: runStrategy !== 'Halted' },
  };
}

export interface VmiOptions extends GuestOptions {
  /** `status.machine.type`: the canonical type it booted with. */
  readonly runningMachineType?: string;
  readonly nodeName?: string;
  /** `status.phase`. @default 'Running' */
  readonly phase?: string;
}

/** A VirtualMachineInstance as kubectl prints it. */
export function vmiObject(namespace: string, name: string, options: VmiOptions = {}): Record<string, unknown> {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { name, namespace, labels: { 'kubevirt.io/vm': name } },
    spec: { domain: domain(options) },
    status: {
      phase: options.phase ?? 'Running',
      ...(options.nodeName ? { nodeName: options.nodeName } : {}),
      ...(options.runningMachineType ? { machine: { type: options.runningMachineType } } : {}),
    },
  };
}

/** A running VM: the VM object and its VMI on `nodeName`, booted with `runningMachineType`. */
export function runningVm(namespace: string, name: string, nodeName: string, runningMachineType: string, options: VmOptions = {}): Record<string, unknown>[] {
  const { argoCdApplication: _a, instancetype: _i, runStrategy: _r, ...guest } = options;
  return [vmObject(namespace, name, options), vmiObject(namespace, name, { ...guest, nodeName, runningMachineType })];
}

const nn = (i: number) => String(i).padStart(2, '0');

/** prod-east's node names: `pe-rhel9-01`…`12` (pool rhel9-compute) and `pe-rhel10-01`…`04` (rhel10-compute). */
export const PROD_EAST_NODES = {
  rhel9: Array.from({ length: 12 }, (_, i) => `pe-rhel9-${nn(i + 1)}`),
  rhel10: Array.from({ length: 4 }, (_, i) => `pe-rhel10-${nn(i + 1)}`),
  /** Cordoned for a firmware update: in the pool, never a migration target. */
  cordoned: ['pe-rhel10-03', 'pe-rhel10-04'],
  /** Carries no machine-type label yet (labeller not run): by the node rule, no host of any type. */
  unlabelled: 'pe-rhel9-12',
} as const;

/**
 * prod-east as `kubectl get nodes,vm,vmi -A -o yaml` would show it, flattened (no List wrapper):
 * - 16 nodes as its definition counts them, each labelled by kvfleet's labeller (KubeVirt 1.5.0 has no
 *   machine-type labels of its own) with the set of the cluster's one launcher — the same on the
 *   RHEL 9.6 and RHEL 10.0 nodes, since the launcher's QEMU decides, not the node's OS; two RHEL 10
 *   nodes cordoned, and one RHEL 9 node (`pe-rhel9-12`) not yet labelled, so it hosts nothing;
 * - VMs on pc-q35-rhel9.x / q35, three on pc-q35-rhel8.6.0 and one on pc-i440fx-rhel7.6.0 (deprecated
 *   by the el9 launcher, but kept by every planned step: none of them is stranded), two of those
 *   Argo CD-owned (one with an apps-in-any-namespace tracking id); a stopped VM; a VMI without a VM;
 *   a VM sized by an instancetype.
 */
export function prodEastInventoryObjects(): Record<string, unknown>[] {
  const pools = new Map(resolvePools(prodEast).map((p) => [p.name, p]));
  const node = (name: string, poolName: string, resources: { cpu: string; memory: string }) => {
    const pool = pools.get(poolName)!;
    return nodeObject(name, {
      ...resources,
      unschedulable: (PROD_EAST_NODES.cordoned as readonly string[]).includes(name),
      labels: {
        ...pool.nodeSelector,
        [POOL_LABEL]: pool.name,
        ...(name === PROD_EAST_NODES.unlabelled ? {} : kvfleetMachineTypeLabels(pool.current)),
      },
    });
  };
  const rhel9 = PROD_EAST_NODES.rhel9.map((n) => node(n, 'rhel9-compute', { cpu: '63500m', memory: '262705460Ki' }));
  const rhel10 = PROD_EAST_NODES.rhel10.map((n) => node(n, 'rhel10-compute', { cpu: '95500m', memory: '394833036Ki' }));
  const [n1, n2, n3, n4, n5, n6, n7, n8, n9] = PROD_EAST_NODES.rhel9 as readonly string[] as [string, string, string, string, string, string, string, string, string];
  const rhel10First = PROD_EAST_NODES.rhel10[0]!;
  return [
    ...rhel9,
    ...rhel10,
    ...runningVm('web', 'frontend-1', n1, 'pc-q35-rhel9.6.0', { memory: '8Gi', cores: 4, argoCdApplication: 'web-frontend' }),
    ...runningVm('web', 'frontend-2', rhel10First, 'pc-q35-rhel9.6.0', { memory: '8Gi', cores: 4, argoCdApplication: 'web-frontend' }),
    ...runningVm('db', 'postgres-main', n2, 'pc-q35-rhel9.6.0', { machineType: 'pc-q35-rhel9.6.0', requests: { cpu: '16', memory: '64Gi' } }),
    ...runningVm('db', 'postgres-replica', n3, 'pc-q35-rhel9.4.0', { machineType: 'pc-q35-rhel9.4.0', requests: { cpu: '16', memory: '64Gi' } }),
    ...runningVm('legacy', 'erp-app', n4, 'pc-q35-rhel8.6.0', { machineType: 'pc-q35-rhel8.6.0', memory: '32Gi', cores: 8, argoCdApplication: 'legacy-erp' }),
    // Argo CD apps-in-any-namespace: the Application `legacy-erp` in namespace `argocd-apps`.
    ...runningVm('legacy', 'erp-batch', n5, 'pc-q35-rhel8.6.0', {
      machineType: 'pc-q35-rhel8.6.0',
      memory: '16Gi',
      cores: 4,
      argoCdApplication: 'argocd-apps_legacy-erp',
    }),
    ...runningVm('legacy', 'win2k8-reports', n6, 'pc-i440fx-rhel7.6.0', { machineType: 'pc-i440fx-rhel7.6.0', memory: '8Gi', cores: 2 }),
    vmObject('legacy', 'old-crm', { machineType: 'pc-q35-rhel8.6.0', memory: '16Gi', cores: 4, runStrategy: 'Halted' }),
    vmiObject('ci', 'runner-1', { memory: '4Gi', cores: 2, nodeName: n7, runningMachineType: 'pc-q35-rhel9.6.0' }),
    vmObject('ci', 'builder', { memory: '8Gi', cores: 4, runStrategy: 'Halted' }),
    // Sized by an instancetype: the VM's template says nothing; the running VMI's spec has it expanded.
    vmObject('tools', 'bastion', { instancetype: 'u1.medium' }),
    vmiObject('tools', 'bastion', { memory: '4Gi', cores: 1, nodeName: n8, runningMachineType: 'pc-q35-rhel9.6.0' }),
    ...runningVm('apps', 'api-gateway', n9, 'pc-q35-rhel9.6.0', { machineType: 'pc-q35-rhel9.6.0', memory: '16Gi', cores: 4 }),
  ];
}

/** Where `launcherStepInventoryObjects` puts its VMs: `<namespace>/<name>` per machine type. */
export const LAUNCHER_STEP_NAMESPACE = 'pinned';

/** The VM name for a pinned type: `vm-pc-q35-rhel8-6-0`. */
export const pinnedVmName = (machineType: string) => `vm-${machineType.replaceAll('.', '-')}`;

/**
 * A cluster before launcher steps (default `upgradingTestCluster()`: KubeVirt 1.7.0 → 1.8.0, a node
 * OS upgrade, a CentOS Stream 10 launcher switch), as kubectl would show it:
 * - three nodes per pool, labelled the way the cluster's labeller labels them for the launcher it
 *   runs now (KubeVirt's own labels from 1.5.1 on, kvfleet's before);
 * - one running VM per type each pool's launcher offers now, pinned to it and reporting it in
 *   `status.machine.type`, spread over the pool's nodes, every one owned by the Argo CD app `pinned`.
 */
export function launcherStepInventoryObjects(cluster: ClusterDefinition = upgradingTestCluster()): Record<string, unknown>[] {
  const { pools } = resolveCluster(cluster);
  const native = schedulingContractOf(cluster.kubevirtVersion).machineTypeLabeller === 'kubevirt';
  const nodeNames = (pool: ResolvedPool) => [1, 2, 3].map((i) => `${pool.name}-${nn(i)}`);
  const nodes = pools.flatMap((pool) =>
    nodeNames(pool).map((name) =>
      nodeObject(name, {
        labels: { ...pool.nodeSelector, ...(native ? kubevirtMachineTypeLabels(pool.current) : kvfleetMachineTypeLabels(pool.current)) },
      }),
    ),
  );
  const seen = new Set<string>();
  const vms = pools.flatMap((pool) =>
    pool.current.supported
      .filter((t) => !seen.has(t) && seen.add(t))
      .flatMap((t, i) =>
        runningVm(LAUNCHER_STEP_NAMESPACE, pinnedVmName(t), nodeNames(pool)[i % 3]!, t, { machineType: t, memory: '4Gi', cores: 2, argoCdApplication: 'pinned' }),
      ),
  );
  return [...nodes, ...vms];
}
