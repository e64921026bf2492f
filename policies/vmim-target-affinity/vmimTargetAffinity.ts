/**
 * KubeVirt ≥ 1.6: on VMIM CREATE, steer the migration target through `spec.addedNodeSelector`
 * (which "can only restrict but not bypass constraints already set on the VM"):
 * - pin the node named by `kvfleet.io/target-node` (`kubernetes.io/hostname`), for migrations
 *   pinned by hand or by tools that do not write `addedNodeSelector` themselves;
 * - and, only where KubeVirt does not select on machine type itself, the kvfleet node label of the
 *   VMI's canonical machine type. Every KubeVirt with `addedNodeSelector` already puts its own
 *   machine-type selector on the target pod, so on those clusters kvfleet adds none: one labeller
 *   per fact (compatibility/nodeRule.ts).
 */
import { type MachineTypeLabeller } from '../../compatibility/kubevirtVersions.js';
import { TARGET_NODE_ANNOTATION } from '../../compatibility/labelKeys.js';
import { celString } from '../kyverno-cel/celLiterals.js';
import { addToMapJsonPatchCel, selectorAdditionsCel } from '../kyverno-cel/nodeSelectorPatch.js';
import { KUBEVIRT_API_GROUP, KYVERNO_POLICY_API_VERSION, type KyvernoPolicy, kubevirtRule, policyMetadata } from '../kyverno-cel/policyObject.js';

export const VMIM_TARGET_AFFINITY_NAME = 'vmim-target-affinity';

export interface TargetAffinityOptions {
  /** Whose machine-type labels the scheduler checks; kvfleet adds its machine-type selector only when it is kvfleet's. */
  readonly machineTypeLabeller: MachineTypeLabeller;
}

const targetNodeCel = `string(object.metadata.?annotations[?${celString(TARGET_NODE_ANNOTATION)}].orValue(''))`;

export function vmimTargetAffinityPolicy({ machineTypeLabeller }: TargetAffinityOptions): KyvernoPolicy {
  const selectsMachineType = machineTypeLabeller === 'kvfleet';
  return {
    lookups: selectsMachineType ? [{ apiGroup: KUBEVIRT_API_GROUP, resource: 'virtualmachineinstances' }] : [],
    object: {
      apiVersion: KYVERNO_POLICY_API_VERSION,
      kind: 'MutatingPolicy',
      metadata: policyMetadata({
        name: VMIM_TARGET_AFFINITY_NAME,
        title: selectsMachineType ? 'Keep migrations on nodes that run the VM machine type' : 'Pin migrations to the node kvfleet chose',
        severity: 'high',
        subject: 'VirtualMachineInstanceMigration',
        description: selectsMachineType
          ? "Adds the kvfleet node label of the VMI's canonical machine type (status.machine.type) to the migration's " +
            `spec.addedNodeSelector, and kubernetes.io/hostname when the migration carries ${TARGET_NODE_ANNOTATION}, so the target ` +
            'node can run the VM. Needs KubeVirt 1.6 or later.'
          : `Adds kubernetes.io/hostname to the migration's spec.addedNodeSelector when it carries ${TARGET_NODE_ANNOTATION}. ` +
            'Adds no machine-type selector: this KubeVirt puts its own (machine-type.node.kubevirt.io) on every migration target pod.',
      }),
      spec: {
        failurePolicy: 'Ignore',
        matchConstraints: { resourceRules: [kubevirtRule(['virtualmachineinstancemigrations'], ['CREATE'])] },
        matchConditions: [
          // A decentralized migration's target is in another cluster, whose own policy steers it.
          { name: 'migrates-within-this-cluster', expression: '!has(object.spec.sendTo) && !has(object.spec.receive)' },
          { name: 'names-a-vmi', expression: "object.spec.?vmiName.orValue('') != ''" },
          // Without a machine-type selector to add, only pinned migrations need Kyverno at all.
          ...(selectsMachineType ? [] : [{ name: 'is-pinned', expression: `${targetNodeCel} != ''` }]),
        ],
        variables: [
          ...(selectsMachineType
            ? [
                // The one lookup. resource.get returns null for a missing VMI; KubeVirt's own admission
                // rejects a VMIM whose VMI does not exist, so leaving it unchanged protects nothing less.
                { name: 'vmi', expression: "resource.get('kubevirt.io/v1', 'virtualmachineinstances', request.namespace, object.spec.vmiName)" },
                // status.machine.type, never spec: spec often holds the alias q35, which every node
                // matches. Without a status type the VMI has not started, so there is nothing to migrate
                // yet; a later VMIM will see the type.
                { name: 'machineType', expression: "dyn(variables.vmi) == null ? '' : string(variables.vmi.?status.?machine.?type.orValue(''))" },
              ]
            : []),
          { name: 'targetNode', expression: targetNodeCel },
          { name: 'selector', expression: 'object.spec.?addedNodeSelector.orValue({})' },
          {
            name: 'additions',
            expression: selectorAdditionsCel(selectsMachineType ? 'variables.machineType' : undefined, 'variables.targetNode', 'variables.selector'),
          },
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
