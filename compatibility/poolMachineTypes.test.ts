import { describe, expect, test } from 'vitest';
import { testCluster, testPool, upgradingTestCluster } from '../testbed/support/clusterFixtures.js';
import { launcherEntry } from './launcherCatalogue.js';
import { parseMatrixDocument, matrixDocument, renderMatrixDocument } from './matrixDocument.js';
import { resolveCluster } from './poolMachineTypes.js';

const sorted = (types: readonly string[]) => [...types].sort();

describe('a pool’s set at every step', () => {
  const { steps, pools } = resolveCluster(upgradingTestCluster());
  const pool = (name: string) => pools.find((p) => p.name === name)!;

  test('one set per step; each is the catalogue entry of that step’s launcher for the pool’s architecture', () => {
    for (const p of pools) {
      expect(p.sets).toHaveLength(steps.length);
      p.sets.forEach((set, k) => {
        expect(sorted(set.supported)).toEqual(sorted(steps[k]!.launcher.entry.architectures[p.architecture]!.machineTypes));
        expect(set.launcher).toBe(steps[k]!.launcher.label);
      });
    }
  });

  test('the pool’s OS plays no part: east (rhel-9.6) and west (no OS) have equal sets at every step', () => {
    expect(pool('east').os).toBe('rhel-9.6');
    expect(pool('east').sets).toEqual(pool('west').sets);
  });

  test('a node-OS step keeps the very set of the step before', () => {
    const k = steps.findIndex((s) => s.kind === 'node-os-upgrade');
    expect(k).toBeGreaterThan(0);
    expect(pool('east').sets[k]).toBe(pool('east').sets[k - 1]);
  });

  test('an arm64 pool runs the launcher’s aarch64 list', () => {
    expect(pool('arm').current.supported).toContain(launcherEntry('1.7.0', 'centos-stream-9')!.architectures.arm64!.aliases.virt);
    expect(pool('arm').current.supported.every((t) => t.startsWith('virt-'))).toBe(true);
  });

  test('current is sets[0]', () => {
    for (const p of pools) expect(p.current).toBe(p.sets[0]);
  });
});

test('a pool’s corrections apply at every step, and an alias whose target is removed is gone', () => {
  const cluster = testCluster({
    kubevirtVersion: '1.7.0',
    plannedSteps: [{ kind: 'kubevirt-upgrade', to: '1.8.0' }],
    nodePools: [testPool('east', { machineTypes: { remove: ['pc-i440fx-rhel7.6.0'], deprecate: ['pc-q35-rhel9.0.0'], add: ['pc-q35-rhel9.5.0'] } })],
  });
  for (const set of resolveCluster(cluster).pools[0]!.sets) {
    expect(set.supported).not.toContain('pc-i440fx-rhel7.6.0');
    expect(set.aliases.pc).toBeUndefined();
    expect(set.supported).toContain('pc-q35-rhel9.5.0');
    expect(set.deprecated).toContain('pc-q35-rhel9.0.0');
  }
});

describe('the matrix document', () => {
  test('rendered and parsed back, it carries the same steps and sets', () => {
    const doc = matrixDocument(upgradingTestCluster());
    const parsed = parseMatrixDocument(renderMatrixDocument(doc));
    expect(parsed.ok && parsed.matrix).toEqual(doc);
  });

  test('no YAML anchors: a reader sees each set in full', () => {
    expect(renderMatrixDocument(matrixDocument(upgradingTestCluster()))).not.toMatch(/[&*]a\d/);
  });

  test.each([
    ['steps missing', (d: Record<string, unknown>) => delete d.steps, 'steps is not a non-empty list'],
    ['a set per step missing', (d: Record<string, unknown>) => (d.pools as { sets: unknown[] }[])[0]!.sets.pop(), 'pools[0].sets is not a list of one set per step'],
    [
      'an unknown architecture',
      (d: Record<string, unknown>) => ((d.pools as { architecture: string }[])[0]!.architecture = 'x86_64'),
      'pools[0].architecture is not one of',
    ],
  ])('refused with the field named: %s', (_name, spoil, message) => {
    const doc = JSON.parse(JSON.stringify(matrixDocument(upgradingTestCluster()))) as Record<string, unknown>;
    for (const p of doc.pools as Record<string, unknown>[]) delete p.current;
    spoil(doc);
    const parsed = parseMatrixDocument(JSON.stringify(doc));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(message);
  });
});
