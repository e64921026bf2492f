/**
 * What one simulated node's QEMU offers, and the labels it carries because of it. Pure.
 *
 * Each node gets a SYNTHETIC `virsh capabilities` document for its pool's machine-type set (the
 * cluster launcher's catalogue entry with the pool's overrides) in libvirt's real layout
 * (test/support/syntheticCapabilities.ts), or on some nodes in the older alias-only layout of
 * programs/node-labeller/fixtures/synthetic-qemu2.3-alias-only-capabilities.xml: KVM machines nested
 * in `<domain type='kvm'>`, and the newest versioned types present only as the `canonical`
 * attribute of their aliases. From that document:
 * - the truth (`canRun`): the canonical set the REAL labeller parser reads (`parseCapabilities`);
 * - kvfleet's labels: the REAL labeller's `desiredNodeMetadata` (only where kvfleet runs);
 * - KubeVirt's `machine-type.node.kubevirt.io/` labels as virt-handler ≥ 1.5.1 derives them
 *   (test/support/virtHandlerLabels.ts): every `<machine>` name under `<arch>`, `canonical` ignored.
 */
import { KUBEVIRT_SCHEDULABLE_LABEL } from '../../compatibility/kubevirtNames.js';
import { schedulingContractOf } from '../../compatibility/kubevirtVersions.js';
import { HOSTNAME_LABEL } from '../../compatibility/labelKeys.js';
import { type MachineTypeSet, type ResolvedPool } from '../../compatibility/poolMachineTypes.js';
import { type NodeMachineTypes, parseCapabilities } from '../../programs/node-labeller/capabilitiesXml.js';
import { desiredNodeMetadata, type DriftContext } from '../../programs/node-labeller/nodeLabels.js';
import { machinesOfSet, type SyntheticMachine, syntheticCapabilitiesXml } from '../../test/support/syntheticCapabilities.js';
import { virtHandlerMachineTypeLabels } from '../../test/support/virtHandlerLabels.js';

/** `modern`: machines directly under `<arch>`; `alias-only`: older libvirt (see the file comment). */
export type CapabilitiesLayout = 'modern' | 'alias-only';

type Labels = Record<string, string>;

/**
 * The machines of an older libvirt host: every versioned type that is an alias target appears only
 * as the alias's `canonical` attribute; an alias whose target QEMU deprecates carries the flag.
 */
export function aliasOnlyMachines(set: MachineTypeSet): SyntheticMachine[] {
  const targets = new Set(Object.values(set.aliases));
  const deprecated = new Set(set.deprecated);
  return [
    ...set.supported.filter((t) => !targets.has(t)).map((name) => ({ name, deprecated: deprecated.has(name) })),
    ...Object.entries(set.aliases).map(([name, canonical]) => ({ name, canonical, ...(deprecated.has(canonical) ? { deprecated: true } : {}) })),
  ];
}

export function capabilitiesXmlFor(set: MachineTypeSet, layout: CapabilitiesLayout): string {
  if (layout === 'modern') return syntheticCapabilitiesXml({ machines: machinesOfSet(set) });
  const machines = aliasOnlyMachines(set);
  // The TCG list under <arch> is the same set here, so KubeVirt's labels (read from <arch>) and the
  // KVM list differ only by the alias-only targets, as in the QEMU 2.3 fixture.
  return syntheticCapabilitiesXml({ machines, nestedKvmMachines: true, tcgMachines: machines });
}

/** What the real labeller parser reads from a document this module generated (throws if it refuses one: a bug here). */
export function parsedMachineTypes(xml: string): NodeMachineTypes {
  const parsed = parseCapabilities(xml);
  if (!parsed.ok) throw new Error(`generated capabilities refused by the labeller parser: ${parsed.code}: ${parsed.message}`);
  return parsed.machineTypes;
}

export interface NodeLabelInput {
  readonly name: string;
  readonly pool: ResolvedPool;
  /** The labeller's matrix: the cluster's KubeVirt version, steps and every pool (compatibility/matrixDocument.ts). */
  readonly matrix: DriftContext;
  /** The node's machine-type set: its pool's set at the cluster's current step (a node-OS step changes none). */
  readonly set: MachineTypeSet;
  readonly layout: CapabilitiesLayout;
  readonly kubevirtVersion: string;
  /** kvfleet's labeller runs (kvfleet modes). */
  readonly kvfleet: boolean;
}

export interface NodeMachineState {
  readonly capabilitiesXml: string;
  /** The truth: canonical types the node's QEMU runs with KVM, as the labeller parser reads them. */
  readonly canonical: readonly string[];
  /** What `q35` resolves to on this node: the canonical type of a VM started here as `q35`. */
  readonly q35: string | undefined;
  readonly labels: Labels;
  readonly annotations: Labels;
  /** KubeVirt's labels lack a type QEMU runs (or label one it cannot): the kvfleet labeller's drift finding. */
  readonly kubevirtLabelDrift: boolean;
}

export function nodeMachineState(n: NodeLabelInput): NodeMachineState {
  const capabilitiesXml = capabilitiesXmlFor(n.set, n.layout);
  const parsed = parsedMachineTypes(capabilitiesXml);
  const base: Labels = {
    [HOSTNAME_LABEL]: n.name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    ...n.pool.nodeSelector,
    // virt-handler marks nodes it runs on; every launcher pod selects on it (services/template.go).
    [KUBEVIRT_SCHEDULABLE_LABEL]: 'true',
  };
  const kubevirt = schedulingContractOf(n.kubevirtVersion).machineTypeLabeller === 'kubevirt' ? virtHandlerMachineTypeLabels(capabilitiesXml) : {};
  const desired = desiredNodeMetadata(parsed, n.matrix, { ...base, ...kubevirt }, {});
  // Without kvfleet nobody writes kvfleet's labels; the drift finding is still the node's truth.
  const labels = n.kvfleet ? { ...base, ...kubevirt, ...desired.labels } : { ...base, ...kubevirt };
  const annotations = n.kvfleet ? { ...desired.annotations } : {};
  const drift = desired.kubevirt !== undefined && (desired.kubevirt.kubevirtLacks.length > 0 || desired.kubevirt.kubevirtOnly.length > 0);
  return { capabilitiesXml, canonical: parsed.canonical, q35: parsed.aliases.q35, labels, annotations, kubevirtLabelDrift: drift };
}
