/**
 * What both machine-type admission policies match: VMs and VMIs that pin a versioned machine
 * type, on CREATE, and on UPDATE only when the type changes. An update that keeps the type (a
 * stop, a label) is never refused, so a VM whose type a later matrix drops can still be managed.
 */
import { celString, celStringList } from '../kyverno-cel/celLiterals.js';
import { pinnedMachineTypeCel } from '../kyverno-cel/kubevirtCel.js';
import { type MatchConstraints, type NamedExpression, kubevirtRule } from '../kyverno-cel/policyObject.js';
import { MACHINE_TYPE_ALIASES } from '../../compatibility/machineTypeNames.js';

export const VM_MACHINE_TYPE_MATCH: MatchConstraints = {
  resourceRules: [kubevirtRule(['virtualmachines', 'virtualmachineinstances'], ['CREATE', 'UPDATE'])],
};

export const VM_MACHINE_TYPE_CONDITIONS: readonly NamedExpression[] = [
  // No type (KubeVirt defaults it) or an alias: every node resolves it to a type it runs.
  { name: 'pins-a-versioned-machine-type', expression: `!(${pinnedMachineTypeCel('object')} in ${celStringList(['', ...MACHINE_TYPE_ALIASES])})` },
  {
    name: 'creates-or-changes-the-machine-type',
    expression: `request.operation != ${celString('UPDATE')} || ${pinnedMachineTypeCel('object')} != ${pinnedMachineTypeCel('oldObject')}`,
  },
];

export const MACHINE_TYPE_VARIABLE: NamedExpression = { name: 'machineType', expression: pinnedMachineTypeCel('object') };
