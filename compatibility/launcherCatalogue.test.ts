import { describe, expect, test } from 'vitest';
import {
  buildsFor,
  catalogueMinors,
  kubevirtMinor,
  LAUNCHER_CATALOGUE,
  type LauncherEntry,
  launcherEntry,
  launcherLabel,
  type MachineTypeList,
} from './launcherCatalogue.js';
import { type Architecture, architectureOf, DEFAULT_MACHINE_TYPE, parseMachineType } from './machineTypeNames.js';

/** Every (entry, architecture, list) of the catalogue. */
const LISTS: [string, Architecture, MachineTypeList][] = LAUNCHER_CATALOGUE.flatMap((e) =>
  Object.entries(e.architectures).map(([arch, list]) => [e.id, arch as Architecture, list!] as [string, Architecture, MachineTypeList]),
);
const entry = (minor: string, build: LauncherEntry['build']) => launcherEntry(`${minor}.0`, build)!;
const list = (minor: string, build: LauncherEntry['build'], arch: Architecture = 'amd64') => entry(minor, build).architectures[arch]!;
const missingFrom = (from: MachineTypeList, to: MachineTypeList) => from.machineTypes.filter((t) => !to.machineTypes.includes(t));

describe('every entry is sourced', () => {
  test.each(LAUNCHER_CATALOGUE.map((e) => [e.id, e] as const))('%s names its source, QEMU and libvirt', (id, e) => {
    expect(e.source).toMatch(/kubevirt\/kubevirt v\d+\.\d+\.\d+.*hack\/rpm-deps\.sh/);
    expect(e.qemu).toMatch(/^\d+\.\d+\.\d+-\d+\.el(9|10)$/);
    expect(e.libvirt).toMatch(/^\d+\.\d+\.\d+-\d+\.el(9|10)$/);
    // The QEMU build's dist tag is the stream's: el9 for CentOS Stream 9, el10 for 10.
    expect(e.qemu.endsWith(`.el${e.build.replace('centos-stream-', '')}`)).toBe(true);
    expect(id).toBe(`kubevirt-${e.kubevirtMinor}/${e.build}`);
  });

  test.each(LISTS)('%s %s: the machine-type list names its source', (_id, _arch, l) => {
    expect(l.source.trim()).not.toBe('');
  });

  // A list read from the build's own patches cites the dist-git commit it was read at and a patch file;
  // any other list ("inferred", a neighbouring build's patches) must say so in `assumption`.
  test.each(LISTS)("%s %s: a list not read from the build's own patches carries an assumption", (_id, _arch, l) => {
    const readFromPatches = /^openela-main\/qemu-kvm [0-9a-f]{8} .*\.patch/.test(l.source) && l.assumption === undefined;
    if (!readFromPatches) expect(l.assumption?.trim()).toBeTruthy();
    if (l.source.startsWith('inferred')) expect(l.assumption).toBeDefined();
  });

  test('the lists known to be unverified carry their assumption: 1.4 on every architecture, the QEMU 9.1.0 el9 lists', () => {
    for (const arch of ['amd64', 'arm64', 's390x'] as const) {
      expect(list('1.4', 'centos-stream-9', arch).assumption, `1.4 ${arch}`).toBeTruthy();
      for (const minor of ['1.5', '1.6', '1.7']) expect(list(minor, 'centos-stream-9', arch).assumption, `${minor} ${arch}`).toBeTruthy();
    }
  });

  test("the QEMU 10.1 lists were read from the build's own patches and carry no assumption", () => {
    for (const [minor, build] of [
      ['1.8', 'centos-stream-9'],
      ['1.8', 'centos-stream-10'],
      ['1.9', 'centos-stream-9'],
      ['1.9', 'centos-stream-10'],
    ] as const) {
      for (const arch of ['amd64', 'arm64', 's390x'] as const) expect(list(minor, build, arch).assumption, `${minor} ${build} ${arch}`).toBeUndefined();
    }
  });

  test('an entry upstream publishes no image of says so and why', () => {
    for (const e of LAUNCHER_CATALOGUE) {
      if (e.upstreamImage) expect(e.upstreamImage(`${e.kubevirtMinor}.3`)).toBe(`quay.io/kubevirt/virt-launcher:v${e.kubevirtMinor}.3`);
      else expect(e.caveat, e.id).toMatch(/publishes no image/);
    }
  });
});

describe('every list is consistent with itself', () => {
  test.each(LISTS)('%s %s', (_id, arch, l) => {
    expect(new Set(l.machineTypes).size, 'no duplicates').toBe(l.machineTypes.length);
    for (const t of l.machineTypes) {
      // RHEL builds ship only RHEL-versioned names (`…-rhelX.Y.Z`).
      expect(parseMachineType(t)?.vendor, t).toBe('rhel');
      expect(architectureOf(t), t).toBe(arch);
    }
    for (const t of l.deprecated) expect(l.machineTypes, `deprecated ${t}`).toContain(t);
    for (const [alias, target] of Object.entries(l.aliases)) {
      expect(architectureOf(alias), alias).toBe(arch);
      expect(l.machineTypes, `${alias} → ${target}`).toContain(target);
    }
    // KubeVirt's default machine type of the architecture (q35, virt, s390-ccw-virtio) always resolves.
    expect(Object.keys(l.aliases).length).toBeGreaterThan(0);
  });

  test.each(LISTS)("%s %s: each alias points at the newest type of its family; KubeVirt's default is never deprecated", (_id, arch, l) => {
    for (const target of Object.values(l.aliases)) {
      const family = parseMachineType(target)!.chipset;
      expect(
        l.machineTypes.find((t) => parseMachineType(t)!.chipset === family),
        'lists are newest first',
      ).toBe(target);
    }
    // RHEL 10 deprecates i440fx as a whole (so `pc` may point at a deprecated type), never the default family.
    expect(l.deprecated).not.toContain(l.aliases[DEFAULT_MACHINE_TYPE[arch]]);
  });
});

describe('coverage', () => {
  test('KubeVirt 1.4 to 1.9 have a CentOS Stream 9 launcher on amd64, arm64 and s390x', () => {
    expect(catalogueMinors()).toEqual(['1.4', '1.5', '1.6', '1.7', '1.8', '1.9']);
    for (const minor of catalogueMinors()) {
      expect(Object.keys(entry(minor, 'centos-stream-9').architectures).sort()).toEqual(['amd64', 'arm64', 's390x']);
    }
  });

  test('CentOS Stream 10 launchers exist only from 1.8 (kubevirt#16582)', () => {
    for (const minor of catalogueMinors()) {
      expect(buildsFor(`${minor}.0`).includes('centos-stream-10'), minor).toBe(minor === '1.8' || minor === '1.9');
    }
  });

  test("every patch release of a minor finds the minor's entry; a version outside the catalogue finds none", () => {
    expect(launcherEntry('1.6.2', 'centos-stream-9')?.id).toBe('kubevirt-1.6/centos-stream-9');
    expect(launcherEntry('1.3.0', 'centos-stream-9')).toBeUndefined();
    expect(launcherEntry('1.10.0', 'centos-stream-9')).toBeUndefined();
    expect(launcherEntry('1.7.0', 'centos-stream-10')).toBeUndefined();
    expect(kubevirtMinor('1.8')).toBeUndefined();
  });

  test('the label names the minor, the build and the QEMU', () => {
    expect(launcherLabel(entry('1.8', 'centos-stream-9'))).toBe(`virt-launcher 1.8 centos-stream-9 (QEMU ${entry('1.8', 'centos-stream-9').qemu})`);
  });
});

describe('the facts that decide verdicts', () => {
  test('CentOS Stream 9, 1.7 → 1.8 (QEMU 9.1 → 10.1): drops nothing on any architecture, adds the RHEL 9.8 types', () => {
    for (const arch of ['amd64', 'arm64', 's390x'] as const) {
      const before = list('1.7', 'centos-stream-9', arch);
      const after = list('1.8', 'centos-stream-9', arch);
      expect(missingFrom(before, after), arch).toEqual([]);
      expect(
        missingFrom(after, before).map((t) => parseMachineType(t)!.version.join('.')),
        arch,
      ).toEqual(['9.8.0']);
    }
    expect(missingFrom(list('1.8', 'centos-stream-9'), list('1.7', 'centos-stream-9'))).toEqual(['pc-q35-rhel9.8.0']);
  });

  test('CentOS Stream 9 → 10 at 1.8: drops every pc-q35-rhel8.* and both RHEL 7.6 types, and nothing of RHEL 9', () => {
    const cs9 = list('1.8', 'centos-stream-9');
    const dropped = missingFrom(cs9, list('1.8', 'centos-stream-10'));
    const rhel8 = cs9.machineTypes.filter((t) => t.startsWith('pc-q35-rhel8.'));
    expect(rhel8.length).toBeGreaterThan(0);
    expect(dropped.sort()).toEqual([...rhel8, 'pc-q35-rhel7.6.0', 'pc-i440fx-rhel7.6.0'].sort());
    expect(dropped.some((t) => t.includes('rhel9.'))).toBe(false);
  });

  test('the CS10 build deprecates every RHEL 9 type (MACHINE_VER_DEPRECATION_MAJOR 1) and i440fx as a whole', () => {
    for (const arch of ['amd64', 'arm64', 's390x'] as const) {
      const l = list('1.8', 'centos-stream-10', arch);
      expect([...l.deprecated].sort(), arch).toEqual(l.machineTypes.filter((t) => /rhel9\./.test(t) || t.startsWith('pc-i440fx-')).sort());
    }
  });

  test('the CS9 builds deprecate every RHEL 7/8 type and keep RHEL 9 current on amd64 (el9: MACHINE_VER_DEPRECATION_MAJOR 1)', () => {
    for (const minor of catalogueMinors()) {
      const l = list(minor, 'centos-stream-9');
      expect([...l.deprecated].sort(), minor).toEqual(l.machineTypes.filter((t) => /rhel[78]\./.test(t)).sort());
    }
  });
});
