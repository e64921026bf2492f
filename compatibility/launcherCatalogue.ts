/**
 * The virt-launcher catalogue: per KubeVirt release and launcher build, the QEMU and libvirt inside
 * the virt-launcher image and the machine types that QEMU offers per architecture.
 *
 * Why the launcher and not the node: virt-handler's node labeller is an init container running the
 * cluster's virt-launcher image (`node-labeller.sh` → `virsh capabilities`;
 * pkg/virt-operator/resource/generate/components/daemonsets.go), and virt-controller renders every
 * launcher pod, migration targets included, with its one `--launcher-image`
 * (pkg/virt-controller/services/template.go). So on one architecture the set of types is
 * cluster-wide and changes only when the launcher changes: a KubeVirt upgrade, or a switch of the
 * build stream the launcher is built from. The node's OS supplies /dev/kvm, not machine types.
 * (../shared/notes/machine-types-source.md; read at kubevirt v1.5.1–v1.9.0.)
 *
 * Sources. The RPM pins are kubevirt/kubevirt `hack/rpm-deps.sh` at the tag and the resolved
 * `launcherbase_<arch>` rpmtrees in `rpm/BUILD.bazel` (the same NVR for x86_64, aarch64 and s390x at
 * every tag read). The machine-type lists are RHEL qemu-kvm's own patches, which CentOS Stream builds
 * carry (CentOS Stream is the RHEL dist-git at the same NVR), read in openela-main/qemu-kvm:
 * 061f0ea7 (10.1.0-17.el9), fd835c8a (10.1.0-16.el10), c89a9f8c (the 9.1.0 rebase base patches).
 * Deprecation follows `Adapt-versioned-machine-type-macros-for-RHEL.patch`: an elN build marks every
 * type of RHEL N-1 and older deprecated (`MACHINE_VER_DEPRECATION_MAJOR 1`); aarch64 also marks
 * everything before 9.4 ("RHEL 9.4 is the first supported release"). A list not read from the
 * build's own patches carries `assumption`, and every pool can correct its set
 * (`nodePools[].machineTypes`), so a wrong guess here is fixed in a cluster file, not in code.
 */
import { type Architecture } from './machineTypeNames.js';

/** The build streams upstream KubeVirt builds its launcher from (`.bazelrc` `centos_stream_version`). */
export const UPSTREAM_LAUNCHER_BUILDS = ['centos-stream-9', 'centos-stream-10'] as const;
export type UpstreamLauncherBuild = (typeof UPSTREAM_LAUNCHER_BUILDS)[number];
/** Every build a cluster can name; a distributor's builds (OpenShift Virtualization…) are added here with their entries. */
export const LAUNCHER_BUILDS = [...UPSTREAM_LAUNCHER_BUILDS] as const;
export type LauncherBuild = (typeof LAUNCHER_BUILDS)[number];

/** The build a cluster runs when its definition names none: what upstream publishes on quay.io. */
export const DEFAULT_LAUNCHER_BUILD: LauncherBuild = 'centos-stream-9';

/** One QEMU build's machine types on one architecture. */
export interface MachineTypeList {
  /** Canonical (versioned) types, aliases excluded, newest first as QEMU lists them. */
  readonly machineTypes: readonly string[];
  /** Subset of `machineTypes` that QEMU flags `deprecated='yes'`. */
  readonly deprecated: readonly string[];
  /** Alias → canonical type (`q35` → `pc-q35-rhel9.6.0`). */
  readonly aliases: Readonly<Record<string, string>>;
  /** Where the list comes from. */
  readonly source: string;
  /** Set when part of the list is inferred rather than read from the build's own sources. */
  readonly assumption?: string;
}

export interface LauncherEntry {
  /** `kubevirt-1.8/centos-stream-10`: what messages and the matrix document name. */
  readonly id: string;
  /** KubeVirt minor, `1.8`: every patch release of it ships this QEMU major (pins read at the tags in `source`). */
  readonly kubevirtMinor: string;
  readonly build: LauncherBuild;
  /** qemu-kvm-core NVR in the launcher (epoch left out). */
  readonly qemu: string;
  /** libvirt-daemon-driver-qemu NVR in the launcher. */
  readonly libvirt: string;
  /** Where the pins come from. */
  readonly source: string;
  /** The image upstream publishes for a version of this entry; `undefined` where none is published. */
  readonly upstreamImage?: (kubevirtVersion: string) => string;
  /** Set when upstream calls the build unsupported, or publishes no image of it. */
  readonly caveat?: string;
  readonly architectures: Readonly<Partial<Record<Architecture, MachineTypeList>>>;
}

const q35 = (...v: string[]) => v.map((x) => `pc-q35-rhel${x}`);
const virt = (...v: string[]) => v.map((x) => `virt-rhel${x}`);
const ccw = (...v: string[]) => v.map((x) => `s390-ccw-virtio-rhel${x}`);

const OE = 'openela-main/qemu-kvm';
const RPM_DEPS = (tag: string, extra = '') => `kubevirt/kubevirt ${tag} hack/rpm-deps.sh and rpm/BUILD.bazel launcherbase_{x86_64,aarch64,s390x}${extra}`;
const QUAY = (v: string) => `quay.io/kubevirt/virt-launcher:v${v}`;

const RHEL8_Q35 = q35('8.6.0', '8.5.0', '8.4.0', '8.3.0', '8.2.0', '8.1.0', '8.0.0');
const RHEL8_CCW = ccw('8.6.0', '8.5.0', '8.4.0', '8.2.0'); // s390x never published rhel8.0, 8.1 or 8.3 types

const EL9_BASE_ASSUMPTION =
  'the el9 9.1.0 patch files were not readable: the list is the 9.1.0 rebase base patches (read at the el10 9.1.0 commit) plus the ' +
  'rhel-9.6 machine-type patches the el9 9.1.0-9 spec lists, with the el9 deprecation rule (every RHEL 7/8 type deprecated)';

/** CS9 qemu-kvm 9.1.0 (KubeVirt 1.5–1.7): adds the RHEL 9.6 types to 9.0's set; RHEL 7.6/8.x kept, deprecated. */
const EL9_QEMU_9_1: Readonly<Record<Architecture, MachineTypeList>> = {
  amd64: {
    machineTypes: [...q35('9.6.0', '9.4.0', '9.2.0', '9.0.0'), ...RHEL8_Q35, ...q35('7.6.0'), 'pc-i440fx-rhel7.6.0'],
    deprecated: [...RHEL8_Q35, ...q35('7.6.0'), 'pc-i440fx-rhel7.6.0'],
    aliases: { q35: 'pc-q35-rhel9.6.0', pc: 'pc-i440fx-rhel7.6.0' },
    source: `${OE} c89a9f8c SOURCES/0013-Add-downstream-x86_64-versioned-pc-q35-machine-types.patch + kvm-x86-create-new-pc-q35-machine-type-for-rhel-9.6.patch`,
    assumption: EL9_BASE_ASSUMPTION,
  },
  arm64: {
    machineTypes: virt('9.6.0', '9.4.0', '9.2.0', '9.0.0'),
    deprecated: virt('9.2.0', '9.0.0'),
    aliases: { virt: 'virt-rhel9.6.0' },
    source: `${OE} c89a9f8c SOURCES/0011-Add-downstream-aarch64-versioned-virt-machine-types.patch + el9 9.1.0-9 spec 0028-arm-create-new-virt-machine-type-for-rhel-9.6.patch`,
    assumption: EL9_BASE_ASSUMPTION,
  },
  s390x: {
    machineTypes: [...ccw('9.6.0', '9.4.0', '9.2.0', '9.0.0'), ...RHEL8_CCW, ...ccw('7.6.0')],
    deprecated: [...RHEL8_CCW, ...ccw('7.6.0')],
    aliases: { 's390-ccw-virtio': 's390-ccw-virtio-rhel9.6.0' },
    source: 'inferred from the 10.1.0 el9 s390x list without 9.8.0 (el9 9.1.0-9 spec: 0013 s390x machine types, 0025 rhel9.6.0 machine type)',
    assumption: 'the s390x patch of the 9.1.0 el9 build was not read; RHEL never re-adds a removed type, so the 10.1.0 el9 list less 9.8.0 is taken',
  },
};

/** CS9 qemu-kvm 10.1.0 (KubeVirt 1.8, 1.9): adds the RHEL 9.8 types; drops nothing. */
const EL9_QEMU_10_1: Readonly<Record<Architecture, MachineTypeList>> = {
  amd64: {
    machineTypes: [...q35('9.8.0', '9.6.0', '9.4.0', '9.2.0', '9.0.0'), ...RHEL8_Q35, ...q35('7.6.0'), 'pc-i440fx-rhel7.6.0'],
    deprecated: [...RHEL8_Q35, ...q35('7.6.0'), 'pc-i440fx-rhel7.6.0'],
    aliases: { q35: 'pc-q35-rhel9.8.0', pc: 'pc-i440fx-rhel7.6.0' },
    source: `${OE} 061f0ea7 (10.1.0-17.el9) SOURCES/0011-Add-downstream-x86_64-versioned-pc-q35-machine-types.patch + kvm-x86-create-new-pc-q35-machine-type-for-rhel-9.8.patch (RHEL-105902, in 10.1.0-3 and later)`,
  },
  arm64: {
    machineTypes: virt('9.8.0', '9.6.0', '9.4.0', '9.2.0', '9.0.0'),
    deprecated: virt('9.2.0', '9.0.0'),
    aliases: { virt: 'virt-rhel9.8.0' },
    source: `${OE} 061f0ea7 SOURCES/0008-Add-downstream-aarch64-versioned-virt-machine-types.patch + 0030-arm-create-new-virt-machine-type-for-rhel-9.8.patch`,
  },
  s390x: {
    machineTypes: [...ccw('9.8.0', '9.6.0', '9.4.0', '9.2.0', '9.0.0'), ...RHEL8_CCW, ...ccw('7.6.0')],
    deprecated: [...RHEL8_CCW, ...ccw('7.6.0')],
    aliases: { 's390-ccw-virtio': 's390-ccw-virtio-rhel9.8.0' },
    source: `${OE} 061f0ea7 SOURCES/0010-Add-downstream-s390x-versioned-s390-ccw-virtio-machi.patch + 0025-redhat-Add-new-s390-ccw-virtio-rhel9.8.0-machine-typ.patch`,
  },
};

/** CS10 qemu-kvm 10.1.0 (KubeVirt 1.8, 1.9 CS10 builds): RHEL 7.6/8.x gone, RHEL 9 types deprecated. */
const EL10_QEMU_10_1: Readonly<Record<Architecture, MachineTypeList>> = {
  amd64: {
    machineTypes: [...q35('10.2.0', '10.0.0', '9.8.0', '9.6.0', '9.4.0', '9.2.0', '9.0.0'), 'pc-i440fx-rhel10.0.0'],
    deprecated: [...q35('9.8.0', '9.6.0', '9.4.0', '9.2.0', '9.0.0'), 'pc-i440fx-rhel10.0.0'],
    aliases: { q35: 'pc-q35-rhel10.2.0', pc: 'pc-i440fx-rhel10.0.0' },
    source: `${OE} fd835c8a (10.1.0-16.el10) SOURCES/0013-Add-downstream-x86_64-versioned-pc-q35-machine-types.patch + kvm-x86-create-new-rhel-10.2-specific-pc-q35-machine-typ.patch + kvm-x86-create-new-rhel-9.8-specific-pc-q35-machine-type.patch (10.1.0-4); RHEL-29002 removed the RHEL 7/8 types`,
  },
  arm64: {
    machineTypes: virt('10.2.0', '10.0.0', '9.8.0', '9.6.0', '9.4.0', '9.2.0', '9.0.0'),
    deprecated: virt('9.8.0', '9.6.0', '9.4.0', '9.2.0', '9.0.0'),
    aliases: { virt: 'virt-rhel10.2.0' },
    source: `${OE} fd835c8a SOURCES/0011-Add-downstream-aarch64-versioned-virt-machine-types.patch + kvm-arm-create-new-rhel-10.2-specific-virt-machine-type.patch + kvm-arm-create-new-rhel-9.8-specific-virt-machine-type.patch`,
  },
  s390x: {
    machineTypes: ccw('10.2.0', '10.0.0', '9.8.0', '9.6.0', '9.4.0', '9.2.0', '9.0.0'),
    deprecated: ccw('9.8.0', '9.6.0', '9.4.0', '9.2.0', '9.0.0'),
    aliases: { 's390-ccw-virtio': 's390-ccw-virtio-rhel10.2.0' },
    source: `${OE} fd835c8a SOURCES/0012-Add-downstream-s390x-versioned-s390-ccw-virtio-machi.patch + kvm-redhat-Add-new-rhel9.8.0-and-rhel10.2.0-machine-type.patch`,
  },
};

const EL9_QEMU_9_0_ASSUMPTION =
  'no qemu-kvm 9.0.0 patch was found: 9.4 is taken as the newest type (added with 8.2.0 for RHEL 9.4; RHEL 9 adds types on even minors only, ' +
  'and the 9.1.0 rebase still has 9.4.0 as newest before the 9.6 patch)';

/** CS9 qemu-kvm 9.0.0 (KubeVirt 1.4): the 9.1.0 set without the RHEL 9.6 types. */
const EL9_QEMU_9_0: Readonly<Record<Architecture, MachineTypeList>> = {
  amd64: {
    machineTypes: [...q35('9.4.0', '9.2.0', '9.0.0'), ...RHEL8_Q35, ...q35('7.6.0'), 'pc-i440fx-rhel7.6.0'],
    deprecated: [...RHEL8_Q35, ...q35('7.6.0'), 'pc-i440fx-rhel7.6.0'],
    aliases: { q35: 'pc-q35-rhel9.4.0', pc: 'pc-i440fx-rhel7.6.0' },
    source: `inferred from ${OE} 00a99823 (8.2.0, RHEL 9.4 types) and the 9.1.0 rebase base patches`,
    assumption: EL9_QEMU_9_0_ASSUMPTION,
  },
  arm64: {
    machineTypes: virt('9.4.0', '9.2.0', '9.0.0'),
    deprecated: virt('9.2.0', '9.0.0'),
    aliases: { virt: 'virt-rhel9.4.0' },
    source: `inferred from ${OE} 00a99823 (0016-Introduce-RHEL-9.4.0-qemu-kvm-machine-type-for-aarch64)`,
    assumption: EL9_QEMU_9_0_ASSUMPTION,
  },
  s390x: {
    machineTypes: [...ccw('9.4.0', '9.2.0', '9.0.0'), ...RHEL8_CCW, ...ccw('7.6.0')],
    deprecated: [...RHEL8_CCW, ...ccw('7.6.0')],
    aliases: { 's390-ccw-virtio': 's390-ccw-virtio-rhel9.4.0' },
    source: 'inferred from the 9.1.0 el9 s390x list without 9.6.0',
    assumption: EL9_QEMU_9_0_ASSUMPTION,
  },
};

const CS10_CAVEAT =
  'upstream builds CentOS Stream 10 launchers from v1.8.0 (kubevirt#16582, `bazel build --config=cs10`) but calls them untested and ' +
  'unsupported and publishes no image: name the image you build in launcher.image';

export const LAUNCHER_CATALOGUE: readonly LauncherEntry[] = [
  {
    id: 'kubevirt-1.4/centos-stream-9',
    kubevirtMinor: '1.4',
    build: 'centos-stream-9',
    qemu: '9.0.0-10.el9',
    libvirt: '10.5.0-5.el9',
    source: RPM_DEPS('v1.4.0'),
    upstreamImage: QUAY,
    architectures: EL9_QEMU_9_0,
  },
  {
    id: 'kubevirt-1.5/centos-stream-9',
    kubevirtMinor: '1.5',
    build: 'centos-stream-9',
    qemu: '9.1.0-12.el9',
    libvirt: '10.10.0-4.el9',
    source: RPM_DEPS('v1.5.0, v1.5.1'),
    upstreamImage: QUAY,
    architectures: EL9_QEMU_9_1,
  },
  {
    id: 'kubevirt-1.6/centos-stream-9',
    kubevirtMinor: '1.6',
    build: 'centos-stream-9',
    qemu: '9.1.0-19.el9',
    libvirt: '10.10.0-13.el9',
    source: `${RPM_DEPS('v1.6.0, v1.6.2')} (v1.6.0 has libvirt 10.10.0-10)`,
    upstreamImage: QUAY,
    architectures: EL9_QEMU_9_1,
  },
  {
    id: 'kubevirt-1.7/centos-stream-9',
    kubevirtMinor: '1.7',
    build: 'centos-stream-9',
    qemu: '9.1.0-20.el9',
    libvirt: '10.10.0-13.el9',
    source: RPM_DEPS('v1.7.0'),
    upstreamImage: QUAY,
    architectures: EL9_QEMU_9_1,
  },
  {
    id: 'kubevirt-1.8/centos-stream-9',
    kubevirtMinor: '1.8',
    build: 'centos-stream-9',
    qemu: '10.1.0-10.el9',
    libvirt: '11.9.0-1.el9',
    source: RPM_DEPS('v1.8.0', '_cs9'),
    upstreamImage: QUAY,
    architectures: EL9_QEMU_10_1,
  },
  {
    id: 'kubevirt-1.8/centos-stream-10',
    kubevirtMinor: '1.8',
    build: 'centos-stream-10',
    qemu: '10.1.0-13.el10',
    libvirt: '11.10.0-4.el10',
    source: `${RPM_DEPS('v1.8.0', '_cs10')} (CS10 is unpinned in rpm-deps.sh; the NVR is what BUILD.bazel resolved)`,
    caveat: CS10_CAVEAT,
    architectures: EL10_QEMU_10_1,
  },
  {
    id: 'kubevirt-1.9/centos-stream-9',
    kubevirtMinor: '1.9',
    build: 'centos-stream-9',
    qemu: '10.1.0-20.el9',
    libvirt: '11.10.0-12.el9',
    source: RPM_DEPS('v1.9.0', '_cs9'),
    upstreamImage: QUAY,
    architectures: EL9_QEMU_10_1,
  },
  {
    id: 'kubevirt-1.9/centos-stream-10',
    kubevirtMinor: '1.9',
    build: 'centos-stream-10',
    qemu: '10.1.0-21.el10',
    libvirt: '12.4.0-1.el10',
    source: `${RPM_DEPS('v1.9.0', '_cs10')} (CS10 is unpinned in rpm-deps.sh; the NVR is what BUILD.bazel resolved)`,
    caveat: CS10_CAVEAT,
    architectures: EL10_QEMU_10_1,
  },
];

/** `1.8.0` → `1.8`; `undefined` for a string that is not X.Y.Z. */
export function kubevirtMinor(version: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.\d+$/.exec(version);
  return m ? `${m[1]}.${m[2]}` : undefined;
}

/** The entry of a KubeVirt version and build; `undefined` when the catalogue has none (validation names the known ones). */
export function launcherEntry(kubevirtVersion: string, build: LauncherBuild): LauncherEntry | undefined {
  const minor = kubevirtMinor(kubevirtVersion);
  return LAUNCHER_CATALOGUE.find((e) => e.kubevirtMinor === minor && e.build === build);
}

/** The builds the catalogue has for a KubeVirt version, for "did you mean" and the fix of a refused pair. */
export function buildsFor(kubevirtVersion: string): LauncherBuild[] {
  const minor = kubevirtMinor(kubevirtVersion);
  return LAUNCHER_CATALOGUE.filter((e) => e.kubevirtMinor === minor).map((e) => e.build);
}

/** The KubeVirt minors the catalogue knows, oldest first. */
export function catalogueMinors(): string[] {
  return [...new Set(LAUNCHER_CATALOGUE.map((e) => e.kubevirtMinor))];
}

/** Human name of an entry: `virt-launcher 1.8 centos-stream-9 (QEMU 10.1.0-10.el9)`. */
export function launcherLabel(entry: LauncherEntry): string {
  return `virt-launcher ${entry.kubevirtMinor} ${entry.build} (QEMU ${entry.qemu})`;
}
