/**
 * `diffTrees(before, after)`: what a change does to every cluster and to delivery, from the two
 * synthesised trees. Pure; synthesiseSides.ts produces the trees.
 */
import { diffMatrices } from './matrixDiff.js';
import { MATRIX_CONFIGMAP_KEY, MATRIX_CONFIGMAP_NAME, type MatrixDocument, parseMatrixDocument } from '../../compatibility/matrixDocument.js';
import { admissionChange, enforcementChanges } from './admissionChanges.js';
import { deliveryChanges } from './deliveryChanges.js';
import { type DistObject, type DistTree } from './distTree.js';
import { isRecord } from '../../compatibility/guards.js';
import { fieldChanges } from './fieldChanges.js';
import { type ClusterDiff, type FleetDiff, type ObjectChange } from './fleetDiffModel.js';
import { settingChanges } from './settingsChanges.js';

/** The matrix the ConfigMap carries; undefined when absent or unreadable (the object diff still shows it). */
function matrixOf(objects: readonly DistObject[]): MatrixDocument | undefined {
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.name === MATRIX_CONFIGMAP_NAME);
  const data = isRecord(cm?.body) && isRecord(cm.body.data) ? cm.body.data[MATRIX_CONFIGMAP_KEY] : undefined;
  if (typeof data !== 'string') return undefined;
  const parsed = parseMatrixDocument(data);
  return parsed.ok ? parsed.matrix : undefined;
}

export function objectChanges(before: readonly DistObject[], after: readonly DistObject[]): ObjectChange[] {
  const b = new Map(before.map((o) => [o.key, o]));
  const a = new Map(after.map((o) => [o.key, o]));
  const out: ObjectChange[] = [];
  for (const key of [...new Set([...b.keys(), ...a.keys()])].sort()) {
    const ob = b.get(key);
    const oa = a.get(key);
    if (!ob || !oa) {
      out.push({ object: key, change: ob ? 'removed' : 'added', fields: [] });
      continue;
    }
    const fields = fieldChanges(ob.body, oa.body).map((c) => c.path);
    if (fields.length > 0) out.push({ object: key, change: 'changed', fields });
  }
  return out;
}

function clusterDiff(cluster: string, before: readonly DistObject[] | undefined, after: readonly DistObject[] | undefined): ClusterDiff | undefined {
  const b = before ?? [];
  const a = after ?? [];
  const objects = objectChanges(b, a);
  if (before && after && objects.length === 0) return undefined;
  const change = !before ? 'added' : !after ? 'removed' : 'changed';
  // A cluster that comes or goes gets kvfleet's policies and controller as every cluster does; what
  // its definition chose (pools, admission, KubeVirt and Kube-OVN settings) is what a reviewer reads.
  const whole = change !== 'changed';
  const matrix = diffMatrices(matrixOf(b), matrixOf(a));
  return {
    cluster,
    change,
    ...(matrix.launcher && !whole ? { launcher: matrix.launcher } : {}),
    ...(matrix.steps ? { steps: matrix.steps } : {}),
    pools: matrix.pools,
    admission: admissionChange(b, a),
    enforcement: whole ? [] : enforcementChanges(b, a),
    settings: settingChanges(b, a).filter((s) => !whole || s.area !== 'controller'),
    objects,
  };
}

export function diffTrees(before: DistTree, after: DistTree): FleetDiff {
  const names = [...new Set([...Object.keys(before.clusters), ...Object.keys(after.clusters)])].sort();
  return {
    clusters: names.map((n) => clusterDiff(n, before.clusters[n], after.clusters[n])).filter((d): d is ClusterDiff => d !== undefined),
    fleet: deliveryChanges(before.fleet, after.fleet),
  };
}
