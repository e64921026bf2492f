/**
 * The shapes of the objects the simulator reads and writes, as the API server stores them (the
 * KubeVirt CRDs in ../shared/crds/kubevirt/), and small readers over them. Only the fields the
 * simulator touches are typed. Informer caches mix shapes (typed core lists hold `Date`s where
 * watch events hold strings), so time readers accept both.
 */
import { type V1Node, type V1Pod } from '@kubernetes/client-node';

export type Labels = Record<string, string>;

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Labels;
  annotations?: Labels;
  finalizers?: string[];
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
  creationTimestamp?: string | Date;
  deletionTimestamp?: string | Date | null;
}

/** `VirtualMachineInstanceMigrationState` (types.go), the fields the simulator writes. */
export interface MigrationStateRaw {
  migrationUid?: string;
  sourceNode?: string;
  sourcePod?: string;
  targetNode?: string;
  targetPod?: string;
  targetNodeAddress?: string;
  targetNodeDomainDetected?: boolean;
  targetNodeDomainReadyTimestamp?: string;
  startTimestamp?: string;
  endTimestamp?: string;
  completed?: boolean;
  failed?: boolean;
  failureReason?: string;
  abortRequested?: boolean;
  abortStatus?: string;
  mode?: string;
}

export type EvictionStrategy = 'None' | 'LiveMigrate' | 'LiveMigrateIfPossible' | 'External';

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string | null;
}

export interface RawVmi {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: {
    domain: {
      devices: Record<string, unknown>;
      machine?: { type?: string };
      memory?: { guest?: string };
      resources?: { requests?: Labels; limits?: Labels };
      cpu?: Record<string, unknown>;
    };
    architecture?: string;
    evictionStrategy?: EvictionStrategy;
    nodeSelector?: Labels;
    affinity?: Record<string, unknown>;
    tolerations?: Record<string, unknown>[];
    schedulerName?: string;
    priorityClassName?: string;
    hostname?: string;
    terminationGracePeriodSeconds?: number;
  };
  status?: {
    phase?: string;
    nodeName?: string;
    machine?: { type?: string };
    conditions?: Condition[];
    migrationState?: MigrationStateRaw | null;
    evacuationNodeName?: string | null;
    migrationMethod?: string;
    migrationTransport?: string;
    qosClass?: string;
  };
}

export interface PhaseTransition {
  phase: string;
  phaseTransitionTimestamp: string;
}

export interface RawVmim {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: { vmiName: string; addedNodeSelector?: Labels };
  status?: {
    phase?: string;
    phaseTransitionTimestamps?: PhaseTransition[];
    conditions?: Condition[];
    migrationState?: MigrationStateRaw | null;
  };
}

export type Pod = V1Pod;
export type Node = V1Node;

export const keyOf = (o: { metadata?: ObjectMeta | undefined }) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
export const nsName = (namespace: string, name: string) => `${namespace}/${name}`;

/** Epoch ms of a timestamp field (RFC 3339 string or Date); undefined when absent or unreadable. */
export function timeMs(v: unknown): number | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
  if (typeof v !== 'string' || v === '') return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

export const isDeleting = (o: { metadata?: ObjectMeta | { deletionTimestamp?: unknown } | undefined }) => o.metadata?.deletionTimestamp != null;

/**
 * The machine type KubeVirt renders the node selector for (template.go newNodeSelectorRenderer):
 * `status.machine.type` when virt-handler has reported it, else the spec's (often the alias `q35`).
 */
export function vmiMachineType(vmi: RawVmi): string | undefined {
  return nonEmpty(vmi.status?.machine?.type) ?? nonEmpty(vmi.spec.domain.machine?.type);
}

const nonEmpty = (s: string | undefined) => (s ? s : undefined);

/** `VirtualMachineInstance.IsFinal` (types.go). */
export function isVmiFinal(vmi: RawVmi): boolean {
  return vmi.status?.phase === 'Failed' || vmi.status?.phase === 'Succeeded';
}

/** `IsMigratable` (types.go): condition `LiveMigratable` is True. */
export function isLiveMigratable(vmi: RawVmi): boolean {
  return (vmi.status?.conditions ?? []).some((c) => c.type === 'LiveMigratable' && c.status === 'True');
}

/** `migrations.IsMigrating` (pkg/util/migrations): a start timestamp and no end timestamp yet. */
export function isVmiMigrating(vmi: RawVmi): boolean {
  const s = vmi.status?.migrationState;
  return !!s?.startTimestamp && !s.endTimestamp;
}

/** The Node's Ready condition is True. */
export function nodeReadyCondition(node: Node | undefined): boolean {
  return (node?.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** `controller.PodIsDown`: the pod has terminated. */
export function podIsDown(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** `isPodPendingUnschedulable` (migration.go): Pending, not deleting, PodScheduled False/Unschedulable. */
export function isPodPendingUnschedulable(pod: Pod): boolean {
  if (pod.status?.phase !== 'Pending' || isDeleting(pod)) return false;
  return (pod.status?.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
}

/** `controller.IsPodReady`, reduced to what the simulator's kubelet writes: Running, not going down. */
export function isPodReady(pod: Pod): boolean {
  if (podIsDown(pod) || isDeleting(pod)) return false;
  const compute = (pod.status?.containerStatuses ?? []).find((c) => c.name === 'compute');
  if (compute && !compute.state?.running) return false;
  return pod.status?.phase === 'Running';
}

/** The VMI a virt-launcher pod belongs to: its controller owner reference, else `kubevirt.io/created-by`. */
export function podVmiUid(pod: Pod): string | undefined {
  const owner = pod.metadata?.ownerReferences?.find((r) => r.controller && r.kind === 'VirtualMachineInstance');
  return owner?.uid ?? pod.metadata?.labels?.['kubevirt.io/created-by'];
}

export function resourceVersionNumber(o: { metadata?: ObjectMeta | { resourceVersion?: string } | undefined }): number {
  const n = Number(o.metadata?.resourceVersion);
  return Number.isFinite(n) ? n : 0;
}
