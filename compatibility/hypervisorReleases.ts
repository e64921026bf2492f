/**
 * The compatibility matrix: per hypervisor release, the machine types its QEMU accepts, which
 * are deprecated, and what the aliases resolve to. Every entry names its source; an entry that
 * is not verified from source says so in `assumption`, and every pool can override its set
 * (`NodePool.machineTypes`), so a wrong guess here is fixed in a cluster file, not in code.
 */
import { type MachineTypeVendor } from './machineTypeNames.js';
import { qemuMachineTypes, type QemuRelease } from './qemuMachineTypes.js';

export interface HypervisorRelease {
  /** `rhel-9.6`, `qemu-10.1`: what a node pool names as `hypervisor` / `upgradeTo`. */
  readonly id: string;
  readonly vendor: MachineTypeVendor;
  /** QEMU version of the release's qemu-kvm / qemu package. */
  readonly qemuVersion: string;
  /** Canonical (versioned) machine types, aliases excluded. */
  readonly machineTypes: readonly string[];
  /** Subset of `machineTypes` that QEMU flags `deprecated='yes'`. */
  readonly deprecated: readonly string[];
  /** Alias → canonical type on this release (`q35` → `pc-q35-rhel9.6.0`). */
  readonly aliases: Readonly<Record<string, string>>;
  /** Where the list comes from. */
  readonly source: string;
  /** Set when part of the entry is inferred rather than read from source. */
  readonly assumption?: string;
}

// RHEL: "machine types for previous major releases are deprecated" (deprecation_reason in the
// qemu-kvm x86 machine-type patches); RHEL 9 has machine types for even minors only.
const q35 = (...versions: string[]) => versions.map((v) => `pc-q35-rhel${v}`);
const RHEL7_6 = q35('7.6.0');
const RHEL8 = q35('8.0.0', '8.1.0', '8.2.0', '8.3.0', '8.4.0', '8.5.0', '8.6.0');
const RHEL9_TO_9_6 = q35('9.0.0', '9.2.0', '9.4.0', '9.6.0');
const I440FX_RHEL7_6 = 'pc-i440fx-rhel7.6.0';

const RHEL_9_10_1_SOURCE =
  'RHEL qemu-kvm 10.1.0-17 (commit 061f0ea7), SOURCES/0011-Add-downstream-x86_64-versioned-pc-q35-machine-types.patch ' +
  '+ kvm-x86-create-new-pc-q35-machine-type-for-rhel-9.8.patch (RHEL-105902)';

function rhel96to98<Id extends string>(id: Id, newest: string, extra: string[]): HypervisorRelease & { readonly id: Id } {
  return {
    id,
    vendor: 'rhel',
    qemuVersion: '10.1.0',
    machineTypes: [...RHEL7_6, ...RHEL8, ...RHEL9_TO_9_6, ...extra, I440FX_RHEL7_6],
    deprecated: [...RHEL7_6, ...RHEL8, I440FX_RHEL7_6],
    aliases: { q35: newest, pc: I440FX_RHEL7_6 },
    source: RHEL_9_10_1_SOURCE,
  };
}

function qemu<R extends QemuRelease>(release: R, source: string, assumption?: string): HypervisorRelease & { readonly id: `qemu-${R}` } {
  return {
    id: `qemu-${release}` as const,
    vendor: 'qemu',
    qemuVersion: release,
    ...qemuMachineTypes(release),
    source,
    ...(assumption ? { assumption } : {}),
  };
}

const QEMU_RULE_SOURCE = 'QEMU docs/about/deprecated.rst versioned machine-type rule (compatibility/qemuMachineTypes.ts)';
const QEMU_RULE_ASSUMPTION =
  'derived from the deprecation rule, which real builds before QEMU 11.0 did not yet apply in full: ' +
  'a distribution package may still ship older types; add them to the pool with machineTypes.add';

// Not annotated as HypervisorRelease[]: the literal ids make HypervisorReleaseId below, so a cluster
// file naming `rhel-9.5` fails to compile.
export const HYPERVISOR_RELEASES = [
  {
    id: 'rhel-8.9',
    vendor: 'rhel',
    qemuVersion: '6.2.0',
    machineTypes: [...q35('7.3.0', '7.4.0', '7.5.0', '7.6.0'), ...RHEL8],
    deprecated: q35('7.3.0', '7.4.0', '7.5.0', '7.6.0'),
    aliases: { q35: 'pc-q35-rhel8.6.0' },
    source: 'RHEL qemu-kvm 6.2.0, branch el-8.9-stream-rhel (openela-main/qemu-kvm)',
    assumption:
      'q35 list from source; the RHEL 7 types marked deprecated by the previous-major rule, and the ' + 'i440fx types (and so the pc alias) left out, both unverified',
  },
  {
    id: 'rhel-9.3',
    vendor: 'rhel',
    qemuVersion: '8.0.0',
    machineTypes: [...RHEL7_6, ...RHEL8, ...q35('9.0.0', '9.2.0'), I440FX_RHEL7_6],
    deprecated: [...RHEL7_6, ...RHEL8, I440FX_RHEL7_6],
    aliases: { q35: 'pc-q35-rhel9.2.0', pc: I440FX_RHEL7_6 },
    source: 'RHEL qemu-kvm 8.0.0, branch el9, SOURCES/0010-Add-x86_64-machine-types.patch (openela-main/qemu-kvm)',
  },
  rhel96to98('rhel-9.6', 'pc-q35-rhel9.6.0', []),
  rhel96to98('rhel-9.7', 'pc-q35-rhel9.6.0', []),
  {
    ...rhel96to98('rhel-9.8', 'pc-q35-rhel9.8.0', q35('9.8.0')),
    assumption: 'q35 alias on 9.8 taken to be the newest type, pc-q35-rhel9.8.0 (the patch adds it; the alias move is unverified)',
  },
  {
    id: 'rhel-10.0',
    vendor: 'rhel',
    qemuVersion: '9.1.0',
    machineTypes: [...RHEL9_TO_9_6, ...q35('10.0.0')],
    deprecated: RHEL9_TO_9_6,
    aliases: { q35: 'pc-q35-rhel10.0.0' },
    source: 'pc-q35-rhel10.0.0: RHEL 10 domain XML in public docs and the patch "Add rhel9.6.0 and rhel10.0.0 machine types" (RHEL-52319)',
    assumption:
      "only pc-q35-rhel10.0.0 is verified (qemuVersion 9.1.0 too is unverified); by RHEL's previous-major rule the RHEL 9 types are kept as deprecated and " +
      'RHEL 7.6/8.x and i440fx dropped (kubevirt/kubevirt#13664: pre-RHEL-9 types fail on RHEL 10). Override per pool when known',
  },
  qemu('9.2', QEMU_RULE_SOURCE, QEMU_RULE_ASSUMPTION),
  qemu('10.0', QEMU_RULE_SOURCE, QEMU_RULE_ASSUMPTION),
  qemu('10.1', QEMU_RULE_SOURCE, QEMU_RULE_ASSUMPTION),
  qemu('10.2', QEMU_RULE_SOURCE, QEMU_RULE_ASSUMPTION),
  qemu('11.0', `${QEMU_RULE_SOURCE}; matches libvirt caps-qemu-real-full.xml (QEMU 11.0)`),
] as const satisfies readonly HypervisorRelease[];

/** Every release id kvfleet knows: `rhel-9.6`, `qemu-10.1`… */
export type HypervisorReleaseId = (typeof HYPERVISOR_RELEASES)[number]['id'];
/** The ids in matrix order, as a non-empty tuple (what `z.enum` takes). */
export const HYPERVISOR_RELEASE_IDS = HYPERVISOR_RELEASES.map((r) => r.id) as [HypervisorReleaseId, ...HypervisorReleaseId[]];

const BY_ID = new Map<string, HypervisorRelease>(HYPERVISOR_RELEASES.map((r) => [r.id, r]));

export function hypervisorRelease(id: string): HypervisorRelease | undefined {
  return BY_ID.get(id);
}

export function knownHypervisorReleaseIds(): HypervisorReleaseId[] {
  return [...HYPERVISOR_RELEASE_IDS];
}
