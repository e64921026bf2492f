/**
 * What kvfleet's labels and annotations on a Node should be, and the one patch that gets them
 * there. Pure: the reconciler feeds it the parsed capabilities, the matrix and the Node.
 *
 * `kvfleet.io/hypervisor-release` is no longer written (machine types come from the launcher, not
 * the node's OS release); as a kvfleet-owned key it is removed from nodes that still carry it.
 */
import {
  aliasMachineTypeLabelKey,
  deprecatedMachineTypeLabelKey,
  DRIFT_ANNOTATION,
  DRIFT_LABEL,
  isKvfleetNodeLabel,
  isValidLabelName,
  KUBEVIRT_LABEL_DRIFT_ANNOTATION,
  KUBEVIRT_LABEL_DRIFT_LABEL,
  KUBEVIRT_LABEL_DRIFT_REASON,
  KUBEVIRT_LABEL_DRIFT_RESOLVED_REASON,
  MACHINE_TYPE_DRIFT_REASON,
  MACHINE_TYPE_DRIFT_RESOLVED_REASON,
  machineTypeLabelKey,
  POOL_LABEL,
} from '../../compatibility/labelKeys.js';
import { schedulingContract } from '../../compatibility/kubevirtVersions.js';
import { type MatrixDocument } from '../../compatibility/matrixDocument.js';
import { machineTypesLabelledBy, poolOfNode } from '../../compatibility/nodeRule.js';
import { type NodeMachineTypes } from './capabilitiesXml.js';
import { hasKubevirtLabelDrift, type KubevirtLabelDrift, kubevirtLabelDrift, kubevirtLabelDriftAnnotationValue } from './kubevirtLabelDrift.js';
import { hasDrift, type LauncherDrift, launcherDrift, type Measurement } from './machineTypeDrift.js';

type StringMap = Readonly<Record<string, string>>;

export interface DesiredNodeMetadata {
  /** Every labeller-owned label the node should carry; owned labels not listed here go. */
  readonly labels: StringMap;
  /** Every labeller-owned annotation the node should carry. */
  readonly annotations: StringMap;
  /** Absent when no pool's nodeSelector matches the node. */
  readonly match?: LauncherDrift;
  /** Absent while KubeVirt has not labelled the node's machine types. */
  readonly kubevirt?: KubevirtLabelDrift;
  /** Names that cannot be label names (e.g. longer than 63 characters), left unlabelled. */
  readonly skipped: readonly string[];
  readonly warnings: readonly string[];
}

/** What the drift decision reads of the matrix ConfigMap. */
export type DriftContext = Pick<MatrixDocument, 'kubevirtVersion' | 'steps' | 'pools'>;

/** The drift annotation: `{ reason, extra, missing }`, plus who measured it, the step and the sentence when there is drift. */
export function driftAnnotationValue(drift: LauncherDrift): string {
  return JSON.stringify({
    reason: drift.reason,
    extra: drift.extra,
    missing: drift.missing,
    ...(drift.measuredBy ? { measuredBy: drift.measuredBy } : {}),
    ...(drift.step ? { step: drift.step.id } : {}),
    ...(drift.explanation ? { explanation: drift.explanation } : {}),
  });
}

/**
 * The readings drift is decided on: kvfleet's own capabilities always and, where KubeVirt labels
 * machine types (≥ 1.5.1, kubevirtVersions.ts) and has labelled this node, KubeVirt's labels, which
 * virt-handler writes from the launcher it runs, so they show its canary window.
 */
function readingsOf(machineTypes: NodeMachineTypes, matrix: DriftContext, nodeLabels: StringMap): Measurement[] {
  const readings: Measurement[] = [{ by: 'kvfleet', types: machineTypes.canonical }];
  if (schedulingContract(matrix.kubevirtVersion)?.machineTypeLabeller === 'kubevirt') {
    const kubevirt = machineTypesLabelledBy(nodeLabels, 'kubevirt');
    if (kubevirt.length > 0) readings.push({ by: 'kubevirt', types: kubevirt });
  }
  return readings;
}

export function desiredNodeMetadata(machineTypes: NodeMachineTypes, matrix: DriftContext, nodeLabels: StringMap, nodeAnnotations: StringMap = {}): DesiredNodeMetadata {
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  const skipped = new Set<string>();
  const warnings: string[] = [];
  const put = (key: string | undefined, value: string, machineType: string) => {
    if (key === undefined) skipped.add(machineType);
    else labels[key] = value;
  };

  for (const t of [...machineTypes.canonical, ...Object.keys(machineTypes.aliases)]) put(machineTypeLabelKey(t), 'true', t);
  for (const t of machineTypes.deprecated) put(deprecatedMachineTypeLabelKey(t), 'true', t);
  for (const [alias, target] of Object.entries(machineTypes.aliases)) {
    // The target is a label value here, which has the same 63-character rule as a name.
    if (isValidLabelName(target)) put(aliasMachineTypeLabelKey(alias), target, alias);
    else skipped.add(target);
  }
  for (const t of skipped)
    warnings.push(`machine type ${JSON.stringify(t)} cannot be a Kubernetes label name (at most 63 characters, alphanumeric at both ends, [-_.] inside); not labelled`);

  const kubevirt = kubevirtLabelDrift(machineTypes, nodeLabels, nodeAnnotations);
  if (kubevirt) {
    labels[KUBEVIRT_LABEL_DRIFT_LABEL] = String(hasKubevirtLabelDrift(kubevirt));
    annotations[KUBEVIRT_LABEL_DRIFT_ANNOTATION] = kubevirtLabelDriftAnnotationValue(kubevirt);
  }
  const withKubevirt = kubevirt ? { kubevirt } : {};

  const pool = poolOfNode(matrix.pools, nodeLabels);
  if (!pool) {
    warnings.push('no pool of the cluster definition selects this node; pool and drift are not reported');
    return { labels, annotations, ...withKubevirt, skipped: [...skipped], warnings };
  }
  const match = launcherDrift(pool, matrix.steps, readingsOf(machineTypes, matrix, nodeLabels));
  if (isValidLabelName(match.pool)) labels[POOL_LABEL] = match.pool;
  else warnings.push(`${POOL_LABEL} value ${JSON.stringify(match.pool)} is not a valid label value; not set`);
  labels[DRIFT_LABEL] = String(hasDrift(match));
  annotations[DRIFT_ANNOTATION] = driftAnnotationValue(match);
  return { labels, annotations, match, ...withKubevirt, skipped: [...skipped], warnings };
}

/** A JSON merge patch (RFC 7386) body: `null` deletes a key, absent keys are left alone. */
export interface NodeMetadataPatch {
  readonly metadata: {
    readonly labels?: Readonly<Record<string, string | null>>;
    readonly annotations?: Readonly<Record<string, string | null>>;
  };
}

const OWNED_ANNOTATIONS = new Set([DRIFT_ANNOTATION, KUBEVIRT_LABEL_DRIFT_ANNOTATION]);

function mapPatch(current: StringMap, desired: StringMap, owned: (key: string) => boolean): Record<string, string | null> | undefined {
  const patch: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(desired)) if (current[k] !== v) patch[k] = v;
  for (const k of Object.keys(current)) if (owned(k) && !Object.hasOwn(desired, k)) patch[k] = null;
  return Object.keys(patch).length > 0 ? patch : undefined;
}

/**
 * The merge patch that turns the node's kvfleet labels and annotations into `desired`, touching no
 * other key; `undefined` when the node is already right (then nothing is written).
 */
export function nodeMetadataPatch(
  current: { readonly labels?: StringMap; readonly annotations?: StringMap },
  desired: Pick<DesiredNodeMetadata, 'labels' | 'annotations'>,
): NodeMetadataPatch | undefined {
  const labels = mapPatch(current.labels ?? {}, desired.labels, isKvfleetNodeLabel);
  const annotations = mapPatch(current.annotations ?? {}, desired.annotations, (k) => OWNED_ANNOTATIONS.has(k));
  if (!labels && !annotations) return undefined;
  return { metadata: { ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) } };
}

export interface NodeEventSpec {
  readonly type: 'Warning' | 'Normal';
  readonly reason: string;
  readonly message: string;
}

const MAX_LISTED = 12;
const listed = (names: readonly string[]) =>
  names.length <= MAX_LISTED ? names.join(', ') : `${names.slice(0, MAX_LISTED).join(', ')} and ${names.length - MAX_LISTED} more`;

/**
 * The Event to record when the drift state changes: a Warning when a drift appears or its content
 * changes, a Normal event when it goes. Reading the state from the node itself makes this
 * level-based: a repeated reconcile of an unchanged node records nothing.
 */
export function driftEvent(currentAnnotations: StringMap, currentLabels: StringMap, desired: DesiredNodeMetadata): NodeEventSpec | undefined {
  const match = desired.match;
  if (!match) return undefined;
  const wanted = desired.annotations[DRIFT_ANNOTATION];
  if (hasDrift(match)) {
    if (currentAnnotations[DRIFT_ANNOTATION] === wanted) return undefined;
    const parts = [
      match.extra.length > 0 ? `offers ${match.extra.length} machine type(s) that launcher lacks: ${listed(match.extra)}` : '',
      match.missing.length > 0 ? `lacks ${match.missing.length} of its machine type(s): ${listed(match.missing)}` : '',
    ].filter(Boolean);
    const fix =
      match.reason === 'canary'
        ? 'It ends when the upgrade has rolled out to every node and the cluster definition records that step as done.'
        : "Check the node's virt-handler and launcher image, or the pool's machineTypes overrides.";
    return {
      type: 'Warning',
      reason: MACHINE_TYPE_DRIFT_REASON,
      message: `Node differs from the launcher of pool ${match.pool} (${match.launcher}): ${match.explanation}. By ${match.measuredBy}'s reading it ${parts.join('; it ')}. ${fix}`,
    };
  }
  if (currentLabels[DRIFT_LABEL] === 'true') {
    return {
      type: 'Normal',
      reason: MACHINE_TYPE_DRIFT_RESOLVED_REASON,
      message: `Node now offers exactly the machine types of pool ${match.pool}'s launcher (${match.launcher}).`,
    };
  }
  return undefined;
}

/**
 * The Event to record when KubeVirt-label drift changes, level-based like `driftEvent`: a Warning
 * when a disagreement appears or changes, a Normal event when it goes.
 */
export function kubevirtDriftEvent(currentAnnotations: StringMap, currentLabels: StringMap, desired: DesiredNodeMetadata): NodeEventSpec | undefined {
  const drift = desired.kubevirt;
  if (!drift) return undefined;
  if (hasKubevirtLabelDrift(drift)) {
    if (currentAnnotations[KUBEVIRT_LABEL_DRIFT_ANNOTATION] === desired.annotations[KUBEVIRT_LABEL_DRIFT_ANNOTATION]) return undefined;
    const parts = [
      drift.kubevirtLacks.length > 0
        ? `KubeVirt has not labelled ${drift.kubevirtLacks.length} machine type(s) the node runs, so VMs of those types cannot migrate here: ${listed(drift.kubevirtLacks)}`
        : '',
      drift.kubevirtOnly.length > 0
        ? `KubeVirt labels ${drift.kubevirtOnly.length} machine type(s) the node's QEMU does not offer with KVM, so a migration could be placed here and fail: ${listed(drift.kubevirtOnly)}`
        : '',
    ].filter(Boolean);
    return { type: 'Warning', reason: KUBEVIRT_LABEL_DRIFT_REASON, message: `${parts.join('. ')}. Check virt-handler's node labeller and the node's libvirt.` };
  }
  if (currentLabels[KUBEVIRT_LABEL_DRIFT_LABEL] === 'true') {
    return { type: 'Normal', reason: KUBEVIRT_LABEL_DRIFT_RESOLVED_REASON, message: "KubeVirt's machine-type labels now agree with the node's QEMU." };
  }
  return undefined;
}

/** Every Event one reconcile should record, pool drift first. */
export function nodeEvents(currentAnnotations: StringMap, currentLabels: StringMap, desired: DesiredNodeMetadata): NodeEventSpec[] {
  return [driftEvent(currentAnnotations, currentLabels, desired), kubevirtDriftEvent(currentAnnotations, currentLabels, desired)].filter(
    (e): e is NodeEventSpec => e !== undefined,
  );
}
