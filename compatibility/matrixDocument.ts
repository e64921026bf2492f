/**
 * The resolved machine-type matrix of one cluster, as the `kvfleet-machine-types` ConfigMap carries
 * it. The generator writes it; the labeller (drift) and the controller (pool names, upgrade
 * preferences) read it back, so all three share one shape.
 */
import { parse, stringify } from 'yaml';
import { type ClusterDefinition } from '../fleet/clusterDefinition.js';
import { type MachineTypeSet, type ResolvedPool, resolvePools } from './poolMachineTypes.js';

export const MATRIX_CONFIGMAP_NAME = 'kvfleet-machine-types';
export const MATRIX_CONFIGMAP_KEY = 'matrix.yaml';
/** Where both programs mount the ConfigMap, and so the file they read by default. */
export const MATRIX_MOUNT_DIR = '/etc/kvfleet/matrix';
export const MATRIX_MOUNT_PATH = `${MATRIX_MOUNT_DIR}/${MATRIX_CONFIGMAP_KEY}`;

export interface MatrixDocument {
  readonly cluster: string;
  readonly kubevirtVersion: string;
  readonly pools: readonly ResolvedPool[];
}

export function matrixDocument(cluster: ClusterDefinition): MatrixDocument {
  return { cluster: cluster.name, kubevirtVersion: cluster.kubevirtVersion, pools: resolvePools(cluster) };
}

export function renderMatrixDocument(doc: MatrixDocument): string {
  return stringify(doc, { sortMapEntries: false, lineWidth: 0 });
}

export type ParsedMatrix = { ok: true; matrix: MatrixDocument } | { ok: false; message: string };

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isStringMap = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');

function checkSet(v: unknown, at: string): string | undefined {
  if (typeof v !== 'object' || v === null) return `${at} is not an object`;
  const s = v as Partial<MachineTypeSet>;
  if (typeof s.release !== 'string') return `${at}.release is not a string`;
  if (s.vendor !== 'rhel' && s.vendor !== 'qemu') return `${at}.vendor is not rhel or qemu`;
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
  if (!Array.isArray(d.pools)) return { ok: false, message: 'pools is not a list' };
  for (const [i, p] of d.pools.entries()) {
    const at = `pools[${i}]`;
    if (typeof p !== 'object' || p === null) return { ok: false, message: `${at} is not an object` };
    if (typeof p.name !== 'string') return { ok: false, message: `${at}.name is not a string` };
    if (!isStringMap(p.nodeSelector)) return { ok: false, message: `${at}.nodeSelector is not a map of strings` };
    const bad = checkSet(p.current, `${at}.current`) ?? (p.upgrade !== undefined ? checkSet(p.upgrade, `${at}.upgrade`) : undefined);
    if (bad) return { ok: false, message: bad };
  }
  return { ok: true, matrix: d as MatrixDocument };
}
