/**
 * Upstream QEMU machine types follow a published rule rather than a list, so they are derived:
 * QEMU `docs/about/deprecated.rst`: "versioned machine types are only intended to be supported for
 * a period of 6 years, equivalent to 18 QEMU releases. All versioned machine types will be
 * automatically marked deprecated after an initial 3 years (9 QEMU releases) has passed, and will
 * then be deleted after a further 3 year period".
 *
 * Checked against real data: libvirt `tests/capabilityschemadata/caps-qemu-real-full.xml`
 * (QEMU 11.0) lists `pc-q35-5.1`…`8.0` as deprecated and nothing at or below 5.0, i.e. a type
 * 9 releases old is deprecated and one 18 releases old is gone.
 */

/** Every QEMU feature release with x86 versioned machine types, oldest first. */
export const QEMU_RELEASES = [
  '2.4',
  '2.5',
  '2.6',
  '2.7',
  '2.8',
  '2.9',
  '2.10',
  '2.11',
  '2.12',
  '3.0',
  '3.1',
  '4.0',
  '4.1',
  '4.2',
  '5.0',
  '5.1',
  '5.2',
  '6.0',
  '6.1',
  '6.2',
  '7.0',
  '7.1',
  '7.2',
  '8.0',
  '8.1',
  '8.2',
  '9.0',
  '9.1',
  '9.2',
  '10.0',
  '10.1',
  '10.2',
  '11.0',
] as const;
export type QemuRelease = (typeof QEMU_RELEASES)[number];

export const QEMU_DEPRECATED_AFTER_RELEASES = 9;
export const QEMU_REMOVED_AFTER_RELEASES = 18;

export interface QemuMachineTypeSet {
  readonly machineTypes: readonly string[];
  readonly deprecated: readonly string[];
  readonly aliases: Readonly<Record<string, string>>;
}

/** The q35 and i440fx types an upstream QEMU release offers, by the deprecation rule above. */
export function qemuMachineTypes(release: QemuRelease): QemuMachineTypeSet {
  const at = QEMU_RELEASES.indexOf(release);
  const machineTypes: string[] = [];
  const deprecated: string[] = [];
  for (let i = Math.max(0, at - QEMU_REMOVED_AFTER_RELEASES + 1); i <= at; i++) {
    const version = QEMU_RELEASES[i]!;
    const age = at - i;
    for (const chipset of ['q35', 'i440fx']) {
      const name = `pc-${chipset}-${version}`;
      machineTypes.push(name);
      if (age >= QEMU_DEPRECATED_AFTER_RELEASES) deprecated.push(name);
    }
  }
  return {
    machineTypes,
    deprecated,
    aliases: { q35: `pc-q35-${release}`, pc: `pc-i440fx-${release}` },
  };
}
