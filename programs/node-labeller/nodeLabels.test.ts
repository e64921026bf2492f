import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { type HypervisorReleaseId, hypervisorRelease } from '../../compatibility/hypervisorReleases.js';
import {
  ALIAS_MACHINE_TYPE_LABEL_PREFIX,
  DEPRECATED_MACHINE_TYPE_LABEL_PREFIX,
  DRIFT_ANNOTATION,
  DRIFT_LABEL,
  HYPERVISOR_RELEASE_LABEL,
  KUBEVIRT_LABEL_DRIFT_ANNOTATION,
  KUBEVIRT_LABEL_DRIFT_LABEL,
  MACHINE_TYPE_LABEL_PREFIX,
  POOL_LABEL,
} from '../../compatibility/labelKeys.js';
import { type ResolvedPool, resolvePool } from '../../compatibility/poolMachineTypes.js';
import { sharedDir } from '../../test/harness/toolPaths.js';
import { type NodeMachineTypes, parseCapabilities } from './capabilitiesXml.js';
import { desiredNodeMetadata, driftEvent, kubevirtDriftEvent, nodeEvents, nodeMetadataPatch } from './nodeLabels.js';
import { virtHandlerMachineTypeLabels } from '../../test/support/virtHandlerLabels.js';
import { machinesOfSet, syntheticCapabilitiesXml } from '../../test/support/syntheticCapabilities.js';

function machineTypesOf(xml: string): NodeMachineTypes {
  const r = parseCapabilities(xml);
  if (!r.ok) throw new Error(r.message);
  return r.machineTypes;
}
const rhel96Host = machineTypesOf(readFileSync(join(import.meta.dirname, 'fixtures', 'synthetic-rhel9.6-capabilities.xml'), 'utf8'));
const upstreamHost = machineTypesOf(readFileSync(join(sharedDir, 'samples', 'capabilities', 'kvm-x86_64.xml'), 'utf8'));

const POOL_KEY = 'node.example.com/pool';
const pool = (name: string, hypervisor: HypervisorReleaseId, extra: Partial<Parameters<typeof resolvePool>[0]> = {}): ResolvedPool =>
  resolvePool({ name, hypervisor, nodeSelector: { [POOL_KEY]: name }, nodeCount: 3, ...extra });
const pools = [pool('rhel93', 'rhel-9.3', { upgradeTo: 'rhel-9.6' }), pool('rhel96', 'rhel-9.6'), pool('rhel10', 'rhel-10.0')];
const machineTypeLabels = (labels: Readonly<Record<string, string>>, prefix = MACHINE_TYPE_LABEL_PREFIX) =>
  Object.keys(labels)
    .filter((k) => k.startsWith(prefix))
    .map((k) => k.slice(prefix.length))
    .sort();

describe('machine-type labels', () => {
  test('every canonical type and alias the node offers gets machine-type.kvfleet.io/<type>: "true"', () => {
    const { labels } = desiredNodeMetadata(upstreamHost, [], {});
    const expected = [...upstreamHost.canonical, ...Object.keys(upstreamHost.aliases)].sort();
    expect(machineTypeLabels(labels)).toEqual(expected);
    expect(labels[`${MACHINE_TYPE_LABEL_PREFIX}pc-q35-6.1`]).toBe('true');
    expect(labels[`${MACHINE_TYPE_LABEL_PREFIX}q35`]).toBe('true');
  });

  test('each alias label holds the canonical type the alias resolves to on this node', () => {
    const { labels } = desiredNodeMetadata(rhel96Host, [], {});
    expect(labels[`${ALIAS_MACHINE_TYPE_LABEL_PREFIX}q35`]).toBe('pc-q35-rhel9.6.0');
    expect(labels[`${ALIAS_MACHINE_TYPE_LABEL_PREFIX}pc`]).toBe('pc-i440fx-rhel7.6.0');
    expect(machineTypeLabels(labels, ALIAS_MACHINE_TYPE_LABEL_PREFIX)).toEqual(['pc', 'q35']);
  });

  test('deprecated types are marked under their own prefix, and only those', () => {
    const { labels } = desiredNodeMetadata(rhel96Host, [], {});
    expect(machineTypeLabels(labels, DEPRECATED_MACHINE_TYPE_LABEL_PREFIX)).toEqual([...rhel96Host.deprecated].sort());
    expect(labels[`${DEPRECATED_MACHINE_TYPE_LABEL_PREFIX}pc-q35-rhel8.6.0`]).toBe('true');
    expect(labels[`${DEPRECATED_MACHINE_TYPE_LABEL_PREFIX}pc-q35-rhel9.6.0`]).toBeUndefined();
  });

  test('no label is ever written under a *.node.kubevirt.io/ prefix, which virt-handler rewrites', () => {
    const { labels } = desiredNodeMetadata(rhel96Host, pools, { [POOL_KEY]: 'rhel96' });
    expect(Object.keys(labels).filter((k) => k.includes('kubevirt.io'))).toEqual([]);
  });

  test('a machine type longer than 63 characters is skipped with a warning, the rest still labelled', () => {
    const long = `pc-q35-${'9'.repeat(60)}`; // 67 characters
    const types = machineTypesOf(
      syntheticCapabilitiesXml({ machines: [{ name: long }, { name: 'pc-q35-rhel9.6.0' }, { name: 'q35', canonical: long }, { name: 'pc q35' }] }),
    );
    const result = desiredNodeMetadata(types, [], {});
    expect(machineTypeLabels(result.labels)).toEqual(['pc-q35-rhel9.6.0', 'q35']);
    expect(result.labels[`${ALIAS_MACHINE_TYPE_LABEL_PREFIX}q35`]).toBeUndefined(); // its target cannot be a label value
    expect(result.skipped).toEqual(expect.arrayContaining([long, 'pc q35']));
    expect(result.warnings.join('\n')).toContain(`"${long}" cannot be a Kubernetes label name`);
  });
});

describe('pool, release and drift', () => {
  test('a node offering exactly its pool declaration is labelled with pool and release, drift "false"', () => {
    const result = desiredNodeMetadata(rhel96Host, pools, { [POOL_KEY]: 'rhel96' });
    expect(result.labels[POOL_LABEL]).toBe('rhel96');
    expect(result.labels[HYPERVISOR_RELEASE_LABEL]).toBe('rhel-9.6');
    expect(result.labels[DRIFT_LABEL]).toBe('false');
    expect(JSON.parse(result.annotations[DRIFT_ANNOTATION]!)).toEqual({ extra: [], missing: [] });
  });

  test('drift lists what the node offers beyond and lacks from its pool declaration', () => {
    const rhel96 = hypervisorRelease('rhel-9.6')!;
    const offered = machinesOfSet({ supported: rhel96.machineTypes, deprecated: rhel96.deprecated, aliases: rhel96.aliases })
      .filter((m) => m.name !== 'pc-q35-rhel9.4.0')
      .concat({ name: 'pc-q35-rhel9.8.0' });
    const result = desiredNodeMetadata(machineTypesOf(syntheticCapabilitiesXml({ machines: offered })), pools, { [POOL_KEY]: 'rhel96' });
    expect(result.labels[DRIFT_LABEL]).toBe('true');
    expect(JSON.parse(result.annotations[DRIFT_ANNOTATION]!)).toEqual({ extra: ['pc-q35-rhel9.8.0'], missing: ['pc-q35-rhel9.4.0'] });
  });

  test('machine types outside the matrix vocabulary (microvm, isapc, xenfv) are labelled but never drift', () => {
    const upstream = pool('qemu', 'qemu-9.2');
    const result = desiredNodeMetadata(upstreamHost, [upstream], { [POOL_KEY]: 'qemu' });
    const drift = JSON.parse(result.annotations[DRIFT_ANNOTATION]!) as { extra: string[]; missing: string[] };
    expect(result.labels[`${MACHINE_TYPE_LABEL_PREFIX}microvm`]).toBe('true');
    expect(drift.extra).not.toContain('microvm');
    expect(drift.extra).toContain('pc-q35-2.4'); // QEMU 9.2 dropped it long ago
    expect(drift.missing).toContain('pc-q35-9.2'); // the 6.1 host cannot have it
  });

  test('during a planned upgrade, a node already on the new release is matched to it, not reported as drift', () => {
    const result = desiredNodeMetadata(rhel96Host, pools, { [POOL_KEY]: 'rhel93' });
    expect(result.labels[POOL_LABEL]).toBe('rhel93');
    expect(result.labels[HYPERVISOR_RELEASE_LABEL]).toBe('rhel-9.6');
    expect(result.labels[DRIFT_LABEL]).toBe('false');
  });

  test('a node still on the current release of an upgrading pool is matched to the current release', () => {
    const rhel93 = hypervisorRelease('rhel-9.3')!;
    const host = machineTypesOf(
      syntheticCapabilitiesXml({ machines: machinesOfSet({ supported: rhel93.machineTypes, deprecated: rhel93.deprecated, aliases: rhel93.aliases }) }),
    );
    const result = desiredNodeMetadata(host, pools, { [POOL_KEY]: 'rhel93' });
    expect(result.labels[HYPERVISOR_RELEASE_LABEL]).toBe('rhel-9.3');
    expect(result.labels[DRIFT_LABEL]).toBe('false');
  });

  test('a node no pool selects gets machine-type labels only, and a warning', () => {
    const result = desiredNodeMetadata(rhel96Host, pools, { [POOL_KEY]: 'somewhere-else' });
    expect(result.labels[POOL_LABEL]).toBeUndefined();
    expect(result.labels[DRIFT_LABEL]).toBeUndefined();
    expect(result.annotations).toEqual({});
    expect(result.warnings.join()).toMatch(/no pool/);
  });
});

describe('the node patch', () => {
  const desired = desiredNodeMetadata(rhel96Host, pools, { [POOL_KEY]: 'rhel96' });

  test('sets wanted labels, nulls stale kvfleet labels and leaves every other key out', () => {
    const current = {
      labels: {
        [POOL_KEY]: 'rhel96',
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
  const rhel96 = hypervisorRelease('rhel-9.6')!;
  const drifted = desiredNodeMetadata(
    machineTypesOf(
      syntheticCapabilitiesXml({ machines: machinesOfSet({ supported: rhel96.machineTypes, deprecated: [], aliases: {} }).filter((m) => m.name !== 'pc-q35-rhel9.6.0') }),
    ),
    pools,
    { [POOL_KEY]: 'rhel96' },
  );
  const clean = desiredNodeMetadata(rhel96Host, pools, { [POOL_KEY]: 'rhel96' });

  test('a new drift is a Warning naming the pool, the release and the missing type', () => {
    const event = driftEvent({}, {}, drifted);
    expect(event).toMatchObject({ type: 'Warning', reason: 'MachineTypeDrift' });
    expect(event!.message).toContain('pool rhel96 (rhel-9.6)');
    expect(event!.message).toContain('lacks 1 declared machine type(s): pc-q35-rhel9.6.0');
  });

  test('the same drift already on the node records nothing', () => {
    expect(driftEvent({ ...drifted.annotations }, { ...drifted.labels }, drifted)).toBeUndefined();
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
    const desired = desiredNodeMetadata(rhel96Host, pools, { [POOL_KEY]: 'rhel96', ...agreeingKubevirtLabels(rhel96Host) });
    expect(desired.labels[KUBEVIRT_LABEL_DRIFT_LABEL]).toBe('false');
    expect(JSON.parse(desired.annotations[KUBEVIRT_LABEL_DRIFT_ANNOTATION]!)).toEqual({ kubevirtLacks: [], kubevirtOnly: [] });
    expect(kubevirtDriftEvent({}, {}, desired)).toBeUndefined();
  });

  test('the older alias-only layout: virt-handler misses the newest types, which VMs started as q35 run as', () => {
    const host = machineTypesOf(aliasOnlyXml);
    const desired = desiredNodeMetadata(host, [], virtHandlerMachineTypeLabels(aliasOnlyXml));
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
    const desired = desiredNodeMetadata(rhel96Host, [], virtHandlerMachineTypeLabels(rhel96Xml));
    expect(desired.kubevirt!.kubevirtLacks).toEqual([]);
  });

  test('before KubeVirt has labelled the node there is nothing to compare, and no label or annotation', () => {
    const desired = desiredNodeMetadata(rhel96Host, pools, { [POOL_KEY]: 'rhel96' });
    expect(desired.kubevirt).toBeUndefined();
    expect(desired.labels).not.toHaveProperty(KUBEVIRT_LABEL_DRIFT_LABEL);
    expect(desired.annotations).not.toHaveProperty(KUBEVIRT_LABEL_DRIFT_ANNOTATION);
  });

  test('a node KubeVirt skips (node-labeller.kubevirt.io/skip-node) lacks every type: its selector keeps all VMs off', () => {
    const desired = desiredNodeMetadata(rhel96Host, [], {}, { 'node-labeller.kubevirt.io/skip-node': 'true' });
    expect(desired.kubevirt!.kubevirtLacks).toEqual(rhel96Host.canonical);
  });

  test('the same drift on the node records nothing; when it goes, a Normal event; the stale label is removed once KubeVirt stops labelling', () => {
    const host = machineTypesOf(aliasOnlyXml);
    const drifted = desiredNodeMetadata(host, [], virtHandlerMachineTypeLabels(aliasOnlyXml));
    expect(kubevirtDriftEvent({ ...drifted.annotations }, { ...drifted.labels }, drifted)).toBeUndefined();
    const fixed = desiredNodeMetadata(host, [], agreeingKubevirtLabels(host));
    expect(kubevirtDriftEvent({ ...drifted.annotations }, { ...drifted.labels }, fixed)).toMatchObject({
      type: 'Normal',
      reason: 'KubeVirtMachineTypeLabelDriftResolved',
    });
    const gone = desiredNodeMetadata(host, [], {});
    const patch = nodeMetadataPatch({ labels: drifted.labels, annotations: drifted.annotations }, gone);
    expect(patch!.metadata.labels![KUBEVIRT_LABEL_DRIFT_LABEL]).toBeNull();
    expect(patch!.metadata.annotations![KUBEVIRT_LABEL_DRIFT_ANNOTATION]).toBeNull();
  });

  test('nodeEvents records pool drift and KubeVirt drift side by side', () => {
    const host = machineTypesOf(aliasOnlyXml);
    const desired = desiredNodeMetadata(host, [pool('old', 'qemu-9.2')], { [POOL_KEY]: 'old', ...virtHandlerMachineTypeLabels(aliasOnlyXml) });
    expect(nodeEvents({}, {}, desired).map((e) => e.reason)).toEqual(['MachineTypeDrift', 'KubeVirtMachineTypeLabelDrift']);
  });
});

/** KubeVirt labels that agree exactly with what kvfleet read. */
function agreeingKubevirtLabels(host: NodeMachineTypes): Record<string, string> {
  return Object.fromEntries([...host.canonical, ...Object.keys(host.aliases)].map((t) => [`machine-type.node.kubevirt.io/${t}`, 'true']));
}
