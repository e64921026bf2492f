/**
 * The resolved machine-type matrix of one cluster, as the `kvfleet-machine-types` ConfigMap carries
 * it. The generator writes it; the labeller (drift) and the controller (pool names, upgrade
 * preferences) read it back, so all three share one shape.
 */
import { parse, stringify } from 'yaml';
import { isRecord } from './guards.js';
import { ARCHITECTURES } from './machineTypeNames.js';
import { type ClusterModelInput, type MachineTypeSet, type ResolvedPool, resolveCluster } from './poolMachineTypes.js';
import { type StepKind } from './launcherSteps.js';

export const MATRIX_CONFIGMAP_NAME = 'kvfleet-machine-types';
export const MATRIX_CONFIGMAP_KEY = 'matrix.yaml';
/** Where both programs mount the ConfigMap, and so the file they read by default. */
export const MATRIX_MOUNT_DIR = '/etc/kvfleet/matrix';
export const MATRIX_MOUNT_PATH = `${MATRIX_MOUNT_DIR}/${MATRIX_CONFIGMAP_KEY}`;

/** A cluster step as the programs need it: enough to name the launcher a node's labels come from. */
export interface MatrixStep {
  readonly id: string;
  readonly kind: StepKind;
  readonly label: string;
  /** Catalogue entry id, `kubevirt-1.8/centos-stream-9`. */
  readonly launcherEntry: string;
  readonly launcher: string;
  readonly launcherImage: string;
}

export interface MatrixDocument {
  readonly cluster: string;
  readonly kubevirtVersion: string;
  /** `now`, then each planned step; every pool's `sets` has one set per step, in this order. */
  readonly steps: readonly MatrixStep[];
  readonly pools: readonly ResolvedPool[];
}

export function matrixDocument(cluster: ClusterModelInput & { readonly kubevirtVersion: string }): MatrixDocument {
  const { steps, pools } = resolveCluster(cluster);
  return {
    cluster: cluster.name,
    kubevirtVersion: cluster.kubevirtVersion,
    steps: steps.map((s) => ({
      id: s.id,
      kind: s.kind,
      label: s.label,
      launcherEntry: s.launcher.entry.id,
      launcher: s.launcher.label,
      launcherImage: s.launcher.image,
    })),
    pools,
  };
}

/** `current` is `sets[0]`; written once, rebuilt on parse. No YAML anchors: readers see each set in full. */
export function renderMatrixDocument(doc: MatrixDocument): string {
  const pools = doc.pools.map(({ current: _current, ...rest }) => rest);
  return stringify({ ...doc, pools }, { sortMapEntries: false, lineWidth: 0, aliasDuplicateObjects: false });
}

export type ParsedMatrix = { ok: true; matrix: MatrixDocument } | { ok: false; message: string };

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isStringMap = (v: unknown): v is Record<string, string> => isRecord(v) && Object.values(v).every((x) => typeof x === 'string');

function checkSet(v: unknown, at: string): string | undefined {
  if (typeof v !== 'object' || v === null) return `${at} is not an object`;
  const s = v as Partial<MachineTypeSet>;
  if (typeof s.launcher !== 'string') return `${at}.launcher is not a string`;
  if (!(ARCHITECTURES as readonly unknown[]).includes(s.architecture)) return `${at}.architecture is not one of ${ARCHITECTURES.join(', ')}`;
  if (!isStringList(s.supported)) return `${at}.supported is not a list of strings`;
  if (!isStringList(s.deprecated)) return `${at}.deprecated is not a list of strings`;
  if (!isStringMap(s.aliases)) return `${at}.aliases is not a map of strings`;
  return undefined;
}

/** Parses the ConfigMap text; never throws, so a program can log and keep its last good matrix. */
export function parseMatrixDocument(text: string): ParsedMatrix {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    return { ok: false, message: `not YAML: ${(e as Error).message}` };
  }
  if (typeof doc !== 'object' || doc === null) return { ok: false, message: 'not a mapping' };
  const d = doc as Partial<MatrixDocument>;
  if (typeof d.cluster !== 'string') return { ok: false, message: 'cluster is not a string' };
  if (typeof d.kubevirtVersion !== 'string') return { ok: false, message: 'kubevirtVersion is not a string' };
  if (!Array.isArray(d.steps) || d.steps.length === 0) return { ok: false, message: 'steps is not a non-empty list' };
  for (const [i, st] of d.steps.entries()) {
    const step = st as Partial<MatrixStep> | null;
    if (typeof step !== 'object' || step === null) return { ok: false, message: `steps[${i}] is not an object` };
    for (const key of ['id', 'kind', 'label', 'launcherEntry', 'launcher', 'launcherImage'] as const)
      if (typeof step[key] !== 'string') return { ok: false, message: `steps[${i}].${key} is not a string` };
  }
  if (!Array.isArray(d.pools)) return { ok: false, message: 'pools is not a list' };
  const pools: ResolvedPool[] = [];
  for (const [i, p] of d.pools.entries()) {
    const at = `pools[${i}]`;
    if (typeof p !== 'object' || p === null) return { ok: false, message: `${at} is not an object` };
    if (typeof p.name !== 'string') return { ok: false, message: `${at}.name is not a string` };
    if (!isStringMap(p.nodeSelector)) return { ok: false, message: `${at}.nodeSelector is not a map of strings` };
    if (!(ARCHITECTURES as readonly unknown[]).includes(p.architecture)) return { ok: false, message: `${at}.architecture is not one of ${ARCHITECTURES.join(', ')}` };
    if (!Array.isArray(p.sets) || p.sets.length !== d.steps.length) return { ok: false, message: `${at}.sets is not a list of one set per step (${d.steps.length})` };
    for (const [k, set] of (p.sets as unknown[]).entries()) {
      const bad = checkSet(set, `${at}.sets[${k}]`);
      if (bad) return { ok: false, message: bad };
    }
    pools.push({ ...p, current: p.sets[0] } as ResolvedPool);
  }
  return { ok: true, matrix: { ...(d as MatrixDocument), pools } };
}
