import { expect, test } from 'vitest';
import prodEast from '../../clusters/prod-east.js';
import { testCluster, testPool } from '../../test/support/clusterFixtures.js';
import { resolvePools } from '../../compatibility/poolMachineTypes.js';
import { machineTypeAdmission } from '../vm-machine-type/machineTypeAdmission.js';
import { vmMachineTypeWarningsPolicy } from './vmMachineTypeWarnings.js';

test('the policy only warns', () => {
  const policy = vmMachineTypeWarningsPolicy(prodEast)!.object;
  expect(policy.kind === 'ValidatingPolicy' && policy.spec.validationActions).toEqual(['Warn']);
});

test('the embedded warnings are the admission decisions for the cluster, keyed by type', () => {
  const policy = vmMachineTypeWarningsPolicy(prodEast)!.object;
  const embedded = JSON.parse(policy.spec.variables.find((v) => v.name === 'warnings')!.expression) as Record<string, string>;
  const expected = machineTypeAdmission(prodEast.name, resolvePools(prodEast)).warnings;
  expect(embedded).toEqual(Object.fromEntries(expected.map((w) => [w.machineType, w.message])));
});

test('a cluster whose types are all current gets no warnings policy', () => {
  const current = testCluster({
    nodePools: [testPool('rhel10', 'rhel-10.0', { machineTypes: { remove: ['pc-q35-rhel9.0.0', 'pc-q35-rhel9.2.0', 'pc-q35-rhel9.4.0', 'pc-q35-rhel9.6.0'] } })],
  });
  expect(vmMachineTypeWarningsPolicy(current)).toBeUndefined();
});
