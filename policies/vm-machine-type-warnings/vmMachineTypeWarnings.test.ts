import { expect, test } from 'vitest';
import legacyApps from '../../clusters/legacy-apps.js';
import { launcherEntry } from '../../compatibility/launcherCatalogue.js';
import { resolveCluster } from '../../compatibility/poolMachineTypes.js';
import { TEST_CS10_LAUNCHER_IMAGE, testCluster, testPool } from '../../testbed/support/clusterFixtures.js';
import { machineTypeAdmission } from '../vm-machine-type/machineTypeAdmission.js';
import { vmMachineTypeWarningsPolicy } from './vmMachineTypeWarnings.js';

test('the policy only warns', () => {
  const policy = vmMachineTypeWarningsPolicy(legacyApps)!.object;
  expect(policy.kind === 'ValidatingPolicy' && policy.spec.validationActions).toEqual(['Warn']);
});

test('the embedded warnings are the admission decisions for the cluster, keyed by type', () => {
  const policy = vmMachineTypeWarningsPolicy(legacyApps)!.object;
  const embedded = JSON.parse(policy.spec.variables.find((v) => v.name === 'warnings')!.expression) as Record<string, string>;
  const expected = machineTypeAdmission(legacyApps.name, resolveCluster(legacyApps)).warnings;
  expect(expected.length).toBeGreaterThan(0);
  expect(embedded).toEqual(Object.fromEntries(expected.map((w) => [w.machineType, w.message])));
});

test('a cluster whose types are all current and kept by every step gets no warnings policy', () => {
  // The CS10 launcher with its deprecated types removed from the pool (taken from the catalogue) and nothing planned.
  const deprecated = launcherEntry('1.8.0', 'centos-stream-10')!.architectures.amd64!.deprecated;
  const current = testCluster({
    kubevirtVersion: '1.8.0',
    launcher: { build: 'centos-stream-10', image: TEST_CS10_LAUNCHER_IMAGE },
    nodePools: [testPool('east', { machineTypes: { remove: [...deprecated] } })],
  });
  expect(vmMachineTypeWarningsPolicy(current)).toBeUndefined();
  // The same pool with the deprecated types gets one.
  expect(vmMachineTypeWarningsPolicy(testCluster({ ...current, nodePools: [testPool('east')] }))).toBeDefined();
});
