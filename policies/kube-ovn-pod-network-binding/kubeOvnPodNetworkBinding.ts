/**
 * On a Kube-OVN cluster, flags VMs whose pod-network interface will not live-migrate with its IP:
 * NAT bindings (masquerade, passt) hide the VM behind the pod IP, which changes on every
 * migration; some bindings cannot live-migrate at all. Warn or deny per cluster
 * (`kubeOvn.podNetworkMasquerade`).
 */
import { type KubeOvnSettings } from '../../fleet/clusterDefinition.js';
import { celString } from '../kyverno-cel/celLiterals.js';
import { type CoreBinding, inListCel, interfaceBindingCel, podNetworkInterfacesCel, vmiSpecCel } from '../kyverno-cel/kubevirtCel.js';
import { KYVERNO_POLICY_API_VERSION, type KyvernoPolicy, kubevirtRule, policyMetadata } from '../kyverno-cel/policyObject.js';

export const KUBE_OVN_POD_NETWORK_BINDING_NAME = 'kube-ovn-pod-network-binding';

/**
 * Pod-network bindings by what a live migration does to them (KubeVirt `VerifyVMIMigratable`;
 * Kube-OVN docs kubevirt/live-migration). Bridge keeps the IP (with the annotation the
 * kube-ovn-bridge-migration policy adds). Binding plugins other than passt are not judged: whether
 * they migrate depends on their `migration` registration in the KubeVirt CR, which kvfleet does not model.
 */
export const POD_NETWORK_BINDINGS: Readonly<Record<'keepsIp' | 'changesIp' | 'cannotMigrate', readonly string[]>> = {
  keepsIp: ['bridge'] satisfies CoreBinding[],
  /** Migrates, but NATs the VM behind the pod IP, which the target Pod does not keep. */
  changesIp: ['masquerade', 'passtBinding', 'passt', 'plugin:passt'],
  /** KubeVirt refuses to live-migrate these on the pod network (slirp and macvtap are gone since KubeVirt 1.3). */
  cannotMigrate: ['sriov', 'slirp', 'macvtap'] satisfies CoreBinding[],
};

const SPEC = vmiSpecCel('object');
const OLD_SPEC = vmiSpecCel('oldObject');
const list = (v: string) => `variables.${v}.map(p, '"' + p[0] + '" (' + p[1] + ')').join(', ')`;

export function kubeOvnPodNetworkBindingPolicy(settings: KubeOvnSettings): KyvernoPolicy {
  const action = (settings.podNetworkMasquerade ?? 'warn') === 'deny' ? 'Deny' : 'Warn';
  return {
    lookups: [],
    object: {
      apiVersion: KYVERNO_POLICY_API_VERSION,
      kind: 'ValidatingPolicy',
      metadata: policyMetadata({
        name: KUBE_OVN_POD_NETWORK_BINDING_NAME,
        title: 'Pod-network bindings that lose the VM IP on migration',
        severity: 'medium',
        subject: 'VirtualMachine, VirtualMachineInstance',
        description:
          `${action === 'Deny' ? 'Denies' : 'Warns about'} a VM or standalone VMI whose pod-network interface uses masquerade ` +
          'or passt (the VM IP changes on live migration under Kube-OVN) or a binding KubeVirt cannot live-migrate ' +
          '(sriov, slirp, macvtap). Bridge binding keeps the IP.',
      }),
      spec: {
        failurePolicy: 'Ignore',
        validationActions: [action],
        matchConstraints: { resourceRules: [kubevirtRule(['virtualmachines', 'virtualmachineinstances'], ['CREATE', 'UPDATE'])] },
        matchConditions: [
          // The VM was checked when it was written; refusing its VMI would keep an existing VM from
          // starting after this cluster's setting turned to deny.
          {
            name: 'vm-or-standalone-vmi',
            expression: "object.kind == 'VirtualMachine' || !object.metadata.?ownerReferences.orValue([]).exists(r, r.kind == 'VirtualMachine')",
          },
          {
            name: 'creates-or-changes-networking',
            expression:
              `request.operation != ${celString('UPDATE')} || ` +
              `${SPEC}.?networks.orValue([]) != ${OLD_SPEC}.?networks.orValue([]) || ` +
              `${SPEC}.?domain.?devices.?interfaces.orValue([]) != ${OLD_SPEC}.?domain.?devices.?interfaces.orValue([])`,
          },
        ],
        variables: [
          { name: 'spec', expression: SPEC },
          // [name, binding] of every interface on the pod network.
          { name: 'podInterfaces', expression: `${podNetworkInterfacesCel('variables.spec')}.map(i, [string(i.name), ${interfaceBindingCel('i')}])` },
          { name: 'cannotMigrate', expression: `variables.podInterfaces.filter(p, ${inListCel('p[1]', POD_NETWORK_BINDINGS.cannotMigrate)})` },
          { name: 'changesIp', expression: `variables.podInterfaces.filter(p, ${inListCel('p[1]', POD_NETWORK_BINDINGS.changesIp)})` },
        ],
        validations: [
          {
            expression: 'variables.cannotMigrate.size() == 0',
            messageExpression: `'pod-network interface ' + ${list('cannotMigrate')} + ${celString(
              ': KubeVirt cannot live-migrate this binding on the pod network. Use bridge: {} on the pod network; Kube-OVN then keeps the VM IP across migrations.',
            )}`,
          },
          {
            expression: 'variables.changesIp.size() == 0',
            messageExpression: `'pod-network interface ' + ${list('changesIp')} + ${celString(
              ': the VM sits behind the pod IP, which changes on every live migration under Kube-OVN. Use bridge: {} on the pod network; ' +
                'Kube-OVN then keeps the VM IP, and kvfleet adds kubevirt.io/allow-pod-bridge-network-live-migration so KubeVirt migrates it.',
            )}`,
          },
        ],
      },
    },
  };
}
