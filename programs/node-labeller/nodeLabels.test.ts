import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  ALIAS_MACHINE_TYPE_LABEL_PREFIX,
  DEPRECATED_MACHINE_TYPE_LABEL_PREFIX,
  DRIFT_ANNOTATION,
  DRIFT_LABEL,
  KUBEVIRT_LABEL_DRIFT_ANNOTATION,
  KUBEVIRT_LABEL_DRIFT_LABEL,
  MACHINE_TYPE_LABEL_PREFIX,
  POOL_LABEL,
} from '../../compatibility/labelKeys.js';
import { matrixDocument } from '../../compatibility/matrixDocument.js';
import { type MachineTypeSet, type ResolvedPool } from '../../compatibility/poolMachineTypes.js';
import { TEST_POOL_LABEL, testCluster, testPool, upgradingTestCluster } from '../../testbed/support/clusterFixtures.js';
import { sharedDir } from '../../testbed/harness/toolPaths.js';
import { type NodeMachineTypes, parseCapabilities } from './capabilitiesXml.js';
import { desiredNodeMetadata, type DriftContext, driftEvent, kubevirtDriftEvent, nodeEvents, nodeMetadataPatch } from './nodeLabels.js';
import { virtHandlerMachineTypeLabels } from '../../testbed/support/virtHandlerLabels.js';
import { machinesOfSet, syntheticCapabilitiesXml } from '../../testbed/support/syntheticCapabilities.js';

function machineTypesOf(xml: string): NodeMachineTypes {
  const r = parseCapabilities(xml);
  if (!r.ok) throw new Error(r.message);
  return r.machineTypes;
}
const rhel96Host = machineTypesOf(readFileSync(join(import.meta.dirname, 'fixtures', 'synthetic-rhel9.6-capabilities.xml'), 'utf8'));
const upstreamHost = machineTypesOf(readFileSync(join(sharedDir, 'samples', 'capabilities', 'kvm-x86_64.xml'), 'utf8'));

const POOL_KEY = TEST_POOL_LABEL;
// KubeVirt 1.7.0 (CS9) → 1.8.0 → node OS of east → CentOS Stream 10 launcher; pools east, west (amd64), arm (arm64).
const matrix = matrixDocument(upgradingTestCluster());
const NO_POOLS: DriftContext = { ...matrix, pools: [] };
const poolNamed = (name: string, m: DriftContext = matrix): ResolvedPool => m.pools.find((p) => p.name === name)!;
const east = poolNamed('east');
/** A node whose QEMU offers exactly `set`, as `virsh capabilities` would list it. */
const hostOf = (set: MachineTypeSet) => machineTypesOf(syntheticCapabilitiesXml({ machines: machinesOfSet(set) }));
/** KubeVirt's labels for a set, as virt-handler writes them from its launcher. */
const kubevirtLabelsOf = (set: MachineTypeSet) =>
  Object.fromEntries([...set.supported, ...Object.keys(set.aliases)].map((t) => [`machine-type.node.kubevirt.io/${t}`, 'true']));
const driftOf = (result: { annotations: Readonly<Record<string, string>> }) => JSON.parse(result.annotations[DRIFT_ANNOTATION]!) as Record<string, unknown>;
const machineTypeLabels = (labels: Readonly<Record<string, string>>, prefix = MACHINE_TYPE_LABEL_PREFIX) =>
  Object.keys(labels)
    .filter((k) => k.startsWith(prefix))
    .map((k) => k.slice(prefix.length))
    .sort();

describe('machine-type labels', () => {
  test('every canonical type and alias the node offers gets machine-type.kvfleet.io/<type>: "true"', () => {
    const { labels } = desiredNodeMetadata(upstreamHost, NO_POOLS, {});
    const expected = [...upstreamHost.canonical, ...Object.keys(upstreamHost.aliases)].sort();
    expect(machineTypeLabels(labels)).toEqual(expected);
    expect(labels[`${MACHINE_TYPE_LABEL_PREFIX}pc-q35-6.1`]).toBe('true');
    expect(labels[`${MACHINE_TYPE_LABEL_PREFIX}q35`]).toBe('true');
  });

  test('each alias label holds the canonical type the alias resolves to on this node', () => {
    const { labels } = desiredNodeMetadata(rhel96Host, NO_POOLS, {});
    expect(labels[`${ALIAS_MACHINE_TYPE_LABEL_PREFIX}q35`]).toBe('pc-q35-rhel9.6.0');
    expect(labels[`${ALIAS_MACHINE_TYPE_LABEL_PREFIX}pc`]).toBe('pc-i440fx-rhel7.6.0');
    expect(machineTypeLabels(labels, ALIAS_MACHINE_TYPE_LABEL_PREFIX)).toEqual(['pc', 'q35']);
  });

  test('deprecated types are marked under their own prefix, and only those', () => {
    const { labels } = desiredNodeMetadata(rhel96Host, NO_POOLS, {});
    expect(machineTypeLabels(labels, DEPRECATED_MACHINE_TYPE_LABEL_PREFIX)).toEqual([...rhel96Host.deprecated].sort());
    expect(labels[`${DEPRECATED_MACHINE_TYPE_LABEL_PREFIX}pc-q35-rhel8.6.0`]).toBe('true');
    expect(labels[`${DEPRECATED_MACHINE_TYPE_LABEL_PREFIX}pc-q35-rhel9.6.0`]).toBeUndefined();
  });

  test('no label is ever written under a *.node.kubevirt.io/ prefix, which virt-handler rewrites', () => {
    const { labels } = desiredNodeMetadata(rhel96Host, matrix, { [POOL_KEY]: 'east' });
    expect(Object.keys(labels).filter((k) => k.includes('kubevirt.io'))).toEqual([]);
  });

  test('a machine type longer than 63 characters is skipped with a warning, the rest still labelled', () => {
    const long = `pc-q35-${'9'.repeat(60)}`; // 67 characters
    const types = machineTypesOf(
      syntheticCapabilitiesXml({ machines: [{ name: long }, { name: 'pc-q35-rhel9.6.0' }, { name: 'q35', canonical: long }, { name: 'pc q35' }] }),
    );
    const result = desiredNodeMetadata(types, NO_POOLS, {});
    expect(machineTypeLabels(result.labels)).toEqual(['pc-q35-rhel9.6.0', 'q35']);
    expect(result.labels[`${ALIAS_MACHINE_TYPE_LABEL_PREFIX}q35`]).toBeUndefined(); // its target cannot be a label value
    expect(result.skipped).toEqual(expect.arrayContaining([long, 'pc q35']));
    expect(result.warnings.join('\n')).toContain(`"${long}" cannot be a Kubernetes label name`);
  });
});

describe('pool and drift from the launcher', () => {
  test('the RHEL 9.6 sample equals the current launcher entry: pool label, drift "false", reason none, no hypervisor-release label', () => {
    const result = desiredNodeMetadata(rhel96Host, matrix, { [POOL_KEY]: 'east' });
    expect(result.labels[POOL_LABEL]).toBe('east');
    expect(result.labels).not.toHaveProperty('kvfleet.io/hypervisor-release');
    expect(result.labels[DRIFT_LABEL]).toBe('false');
    expect(driftOf(result)).toEqual({ reason: 'none', extra: [], missing: [] });
  });

  test.each([
    ['east', 'rhel-9.6'],
    ['west', 'no OS stated'],
  ])("a node measuring its launcher's entry shows no drift whatever its OS (pool %s, %s)", (name) => {
    const result = desiredNodeMetadata(hostOf(east.current), matrix, { [POOL_KEY]: name, ...kubevirtLabelsOf(east.current) });
    expect(result.labels[DRIFT_LABEL]).toBe('false');
    expect(result.match?.reason).toBe('none');
  });

  test('also after a node-OS step is done: the OS changes nothing the labeller compares', () => {
    const m = matrixDocument(testCluster({ kubevirtVersion: '1.7.0', nodePools: [testPool('east', { os: 'rhel-10.0' })] }));
    expect(desiredNodeMetadata(hostOf(east.current), m, { [POOL_KEY]: 'east' }).match?.reason).toBe('none');
  });

  test("a canary-window node: KubeVirt's labels carry the next step's set; drift with the reason, in the annotation", () => {
    const next = east.sets[1]!;
    const result = desiredNodeMetadata(hostOf(east.current), matrix, { [POOL_KEY]: 'east', ...kubevirtLabelsOf(next) });
    expect(result.labels[DRIFT_LABEL]).toBe('true');
    const step = matrix.steps[1]!;
    expect(driftOf(result)).toEqual({
      reason: 'canary',
      extra: next.supported.filter((t) => !east.current.supported.includes(t)),
      missing: east.current.supported.filter((t) => !next.supported.includes(t)),
      measuredBy: 'kubevirt',
      step: 'step-1',
      explanation: `virt-handler on this node already runs the launcher of planned step 1 (${step.label}, ${step.launcher}): the canary window of that upgrade`,
    });
  });

  test('before KubeVirt 1.5.1 KubeVirt writes no machine-type labels, so stray ones are not read', () => {
    const m = matrixDocument(testCluster({ kubevirtVersion: '1.5.0', plannedSteps: [{ kind: 'kubevirt-upgrade', to: '1.8.0' }] }));
    const p = poolNamed('east', m);
    expect(desiredNodeMetadata(hostOf(p.current), m, { [POOL_KEY]: 'east', ...kubevirtLabelsOf(p.sets[1]!) }).match?.reason).toBe('none');
  });

  test('a set no step has: reason unknown-launcher with what is extra and missing', () => {
    const offered = machinesOfSet(east.current)
      .filter((m) => m.name !== 'pc-q35-rhel9.4.0')
      .concat({ name: 'pc-q35-rhel9.5.0' });
    const result = desiredNodeMetadata(machineTypesOf(syntheticCapabilitiesXml({ machines: offered })), matrix, { [POOL_KEY]: 'east' });
    expect(result.labels[DRIFT_LABEL]).toBe('true');
    expect(driftOf(result)).toEqual({
      reason: 'unknown-launcher',
      extra: ['pc-q35-rhel9.5.0'],
      missing: ['pc-q35-rhel9.4.0'],
      measuredBy: 'kvfleet',
      explanation: 'wrong launcher image or a broken node',
    });
  });

  test('machine types outside the catalogue vocabulary (microvm, isapc, xenfv) are labelled but never drift', () => {
    // The real sample is upstream QEMU 6.1, not a CentOS Stream build: drift, but only in versioned names.
    const result = desiredNodeMetadata(upstreamHost, matrix, { [POOL_KEY]: 'east' });
    const drift = driftOf(result) as { extra: string[]; missing: string[]; reason: string };
    expect(result.labels[`${MACHINE_TYPE_LABEL_PREFIX}microvm`]).toBe('true');
    expect(drift.reason).toBe('unknown-launcher');
    expect(drift.extra).not.toContain('microvm');
    expect(drift.extra).toContain('pc-q35-6.1');
    expect(drift.missing).toEqual(east.current.supported);
  });

  test('a node no pool selects gets machine-type labels only, and a warning', () => {
    const result = desiredNodeMetadata(rhel96Host, matrix, { [POOL_KEY]: 'somewhere-else' });
    expect(result.labels[POOL_LABEL]).toBeUndefined();
    expect(result.labels[DRIFT_LABEL]).toBeUndefined();
    expect(result.annotations).toEqual({});
    expect(result.warnings.join()).toMatch(/no pool/);
  });
});

describe('the node patch', () => {
  const desired = desiredNodeMetadata(rhel96Host, matrix, { [POOL_KEY]: 'east' });

  test('sets wanted labels, nulls stale kvfleet labels and leaves every other key out', () => {
    const current = {
      labels: {
        [POOL_KEY]: 'east',
        'machine-type.node.kubevirt.io/pc-q35-rhel9.6.0': 'true',
        [`${MACHINE_TYPE_LABEL_PREFIX}pc-q35-rhel9.8.0`]: 'true', // stale: no longer offered
        [`${MACHINE_TYPE_LABEL_PREFIX}pc-q35-rhel9.6.0`]: 'true', // already right
      },
      annotations: { 'example.com/owner': 'team-a' },
    };
    const patch = nodeMetadataPatch(current, desired)!;
    expect(patch.metadata.labels![`${MACHINE_TYPE_LABEL_PREFIX}pc-q35-rhel9.8.0`]).toBeNull();
    expect(patch.metadata.labels).not.toHaveProperty(`${MACHINE_TYPE_LABEL_PREFIX}pc-q35-rhel9.6.0`);
    expect(patch.metadata.labels).not.toHaveProperty(POOL_KEY);
    expect(patch.metadata.labels).not.toHaveProperty('machine-type.node.kubevirt.io/pc-q35-rhel9.6.0');
    expect(patch.metadata.annotations).toEqual({ [DRIFT_ANNOTATION]: desired.annotations[DRIFT_ANNOTATION] });
  });

  test('is undefined when the node already carries exactly the wanted labels', () => {
    expect(nodeMetadataPatch({ labels: { ...desired.labels, other: 'x' }, annotations: { ...desired.annotations } }, desired)).toBeUndefined();
  });

  test('applied to any node, it yields the wanted kvfleet keys, keeps foreign keys, and a second patch is empty', () => {
    const key = fc.oneof(
      fc.constantFrom(...Object.keys(desired.labels), `${MACHINE_TYPE_LABEL_PREFIX}stale`, `${ALIAS_MACHINE_TYPE_LABEL_PREFIX}old`, DRIFT_LABEL),
      fc.constantFrom('kubernetes.io/hostname', 'machine-type.node.kubevirt.io/q35', 'kvfleet.io/other', POOL_KEY),
    );
    fc.assert(
      fc.property(fc.dictionary(key, fc.constantFrom('true', 'false', 'x')), (labels) => {
        const patch = nodeMetadataPatch({ labels }, desired);
        const after: Record<string, string> = { ...labels };
        for (const [k, v] of Object.entries(patch?.metadata.labels ?? {})) {
          if (v === null) delete after[k];
          else after[k] = v;
        }
        for (const [k, v] of Object.entries(desired.labels)) expect(after[k]).toBe(v);
        for (const k of ['kubernetes.io/hostname', 'machine-type.node.kubevirt.io/q35', 'kvfleet.io/other', POOL_KEY]) expect(after[k]).toBe(labels[k]);
        expect(after).not.toHaveProperty(`${MACHINE_TYPE_LABEL_PREFIX}stale`);
        expect(nodeMetadataPatch({ labels: after, annotations: desired.annotations }, desired)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });
});

describe('drift events', () => {
  const drifted = desiredNodeMetadata(
    machineTypesOf(syntheticCapabilitiesXml({ machines: machinesOfSet(east.current).filter((m) => m.name !== 'pc-q35-rhel9.4.0') })),
    matrix,
    { [POOL_KEY]: 'east' },
  );
  const clean = desiredNodeMetadata(rhel96Host, matrix, { [POOL_KEY]: 'east' });
  const canary = desiredNodeMetadata(rhel96Host, matrix, { [POOL_KEY]: 'east', ...kubevirtLabelsOf(east.sets[3]!) });

  test('a new drift is a Warning naming the pool, its launcher, the reason and the missing type', () => {
    const event = driftEvent({}, {}, drifted);
    expect(event).toMatchObject({ type: 'Warning', reason: 'MachineTypeDrift' });
    expect(event!.message).toContain(`pool east (${matrix.steps[0]!.launcher})`);
    expect(event!.message).toContain('wrong launcher image or a broken node');
    expect(event!.message).toContain('lacks 1 of its machine type(s): pc-q35-rhel9.4.0');
  });

  test('a canary-window Warning names the planned step whose launcher virt-handler runs', () => {
    const event = driftEvent({}, {}, canary);
    expect(event!.message).toContain(canary.match!.explanation);
    expect(event!.message).toContain(`planned step 3 (${matrix.steps[3]!.label}, ${matrix.steps[3]!.launcher})`);
  });

  test('the same drift already on the node records nothing; a changed reason records again', () => {
    expect(driftEvent({ ...drifted.annotations }, { ...drifted.labels }, drifted)).toBeUndefined();
    expect(driftEvent({ ...drifted.annotations }, { ...drifted.labels }, canary)).toMatchObject({ type: 'Warning' });
  });

  test('a drift that goes away is a Normal MachineTypeDriftResolved', () => {
    expect(driftEvent({ ...drifted.annotations }, { ...drifted.labels }, clean)).toMatchObject({ type: 'Normal', reason: 'MachineTypeDriftResolved' });
    expect(driftEvent({ ...clean.annotations }, { ...clean.labels }, clean)).toBeUndefined();
  });
});

describe("drift against KubeVirt's own machine-type labels", () => {
  const aliasOnlyXml = readFileSync(join(import.meta.dirname, 'fixtures', 'synthetic-qemu2.3-alias-only-capabilities.xml'), 'utf8');
  const rhel96Xml = readFileSync(join(import.meta.dirname, 'fixtures', 'synthetic-rhel9.6-capabilities.xml'), 'utf8');

  test('a node KubeVirt labels from the same list agrees: label "false", empty annotation, no event', () => {
    const desired = desiredNodeMetadata(rhel96Host, matrix, { [POOL_KEY]: 'east', ...agreeingKubevirtLabels(rhel96Host) });
    expect(desired.labels[KUBEVIRT_LABEL_DRIFT_LABEL]).toBe('false');
    expect(JSON.parse(desired.annotations[KUBEVIRT_LABEL_DRIFT_ANNOTATION]!)).toEqual({ kubevirtLacks: [], kubevirtOnly: [] });
    expect(kubevirtDriftEvent({}, {}, desired)).toBeUndefined();
  });

  test('the older alias-only layout: virt-handler misses the newest types, which VMs started as q35 run as', () => {
    const host = machineTypesOf(aliasOnlyXml);
    const desired = desiredNodeMetadata(host, NO_POOLS, virtHandlerMachineTypeLabels(aliasOnlyXml));
    expect(desired.kubevirt).toEqual({
      kubevirtLacks: ['pc-q35-2.3', 'pc-i440fx-2.3'],
      // listed under <arch> for the TCG emulator only; virt-handler does not tell the lists apart
      kubevirtOnly: ['pc-0.12', 'pc-1.3'],
    });
    expect(desired.labels[KUBEVIRT_LABEL_DRIFT_LABEL]).toBe('true');
    const event = kubevirtDriftEvent({}, {}, desired);
    expect(event).toMatchObject({ type: 'Warning', reason: 'KubeVirtMachineTypeLabelDrift' });
    expect(event!.message).toContain('cannot migrate here: pc-q35-2.3, pc-i440fx-2.3');
    expect(event!.message).toContain('could be placed here and fail: pc-0.12, pc-1.3');
  });

  test('the modern layout (the RHEL 9.6 sample) gives virt-handler and kvfleet the same canonical set', () => {
    const desired = desiredNodeMetadata(rhel96Host, NO_POOLS, virtHandlerMachineTypeLabels(rhel96Xml));
    expect(desired.kubevirt!.kubevirtLacks).toEqual([]);
  });

  test('before KubeVirt has labelled the node there is nothing to compare, and no label or annotation', () => {
    const desired = desiredNodeMetadata(rhel96Host, matrix, { [POOL_KEY]: 'east' });
    expect(desired.kubevirt).toBeUndefined();
    expect(desired.labels).not.toHaveProperty(KUBEVIRT_LABEL_DRIFT_LABEL);
    expect(desired.annotations).not.toHaveProperty(KUBEVIRT_LABEL_DRIFT_ANNOTATION);
  });

  test('a node KubeVirt skips (node-labeller.kubevirt.io/skip-node) lacks every type: its selector keeps all VMs off', () => {
    const desired = desiredNodeMetadata(rhel96Host, NO_POOLS, {}, { 'node-labeller.kubevirt.io/skip-node': 'true' });
    expect(desired.kubevirt!.kubevirtLacks).toEqual(rhel96Host.canonical);
  });

  test('the same drift on the node records nothing; when it goes, a Normal event; the stale label is removed once KubeVirt stops labelling', () => {
    const host = machineTypesOf(aliasOnlyXml);
    const drifted = desiredNodeMetadata(host, NO_POOLS, virtHandlerMachineTypeLabels(aliasOnlyXml));
    expect(kubevirtDriftEvent({ ...drifted.annotations }, { ...drifted.labels }, drifted)).toBeUndefined();
    const fixed = desiredNodeMetadata(host, NO_POOLS, agreeingKubevirtLabels(host));
    expect(kubevirtDriftEvent({ ...drifted.annotations }, { ...drifted.labels }, fixed)).toMatchObject({
      type: 'Normal',
      reason: 'KubeVirtMachineTypeLabelDriftResolved',
    });
    const gone = desiredNodeMetadata(host, NO_POOLS, {});
    const patch = nodeMetadataPatch({ labels: drifted.labels, annotations: drifted.annotations }, gone);
    expect(patch!.metadata.labels![KUBEVIRT_LABEL_DRIFT_LABEL]).toBeNull();
    expect(patch!.metadata.annotations![KUBEVIRT_LABEL_DRIFT_ANNOTATION]).toBeNull();
  });

  test('nodeEvents records pool drift and KubeVirt drift side by side', () => {
    const host = machineTypesOf(aliasOnlyXml);
    const desired = desiredNodeMetadata(host, matrix, { [POOL_KEY]: 'east', ...virtHandlerMachineTypeLabels(aliasOnlyXml) });
    expect(nodeEvents({}, {}, desired).map((e) => e.reason)).toEqual(['MachineTypeDrift', 'KubeVirtMachineTypeLabelDrift']);
  });
});

/** KubeVirt labels that agree exactly with what kvfleet read. */
function agreeingKubevirtLabels(host: NodeMachineTypes): Record<string, string> {
  return Object.fromEntries([...host.canonical, ...Object.keys(host.aliases)].map((t) => [`machine-type.node.kubevirt.io/${t}`, 'true']));
}
