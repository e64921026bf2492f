import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { sharedDir } from '../test/harness/toolPaths.js';
import { testCluster, testPool } from '../test/support/clusterFixtures.js';
import { resolvePools } from '../compatibility/poolMachineTypes.js';
import { planWorkloads, upgradeImpacts, workloadRef } from './upgradePlan.js';

const pools = resolvePools(testCluster({ nodePools: [testPool('a-rhel9', 'rhel-9.6', { upgradeTo: 'rhel-10.0' }), testPool('b-rhel93', 'rhel-9.3')] }));

test('an upgrade to RHEL 10 loses the RHEL 7.6/8.x types; those the 9.3 pool keeps are still hosted', () => {
  const [impact] = upgradeImpacts(pools);
  expect(impact).toMatchObject({ pool: 'a-rhel9', from: 'rhel-9.6', to: 'rhel-10.0' });
  const lost = Object.fromEntries(impact!.lost.map((l) => [l.machineType, l.stillHostedBy]));
  expect(lost['pc-q35-rhel8.6.0']).toEqual(['b-rhel93']);
  expect(lost['pc-i440fx-rhel7.6.0']).toEqual(['b-rhel93']);
  expect(lost['pc-q35-rhel9.6.0']).toBeUndefined();
  expect(upgradeImpacts(pools.filter((p) => !p.upgrade))).toEqual([]);
});

describe('planWorkloads', () => {
  test.each([
    ['pc-q35-rhel9.6.0', 'ok'],
    ['q35', 'ok'],
    ['pc-q35-rhel8.6.0', 'narrowed'],
    ['pc-q35-rhel9.8.0', 'unsupported'],
  ])('a VMI running %s is %s', (machineType, outcome) => {
    const [v] = planWorkloads(pools, [{ kind: 'VirtualMachineInstance', namespace: 'ns', name: 'vm', machineType }]);
    expect(v!.outcome).toBe(outcome);
  });

  test('a type only the upgrading pool runs is stranded', () => {
    const only = pools.filter((p) => p.name === 'a-rhel9');
    const [v] = planWorkloads(only, [{ kind: 'VirtualMachineInstance', namespace: 'ns', name: 'vm', machineType: 'pc-q35-rhel8.6.0' }]);
    expect(v).toMatchObject({ outcome: 'stranded', hostsNow: ['a-rhel9'], hostsAfterUpgrades: [] });
  });
});

describe('workloadRef', () => {
  test('a VMI is judged by the canonical type in its status, not the alias in its spec', () => {
    expect(
      workloadRef({
        kind: 'VirtualMachineInstance',
        metadata: { name: 'x', namespace: 'n' },
        spec: { domain: { machine: { type: 'q35' } } },
        status: { machine: { type: 'pc-q35-rhel9.2.0' } },
      }),
    ).toEqual({ kind: 'VirtualMachineInstance', namespace: 'n', name: 'x', machineType: 'pc-q35-rhel9.2.0' });
  });
  test('the upstream VM example without a machine type counts as q35', () => {
    const vm = parse(readFileSync(join(sharedDir, 'samples/kubevirt/vm-cirros.yaml'), 'utf8'));
    expect(workloadRef(vm)).toMatchObject({ kind: 'VirtualMachine', machineType: vm.spec.template.spec.domain.machine?.type ?? 'q35' });
  });
  test('other kinds and nameless objects are not workloads', () => {
    expect(workloadRef({ kind: 'Pod', metadata: { name: 'p' } })).toBeUndefined();
    expect(workloadRef({ kind: 'VirtualMachine', metadata: {} })).toBeUndefined();
    expect(workloadRef(null)).toBeUndefined();
  });
});
