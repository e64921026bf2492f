import { describe, expect, test } from 'vitest';
import { DRIFT_LABEL, machineTypeLabelKey, POOL_LABEL } from '../../compatibility/labelKeys.js';
import { matrixDocument } from '../../compatibility/matrixDocument.js';
import { sortMachineTypes } from '../../compatibility/machineTypeNames.js';
import { parseCapabilities } from '../../programs/node-labeller/capabilitiesXml.js';
import { desiredNodeMetadata } from '../../programs/node-labeller/nodeLabels.js';
import { POOL_SELECTOR_LABEL } from '../upgrade/scenario.js';
import { capabilitiesOf } from './labellerInput.js';
import { buildPreNativeScenario, clusterLauncher, preNativeCluster, staleLauncher } from './scenario.js';

/** What the real labeller's pure decision makes of a node of the scenario's pool running `entry`. */
function labelsFor(entry = clusterLauncher()) {
  const s = buildPreNativeScenario(1, 'small');
  const parsed = parseCapabilities(capabilitiesOf(entry, 'amd64'));
  if (!parsed.ok) throw new Error(parsed.message);
  return desiredNodeMetadata(parsed.machineTypes, matrixDocument(preNativeCluster(s)), { [POOL_SELECTOR_LABEL]: s.base.nodes[0]!.pool });
}

describe('the capabilities document the labeller reads', () => {
  test.each([
    ['the cluster’s launcher', clusterLauncher()],
    ['the broken node’s launcher', staleLauncher()],
  ])('for %s, the labeller’s parser reads back exactly the entry’s types, aliases and deprecations', (_name, entry) => {
    const list = entry.architectures.amd64!;
    const parsed = parseCapabilities(capabilitiesOf(entry, 'amd64'));
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.machineTypes.arch).toBe('x86_64');
    expect(parsed.machineTypes.canonical).toEqual(sortMachineTypes(list.machineTypes));
    expect(parsed.machineTypes.aliases).toEqual(list.aliases);
    expect([...parsed.machineTypes.deprecated].sort()).toEqual([...list.deprecated].sort());
  });

  test('an architecture the entry has no build for is refused by name', () => {
    const noS390x = { ...staleLauncher(), architectures: { amd64: staleLauncher().architectures.amd64! } };
    expect(() => capabilitiesOf(noS390x, 's390x')).toThrow(`${staleLauncher().id} has no s390x build`);
  });
});

describe('what the labeller then writes (its own pure decision)', () => {
  const q35Type = clusterLauncher().architectures.amd64!.aliases.q35!;

  test('a healthy node gets the label of the type q35 resolves to, its pool, and no drift', () => {
    const d = labelsFor();
    expect(d.labels[machineTypeLabelKey(q35Type)!]).toBe('true');
    expect(d.labels[POOL_LABEL]).toBe(buildPreNativeScenario(1, 'small').base.nodes[0]!.pool);
    expect(d.labels[DRIFT_LABEL]).toBe('false');
  });

  test('the broken node lacks that label and is flagged as drifting from an unknown launcher', () => {
    const d = labelsFor(staleLauncher());
    expect(d.labels[machineTypeLabelKey(q35Type)!]).toBeUndefined();
    expect(d.labels[DRIFT_LABEL]).toBe('true');
    expect(d.match).toMatchObject({ reason: 'unknown-launcher', missing: [q35Type] });
  });
});
