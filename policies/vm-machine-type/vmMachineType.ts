/**
 * Denies a VM or VMI that pins a machine type the cluster's virt-launcher does not offer today on any
 * node pool (say one only the previous launcher had), naming that launcher, the pools and the types
 * they offer. The decisions come from machineTypeAdmission.ts and are embedded as a CEL map.
 */
import { type ClusterDefinition } from '../../fleet/clusterDefinition.js';
import { celMap, celString, celStringList } from '../kyverno-cel/celLiterals.js';
import { KYVERNO_POLICY_API_VERSION, type KyvernoPolicy, policyMetadata } from '../kyverno-cel/policyObject.js';
import { resolveCluster } from '../../compatibility/poolMachineTypes.js';
import { machineTypeAdmission } from './machineTypeAdmission.js';
import { MACHINE_TYPE_VARIABLE, VM_MACHINE_TYPE_CONDITIONS, VM_MACHINE_TYPE_MATCH } from './vmMachineTypeMatch.js';

export const VM_MACHINE_TYPE_NAME = 'vm-machine-type';

export function vmMachineTypePolicy(cluster: ClusterDefinition): KyvernoPolicy {
  const admission = machineTypeAdmission(cluster.name, resolveCluster(cluster));
  return {
    lookups: [],
    object: {
      apiVersion: KYVERNO_POLICY_API_VERSION,
      kind: 'ValidatingPolicy',
      metadata: policyMetadata({
        name: VM_MACHINE_TYPE_NAME,
        title: "Deny machine types the cluster's virt-launcher does not offer",
        severity: 'high',
        subject: 'VirtualMachine, VirtualMachineInstance',
        description:
          `Denies a VM or VMI that pins a machine type (spec.domain.machine.type) that no node pool of cluster ${cluster.name} ` +
          'runs with its virt-launcher today, naming the launcher, the pools and the types they offer. The aliases (q35, pc, virt, s390-ccw-virtio) are always allowed.',
      }),
      spec: {
        failurePolicy: 'Ignore',
        validationActions: ['Deny'],
        matchConstraints: VM_MACHINE_TYPE_MATCH,
        matchConditions: VM_MACHINE_TYPE_CONDITIONS,
        variables: [
          MACHINE_TYPE_VARIABLE,
          // Every type some pool runs today → the pools that run it.
          { name: 'hostPools', expression: celMap(admission.hosts.map((h) => [h.machineType, celStringList(h.pools)])) },
        ],
        validations: [
          {
            expression: 'variables.machineType in variables.hostPools',
            messageExpression: `${celString(admission.denial.before)} + variables.machineType + ${celString(admission.denial.after)}`,
          },
        ],
      },
    },
  };
}
