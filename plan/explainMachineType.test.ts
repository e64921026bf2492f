import { describe, expect, test } from 'vitest';
import { testCluster, testPool } from '../test/support/clusterFixtures.js';
import { explainMachineType, suggestedNames } from './explainMachineType.js';

// SYNTHETIC: one pool upgrading RHEL 9.6 → 10.0, one RHEL 10.0 pool that adds a RHEL 8 type, and a
// RHEL 9.3 pool that removes one type and deprecates another, so every reason has a case.
const cluster = testCluster({
  name: 'synthetic-explain',
  nodePools: [
    testPool('upgrading', 'rhel-9.6', { upgradeTo: 'rhel-10.0', nodeCount: 12 }),
    testPool('rhel10', 'rhel-10.0', { nodeCount: 4, machineTypes: { add: ['pc-q35-rhel8.6.0'] } }),
    testPool('rhel93', 'rhel-9.3', { nodeCount: 3, machineTypes: { remove: ['pc-q35-rhel8.6.0'], deprecate: ['pc-q35-rhel9.2.0'] } }),
  ],
});

describe.each([
  {
    type: 'pc-q35-rhel8.6.0',
    kind: 'versioned',
    now: ['rhel10', 'upgrading'],
    nodesNow: 16,
    after: ['rhel10'],
    decision: 'warned',
    reasons: {
      rhel10: ["pc-q35-rhel8.6.0 is not in the rhel-10.0 matrix; added by the pool's machineTypes.add"],
      rhel93: ["pc-q35-rhel8.6.0 is in the rhel-9.3 matrix but removed by the pool's machineTypes.remove"],
      'upgrading after': ['pc-q35-rhel8.6.0 is not in the rhel-10.0 matrix', 'dropped by the upgrade to rhel-10.0'],
    },
  },
  {
    type: 'q35',
    kind: 'alias',
    now: ['rhel10', 'rhel93', 'upgrading'],
    nodesNow: 19,
    after: ['rhel10', 'rhel93', 'upgrading'],
    decision: 'admitted',
    reasons: {
      rhel93: ['alias q35 resolves to pc-q35-rhel9.2.0 on rhel-9.3', 'pc-q35-rhel9.2.0 is in the rhel-9.3 matrix', "deprecated by the pool's machineTypes.deprecate"],
      'upgrading after': [
        'alias q35 resolves to pc-q35-rhel10.0.0 on rhel-10.0',
        'pc-q35-rhel10.0.0 is in the rhel-10.0 matrix',
        'the upgrade to rhel-10.0 changes it from pc-q35-rhel9.6.0 to pc-q35-rhel10.0.0',
      ],
    },
  },
  {
    type: 'pc',
    kind: 'alias',
    now: ['rhel93', 'upgrading'],
    nodesNow: 15,
    after: ['rhel93'],
    decision: 'admitted',
    reasons: {
      rhel10: ['alias pc resolves to nothing on rhel-10.0'],
      'upgrading after': ['alias pc resolves to nothing on rhel-10.0', 'dropped by the upgrade to rhel-10.0'],
    },
  },
  {
    type: 'pc-q35-rhel10.0.0',
    kind: 'versioned',
    now: ['rhel10'],
    nodesNow: 4,
    after: ['rhel10', 'upgrading'],
    decision: 'admitted',
    reasons: { 'upgrading after': ['pc-q35-rhel10.0.0 is in the rhel-10.0 matrix', 'gained with the upgrade to rhel-10.0'] },
  },
  {
    type: 'pc-q35-rhel9.5.0',
    kind: 'versioned',
    now: [],
    nodesNow: 0,
    after: [],
    decision: 'denied',
    reasons: { upgrading: ['pc-q35-rhel9.5.0 is not in the rhel-9.6 matrix'] },
  },
  { type: 'Q35', kind: 'invalid', now: [], nodesNow: 0, after: [], decision: 'denied', reasons: { rhel10: ['Q35 is not in the rhel-10.0 matrix'] } },
] as const)('$type', ({ type, kind, now, nodesNow, after, decision, reasons }) => {
  const e = explainMachineType(cluster, type);

  test(`is ${kind}, runs on [${now.join(', ')}] now and [${after.join(', ')}] after the upgrades`, () => {
    expect(e.kind).toBe(kind);
    expect(e.now).toEqual({ pools: now, nodes: nodesNow });
    expect(e.afterUpgrades.pools).toEqual(after);
  });

  test(`gives the reasons per pool`, () => {
    for (const [where, expected] of Object.entries(reasons)) {
      const [pool, phase] = where.split(' ');
      const p = e.pools.find((x) => x.pool === pool)!;
      expect((phase === 'after' ? p.afterUpgrade! : p.now).reasons).toEqual(expected);
    }
  });

  test(`is ${decision} by the policies`, () => {
    expect(e.admission.decision).toBe(decision);
  });
});

test('a denial quotes the policy message, naming the requested type and the cluster', () => {
  const e = explainMachineType(cluster, 'pc-q35-rhel9.5.0');
  expect(e.admission).toMatchObject({
    decision: 'denied',
    message: expect.stringMatching(/^machine type pc-q35-rhel9\.5\.0 is not offered by any node pool of cluster synthetic-explain: /),
  });
});

test('a warning names the pool the type is deprecated on', () => {
  const e = explainMachineType(cluster, 'pc-q35-rhel8.6.0');
  expect(e.admission).toMatchObject({ decision: 'warned', message: expect.stringContaining('deprecated on pool upgrading') });
});

test('node counts are left out when a hosting pool does not give one', () => {
  const noCount = testCluster({ nodePools: [testPool('rhel96', 'rhel-9.6', { nodeCount: undefined })] });
  expect(explainMachineType(noCount, 'q35').now).toEqual({ pools: ['rhel96'] });
});

test.each([
  ['Q35', ['q35']],
  ['pc-q53-rhel9.6.0', ['pc-q35-rhel9.6.0']],
  // Equally many edits from several: the same chipset, vendor and major first, then the nearest versions.
  ['pc-q35-rhel9.5.0', ['pc-q35-rhel9.4.0', 'pc-q35-rhel9.6.0', 'pc-q35-rhel9.2.0']],
  ['pc-q35-rhel9.6.0', []],
  ['something-else-entirely', []],
])('suggestions for %s: %j', (name, expected) => {
  expect(suggestedNames(name)).toEqual(expected);
});
