/**
 * Plain, validated views of the four kinds the controller watches. Every decision reads these,
 * never raw objects, so a malformed object is rejected once, here, with a code for the metric.
 * Informer caches mix shapes: typed core lists hold `Date`s where watch events hold strings, so
 * timestamps accept both.
 */
import {
  ATTEMPT_LABEL,
  FALLBACK_OF_LABEL,
  FALLBACK_OF_UID_ANNOTATION,
  FALLBACK_REASON_ANNOTATION,
  HOSTNAME_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  TARGET_NODE_ANNOTATION,
} from '../../compatibility/labelKeys.js';
import {
  EVACUATION_MIGRATION_ANNOTATION,
  KUBEVIRT_DRAIN_TAINT,
  MIGRATION_JOB_NAME_ANNOTATION,
  MIGRATION_JOB_UID_LABEL,
  WORKLOAD_UPDATE_MIGRATION_ANNOTATION,
} from '../../compatibility/kubevirtNames.js';
import { isRecord } from '../../compatibility/guards.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

/** KubeVirt's VMIM phases (types.go); the two decentralized ones are passed through as seen. */
export const VMIM_PHASES = ['Pending', 'Scheduling', 'Scheduled', 'PreparingTarget', 'TargetReady', 'Running', 'Succeeded', 'Failed'] as const;
export const FINAL_PHASES: readonly string[] = ['Succeeded', 'Failed'];

/** Kube-OVN sets this on a pod once its logical switch port is bound and routed. */
export const OVN_ROUTED_ANNOTATION = 'ovn.kubernetes.io/routed';
/** VMIM condition KubeVirt adds when a user deletes (cancels) a migration. */
export const ABORT_REQUESTED_CONDITION = 'migrationAbortRequested';

export interface MigrationState {
  readonly migrationUid?: string;
  readonly sourceNode?: string;
  readonly targetNode?: string;
  readonly targetPod?: string;
  readonly failed: boolean;
  readonly completed: boolean;
  readonly failureReason?: string;
  readonly abortRequested: boolean;
  readonly abortStatus?: string;
}

/** What kvfleet wrote on a fallback VMIM it created; absent on everyone else's. */
export interface FallbackMarks {
  readonly fallbackOfName?: string;
  readonly fallbackOfUid?: string;
  readonly attempt?: number;
  readonly targetNode?: string;
  readonly reason?: string;
  /** UID of the VMI named in the owner reference: the VMI incarnation the fallback was for. */
  readonly vmiUid?: string;
}

export interface VmimView {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly vmiName: string;
  readonly createdMs: number;
  readonly deleting: boolean;
  readonly phase?: string;
  /** Phase → when KubeVirt recorded entering it (`status.phaseTransitionTimestamps`). */
  readonly phaseTimes: Readonly<Record<string, number>>;
  readonly abortRequested: boolean;
  readonly migrationState?: MigrationState;
  /** Set only on VMIMs carrying kvfleet's managed-by label. */
  readonly kvfleet?: FallbackMarks;
  /** An evacuation or workload-update migration: KubeVirt creates the next one itself when it fails. */
  readonly retriedByKubevirt: boolean;
}

export interface VmiView {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly createdMs: number;
  readonly deleting: boolean;
  readonly phase?: string;
  readonly nodeName?: string;
  /** `status.machine.type`: canonical, unlike the spec, which often holds the alias `q35`. */
  readonly machineType?: string;
  /** The `LiveMigratable` condition; `undefined` when KubeVirt has not reported it. */
  readonly liveMigratable?: boolean;
  readonly liveMigratableReason?: string;
  readonly migrationState?: MigrationState;
  /** `status.evacuationNodeName`: KubeVirt's eviction admitter marked the VMI to leave this node. */
  readonly evacuationNodeName?: string;
}

export interface NodeView {
  readonly name: string;
  /** `kubernetes.io/hostname`, which need not equal the node name (the scheduler matches this). */
  readonly hostname: string;
  readonly ready: boolean;
  readonly cordoned: boolean;
  /** Carries KubeVirt's drain taint: its evacuation controller is moving every VMI off it. */
  readonly draining: boolean;
  readonly labels: Readonly<Record<string, string>>;
}

export interface TargetPodView {
  readonly name: string;
  readonly namespace: string;
  readonly vmimUid: string;
  readonly vmimName?: string;
  readonly nodeName?: string;
  readonly phase?: string;
  readonly deleting: boolean;
  /** The scheduler's message when PodScheduled is False for reason Unschedulable. */
  readonly unschedulableMessage?: string;
  readonly networkRouted: boolean;
}

type Obj = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Milliseconds since the epoch from an RFC 3339 string or a Date; `undefined` when neither. */
export function timestampMs(v: unknown): number | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
  if (typeof v !== 'string') return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

function stringMap(v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return {};
  if (!isRecord(v)) return undefined;
  for (const x of Object.values(v)) if (typeof x !== 'string') return undefined;
  return v as Record<string, string>;
}

interface Meta {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly createdMs: number;
  readonly deleting: boolean;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly ownerReferences: readonly Obj[];
}

function parseMeta(o: unknown, namespaced: boolean): Parsed<Meta> {
  if (!isRecord(o) || !isRecord(o.metadata)) return { ok: false, code: 'no-metadata', message: 'object has no metadata' };
  const m = o.metadata;
  const name = str(m.name);
  const uid = str(m.uid);
  const namespace = str(m.namespace) ?? '';
  if (!name || !uid) return { ok: false, code: 'no-name', message: 'metadata.name or metadata.uid is missing' };
  if (namespaced && !namespace) return { ok: false, code: 'no-namespace', message: 'metadata.namespace is missing' };
  const labels = stringMap(m.labels);
  const annotations = stringMap(m.annotations);
  if (!labels || !annotations) return { ok: false, code: 'bad-metadata', message: 'labels or annotations are not a map of strings' };
  const createdMs = timestampMs(m.creationTimestamp);
  if (createdMs === undefined) return { ok: false, code: 'bad-metadata', message: 'metadata.creationTimestamp is missing or not a time' };
  const owners = Array.isArray(m.ownerReferences) ? m.ownerReferences.filter(isRecord) : [];
  return {
    ok: true,
    value: { name, namespace, uid, createdMs, deleting: m.deletionTimestamp != null, labels, annotations, ownerReferences: owners },
  };
}

function parseMigrationState(v: unknown): MigrationState | undefined {
  if (!isRecord(v)) return undefined;
  return {
    ...(str(v.migrationUid) ? { migrationUid: str(v.migrationUid) } : {}),
    ...(str(v.sourceNode) ? { sourceNode: str(v.sourceNode) } : {}),
    ...(str(v.targetNode) ? { targetNode: str(v.targetNode) } : {}),
    ...(str(v.targetPod) ? { targetPod: str(v.targetPod) } : {}),
    failed: v.failed === true,
    completed: v.completed === true,
    ...(str(v.failureReason) ? { failureReason: str(v.failureReason) } : {}),
    abortRequested: v.abortRequested === true,
    ...(str(v.abortStatus) ? { abortStatus: str(v.abortStatus) } : {}),
  };
}

function conditionList(v: unknown): Obj[] | undefined {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) && v.every(isRecord) ? v : undefined;
}

function fallbackMarks(meta: Meta): FallbackMarks | undefined {
  if (meta.labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) return undefined;
  const attempt = Number(meta.labels[ATTEMPT_LABEL]);
  const owner = meta.ownerReferences.find((r) => r.kind === 'VirtualMachineInstance');
  const get = (k: string) => meta.annotations[k];
  return {
    ...(meta.labels[FALLBACK_OF_LABEL] ? { fallbackOfName: meta.labels[FALLBACK_OF_LABEL] } : {}),
    ...(get(FALLBACK_OF_UID_ANNOTATION) ? { fallbackOfUid: get(FALLBACK_OF_UID_ANNOTATION) } : {}),
    ...(Number.isInteger(attempt) && attempt > 0 ? { attempt } : {}),
    ...(get(TARGET_NODE_ANNOTATION) ? { targetNode: get(TARGET_NODE_ANNOTATION) } : {}),
    ...(get(FALLBACK_REASON_ANNOTATION) ? { reason: get(FALLBACK_REASON_ANNOTATION) } : {}),
    ...(str(owner?.uid) ? { vmiUid: str(owner?.uid) } : {}),
  };
}

export function parseVmim(o: unknown): Parsed<VmimView> {
  const meta = parseMeta(o, true);
  if (!meta.ok) return meta;
  const obj = o as Obj;
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const vmiName = str(spec.vmiName);
  if (!vmiName) return { ok: false, code: 'no-vmi-name', message: 'spec.vmiName is missing' };
  const status = obj.status === undefined || obj.status === null ? {} : obj.status;
  if (!isRecord(status)) return { ok: false, code: 'bad-status', message: 'status is not an object' };
  if (status.phase !== undefined && typeof status.phase !== 'string') return { ok: false, code: 'bad-phase', message: 'status.phase is not a string' };
  const transitions = status.phaseTransitionTimestamps ?? [];
  if (!Array.isArray(transitions)) return { ok: false, code: 'bad-status', message: 'status.phaseTransitionTimestamps is not a list' };
  const phaseTimes: Record<string, number> = {};
  for (const t of transitions) {
    const ms = isRecord(t) ? timestampMs(t.phaseTransitionTimestamp) : undefined;
    if (!isRecord(t) || !str(t.phase) || ms === undefined) {
      return { ok: false, code: 'bad-status', message: 'a phaseTransitionTimestamps entry lacks a phase or a time' };
    }
    phaseTimes[t.phase as string] = ms;
  }
  const conditions = conditionList(status.conditions);
  if (!conditions) return { ok: false, code: 'bad-status', message: 'status.conditions is not a list of objects' };
  const migrationState = parseMigrationState(status.migrationState);
  const abortCondition = conditions.some((c) => c.type === ABORT_REQUESTED_CONDITION && c.status === 'True');
  const kvfleet = fallbackMarks(meta.value);
  const { name, namespace, uid, createdMs, deleting } = meta.value;
  return {
    ok: true,
    value: {
      name,
      namespace,
      uid,
      vmiName,
      createdMs,
      deleting,
      ...(str(status.phase) ? { phase: status.phase as string } : {}),
      phaseTimes,
      abortRequested: abortCondition || (migrationState?.abortRequested ?? false) || migrationState?.abortStatus !== undefined,
      ...(migrationState ? { migrationState } : {}),
      ...(kvfleet ? { kvfleet } : {}),
      retriedByKubevirt:
        meta.value.annotations[EVACUATION_MIGRATION_ANNOTATION] !== undefined || meta.value.annotations[WORKLOAD_UPDATE_MIGRATION_ANNOTATION] !== undefined,
    },
  };
}

export function parseVmi(o: unknown): Parsed<VmiView> {
  const meta = parseMeta(o, true);
  if (!meta.ok) return meta;
  const obj = o as Obj;
  const status = obj.status === undefined || obj.status === null ? {} : obj.status;
  if (!isRecord(status)) return { ok: false, code: 'bad-status', message: 'status is not an object' };
  const conditions = conditionList(status.conditions);
  if (!conditions) return { ok: false, code: 'bad-status', message: 'status.conditions is not a list of objects' };
  const machine = isRecord(status.machine) ? status.machine : {};
  const migratable = conditions.find((c) => c.type === 'LiveMigratable');
  const migrationState = parseMigrationState(status.migrationState);
  const { name, namespace, uid, createdMs, deleting } = meta.value;
  return {
    ok: true,
    value: {
      name,
      namespace,
      uid,
      createdMs,
      deleting,
      ...(str(status.phase) ? { phase: status.phase as string } : {}),
      ...(str(status.nodeName) ? { nodeName: status.nodeName as string } : {}),
      ...(str(status.evacuationNodeName) ? { evacuationNodeName: status.evacuationNodeName as string } : {}),
      ...(str(machine.type) ? { machineType: machine.type as string } : {}),
      ...(migratable ? { liveMigratable: migratable.status === 'True' } : {}),
      ...(migratable && str(migratable.reason) ? { liveMigratableReason: migratable.reason as string } : {}),
      ...(migrationState ? { migrationState } : {}),
    },
  };
}

export function parseNode(o: unknown): Parsed<NodeView> {
  const meta = parseMeta(o, false);
  if (!meta.ok) return meta;
  const obj = o as Obj;
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const status = isRecord(obj.status) ? obj.status : {};
  const conditions = conditionList(status.conditions);
  if (!conditions) return { ok: false, code: 'bad-status', message: 'status.conditions is not a list of objects' };
  const { name, labels } = meta.value;
  return {
    ok: true,
    value: {
      name,
      hostname: labels[HOSTNAME_LABEL] ?? name,
      ready: conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
      cordoned: spec.unschedulable === true,
      draining: Array.isArray(spec.taints) && spec.taints.some((t: unknown) => isRecord(t) && t.key === KUBEVIRT_DRAIN_TAINT),
      labels,
    },
  };
}

export function parseTargetPod(o: unknown): Parsed<TargetPodView> {
  const meta = parseMeta(o, true);
  if (!meta.ok) return meta;
  const obj = o as Obj;
  const vmimUid = meta.value.labels[MIGRATION_JOB_UID_LABEL];
  if (!vmimUid) return { ok: false, code: 'no-migration-job', message: `label ${MIGRATION_JOB_UID_LABEL} is missing` };
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const status = isRecord(obj.status) ? obj.status : {};
  const conditions = conditionList(status.conditions);
  if (!conditions) return { ok: false, code: 'bad-status', message: 'status.conditions is not a list of objects' };
  const scheduled = conditions.find((c) => c.type === 'PodScheduled');
  const unschedulable = scheduled?.status === 'False' && scheduled.reason === 'Unschedulable';
  const { name, namespace, deleting, annotations } = meta.value;
  return {
    ok: true,
    value: {
      name,
      namespace,
      vmimUid,
      ...(annotations[MIGRATION_JOB_NAME_ANNOTATION] ? { vmimName: annotations[MIGRATION_JOB_NAME_ANNOTATION] } : {}),
      ...(str(spec.nodeName) ? { nodeName: spec.nodeName as string } : {}),
      ...(str(status.phase) ? { phase: status.phase as string } : {}),
      deleting,
      ...(unschedulable ? { unschedulableMessage: str(scheduled?.message) ?? 'Unschedulable' } : {}),
      networkRouted: annotations[OVN_ROUTED_ANNOTATION] === 'true',
    },
  };
}

export function isFinalPhase(phase: string | undefined): boolean {
  return phase !== undefined && FINAL_PHASES.includes(phase);
}
