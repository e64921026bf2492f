/**
 * Synthetic KubeVirt and core objects for tests and the bench, shaped as the API server returns
 * them (the VMIM and VMI fields are those of the shared CRDs). Not used by the program itself.
 * Node labels follow the label contract from a pool's resolved matrix set, as the labeller
 * writes them.
 */
import { deprecatedMachineTypeLabelKey, HOSTNAME_LABEL, machineTypeLabelKey, POOL_LABEL } from '../../compatibility/labelKeys.js';
import { type ResolvedPool, resolvePools } from '../../compatibility/poolMachineTypes.js';
import { launcherEntry } from '../../compatibility/launcherCatalogue.js';
import { parseMachineType } from '../../compatibility/machineTypeNames.js';
import { TEST_CS10_LAUNCHER_IMAGE, testCluster, testPool } from './clusterFixtures.js';
import { MIGRATION_JOB_NAME_ANNOTATION, MIGRATION_JOB_UID_LABEL, VIRT_LAUNCHER_LABELS } from '../../compatibility/kubevirtNames.js';
import { OVN_ROUTED_ANNOTATION, type Parsed } from '../../programs/migration-controller/objectViews.js';
import { schedulerMachineTypeLabelKey } from '../../compatibility/nodeRule.js';

type Obj = Record<string, unknown>;

/**
 * A synthetic cluster before a launcher switch that drops types: KubeVirt 1.7.0 (CS9) → 1.8.0 → the
 * CentOS Stream 10 launcher, which drops every RHEL 7/8 type (launcherCatalogue.ts). One launcher, so
 * pools differ only where their definitions correct the catalogue (`machineTypes`), which is how these
 * tests get pools that host a type and pools that do not:
 * - `rhel9-upgrading`: the catalogue's set; loses the RHEL 8 types at the switch;
 * - `rhel96-staying`: corrected to keep them at every step;
 * - `rhel10`: corrected to run none of them, to offer `pc-q35-rhel10.0.0` already and to deprecate
 *   `pc-q35-rhel9.6.0` (as an el10 build does).
 * (Pool names are historical labels for those three roles; no OS is involved.)
 */
const CATALOGUE_NOW = launcherEntry('1.7.0', 'centos-stream-9')!.architectures.amd64!;
const RHEL7_8_TYPES = CATALOGUE_NOW.machineTypes.filter((t) => (parseMachineType(t)?.version[0] ?? 99) < 9);
export const UPGRADE_CLUSTER = testCluster({
  name: 'synthetic-upgrade',
  kubevirtVersion: '1.7.0',
  plannedSteps: [
    { kind: 'kubevirt-upgrade', to: '1.8.0' },
    { kind: 'launcher-switch', build: 'centos-stream-10', image: TEST_CS10_LAUNCHER_IMAGE },
  ],
  nodePools: [
    testPool('rhel9-upgrading'),
    testPool('rhel96-staying', { machineTypes: { add: RHEL7_8_TYPES } }),
    testPool('rhel10', { machineTypes: { remove: RHEL7_8_TYPES, add: ['pc-q35-rhel10.0.0'], deprecate: ['pc-q35-rhel9.6.0'] } }),
  ],
});
export const UPGRADE_POOLS = resolvePools(UPGRADE_CLUSTER);

export function poolNamed(name: string, pools: readonly ResolvedPool[] = UPGRADE_POOLS): ResolvedPool {
  const pool = pools.find((p) => p.name === name);
  if (!pool) throw new Error(`no pool ${name}`);
  return pool;
}

/** The value of a parse that the test expects to succeed. */
export function must<T>(p: Parsed<T>): T {
  if (!p.ok) throw new Error(`${p.code}: ${p.message}`);
  return p.value;
}

export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The labels a node of `pool` carries: kvfleet's labeller's (canonical types and aliases alike) and,
 * as virt-handler ≥ 1.5.1 would write them from the same modern capabilities layout, KubeVirt's.
 */
export function poolNodeLabels(pool: ResolvedPool): Record<string, string> {
  const labels: Record<string, string> = { ...pool.nodeSelector, [POOL_LABEL]: pool.name };
  for (const t of [...pool.current.supported, ...Object.keys(pool.current.aliases)]) {
    labels[machineTypeLabelKey(t)!] = 'true';
    labels[schedulerMachineTypeLabelKey(t, 'kubevirt')!] = 'true';
  }
  for (const t of pool.current.deprecated) labels[deprecatedMachineTypeLabelKey(t)!] = 'true';
  return labels;
}

export interface NodeSpec {
  readonly name: string;
  readonly labels?: Record<string, string>;
  readonly ready?: boolean;
  readonly cordoned?: boolean;
  readonly createdMs?: number;
}

export function nodeObject(n: NodeSpec): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      uid: `uid-node-${n.name}`,
      creationTimestamp: iso(n.createdMs ?? 0),
      labels: { [HOSTNAME_LABEL]: n.name, ...n.labels },
    },
    spec: n.cordoned ? { unschedulable: true } : {},
    status: { conditions: [{ type: 'Ready', status: n.ready === false ? 'False' : 'True' }] },
  };
}

export interface VmiSpec {
  readonly name: string;
  readonly namespace: string;
  readonly uid?: string;
  readonly createdMs?: number;
  readonly nodeName?: string;
  readonly machineType?: string;
  readonly phase?: string;
  readonly liveMigratable?: boolean;
  readonly migrationState?: Obj;
  readonly deleting?: boolean;
  /** `status.evacuationNodeName`, as KubeVirt's eviction admitter sets it. */
  readonly evacuationNodeName?: string;
}

/** Name, namespace and the lifecycle fields a VMI and a VMIM share: uid, creation and (when deleting) deletion time. */
function lifecycleMetadata(v: { name: string; namespace: string; uid?: string; createdMs?: number; deleting?: boolean }): Obj {
  return {
    name: v.name,
    namespace: v.namespace,
    ...(v.uid ? { uid: v.uid } : {}),
    ...(v.createdMs !== undefined ? { creationTimestamp: iso(v.createdMs) } : {}),
    ...(v.deleting ? { deletionTimestamp: iso(v.createdMs ?? 0) } : {}),
  };
}

/** A running VMI as virt-handler reports it: canonical machine type in status, alias in spec. */
export function vmiObject(v: VmiSpec): Obj {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: {
      ...lifecycleMetadata(v),
    },
    spec: { domain: { devices: {}, machine: { type: 'q35' }, memory: { guest: '128Mi' } } },
    status: {
      phase: v.phase ?? 'Running',
      ...(v.nodeName ? { nodeName: v.nodeName } : {}),
      ...(v.evacuationNodeName ? { evacuationNodeName: v.evacuationNodeName } : {}),
      ...(v.machineType ? { machine: { type: v.machineType } } : {}),
      conditions:
        v.liveMigratable === undefined
          ? []
          : [{ type: 'LiveMigratable', status: v.liveMigratable ? 'True' : 'False', ...(v.liveMigratable ? {} : { reason: 'DisksNotLiveMigratable' }) }],
      ...(v.migrationState ? { migrationState: v.migrationState } : {}),
    },
  };
}

export interface VmimSpec {
  readonly name: string;
  readonly namespace: string;
  readonly vmiName: string;
  readonly uid?: string;
  readonly createdMs?: number;
  readonly phase?: string;
  /** Phase → time entered (ms). */
  readonly phases?: Record<string, number>;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly ownerVmiUid?: string;
  readonly abortRequested?: boolean;
  readonly migrationState?: Obj;
  readonly deleting?: boolean;
}

export function vmimStatus(v: Pick<VmimSpec, 'phase' | 'phases' | 'abortRequested' | 'migrationState'>): Obj {
  return {
    ...(v.phase ? { phase: v.phase } : {}),
    ...(v.phases ? { phaseTransitionTimestamps: Object.entries(v.phases).map(([phase, ms]) => ({ phase, phaseTransitionTimestamp: iso(ms) })) } : {}),
    ...(v.abortRequested ? { conditions: [{ type: 'migrationAbortRequested', status: 'True' }] } : {}),
    ...(v.migrationState ? { migrationState: v.migrationState } : {}),
  };
}

export function vmimObject(v: VmimSpec): Obj {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstanceMigration',
    metadata: {
      ...lifecycleMetadata(v),
      ...(v.labels ? { labels: v.labels } : {}),
      ...(v.annotations ? { annotations: v.annotations } : {}),
      ...(v.ownerVmiUid ? { ownerReferences: [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', name: v.vmiName, uid: v.ownerVmiUid }] } : {}),
    },
    spec: { vmiName: v.vmiName },
    status: vmimStatus(v),
  };
}

export interface TargetPodSpec {
  readonly name: string;
  readonly namespace: string;
  readonly vmimUid: string;
  readonly vmimName: string;
  readonly createdMs?: number;
  readonly nodeName?: string;
  /** The scheduler's message; sets PodScheduled=False/Unschedulable. */
  readonly unschedulable?: string;
  readonly routed?: boolean;
}

/** A virt-launcher migration target pod, labelled and annotated as KubeVirt's template renders it. */
export function targetPodObject(p: TargetPodSpec): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      namespace: p.namespace,
      uid: `uid-pod-${p.name}`,
      creationTimestamp: iso(p.createdMs ?? 0),
      labels: { ...VIRT_LAUNCHER_LABELS, [MIGRATION_JOB_UID_LABEL]: p.vmimUid },
      annotations: { [MIGRATION_JOB_NAME_ANNOTATION]: p.vmimName, ...(p.routed ? { [OVN_ROUTED_ANNOTATION]: 'true' } : {}) },
    },
    spec: {
      ...(p.nodeName ? { nodeName: p.nodeName } : {}),
      containers: [{ name: 'compute', image: 'quay.io/kubevirt/virt-launcher:v1.6.2' }],
    },
    status: {
      phase: p.nodeName ? 'Running' : 'Pending',
      conditions: p.unschedulable
        ? [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: p.unschedulable }]
        : p.nodeName
          ? [{ type: 'PodScheduled', status: 'True' }]
          : [],
    },
  };
}

/** What kube-scheduler says when no node carries the target pod's machine-type label. */
export const SELECTOR_MISMATCH_MESSAGE = "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.";
