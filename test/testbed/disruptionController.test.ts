import { describe, expect, test } from 'vitest';
import { type Pdb, type PodView, pdbStatus } from '../../testbed/harness/disruptionController.js';

/** A SYNTHETIC PDB as KubeVirt's disruption-budget controller makes it, expanded for a migration (minAvailable 2). */
const pdb = (minAvailable: number | string, generation = 2): Pdb => ({
  metadata: { name: 'kubevirt-disruption-budget-x', namespace: 'tenant-0', generation },
  spec: { minAvailable, selector: { matchLabels: { 'kubevirt.io/created-by': 'vmi-uid' } } },
});
const NOW = '2026-12-07T12:00:00Z';
const pod = (ready: boolean, more: Partial<PodView['metadata']> = {}): PodView => ({
  metadata: { namespace: 'tenant-0', labels: { 'kubevirt.io/created-by': 'vmi-uid' }, ...more },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('the disruption controller’s PDB status', () => {
  test('an expanded PDB over the source pod alone: desiredHealthy 2, no disruption allowed, this generation observed (what KubeVirt 1.5 waits for)', () => {
    expect(pdbStatus(pdb(2), [pod(true)], NOW)).toMatchObject({
      currentHealthy: 1,
      desiredHealthy: 2,
      expectedPods: 1,
      disruptionsAllowed: 0,
      observedGeneration: 2,
      conditions: [{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' }],
    });
  });

  test('healthy means Ready and not being deleted; pods of other VMIs or namespaces do not count', () => {
    const pods = [
      pod(true),
      pod(true),
      pod(false),
      pod(true, { deletionTimestamp: '2026-12-07T00:00:00Z' }),
      pod(true, { labels: { 'kubevirt.io/created-by': 'other' } }),
      pod(true, { namespace: 'tenant-1' }),
    ];
    expect(pdbStatus(pdb(1), pods, NOW)).toMatchObject({
      currentHealthy: 2,
      expectedPods: 4,
      disruptionsAllowed: 1,
      conditions: [{ status: 'True', reason: 'SufficientPods' }],
    });
  });

  test('no pod selected: no disruption allowed; a percentage minAvailable is not played', () => {
    expect(pdbStatus(pdb(0), [], NOW)).toMatchObject({ expectedPods: 0, disruptionsAllowed: 0 });
    expect(pdbStatus(pdb('50%'), [pod(true)], NOW)).toBeUndefined();
  });
});
