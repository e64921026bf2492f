import { expect, test } from 'vitest';
import prodEast from '../../clusters/prod-east.js';
import { launcherEntry, launcherLabel } from '../../compatibility/launcherCatalogue.js';
import { offeredMachineTypes, placeMachineType } from '../../compatibility/placement.js';
import { resolveCluster } from '../../compatibility/poolMachineTypes.js';
import { TEST_CS10_LAUNCHER_IMAGE, testCluster } from '../../testbed/support/clusterFixtures.js';
import { vmMachineTypePolicy } from './vmMachineType.js';

const policy = vmMachineTypePolicy(prodEast).object;
const variable = (name: string) => policy.spec.variables.find((v) => v.name === name)!.expression;

test('the policy denies (it is not an audit or a warning)', () => {
  expect(policy.kind).toBe('ValidatingPolicy');
  expect(policy.kind === 'ValidatingPolicy' && policy.spec.validationActions).toEqual(['Deny']);
});

test('the embedded matrix maps every type a pool runs today to the pools that run it', () => {
  const { pools } = resolveCluster(prodEast);
  // The CEL map literal is also valid JSON.
  const embedded = JSON.parse(variable('hostPools')) as Record<string, string[]>;
  expect(Object.keys(embedded).sort()).toEqual(offeredMachineTypes(pools).sort());
  for (const [type, hosts] of Object.entries(embedded)) expect(hosts).toEqual(placeMachineType(pools, type).hostsNow);
});

test('on a cluster now on the CS10 launcher, the types only the CS9 launcher had are missing from the matrix, and the message names the CS10 launcher', () => {
  const cs10 = testCluster({ kubevirtVersion: '1.8.0', launcher: { build: 'centos-stream-10', image: TEST_CS10_LAUNCHER_IMAGE } });
  const object = vmMachineTypePolicy(cs10).object;
  const embedded = JSON.parse(object.spec.variables.find((v) => v.name === 'hostPools')!.expression) as Record<string, string[]>;
  const cs9Only = launcherEntry('1.8.0', 'centos-stream-9')!.architectures.amd64!.machineTypes.filter(
    (t) => !launcherEntry('1.8.0', 'centos-stream-10')!.architectures.amd64!.machineTypes.includes(t),
  );
  expect(cs9Only).toContain('pc-q35-rhel8.6.0');
  for (const t of cs9Only) expect(embedded[t], t).toBeUndefined();
  const validation = object.kind === 'ValidatingPolicy' ? object.spec.validations[0]! : undefined;
  expect(validation?.messageExpression).toContain(launcherLabel(launcherEntry('1.8.0', 'centos-stream-10')!));
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
