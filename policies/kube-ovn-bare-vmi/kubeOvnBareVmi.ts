/**
 * On a Kube-OVN cluster, warns about a VirtualMachineInstance that no VirtualMachine owns and that
 * KubeVirt can live-migrate on its pod network (Kube-OVN's network on such a cluster).
 *
 * Why (kubeovn/kube-ovn v1.16.2, unchanged on master 1533681d): with keep-vm-ip, every launcher pod
 * of a VMI shares one logical switch port and one IP resource, named after the VMI. When a launcher
 * pod is deleted, `handleDeletePod` (`pkg/controller/pod.go`) keeps them only if
 * `appendCheckPodNetToDel` finds a VirtualMachine of the VMI's name; for a bare VMI it finds none
 * ("VirtualMachine … is not found"), so deleting the finished source pod of a migration deletes the
 * port and the IP CR and releases the address while the VMI runs on the target. Observed with the
 * real kube-ovn-controller v1.16.2 in test/kube-ovn/kubeOvnMigration.apiserver.test.ts, case (d):
 * they come back only at the target pod's next update.
 */
import { ALLOW_BRIDGE_MIGRATION_ANNOTATION } from '../../compatibility/kubevirtNames.js';
import { celString } from '../kyverno-cel/celLiterals.js';
import { implicitPodInterfaceCel, podNetworkInterfacesCel } from '../kyverno-cel/kubevirtCel.js';
import { KUBEVIRT_API_GROUP, KYVERNO_POLICY_API_VERSION, type KyvernoPolicy, kubevirtRule, policyMetadata } from '../kyverno-cel/policyObject.js';

export const KUBE_OVN_BARE_VMI_NAME = 'kube-ovn-bare-vmi';

/** The kube-ovn-controller release the behaviour was observed with (test/kube-ovn). */
export const BARE_VMI_OBSERVED_KUBE_OVN = 'v1.16.2';

/** What happens to a bare VMI and what to do: the admission warning and `kvfleet plan` say the same. */
export const BARE_VMI_CONSEQUENCE =
  "After a live migration, when the finished source pod is deleted, kube-ovn-controller deletes the VM's logical switch port and IP " +
  'while it runs on the target (it keeps them only for a VMI whose VirtualMachine exists): its network is down until the target pod next ' +
  `changes, and its address is released meanwhile and may change (seen with kube-ovn-controller ${BARE_VMI_OBSERVED_KUBE_OVN}, test/kube-ovn). ` +
  'Create it through a VirtualMachine.';

/**
 * Pod-network bindings KubeVirt live-migrates without further conditions (`VerifyVMIMigratable`):
 * masquerade, passt, and any binding plugin (migratable when its KubeVirt CR registration has
 * `migration`, which kvfleet does not model: counted as migratable). Bridge needs the VMI annotation.
 */
const MIGRATABLE_BINDING_CEL = (i: string) => `has(${i}.masquerade) || has(${i}.passt) || has(${i}.passtBinding) || has(${i}.binding)`;

const SPEC = 'object.spec';
const ALLOWS_BRIDGE = `${celString(ALLOW_BRIDGE_MIGRATION_ANNOTATION)} in object.metadata.?annotations.orValue({})`;

/**
 * True when KubeVirt would live-migrate the VMI on its pod network: a declared pod-network interface
 * with a migratable binding, or bridge (declared, or the implicit default interface, which is bridge
 * unless the KubeVirt CR says otherwise) with kubevirt.io/allow-pod-bridge-network-live-migration.
 */
export const LIVE_MIGRATABLE_ON_POD_NETWORK_CEL =
  `${podNetworkInterfacesCel(SPEC)}.exists(i, ${MIGRATABLE_BINDING_CEL('i')} || (has(i.bridge) && ${ALLOWS_BRIDGE})) || ` +
  `((${implicitPodInterfaceCel(SPEC)}) && ${ALLOWS_BRIDGE})`;

/** True when an ownerReference names a KubeVirt VirtualMachine (any kubevirt.io version, as Kube-OVN's `isOwnsByTheVM` checks). */
export const OWNED_BY_VIRTUAL_MACHINE_CEL = `object.metadata.?ownerReferences.orValue([]).exists(r, r.kind == 'VirtualMachine' && string(r.apiVersion).startsWith(${celString(`${KUBEVIRT_API_GROUP}/`)}))`;

export function kubeOvnBareVmiPolicy(): KyvernoPolicy {
  return {
    lookups: [],
    object: {
      apiVersion: KYVERNO_POLICY_API_VERSION,
      kind: 'ValidatingPolicy',
      metadata: policyMetadata({
        name: KUBE_OVN_BARE_VMI_NAME,
        title: 'Live-migratable VMIs without a VirtualMachine',
        severity: 'medium',
        subject: 'VirtualMachineInstance',
        description:
          'Warns about a VirtualMachineInstance created without a VirtualMachine owner that KubeVirt can live-migrate on its pod network ' +
          "(Kube-OVN's): after a migration, deleting the finished source pod makes kube-ovn-controller delete the running VM's port and IP.",
      }),
      spec: {
        failurePolicy: 'Ignore',
        // Warn only: the VMI runs as asked; the warning says what a migration will do to it.
        validationActions: ['Warn'],
        matchConstraints: { resourceRules: [kubevirtRule(['virtualmachineinstances'], ['CREATE'])] },
        // Kubernetes CEL only, so the API server filters VMIs KubeVirt will not migrate on the pod network.
        matchConditions: [{ name: 'live-migratable-on-pod-network', expression: LIVE_MIGRATABLE_ON_POD_NETWORK_CEL }],
        variables: [],
        validations: [
          {
            expression: OWNED_BY_VIRTUAL_MACHINE_CEL,
            messageExpression: celString(`This VirtualMachineInstance has no VirtualMachine owner. ${BARE_VMI_CONSEQUENCE}`),
          },
        ],
      },
    },
  };
}
