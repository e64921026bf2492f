/**
 * KubeVirt ≥ 1.6: on VMIM CREATE, restrict the migration target to nodes that offer the VMI's
 * canonical machine type, through `spec.addedNodeSelector` (which "can only restrict but not
 * bypass constraints already set on the VM"), and pin the node the migration controller chose
 * for a fallback.
 */
import { TARGET_NODE_ANNOTATION } from '../../compatibility/labelKeys.js';
import { celString } from '../kyverno-cel/celLiterals.js';
import { addToMapJsonPatchCel, selectorAdditionsCel } from '../kyverno-cel/nodeSelectorPatch.js';
import { KUBEVIRT_API_GROUP, KYVERNO_POLICY_API_VERSION, type KyvernoPolicy, kubevirtRule, policyMetadata } from '../kyverno-cel/policyObject.js';

export const VMIM_TARGET_AFFINITY_NAME = 'vmim-target-affinity';

export function vmimTargetAffinityPolicy(): KyvernoPolicy {
  return {
    lookups: [{ apiGroup: KUBEVIRT_API_GROUP, resource: 'virtualmachineinstances' }],
    object: {
      apiVersion: KYVERNO_POLICY_API_VERSION,
      kind: 'MutatingPolicy',
      metadata: policyMetadata({
        name: VMIM_TARGET_AFFINITY_NAME,
        title: 'Keep migrations on nodes that run the VM machine type',
        severity: 'high',
        subject: 'VirtualMachineInstanceMigration',
        description:
          "Adds the kvfleet node label of the VMI's canonical machine type (status.machine.type) to the migration's " +
          `spec.addedNodeSelector, and kubernetes.io/hostname when the migration carries ${TARGET_NODE_ANNOTATION}, so the target ` +
          'node can run the VM. Needs KubeVirt 1.6 or later.',
      }),
      spec: {
        failurePolicy: 'Ignore',
        matchConstraints: { resourceRules: [kubevirtRule(['virtualmachineinstancemigrations'], ['CREATE'])] },
        matchConditions: [
          // A decentralized migration's target is in another cluster, whose own policy steers it.
          { name: 'migrates-within-this-cluster', expression: '!has(object.spec.sendTo) && !has(object.spec.receive)' },
          { name: 'names-a-vmi', expression: "object.spec.?vmiName.orValue('') != ''" },
        ],
        variables: [
          // The one lookup. resource.get returns null for a missing VMI; KubeVirt's own admission
          // rejects a VMIM whose VMI does not exist, so leaving it unchanged protects nothing less.
          { name: 'vmi', expression: "resource.get('kubevirt.io/v1', 'virtualmachineinstances', request.namespace, object.spec.vmiName)" },
          // status.machine.type, never spec: spec often holds the alias q35, which every node
          // matches. Without a status type the VMI has not started, so there is nothing to migrate
          // yet; a later VMIM will see the type.
          { name: 'machineType', expression: "dyn(variables.vmi) == null ? '' : string(variables.vmi.?status.?machine.?type.orValue(''))" },
          { name: 'targetNode', expression: `string(object.metadata.?annotations[?${celString(TARGET_NODE_ANNOTATION)}].orValue(''))` },
          { name: 'selector', expression: 'object.spec.?addedNodeSelector.orValue({})' },
          { name: 'additions', expression: selectorAdditionsCel('variables.machineType', 'variables.targetNode', 'variables.selector') },
        ],
        mutations: [
          {
            patchType: 'JSONPatch',
            jsonPatch: { expression: addToMapJsonPatchCel('/spec/addedNodeSelector', 'has(object.spec.addedNodeSelector)', 'variables.additions') },
          },
        ],
      },
    },
  };
}
