/**
 * KubeVirt's own names the simulator writes or reads, beyond the ones kvfleet itself uses
 * (`compatibility/kubevirtNames.ts`, re-exported here so the simulator has one place to import from).
 * Values are those of `staging/src/kubevirt.io/api/core/v1/types.go` at v1.6.2 (unchanged since
 * v1.5.0 for every name here) unless another file is named.
 */
export {
  DOMAIN_ANNOTATION,
  EVACUATION_MIGRATION_ANNOTATION,
  WORKLOAD_UPDATE_MIGRATION_ANNOTATION,
  KUBEVIRT_CREATED_BY_LABEL,
  KUBEVIRT_DRAIN_TAINT,
  KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX,
  KUBEVIRT_SCHEDULABLE_LABEL,
  MIGRATION_JOB_NAME_ANNOTATION,
  MIGRATION_JOB_UID_LABEL,
  UNSCHEDULABLE_TIMEOUT_ANNOTATION,
  VIRT_LAUNCHER_LABELS,
} from '../../compatibility/kubevirtNames.js';

export const KUBEVIRT_API = { group: 'kubevirt.io', version: 'v1' } as const;
export const VMIS = { ...KUBEVIRT_API, plural: 'virtualmachineinstances' } as const;
export const VMIMS = { ...KUBEVIRT_API, plural: 'virtualmachineinstancemigrations' } as const;

/** `AppLabel` (types.go): every KubeVirt-made pod carries `kubevirt.io: <component>`. */
export const APP_LABEL = 'kubevirt.io';
export const VIRT_LAUNCHER = 'virt-launcher';
/** `FuncTestForceIgnoreMigrationBackoffAnnotation`: KubeVirt's test-only escape from the backoff. */
export const IGNORE_BACKOFF_ANNOTATION = 'kubevirt.io/func-test-ignore-migration-backoff';
/** `MigrationPendingPodTimeoutSecondsAnnotation`: per-VMIM override of the 900 s catch-all timeout. */
export const PENDING_TIMEOUT_ANNOTATION = 'kubevirt.io/migrationPendingPodTimeoutSeconds';
/** `MigrationSelectorLabel`: put on every VMIM by virt-api's create mutator (migration-create-mutator.go). */
export const MIGRATION_SELECTOR_LABEL = 'kubevirt.io/vmi-name';
/** `VirtualMachineInstanceMigrationFinalizer`: added by the same mutator, removed once the VMIM is final. */
export const MIGRATION_FINALIZER = 'kubevirt.io/migrationJobFinalize';
/** `NodeNameLabel`: the VMI's node, as a label on the VMI (virt-handler migration-target.go ackMigrationCompletion). */
export const NODE_NAME_LABEL = 'kubevirt.io/nodeName';
/** `MigrationTargetNodeNameLabel`: set on the VMI at hand-off (migration.go handleTargetPodHandoff). */
export const MIGRATION_TARGET_NODE_NAME_LABEL = 'kubevirt.io/migrationTargetNodeName';
/** `VirtualMachineNameLabel` on virt-launcher pods (template.go podLabels). */
export const VM_NAME_LABEL = 'vm.kubevirt.io/name';
/** `VirtualMachineUnpaused`: the readiness gate of every virt-launcher pod (template.go readinessGates). */
export const UNPAUSED_CONDITION = 'kubevirt.io/virtual-machine-unpaused';
/** `MigrationTransportUnixAnnotation` (template.go generatePodAnnotations). */
export const MIGRATION_TRANSPORT_UNIX_ANNOTATION = 'kubevirt.io/migrationTransportUnix';
/** VMIM condition added when a not-yet-final VMIM is deleted (migration.go updateStatus). */
export const ABORT_REQUESTED_CONDITION = 'migrationAbortRequested';
/** `kubernetes.io/arch`: KubeVirt selects on the VMI's `spec.architecture` (nodeselectorrenderer.go). */
export const ARCH_LABEL = 'kubernetes.io/arch';
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
/** Taints the node lifecycle controller puts on a node whose Ready condition is not True. */
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';

/** VMIM phases (types.go), local migrations only. */
export type VmimPhase = 'Pending' | 'Scheduling' | 'Scheduled' | 'PreparingTarget' | 'TargetReady' | 'Running' | 'Succeeded' | 'Failed';

/** `VirtualMachineInstanceMigration.IsFinal` (types.go). */
export function isFinalPhase(phase: string | undefined): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}

/**
 * `VirtualMachineInstanceMigration.IsRunning` (types.go): everything but unset, Pending and the
 * final phases (and the decentralized WaitingForSync / Synchronizing, which the simulator never uses).
 */
export function isRunningPhase(phase: string | undefined): boolean {
  return phase !== undefined && phase !== '' && phase !== 'Pending' && !isFinalPhase(phase) && phase !== 'WaitingForSync' && phase !== 'Synchronizing';
}

/** `TargetIsHandedOff` (types.go): the VMI's migration state has been written for this VMIM. */
export function isHandedOffPhase(phase: string | undefined): boolean {
  return phase === 'PreparingTarget' || phase === 'TargetReady' || phase === 'Running' || isFinalPhase(phase);
}

/** `TargetIsCreated` (types.go): the phase says a target pod exists. */
export function isTargetCreatedPhase(phase: string | undefined): boolean {
  return phase !== undefined && phase !== '' && phase !== 'Pending';
}
