/**
 * The kinds of VMI the simulator starts, per architecture: started as the architecture's alias (what
 * most VMs do), or pinned to a versioned type drawn by weight. Pure data. Every pinned type is one the
 * cluster's launcher before the step offers on that architecture (compatibility/launcherCatalogue.ts,
 * kubevirt-1.7/centos-stream-9; scenario.test.ts checks it), so none is invented here.
 *
 * What the step (kubevirt-1.8/centos-stream-10) does to them, by the catalogue: on amd64 it drops every
 * RHEL 8 and 7.6 type; on arm64 it keeps every `virt-rhel9.*` type the CS9 launcher has (9.0–9.6; it
 * adds 9.8, 10.0, 10.2), so no arm64 kind is stranded by it.
 */
import { type Architecture } from '../../compatibility/machineTypeNames.js';

export interface VmiKindSpec {
  readonly architecture: Architecture;
  /** The alias the VMI is started as (`q35`, `virt`); absent for a pinned kind. */
  readonly alias?: string;
  /** Versioned types with their weights, for a pinned kind. */
  readonly pinned?: Readonly<Record<string, number>>;
}

export const VMI_KIND_SPECS = {
  q35: { architecture: 'amd64', alias: 'q35' },
  'pinned-rhel9': { architecture: 'amd64', pinned: { 'pc-q35-rhel9.4.0': 3, 'pc-q35-rhel9.2.0': 2, 'pc-q35-rhel9.0.0': 1 } },
  'pinned-rhel8': { architecture: 'amd64', pinned: { 'pc-q35-rhel8.6.0': 5, 'pc-q35-rhel8.4.0': 3, 'pc-q35-rhel8.2.0': 2 } },
  'pinned-rhel7-q35': { architecture: 'amd64', pinned: { 'pc-q35-rhel7.6.0': 1 } },
  'pinned-i440fx': { architecture: 'amd64', pinned: { 'pc-i440fx-rhel7.6.0': 1 } },
  virt: { architecture: 'arm64', alias: 'virt' },
  'pinned-virt-rhel9': { architecture: 'arm64', pinned: { 'virt-rhel9.4.0': 3, 'virt-rhel9.2.0': 2, 'virt-rhel9.0.0': 1 } },
} as const satisfies Record<string, VmiKindSpec>;

export type VmiKind = keyof typeof VMI_KIND_SPECS;
export const VMI_KINDS = Object.keys(VMI_KIND_SPECS) as VmiKind[];
/** The kinds pinned to a versioned type. */
export type PinnedKind = { [K in VmiKind]: (typeof VMI_KIND_SPECS)[K] extends { pinned: object } ? K : never }[VmiKind];

/** The kind a VMI of `architecture` is when it is not pinned (the alias kind). */
export function aliasKindOf(architecture: Architecture): VmiKind {
  const kind = VMI_KINDS.find((k) => VMI_KIND_SPECS[k].architecture === architecture && 'alias' in VMI_KIND_SPECS[k]);
  if (!kind) throw new Error(`no VMI kind starts as an alias on ${architecture}`);
  return kind;
}
