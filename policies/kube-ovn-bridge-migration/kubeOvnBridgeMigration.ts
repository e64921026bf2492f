/**
 * Kube-OVN keeps a VM's IP across live migration only with bridge binding on the pod network,
 * and KubeVirt refuses to live-migrate such a VM unless its VMI carries
 * kubevirt.io/allow-pod-bridge-network-live-migration (only the key's presence is checked).
 * This policy adds it to the VM template, which KubeVirt copies to the VMI.
 */
import { celString, jsonPointerToken } from '../kyverno-cel/celLiterals.js';
import { podNetworkUsesBridgeCel } from '../kyverno-cel/kubevirtCel.js';
import { KYVERNO_POLICY_API_VERSION, type KyvernoPolicy, kubevirtRule, policyMetadata } from '../kyverno-cel/policyObject.js';
import { ALLOW_BRIDGE_MIGRATION_ANNOTATION } from '../../compatibility/kubevirtNames.js';

export const KUBE_OVN_BRIDGE_MIGRATION_NAME = 'kube-ovn-bridge-migration';

const TEMPLATE_SPEC = 'object.spec.?template.?spec.orValue({})';

export function kubeOvnBridgeMigrationPolicy(): KyvernoPolicy {
  const key = celString(ALLOW_BRIDGE_MIGRATION_ANNOTATION);
  return {
    lookups: [],
    object: {
      apiVersion: KYVERNO_POLICY_API_VERSION,
      kind: 'MutatingPolicy',
      metadata: policyMetadata({
        name: KUBE_OVN_BRIDGE_MIGRATION_NAME,
        title: 'Let bridge-bound VMs live-migrate with their IP',
        severity: 'medium',
        subject: 'VirtualMachine',
        description:
          `Adds ${ALLOW_BRIDGE_MIGRATION_ANNOTATION}: "true" to the template of a VM whose pod-network interface uses bridge ` +
          'binding (declared, or the implicit default interface), so KubeVirt live-migrates it and Kube-OVN keeps its IP.',
      }),
      spec: {
        failurePolicy: 'Ignore',
        matchConstraints: { resourceRules: [kubevirtRule(['virtualmachines'], ['CREATE', 'UPDATE'])] },
        matchConditions: [
          { name: 'pod-network-uses-bridge', expression: podNetworkUsesBridgeCel(TEMPLATE_SPEC) },
          { name: 'not-yet-allowed', expression: `!(${key} in object.spec.?template.?metadata.?annotations.orValue({}))` },
        ],
        variables: [],
        mutations: [
          {
            patchType: 'JSONPatch',
            jsonPatch: {
              expression: [
                '(!has(object.spec.template.metadata)',
                '  ? [JSONPatch{op: "add", path: "/spec/template/metadata", value: {"annotations": {}}}]',
                '  : !has(object.spec.template.metadata.annotations)',
                '    ? [JSONPatch{op: "add", path: "/spec/template/metadata/annotations", value: {}}]',
                '    : []) +',
                `[JSONPatch{op: "add", path: ${celString(`/spec/template/metadata/annotations/${jsonPointerToken(ALLOW_BRIDGE_MIGRATION_ANNOTATION)}`)}, value: "true"}]`,
              ].join('\n'),
            },
          },
        ],
      },
    },
  };
}
