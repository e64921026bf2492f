/**
 * What kvfleet's labeller reads on a node, played: the `virsh capabilities` document its init container
 * would write from the launcher the node runs (generators/nodeLabeller.ts `capabilitiesScript`). No
 * libvirt runs here, so the document is synthesised from that launcher's catalogue entry
 * (testbed/support/syntheticCapabilities.ts, in libvirt's newer layout: machines under `<arch>`, an empty
 * `<domain type='kvm'/>`); the labeller program that reads it is the real one. Pure.
 */
import { type LauncherEntry } from '../../compatibility/launcherCatalogue.js';
import { type Architecture } from '../../compatibility/machineTypeNames.js';
import { machinesOfSet, syntheticCapabilitiesXml } from '../../testbed/support/syntheticCapabilities.js';

/** libvirt's `<arch name>` of each architecture (`virArchToString`). */
const LIBVIRT_ARCH: Readonly<Record<Architecture, string>> = { amd64: 'x86_64', arm64: 'aarch64', s390x: 's390x' };

/** The capabilities XML the launcher's QEMU would give with /dev/kvm on a node of `architecture`. */
export function capabilitiesOf(entry: LauncherEntry, architecture: Architecture): string {
  const list = entry.architectures[architecture];
  if (!list) throw new Error(`${entry.id} has no ${architecture} build`);
  return syntheticCapabilitiesXml({
    arch: LIBVIRT_ARCH[architecture],
    machines: machinesOfSet({ supported: list.machineTypes, deprecated: list.deprecated, aliases: list.aliases }),
  });
}
