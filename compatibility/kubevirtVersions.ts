/**
 * The KubeVirt (and Kubernetes) versions at which kvfleet changes what it generates. Every version
 * threshold lives here; the generators, the controller's settings and validation ask these
 * functions instead of comparing versions themselves.
 */
import { coerce, gte, lt } from 'semver';

/** KubeVirt releases before this lack the `status.machine` handling kvfleet relies on. */
export const MIN_KUBEVIRT_VERSION = '1.0.0';

/**
 * virt-handler labels nodes `machine-type.node.kubevirt.io/<type>` and virt-controller puts a
 * nodeSelector for the VMI's `status.machine.type` on launcher and migration target pods
 * (kubevirt/kubevirt#13690, first in v1.6.0 and backported to v1.5.1; `services/template.go`).
 */
export const NATIVE_MACHINE_TYPE_SELECTOR_SINCE = '1.5.1';

/** VMIM `spec.addedNodeSelector` (kubevirt/kubevirt#12725, v1.6.0). */
export const ADDED_NODE_SELECTOR_SINCE = '1.6.0';

/** Kubernetes minors kvfleet's manifests are written for (policies.kyverno.io needs ≥ 1.30's CEL). */
export const MIN_KUBERNETES_MINOR = 30;

/**
 * Kube-OVN sets the multi-chassis port options that make migration cut-over fast at phase
 * Scheduling since v1.15.0 / v1.14.21 (kube-ovn PRs #5873, #6066); before, at Running: ~18 s of
 * network downtime (kube-ovn#5343).
 */
export const KUBE_OVN_EARLY_PORT_SETUP_SINCE = '1.14.21';
/** Kube-OVN v1.15.14 fixes a deadlock of migrations in Scheduling (kube-ovn#6823, PR #6834). */
export const KUBE_OVN_SCHEDULING_DEADLOCK_FIXED_IN = '1.15.14';

/**
 * Whose machine-type labels the scheduler checks for a migration target on this cluster:
 * `kubevirt` when KubeVirt puts its own selector on the target pod (then kvfleet adds none, so two
 * labellers can never disagree inside one scheduling decision), `kvfleet` before that.
 */
export type MachineTypeLabeller = 'kubevirt' | 'kvfleet';

/**
 * How a fallback migration pins its target node: `addedNodeSelector` on the VMIM where it exists,
 * else the `kvfleet.io/target-node` annotation that the target-pod policy turns into a nodeSelector.
 */
export type PinMode = 'addedNodeSelector' | 'targetNodeAnnotation';

/** What a KubeVirt release does for migration placement, and so what kvfleet must add. */
export interface SchedulingContract {
  readonly machineTypeLabeller: MachineTypeLabeller;
  readonly pinMode: PinMode;
}

const at = (version: string) => coerce(version)?.version;

/** `undefined` for a string no version can be read from (validation reports those first). */
export function schedulingContract(kubevirtVersion: string): SchedulingContract | undefined {
  const v = at(kubevirtVersion);
  if (v === undefined) return undefined;
  return {
    machineTypeLabeller: gte(v, NATIVE_MACHINE_TYPE_SELECTOR_SINCE) ? 'kubevirt' : 'kvfleet',
    pinMode: gte(v, ADDED_NODE_SELECTOR_SINCE) ? 'addedNodeSelector' : 'targetNodeAnnotation',
  };
}

/** As `schedulingContract`, for a validated version; throws with the value otherwise. */
export function schedulingContractOf(kubevirtVersion: string): SchedulingContract {
  const contract = schedulingContract(kubevirtVersion);
  if (!contract) throw new Error(`kubevirtVersion ${JSON.stringify(kubevirtVersion)} is not a version (validate the fleet first)`);
  return contract;
}

export function isKubevirtOlderThanSupported(kubevirtVersion: string): boolean {
  const v = at(kubevirtVersion);
  return v !== undefined && lt(v, MIN_KUBEVIRT_VERSION);
}
