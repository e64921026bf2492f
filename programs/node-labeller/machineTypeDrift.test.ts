import { describe, expect, test } from 'vitest';
import { matrixDocument } from '../../compatibility/matrixDocument.js';
import { type ResolvedPool } from '../../compatibility/poolMachineTypes.js';
import { testPool, upgradingTestCluster } from '../../testbed/support/clusterFixtures.js';
import { isDriftRelevant, launcherDrift, machineTypeDrift } from './machineTypeDrift.js';

// KubeVirt 1.7.0 (CS9) → 1.8.0 → node OS of east → CentOS Stream 10 launcher; pools east, west (amd64), arm (arm64).
const matrix = matrixDocument(upgradingTestCluster());
const pool = (name: string): ResolvedPool => matrix.pools.find((p) => p.name === name)!;
const east = pool('east');
const diff = (a: readonly string[], b: readonly string[]) => a.filter((t) => !b.includes(t));

describe('the drift decision', () => {
  test('a node measuring its launcher entry has no drift, whoever reads it', () => {
    const d = launcherDrift(east, matrix.steps, [
      { by: 'kvfleet', types: east.current.supported },
      { by: 'kubevirt', types: east.current.supported },
    ]);
    expect(d).toMatchObject({ reason: 'none', extra: [], missing: [], launcher: matrix.steps[0]!.launcher });
  });

  test("the node's OS plays no part: pools of different OS on one launcher expect the same set", () => {
    // east states rhel-9.6, west no OS; one launcher, one architecture, one set.
    expect(east.os).toBe('rhel-9.6');
    expect(pool('west').os).toBeUndefined();
    expect(launcherDrift(pool('west'), matrix.steps, [{ by: 'kvfleet', types: east.current.supported }]).reason).toBe('none');
  });

  test.each([1, 3])("KubeVirt's labels equal the set of planned step %i: the canary window, naming that step and its launcher", (k) => {
    const next = east.sets[k]!;
    expect(next.supported).not.toEqual(east.current.supported); // the step really changes the set
    const d = launcherDrift(east, matrix.steps, [
      { by: 'kvfleet', types: east.current.supported },
      { by: 'kubevirt', types: next.supported },
    ]);
    const step = matrix.steps[k]!;
    expect(d).toMatchObject({ reason: 'canary', measuredBy: 'kubevirt', step: { id: step.id, index: k } });
    expect(d.explanation).toBe(
      `virt-handler on this node already runs the launcher of planned step ${k} (${step.label}, ${step.launcher}): the canary window of that upgrade`,
    );
    expect(d.extra).toEqual(diff(next.supported, east.current.supported));
    expect(d.missing).toEqual(diff(east.current.supported, next.supported));
  });

  test('a node-OS step repeats its predecessor set, so the launcher step that introduced the set is named', () => {
    expect(matrix.steps[2]!.kind).toBe('node-os-upgrade');
    const d = launcherDrift(east, matrix.steps, [{ by: 'kubevirt', types: east.sets[2]!.supported }]);
    expect(d.step?.index).toBe(1);
  });

  test('a set no step has: wrong launcher image or a broken node, with what is extra and missing', () => {
    const [dropped, ...rest] = east.current.supported;
    const d = launcherDrift(east, matrix.steps, [{ by: 'kvfleet', types: [...rest, 'pc-q35-rhel42.0.0'] }]);
    expect(d).toMatchObject({ reason: 'unknown-launcher', measuredBy: 'kvfleet', extra: ['pc-q35-rhel42.0.0'], missing: [dropped] });
    expect(d.explanation).toBe('wrong launcher image or a broken node');
    expect(d.step).toBeUndefined();
  });

  test("kvfleet's own reading of a later step's set is not a canary: the labeller's launcher image is not the cluster's", () => {
    const d = launcherDrift(east, matrix.steps, [{ by: 'kvfleet', types: east.sets[1]!.supported }]);
    expect(d).toMatchObject({ reason: 'unknown-launcher', measuredBy: 'kvfleet', step: { index: 1 } });
    expect(d.explanation).toMatch(/^the labeller's capabilities equal the launcher of planned step 1 .*its launcher image is not the cluster's$/);
  });

  test('the first reading that differs decides (kvfleet before KubeVirt)', () => {
    const d = launcherDrift(east, matrix.steps, [
      { by: 'kvfleet', types: east.current.supported.slice(1) },
      { by: 'kubevirt', types: east.sets[1]!.supported },
    ]);
    expect(d).toMatchObject({ reason: 'unknown-launcher', measuredBy: 'kvfleet' });
  });
});

describe('which names take part', () => {
  test("only versioned names of a family of the node's architecture", () => {
    expect(isDriftRelevant('pc-q35-rhel9.6.0', 'amd64')).toBe(true);
    expect(isDriftRelevant('pc-i440fx-rhel7.6.0', 'amd64')).toBe(true);
    expect(isDriftRelevant('virt-rhel9.6.0', 'amd64')).toBe(false);
    expect(isDriftRelevant('virt-rhel9.6.0', 'arm64')).toBe(true);
    for (const other of ['q35', 'pc', 'microvm', 'isapc', 'xenfv-4.2', 'rhel6.6.0']) expect(isDriftRelevant(other, 'amd64')).toBe(false);
  });

  test('an amd64 node listing aarch64 and unversioned types as well is not drift; an arm64 pool ignores x86 names', () => {
    const offered = [...east.current.supported, 'virt-rhel9.6.0', 'microvm', 'q35'];
    expect(machineTypeDrift(offered, east.current)).toEqual({ extra: [], missing: [] });
    const arm = pool('arm');
    expect(arm.architecture).toBe('arm64');
    expect(machineTypeDrift([...arm.current.supported, ...east.current.supported], arm.current)).toEqual({ extra: [], missing: [] });
  });

  test('a pool override outside the vocabulary cannot make every node drift', () => {
    const m = matrixDocument(upgradingTestCluster({ nodePools: [testPool('east', { machineTypes: { add: ['microvm'] } })] }));
    const p = m.pools[0]!;
    expect(p.current.supported).toContain('microvm');
    expect(launcherDrift(p, m.steps, [{ by: 'kvfleet', types: east.current.supported }]).reason).toBe('none');
  });
});
