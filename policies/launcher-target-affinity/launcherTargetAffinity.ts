/**
 * KubeVirt before 1.6 has no VMIM `spec.addedNodeSelector`, so the same steering happens on the
 * migration target virt-launcher Pod as KubeVirt creates it: its nodeSelector gets the pinned
 * fallback node when the VMIM names one, and, before KubeVirt 1.5.1 (which selects on its own
 * machine-type label), the kvfleet node label of the VMI's canonical machine type.
 */
import { DOMAIN_ANNOTATION, MIGRATION_JOB_NAME_ANNOTATION, MIGRATION_JOB_UID_LABEL, VIRT_LAUNCHER_LABELS } from '../../compatibility/kubevirtNames.js';
import { TARGET_NODE_ANNOTATION } from '../../compatibility/labelKeys.js';
import { celString } from '../kyverno-cel/celLiterals.js';
import { addToMapJsonPatchCel, selectorAdditionsCel } from '../kyverno-cel/nodeSelectorPatch.js';
import { type TargetAffinityOptions } from '../vmim-target-affinity/vmimTargetAffinity.js';
import { KUBEVIRT_API_GROUP, KYVERNO_POLICY_API_VERSION, type KyvernoPolicy, policyMetadata } from '../kyverno-cel/policyObject.js';

export const LAUNCHER_TARGET_AFFINITY_NAME = 'launcher-target-affinity';

const annotation = (key: string) => `string(object.metadata.?annotations[?${celString(key)}].orValue(''))`;

export function launcherTargetAffinityPolicy({ machineTypeLabeller }: TargetAffinityOptions): KyvernoPolicy {
  const selectsMachineType = machineTypeLabeller === 'kvfleet';
  return {
    lookups: [
      ...(selectsMachineType ? [{ apiGroup: KUBEVIRT_API_GROUP, resource: 'virtualmachineinstances' }] : []),
      { apiGroup: KUBEVIRT_API_GROUP, resource: 'virtualmachineinstancemigrations' },
    ],
    object: {
      apiVersion: KYVERNO_POLICY_API_VERSION,
      kind: 'MutatingPolicy',
      metadata: policyMetadata({
        name: LAUNCHER_TARGET_AFFINITY_NAME,
        title: selectsMachineType ? 'Keep migration target pods on nodes that run the VM machine type' : 'Pin migration target pods to the node kvfleet chose',
        severity: 'high',
        subject: 'Pod',
        description: selectsMachineType
          ? "Adds the kvfleet node label of the VMI's canonical machine type (status.machine.type) to the nodeSelector of a " +
            `migration target virt-launcher Pod, and kubernetes.io/hostname when its migration carries ${TARGET_NODE_ANNOTATION}. ` +
            'For KubeVirt before 1.5.1, which neither selects on machine type nor has VMIM addedNodeSelector.'
          : `Adds kubernetes.io/hostname to the nodeSelector of a migration target virt-launcher Pod when its migration carries ${TARGET_NODE_ANNOTATION}. ` +
            'Adds no machine-type selector: this KubeVirt puts its own (machine-type.node.kubevirt.io) there. For KubeVirt before 1.6, which has no VMIM addedNodeSelector.',
      }),
      spec: {
        failurePolicy: 'Ignore',
        // Only bare Pods: autogen would otherwise add Deployment/StatefulSet/... variants.
        autogen: { podControllers: { controllers: [] } },
        matchConstraints: {
          resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
          // The API server sends only virt-launcher Pods to Kyverno.
          objectSelector: { matchLabels: VIRT_LAUNCHER_LABELS },
        },
        matchConditions: [
          // A launcher Pod is a migration target exactly when it carries the VMIM's UID.
          { name: 'is-migration-target', expression: `${celString(MIGRATION_JOB_UID_LABEL)} in object.metadata.?labels.orValue({})` },
          { name: 'names-its-vmi', expression: `${annotation(DOMAIN_ANNOTATION)} != ''` },
        ],
        variables: [
          ...(selectsMachineType
            ? [
                // resource.get returns null for a missing object. A target Pod whose VMI is gone cannot
                // migrate anything, so leaving it unchanged is safe.
                { name: 'vmi', expression: `resource.get('kubevirt.io/v1', 'virtualmachineinstances', request.namespace, ${annotation(DOMAIN_ANNOTATION)})` },
                // status.machine.type, never spec: spec often holds the alias q35, which every node matches.
                { name: 'machineType', expression: "dyn(variables.vmi) == null ? '' : string(variables.vmi.?status.?machine.?type.orValue(''))" },
              ]
            : []),
          { name: 'migrationName', expression: annotation(MIGRATION_JOB_NAME_ANNOTATION) },
          {
            name: 'vmim',
            expression:
              "variables.migrationName == '' ? dyn(null) : dyn(resource.get('kubevirt.io/v1', 'virtualmachineinstancemigrations', request.namespace, variables.migrationName))",
          },
          {
            name: 'targetNode',
            expression: `dyn(variables.vmim) == null ? '' : string(variables.vmim.?metadata.?annotations[?${celString(TARGET_NODE_ANNOTATION)}].orValue(''))`,
          },
          { name: 'selector', expression: 'object.spec.?nodeSelector.orValue({})' },
          {
            name: 'additions',
            expression: selectorAdditionsCel(selectsMachineType ? 'variables.machineType' : undefined, 'variables.targetNode', 'variables.selector'),
          },
        ],
        mutations: [
          {
            patchType: 'JSONPatch',
            jsonPatch: { expression: addToMapJsonPatchCel('/spec/nodeSelector', 'has(object.spec.nodeSelector)', 'variables.additions') },
          },
        ],
      },
    },
  };
}
