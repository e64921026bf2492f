/**
 * The names kvfleet owns on Nodes, VMIMs and Pods. KubeVirt's virt-handler deletes and rewrites
 * every label under its own `*.node.kubevirt.io/` prefixes on each reconcile, so kvfleet never
 * writes there and keeps everything under `kvfleet.io`.
 */

/** `machine-type.kvfleet.io/<type>: "true"` for every canonical type and alias the node's QEMU offers. */
export const MACHINE_TYPE_LABEL_PREFIX = 'machine-type.kvfleet.io/';
/** `deprecated.machine-type.kvfleet.io/<type>: "true"` for each offered type QEMU flags deprecated. */
export const DEPRECATED_MACHINE_TYPE_LABEL_PREFIX = 'deprecated.machine-type.kvfleet.io/';
/** Node label: the pool of the cluster definition whose nodeSelector matches the node. */
export const POOL_LABEL = 'kvfleet.io/pool';
/** Node label: the hypervisor release that pool declares. */
export const HYPERVISOR_RELEASE_LABEL = 'kvfleet.io/hypervisor-release';
/** Node label `"true"`/`"false"`: the node's real set differs from its pool's declared set. */
export const DRIFT_LABEL = 'kvfleet.io/machine-type-drift';
/** Node annotation: JSON `{ "extra": [...], "missing": [...] }` behind the drift label. */
export const DRIFT_ANNOTATION = 'kvfleet.io/machine-type-drift';

/** VMIM annotation: pin the migration target to this node (set by the controller on fallbacks). */
export const TARGET_NODE_ANNOTATION = 'kvfleet.io/target-node';
/** VMIM label on kvfleet-created fallbacks: name of the VMIM whose failure they retry. */
export const FALLBACK_OF_LABEL = 'kvfleet.io/fallback-of';
/** VMIM label on kvfleet-created fallbacks: 1 for the first fallback of a VMI, 2 for the next… */
export const ATTEMPT_LABEL = 'kvfleet.io/attempt';
/** VMIM label on kvfleet-created fallbacks: the VMI they migrate (for listing and clean-up). */
export const VMI_LABEL = 'kvfleet.io/vmi';
/** Label on every object kvfleet creates at runtime or synthesises. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'kvfleet';

/** The hostname label the scheduler matches; pinned targets select on it. */
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

// Kubernetes qualified name: prefix (DNS subdomain) / name (≤ 63, alphanumeric ends, [-_.] inside).
const LABEL_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;

export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

/** The node label key for a machine type, or `undefined` when the type cannot be a label name. */
export function machineTypeLabelKey(machineType: string): string | undefined {
  return isValidLabelName(machineType) ? MACHINE_TYPE_LABEL_PREFIX + machineType : undefined;
}

export function deprecatedMachineTypeLabelKey(machineType: string): string | undefined {
  return isValidLabelName(machineType) ? DEPRECATED_MACHINE_TYPE_LABEL_PREFIX + machineType : undefined;
}

/** True for every key the labeller manages (and so may remove). */
export function isKvfleetNodeLabel(key: string): boolean {
  return (
    key.startsWith(MACHINE_TYPE_LABEL_PREFIX) ||
    key.startsWith(DEPRECATED_MACHINE_TYPE_LABEL_PREFIX) ||
    key === POOL_LABEL ||
    key === HYPERVISOR_RELEASE_LABEL ||
    key === DRIFT_LABEL
  );
}
