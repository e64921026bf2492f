/**
 * What a QEMU x86 machine-type name says about itself: its chipset, whether it is a RHEL
 * downstream type or an upstream QEMU type, and its version. Pure string analysis.
 */

/** RHEL qemu-kvm ships only `pc-*-rhelX.Y.Z`; upstream QEMU ships `pc-*-X.Y`. They never mix. */
export type MachineTypeVendor = 'rhel' | 'qemu';
export type Chipset = 'q35' | 'i440fx';

/** The unversioned names QEMU resolves to the newest versioned type of the build. */
export const MACHINE_TYPE_ALIASES = ['q35', 'pc'] as const;
export type MachineTypeAlias = (typeof MACHINE_TYPE_ALIASES)[number];

export interface VersionedMachineType {
  readonly name: string;
  readonly chipset: Chipset;
  readonly vendor: MachineTypeVendor;
  /** Numeric version parts, e.g. [9, 6, 0] for pc-q35-rhel9.6.0 or [10, 1] for pc-q35-10.1. */
  readonly version: readonly number[];
}

// Upstream has one odd name, pc-q35-4.0.1 (a 4.0 bug-fix type), hence the optional third part.
const VERSIONED = /^pc-(q35|i440fx)-(rhel)?(\d+)\.(\d+)(?:\.(\d+))?$/;

export function isMachineTypeAlias(name: string): name is MachineTypeAlias {
  return (MACHINE_TYPE_ALIASES as readonly string[]).includes(name);
}

/** The chipset an alias stands for: `q35` → q35, `pc` → i440fx. */
export function aliasChipset(alias: MachineTypeAlias): Chipset {
  return alias === 'q35' ? 'q35' : 'i440fx';
}

/** Parses a versioned x86 machine-type name; `undefined` for aliases and anything else. */
export function parseMachineType(name: string): VersionedMachineType | undefined {
  const m = VERSIONED.exec(name);
  if (!m) return undefined;
  const [, chipset, rhel, major, minor, patch] = m;
  const vendor: MachineTypeVendor = rhel ? 'rhel' : 'qemu';
  // RHEL names always carry three parts (rhel9.6.0); upstream names two (10.1) bar 4.0.1.
  if (vendor === 'rhel' && patch === undefined) return undefined;
  const version = [major, minor, patch].filter((p): p is string => p !== undefined).map(Number);
  return { name, chipset: chipset as Chipset, vendor, version };
}

export function machineTypeVendor(name: string): MachineTypeVendor | undefined {
  return parseMachineType(name)?.vendor;
}

/** Orders versioned names by chipset, vendor and numeric version (so 9.10 follows 9.8); others by name. */
export function compareMachineTypes(a: string, b: string): number {
  const pa = parseMachineType(a);
  const pb = parseMachineType(b);
  if (!pa || !pb) return pa ? -1 : pb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  if (pa.chipset !== pb.chipset) return pa.chipset === 'q35' ? -1 : 1;
  if (pa.vendor !== pb.vendor) return pa.vendor === 'rhel' ? -1 : 1;
  for (let i = 0; i < Math.max(pa.version.length, pb.version.length); i++) {
    const d = (pa.version[i] ?? 0) - (pb.version[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Sorted, de-duplicated copy: order in a definition file means nothing. */
export function sortMachineTypes(names: Iterable<string>): string[] {
  return [...new Set(names)].sort(compareMachineTypes);
}
