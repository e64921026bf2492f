/**
 * Why a simulated migration failed, in the four causes the upgrade report counts, and the text
 * KubeVirt gives that failure (the FailedMigration event on the VMIM, or the VMI's
 * `status.migrationState.failureReason`). Pure.
 */

export type FailureCause = 'machine-type' | 'unschedulable' | 'node-failure' | 'other';
export const FAILURE_CAUSES: readonly FailureCause[] = ['machine-type', 'unschedulable', 'node-failure', 'other'];

/** What ended the migration, as the simulator saw it happen. */
export type FailureEvent =
  /** The target pod stayed Unschedulable past its timeout and was deleted (handlePendingPodTimeout). */
  | { readonly kind: 'unschedulable-timeout'; readonly pod: string }
  /** The target pod stayed Pending past the catch-all timeout and was deleted. */
  | { readonly kind: 'pending-timeout'; readonly pod: string; readonly boundTo?: string; readonly nodeReady?: boolean }
  /** The target's QEMU cannot run the VMI's machine type: the incoming domain fails to start. */
  | { readonly kind: 'incompatible-target'; readonly node: string; readonly machineType: string }
  /** The target (or source) node went NotReady during the migration. */
  | { readonly kind: 'node-not-ready'; readonly node: string; readonly role: 'target' | 'source' }
  /** The target pod disappeared or terminated for another reason. */
  | { readonly kind: 'target-pod-gone'; readonly nodeReady?: boolean }
  /** The VMIM was deleted (cancelled) before it finished. */
  | { readonly kind: 'aborted' }
  /** The VMI was deleted or stopped. */
  | { readonly kind: 'vmi-gone' }
  /** Another VMIM owns the VMI's migration state (canMigrateVMI). */
  | { readonly kind: 'not-eligible' }
  /** The VMI's migration state was cleared or taken over during the migration. */
  | { readonly kind: 'state-lost' };

export function failureCause(e: FailureEvent): FailureCause {
  switch (e.kind) {
    case 'unschedulable-timeout':
      return 'unschedulable';
    case 'pending-timeout':
      // Never bound: nothing could place it, whatever the scheduler's condition said. Bound to a
      // node that is not Ready: the node failed. Bound to a Ready node: something else.
      if (e.boundTo === undefined) return 'unschedulable';
      return e.nodeReady === false ? 'node-failure' : 'other';
    case 'incompatible-target':
      return 'machine-type';
    case 'node-not-ready':
      return 'node-failure';
    case 'target-pod-gone':
      return e.nodeReady === false ? 'node-failure' : 'other';
    default:
      return 'other';
  }
}

/** KubeVirt's words for the failure (migration.go event texts; virt-launcher's failure reasons). */
export function failureMessage(e: FailureEvent): string {
  switch (e.kind) {
    case 'unschedulable-timeout':
      return `unschedulable pod ${e.pod} timeout period exceeded`;
    case 'pending-timeout':
      return `pending pod ${e.pod} timeout period exceeded`;
    case 'incompatible-target':
      // virt-launcher live-migration-source.go: "Live migration failed <libvirt error>"; the error is
      // QEMU refusing the machine type when libvirt starts the incoming domain on the target.
      return (
        `Live migration failed virError(Code=1, Domain=10, Message='internal error: QEMU unexpectedly closed the monitor: ` +
        `qemu-kvm: -machine ${e.machineType}: unsupported machine type\nUse -machine help to list supported machines')`
      );
    case 'node-not-ready':
      return e.role === 'target'
        ? `Live migration failed: connection to the target node ${e.node} was lost (node NotReady)`
        : `Live migration failed: the source node ${e.node} is not Ready`;
    case 'target-pod-gone':
      return 'Migration target pod was removed during active migration.';
    case 'aborted':
      return 'Migration failed due to being canceled';
    case 'vmi-gone':
      return 'Migration failed vmi shutdown during migration.';
    case 'not-eligible':
      return 'VMI is not eligible for migration because another migration job is in progress.';
    case 'state-lost':
      return "VMI's migration state was taken over by another migration job during active migration.";
  }
}
