/**
 * What a QEMU machine-type name says about itself: its family (chipset or board), the CPU
 * architecture that family runs on, whether it is a RHEL downstream type or an upstream QEMU type,
 * and its version. Pure string analysis.
 *
 * Families (QEMU's versioned machine macros, as the RHEL qemu-kvm patches rename them):
 * x86 `pc-q35-*` and `pc-i440fx-*`, aarch64 `virt-*`, s390x `s390-ccw-virtio-*`.
 */

/** RHEL/CentOS Stream qemu-kvm ships only `…-rhelX.Y.Z`; upstream QEMU ships `…-X.Y`. They never mix. */
export type MachineTypeVendor = 'rhel' | 'qemu';
export type Chipset = 'q35' | 'i440fx' | 'virt' | 's390-ccw-virtio';

/** Kubernetes' `kubernetes.io/arch` values of the architectures KubeVirt builds a launcher for. */
export const ARCHITECTURES = ['amd64', 'arm64', 's390x'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

/**
 * The unversioned names QEMU resolves to the newest versioned type of the build (`mc->alias` of the
 * `*_AS_LATEST` machine): `q35`, `pc` on x86, `virt` on aarch64, `s390-ccw-virtio` on s390x.
 */
export const MACHINE_TYPE_ALIASES = ['q35', 'pc', 'virt', 's390-ccw-virtio'] as const;
export type MachineTypeAlias = (typeof MACHINE_TYPE_ALIASES)[number];

/** The family each alias stands for; the alias is the family's name. */
const ALIAS_CHIPSET: Readonly<Record<MachineTypeAlias, Chipset>> = { q35: 'q35', pc: 'i440fx', virt: 'virt', 's390-ccw-virtio': 's390-ccw-virtio' };

/** Where each family runs: KubeVirt's default per architecture is the first (pkg/virt-config/virt-config.go). */
const CHIPSET_ARCHITECTURE: Readonly<Record<Chipset, Architecture>> = { q35: 'amd64', i440fx: 'amd64', virt: 'arm64', 's390-ccw-virtio': 's390x' };

/** KubeVirt's default `spec.domain.machine.type` per architecture (`Default*MachineType`, virt-config.go, v1.4–v1.9). */
export const DEFAULT_MACHINE_TYPE: Readonly<Record<Architecture, MachineTypeAlias>> = { amd64: 'q35', arm64: 'virt', s390x: 's390-ccw-virtio' };

export interface VersionedMachineType {
  readonly name: string;
  readonly chipset: Chipset;
  readonly vendor: MachineTypeVendor;
  /** Numeric version parts, e.g. [9, 6, 0] for pc-q35-rhel9.6.0 or [10, 1] for pc-q35-10.1. */
  readonly version: readonly number[];
}

// Upstream has one odd name, pc-q35-4.0.1 (a 4.0 bug-fix type), hence the optional third part.
const VERSIONED = /^(pc-q35|pc-i440fx|virt|s390-ccw-virtio)-(rhel)?(\d+)\.(\d+)(?:\.(\d+))?$/;
const PREFIX_CHIPSET: Readonly<Record<string, Chipset>> = { 'pc-q35': 'q35', 'pc-i440fx': 'i440fx', virt: 'virt', 's390-ccw-virtio': 's390-ccw-virtio' };

export function isMachineTypeAlias(name: string): name is MachineTypeAlias {
  return (MACHINE_TYPE_ALIASES as readonly string[]).includes(name);
}

/** The family an alias stands for: `q35` → q35, `pc` → i440fx, `virt` → virt. */
export function aliasChipset(alias: MachineTypeAlias): Chipset {
  return ALIAS_CHIPSET[alias];
}

/** Parses a versioned machine-type name; `undefined` for aliases and anything else. */
export function parseMachineType(name: string): VersionedMachineType | undefined {
  const m = VERSIONED.exec(name);
  if (!m) return undefined;
  const [, prefix, rhel, major, minor, patch] = m;
  const vendor: MachineTypeVendor = rhel ? 'rhel' : 'qemu';
  // RHEL names always carry three parts (rhel9.6.0); upstream names two (10.1) bar 4.0.1.
  if (vendor === 'rhel' && patch === undefined) return undefined;
  const version = [major, minor, patch].filter((p): p is string => p !== undefined).map(Number);
  return { name, chipset: PREFIX_CHIPSET[prefix!]!, vendor, version };
}

export function machineTypeVendor(name: string): MachineTypeVendor | undefined {
  return parseMachineType(name)?.vendor;
}

/** The family of a versioned name or an alias; `undefined` for anything else. */
export function chipsetOf(name: string): Chipset | undefined {
  return isMachineTypeAlias(name) ? aliasChipset(name) : parseMachineType(name)?.chipset;
}

/** The architecture a name (versioned or alias) can run on; `undefined` for names of no known family. */
export function architectureOf(name: string): Architecture | undefined {
  const chipset = chipsetOf(name);
  return chipset && CHIPSET_ARCHITECTURE[chipset];
}

const CHIPSET_ORDER: readonly Chipset[] = ['q35', 'i440fx', 'virt', 's390-ccw-virtio'];

/** Orders versioned names by family, vendor and numeric version (so 9.10 follows 9.8); others by name. */
export function compareMachineTypes(a: string, b: string): number {
  const pa = parseMachineType(a);
  const pb = parseMachineType(b);
  if (!pa || !pb) return pa ? -1 : pb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  if (pa.chipset !== pb.chipset) return CHIPSET_ORDER.indexOf(pa.chipset) - CHIPSET_ORDER.indexOf(pb.chipset);
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
