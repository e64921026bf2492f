/**
 * The node rule as one table: which label proves that a node runs a machine type on a cluster of
 * each labeller, and which nodes are migration-target candidates. The labeller, the policies, the
 * controller and `kvfleet plan` all read it through compatibility/nodeRule.ts.
 */
import { describe, expect, test } from 'vitest';
import { KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX } from './kubevirtNames.js';
import { type MachineTypeLabeller } from './kubevirtVersions.js';
import { DEPRECATED_MACHINE_TYPE_LABEL_PREFIX, MACHINE_TYPE_LABEL_PREFIX } from './labelKeys.js';
import { type CandidateNode, candidateExclusion, isDeprecatedOnNode, machineTypesLabelledBy, nodeOffersMachineType, schedulerMachineTypeLabelKey } from './nodeRule.js';

const T = 'pc-q35-rhel9.6.0';
const kvfleet = { [MACHINE_TYPE_LABEL_PREFIX + T]: 'true' };
const kubevirt = { [KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX + T]: 'true' };
const both = { ...kvfleet, ...kubevirt };

describe('which label proves support', () => {
  test.each<[string, Record<string, string>, MachineTypeLabeller, boolean]>([
    ['kvfleet label, kvfleet cluster', kvfleet, 'kvfleet', true],
    ['kvfleet label only, KubeVirt cluster: the scheduler would refuse the node', kvfleet, 'kubevirt', false],
    ['KubeVirt label, KubeVirt cluster', kubevirt, 'kubevirt', true],
    ['KubeVirt label only, kvfleet cluster: nothing kvfleet wrote says so', kubevirt, 'kvfleet', false],
    ['both labels, either cluster', both, 'kvfleet', true],
    ['both labels, KubeVirt cluster', both, 'kubevirt', true],
    ['label value other than "true"', { [MACHINE_TYPE_LABEL_PREFIX + T]: 'false' }, 'kvfleet', false],
    ['no label', {}, 'kubevirt', false],
  ])('%s → %s', (_case, labels, labeller, offers) => {
    expect(nodeOffersMachineType(labels, T, labeller)).toBe(offers);
  });

  test('the key is the labeller prefix plus the canonical name; a name that is not a label name has none', () => {
    expect(schedulerMachineTypeLabelKey(T, 'kvfleet')).toBe(`machine-type.kvfleet.io/${T}`);
    expect(schedulerMachineTypeLabelKey(T, 'kubevirt')).toBe(`machine-type.node.kubevirt.io/${T}`);
    expect(schedulerMachineTypeLabelKey('x'.repeat(64), 'kvfleet')).toBeUndefined();
    expect(nodeOffersMachineType({ [`${MACHINE_TYPE_LABEL_PREFIX}a b`]: 'true' }, 'a b', 'kvfleet')).toBe(false);
  });

  test("each labeller's types are read back from its own prefix", () => {
    const labels = { ...both, [`${KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX}q35`]: 'true', [`${DEPRECATED_MACHINE_TYPE_LABEL_PREFIX}${T}`]: 'true' };
    expect(machineTypesLabelledBy(labels, 'kubevirt')).toEqual([T, 'q35']);
    expect(machineTypesLabelledBy(labels, 'kvfleet')).toEqual([T]);
    expect(isDeprecatedOnNode(labels, T)).toBe(true);
    expect(isDeprecatedOnNode(kvfleet, T)).toBe(false);
  });
});

describe('which nodes are migration-target candidates', () => {
  const node = (over: Partial<CandidateNode> = {}): CandidateNode => ({ name: 'n1', labels: kvfleet, ready: true, cordoned: false, ...over });
  const q = { machineType: T, labeller: 'kvfleet' as const, sourceNode: 'src', excluded: new Set(['failed']) };
  test.each<[string, Partial<CandidateNode>, ReturnType<typeof candidateExclusion>]>([
    ['offers the type, Ready, schedulable', {}, undefined],
    ['lacks the type (checked first: a NotReady node without it is still "lacks")', { labels: {}, ready: false }, 'lacks-machine-type'],
    ['NotReady', { ready: false }, 'not-ready'],
    ['cordoned', { cordoned: true }, 'cordoned'],
    ['the source node', { name: 'src' }, 'source'],
    ['an earlier failed target', { name: 'failed' }, 'failed-before'],
  ])('%s → %s', (_case, over, exclusion) => {
    expect(candidateExclusion(node(over), q)).toBe(exclusion);
  });

  test('on a KubeVirt-labelled cluster only the KubeVirt label makes a candidate', () => {
    expect(candidateExclusion(node({ labels: kvfleet }), { ...q, labeller: 'kubevirt' })).toBe('lacks-machine-type');
    expect(candidateExclusion(node({ labels: kubevirt }), { ...q, labeller: 'kubevirt' })).toBeUndefined();
  });
});
