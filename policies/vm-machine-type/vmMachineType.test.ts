import { expect, test } from 'vitest';
import prodEast from '../../clusters/prod-east.js';
import { offeredMachineTypes, placeMachineType } from '../../compatibility/placement.js';
import { resolvePools } from '../../compatibility/poolMachineTypes.js';
import { vmMachineTypePolicy } from './vmMachineType.js';

const policy = vmMachineTypePolicy(prodEast).object;
const variable = (name: string) => policy.spec.variables.find((v) => v.name === name)!.expression;

test('the policy denies (it is not an audit or a warning)', () => {
  expect(policy.kind).toBe('ValidatingPolicy');
  expect(policy.kind === 'ValidatingPolicy' && policy.spec.validationActions).toEqual(['Deny']);
});

test('the embedded matrix maps every type a pool runs today to the pools that run it', () => {
  const pools = resolvePools(prodEast);
  // The CEL map literal is also valid JSON.
  const embedded = JSON.parse(variable('hostPools')) as Record<string, string[]>;
  expect(Object.keys(embedded).sort()).toEqual(offeredMachineTypes(pools).sort());
  for (const [type, hosts] of Object.entries(embedded)) expect(hosts).toEqual(placeMachineType(pools, type).hostsNow);
});

test('the policy is named and annotated like an upstream library policy', () => {
  expect(policy.metadata.name).toBe('kvfleet-vm-machine-type');
  expect(policy.metadata.annotations).toMatchObject({
    'policies.kyverno.io/category': 'KubeVirt',
    'policies.kyverno.io/severity': 'high',
    'policies.kyverno.io/subject': 'VirtualMachine, VirtualMachineInstance',
  });
  expect(policy.metadata.annotations['policies.kyverno.io/description']).toContain(prodEast.name);
});
