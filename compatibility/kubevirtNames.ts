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
/** What KubeVirt puts on every virt-launcher Pod, migration targets included (kubevirt.io/api core/v1). */
export const VIRT_LAUNCHER_LABELS = { 'kubevirt.io': 'virt-launcher' } as const;
/** Annotation on every virt-launcher Pod: the name of its VMI. */
export const DOMAIN_ANNOTATION = 'kubevirt.io/domain';
/** VM template annotation that lets a pod-network bridge interface live-migrate. */
export const ALLOW_BRIDGE_MIGRATION_ANNOTATION = 'kubevirt.io/allow-pod-bridge-network-live-migration';
/** KubeVirt's device-plugin resource for /dev/kvm; the labeller's capabilities step requests one. */
export const KVM_RESOURCE = 'devices.kubevirt.io/kvm';
/**
 * VMIM annotation on migrations KubeVirt's evacuation controller creates (value: the node being
 * evacuated). KubeVirt retries these itself: when one fails, the controller creates the next for the
 * VMI at once and the migration controller holds it back 20 s, doubling (`handleMigrationBackoff`).
 */
export const EVACUATION_MIGRATION_ANNOTATION = 'kubevirt.io/evacuationMigration';
/** VMIM annotation on workload-update migrations; KubeVirt retries these with the same backoff. */
export const WORKLOAD_UPDATE_MIGRATION_ANNOTATION = 'kubevirt.io/workloadUpdateMigration';
/** The taint `kubectl drain` / KubeVirt's evacuation puts on a node being drained. */
export const KUBEVIRT_DRAIN_TAINT = 'kubevirt.io/drain';

/**
 * The other Node labels virt-handler's node labeller sets (kubevirt.io/api core/v1 types.go,
 * `pkg/virt-handler/node-labeller/node_labeller.go` prepareLabels). kvfleet neither reads nor writes
 * them; the benches put them on Nodes so a Node carries the label set a real KubeVirt node has.
 */
export const KUBEVIRT_CPU_MODEL_LABEL_PREFIX = 'cpu-model.node.kubevirt.io/';
export const KUBEVIRT_CPU_MODEL_MIGRATION_LABEL_PREFIX = 'cpu-model-migration.node.kubevirt.io/';
export const KUBEVIRT_CPU_FEATURE_LABEL_PREFIX = 'cpu-feature.node.kubevirt.io/';
export const KUBEVIRT_CPU_TIMER_LABEL_PREFIX = 'cpu-timer.node.kubevirt.io/';
export const KUBEVIRT_CPU_VENDOR_LABEL_PREFIX = 'cpu-vendor.node.kubevirt.io/';
export const KUBEVIRT_HOST_MODEL_CPU_LABEL_PREFIX = 'host-model-cpu.node.kubevirt.io/';
export const KUBEVIRT_HOST_MODEL_REQUIRED_FEATURES_LABEL_PREFIX = 'host-model-required-features.node.kubevirt.io/';
export const KUBEVIRT_HYPERV_LABEL_PREFIX = 'hyperv.node.kubevirt.io/';
/** `"true"` while virt-handler's heartbeat is fresh; every virt-launcher Pod selects on it. */
export const KUBEVIRT_SCHEDULABLE_LABEL = 'kubevirt.io/schedulable';
/** virt-launcher Pod label: the VMI's UID; a migration target's required anti-affinity selects on it. */
export const KUBEVIRT_CREATED_BY_LABEL = 'kubevirt.io/created-by';
