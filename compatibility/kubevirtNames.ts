/**
 * KubeVirt's own label, annotation and taint names that kvfleet reads or sets. kvfleet never writes
 * under `*.node.kubevirt.io/`: virt-handler deletes and rewrites every label there on each reconcile.
 */

/** virt-handler's node label per machine type libvirt lists (`…/pc-q35-rhel9.6.0: "true"`), KubeVirt ≥ 1.5.1. */
export const KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX = 'machine-type.node.kubevirt.io/';
/** Node annotation that stops all KubeVirt node labelling on that node (node_labeller.go). */
export const KUBEVIRT_SKIP_NODE_ANNOTATION = 'node-labeller.kubevirt.io/skip-node';
/** KubeVirt's per-VMIM override of its 300 s unschedulable-target timeout (types.go). */
export const UNSCHEDULABLE_TIMEOUT_ANNOTATION = 'kubevirt.io/migrationUnschedulablePodTimeoutSeconds';
/** Label on a migration target virt-launcher Pod: the UID of the VMIM it serves. */
export const MIGRATION_JOB_UID_LABEL = 'kubevirt.io/migrationJobUID';
/** Annotation on a migration target virt-launcher Pod: the name of the VMIM it serves. */
export const MIGRATION_JOB_NAME_ANNOTATION = 'kubevirt.io/migrationJobName';
/** Annotation on every virt-launcher Pod: the name of its VMI. */
export const DOMAIN_ANNOTATION = 'kubevirt.io/domain';
/** VM template annotation that lets a pod-network bridge interface live-migrate. */
export const ALLOW_BRIDGE_MIGRATION_ANNOTATION = 'kubevirt.io/allow-pod-bridge-network-live-migration';
/** The taint `kubectl drain` / KubeVirt's evacuation puts on a node being drained. */
export const KUBEVIRT_DRAIN_TAINT = 'kubevirt.io/drain';
