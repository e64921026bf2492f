/**
 * Warns (never denies) on a VM or VMI pinned to a machine type that a planned step's launcher
 * lacks, or that QEMU has deprecated on some pool. Kyverno's validationActions apply
 * to a whole policy, so the warnings live apart from the denial in vm-machine-type.
 */
import { type ClusterDefinition } from '../../fleet/clusterDefinition.js';
import { celMap, celString } from '../kyverno-cel/celLiterals.js';
import { KYVERNO_POLICY_API_VERSION, type KyvernoPolicy, policyMetadata } from '../kyverno-cel/policyObject.js';
import { resolveCluster } from '../../compatibility/poolMachineTypes.js';
import { machineTypeAdmission } from '../vm-machine-type/machineTypeAdmission.js';
import { MACHINE_TYPE_VARIABLE, VM_MACHINE_TYPE_CONDITIONS, VM_MACHINE_TYPE_MATCH } from '../vm-machine-type/vmMachineTypeMatch.js';

export const VM_MACHINE_TYPE_WARNINGS_NAME = 'vm-machine-type-warnings';

/** `undefined` when no type the cluster runs deserves a warning: then there is no policy to ship. */
export function vmMachineTypeWarningsPolicy(cluster: ClusterDefinition): KyvernoPolicy | undefined {
  const { warnings } = machineTypeAdmission(cluster.name, resolveCluster(cluster));
  if (warnings.length === 0) return undefined;
  return {
    lookups: [],
    object: {
      apiVersion: KYVERNO_POLICY_API_VERSION,
      kind: 'ValidatingPolicy',
      metadata: policyMetadata({
        name: VM_MACHINE_TYPE_WARNINGS_NAME,
        title: 'Warn about machine types that are deprecated or that a planned step drops',
        severity: 'medium',
        subject: 'VirtualMachine, VirtualMachineInstance',
        description:
          `Warns when a VM or VMI pins a machine type that a planned step of cluster ${cluster.name} leaves without a node pool ` +
          '(naming the step and the virt-launcher it moves to), or that QEMU marks deprecated, and advises the type to restart onto.',
      }),
      spec: {
        failurePolicy: 'Ignore',
        validationActions: ['Warn'],
        matchConstraints: VM_MACHINE_TYPE_MATCH,
        matchConditions: VM_MACHINE_TYPE_CONDITIONS,
        variables: [MACHINE_TYPE_VARIABLE, { name: 'warnings', expression: celMap(warnings.map((w) => [w.machineType, celString(w.message)])) }],
        validations: [{ expression: '!(variables.machineType in variables.warnings)', messageExpression: 'variables.warnings[variables.machineType]' }],
      },
    },
  };
}
