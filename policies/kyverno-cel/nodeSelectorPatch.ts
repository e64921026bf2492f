/**
 * CEL shared by the two target-affinity policies (VMIM `spec.addedNodeSelector` on KubeVirt ≥ 1.6,
 * the migration target Pod's `spec.nodeSelector` before that): which selector entries to add, and
 * the JSONPatch that adds them.
 *
 * JSONPatch rather than an apply configuration: Pod `spec.nodeSelector` is an atomic map for
 * server-side-apply merging, so applying `{nodeSelector: {k: v}}` would replace KubeVirt's own
 * entries (`kubevirt.io/schedulable`, CPU model labels…) instead of adding one.
 */
import { HOSTNAME_LABEL, LABEL_NAME_PATTERN, MACHINE_TYPE_LABEL_PREFIX } from '../../compatibility/labelKeys.js';
import { celString } from './celLiterals.js';

/**
 * The `[key, value]` pairs to add, given variables holding the canonical machine type (or ''; no
 * variable at all where KubeVirt selects on its own label and kvfleet must add none), the pinned
 * target node (or '') and the selector already on the object. A key already present
 * is left alone: on KubeVirt ≥ 1.6 the VM's own selector wins collisions anyway, and a pin set
 * by someone else (the migration controller writing addedNodeSelector itself) is theirs to keep.
 * A type that is not a valid label name gets no entry: the selector would make the target Pod invalid.
 */
export function selectorAdditionsCel(machineTypeVar: string | undefined, targetNodeVar: string, existingVar: string): string {
  const pin = `(${targetNodeVar} != '' ? [[${celString(HOSTNAME_LABEL)}, ${targetNodeVar}]] : [])`;
  // Only kvfleet's own label: on clusters where KubeVirt selects, compatibility/nodeRule.ts says its label is the truth.
  const machineType =
    machineTypeVar === undefined
      ? ''
      : `(${machineTypeVar}.matches(${celString(LABEL_NAME_PATTERN)}) ? [[${celString(MACHINE_TYPE_LABEL_PREFIX)} + ${machineTypeVar}, 'true']] : []) + `;
  return `(${machineType}${pin}).filter(p, !(p[0] in ${existingVar}))`;
}

/**
 * A JSONPatch list adding each pair under the map at `path` (`/spec/nodeSelector`), creating the
 * map first when `hasMapCel` is false; an empty list (no change) when there is nothing to add.
 */
export function addToMapJsonPatchCel(path: string, hasMapCel: string, additionsVar: string): string {
  return [
    `${additionsVar}.size() == 0 ? [] :`,
    `(${hasMapCel} ? [] : [JSONPatch{op: "add", path: ${celString(path)}, value: {}}]) +`,
    `${additionsVar}.map(p, JSONPatch{op: "add", path: ${celString(`${path}/`)} + jsonpatch.escapeKey(p[0]), value: p[1]})`,
  ].join('\n');
}
