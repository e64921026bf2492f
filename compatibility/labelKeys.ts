/**
 * The names kvfleet owns on Nodes, VMIMs and Pods. KubeVirt's virt-handler deletes and rewrites
 * every label under its own `*.node.kubevirt.io/` prefixes on each reconcile, so kvfleet never
 * writes there and keeps everything under `kvfleet.io`.
 */

/** `machine-type.kvfleet.io/<type>: "true"` for every canonical type and alias the node's QEMU offers. */
export const MACHINE_TYPE_LABEL_PREFIX = 'machine-type.kvfleet.io/';
/** `deprecated.machine-type.kvfleet.io/<type>: "true"` for each offered type QEMU flags deprecated. */
export const DEPRECATED_MACHINE_TYPE_LABEL_PREFIX = 'deprecated.machine-type.kvfleet.io/';
/**
 * `alias.machine-type.kvfleet.io/<alias>: <canonical>`: what an alias (`q35`, `pc`) resolves to on
 * this node's QEMU, e.g. `alias.machine-type.kvfleet.io/q35: pc-q35-rhel9.6.0`.
 */
export const ALIAS_MACHINE_TYPE_LABEL_PREFIX = 'alias.machine-type.kvfleet.io/';

/** Node label: the pool of the cluster definition whose nodeSelector matches the node. */
export const POOL_LABEL = 'kvfleet.io/pool';
/**
 * Node label kvfleet wrote before machine types came from the launcher (the pool's OS release); the
 * labeller now removes it from nodes that still carry it, so the key stays kvfleet's own.
 */
export const HYPERVISOR_RELEASE_LABEL = 'kvfleet.io/hypervisor-release';
/** Node label `"true"`/`"false"`: the node's measured set differs from its launcher's catalogue entry. */
export const DRIFT_LABEL = 'kvfleet.io/machine-type-drift';
/** Node annotation: JSON with `extra`, `missing` and the `reason` behind the drift label. */
export const DRIFT_ANNOTATION = 'kvfleet.io/machine-type-drift';
/**
 * Node label `"true"`/`"false"`: KubeVirt's own machine-type labels (which its scheduler selector
 * uses on KubeVirt ≥ 1.5.1) disagree with what the node's QEMU offers with KVM. Absent while
 * KubeVirt has not labelled the node.
 */
export const KUBEVIRT_LABEL_DRIFT_LABEL = 'kvfleet.io/kubevirt-machine-type-drift';
/** Node annotation: JSON `{ "kubevirtLacks": [...], "kubevirtOnly": [...] }` behind that label. */
export const KUBEVIRT_LABEL_DRIFT_ANNOTATION = 'kvfleet.io/kubevirt-machine-type-drift';

/** VMIM annotation: pin the migration target to this node (set by the controller on fallbacks). */
export const TARGET_NODE_ANNOTATION = 'kvfleet.io/target-node';
/** VMIM label on kvfleet-created fallbacks: name of the VMIM whose failure they retry. */
export const FALLBACK_OF_LABEL = 'kvfleet.io/fallback-of';
/** VMIM label on kvfleet-created fallbacks: 1 for the first fallback of a VMI, 2 for the next… */
export const ATTEMPT_LABEL = 'kvfleet.io/attempt';
/** VMIM label on kvfleet-created fallbacks: the VMI they migrate (for listing and clean-up). */
export const VMI_LABEL = 'kvfleet.io/vmi';
/** Pod template annotation: hash of the controller's settings, so a changed setting rolls the pods. */
export const CONFIG_HASH_ANNOTATION = 'kvfleet.io/config-hash';
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

/** A label value: empty, or a label name (≤ 63 characters, alphanumeric ends, `[-_.]` inside). */
export function isValidLabelValue(value: string): boolean {
  return value === '' || LABEL_NAME.test(value);
}

// RFC 1123, as apimachinery's IsDNS1123Label / IsDNS1123Subdomain.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DNS_LABEL_MAX_LENGTH = 63;
export const DNS_SUBDOMAIN_MAX_LENGTH = 253;

/** RFC 1123 label: Namespace names, and the pool and cluster names kvfleet turns into label values. */
export function isDnsLabel(s: string): boolean {
  return s.length <= DNS_LABEL_MAX_LENGTH && DNS_LABEL.test(s);
}

/** RFC 1123 subdomain: most object names, and the prefix of a label key. */
export function isDnsSubdomain(s: string): boolean {
  return s.length <= DNS_SUBDOMAIN_MAX_LENGTH && DNS_SUBDOMAIN.test(s);
}

/**
 * Why `key` cannot be a label key, or `undefined` when it can: `[prefix/]name`, the prefix a DNS
 * subdomain, the name a label name (apimachinery's IsQualifiedName, which the API server applies).
 */
export function labelKeyProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'a label key has at most one "/"';
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix === '') return 'the prefix before "/" is empty';
    if (prefix.length > DNS_SUBDOMAIN_MAX_LENGTH) return `the prefix before "/" is ${prefix.length} characters long (at most ${DNS_SUBDOMAIN_MAX_LENGTH})`;
    if (!DNS_SUBDOMAIN.test(prefix)) return 'the prefix before "/" is not a DNS subdomain (lower-case letters, digits, "-" and ".")';
  }
  if (name === '') return 'the name part is empty';
  if (name.length > 63) return `the name part is ${name.length} characters long (at most 63)`;
  if (!LABEL_NAME.test(name)) return 'the name part may hold only letters, digits, "-", "_" and ".", and must start and end with a letter or digit';
  return undefined;
}

export function isValidLabelKey(key: string): boolean {
  return labelKeyProblem(key) === undefined;
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
    key.startsWith(ALIAS_MACHINE_TYPE_LABEL_PREFIX) ||
    key === POOL_LABEL ||
    key === HYPERVISOR_RELEASE_LABEL ||
    key === DRIFT_LABEL ||
    key === KUBEVIRT_LABEL_DRIFT_LABEL
  );
}

/** VMIM annotation on kvfleet-created fallbacks: UID of the VMIM whose failure they retry (the label holds its name). */
export const FALLBACK_OF_UID_ANNOTATION = 'kvfleet.io/fallback-of-uid';
/** VMIM annotation on kvfleet-created fallbacks: why the failed migration was judged fixable (`TargetUnschedulable`…). */
export const FALLBACK_REASON_ANNOTATION = 'kvfleet.io/fallback-reason';

/** The label-name rule above as RE2-compatible source, for CEL `matches()` in generated policies. */
export const LABEL_NAME_PATTERN = LABEL_NAME.source;

/** The alias label key, or `undefined` when the alias cannot be a label name. */
export function aliasMachineTypeLabelKey(alias: string): string | undefined {
  return isValidLabelName(alias) ? ALIAS_MACHINE_TYPE_LABEL_PREFIX + alias : undefined;
}

/** Event reason on a Node (Warning) when its machine types differ from its pool's declaration. */
export const MACHINE_TYPE_DRIFT_REASON = 'MachineTypeDrift';
/** Event reason on a Node (Normal) when a reported drift is gone. */
export const MACHINE_TYPE_DRIFT_RESOLVED_REASON = 'MachineTypeDriftResolved';
/** Event reason on a Node (Warning) when KubeVirt's machine-type labels disagree with the node's QEMU. */
export const KUBEVIRT_LABEL_DRIFT_REASON = 'KubeVirtMachineTypeLabelDrift';
/** Event reason on a Node (Normal) when KubeVirt's labels agree again. */
export const KUBEVIRT_LABEL_DRIFT_RESOLVED_REASON = 'KubeVirtMachineTypeLabelDriftResolved';
