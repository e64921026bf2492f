import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { sharedDir } from '../../testbed/harness/toolPaths.js';
import { MAX_CAPABILITIES_BYTES, parseCapabilities, type CapabilitiesResult, type NodeMachineTypes } from './capabilitiesXml.js';
import { syntheticCapabilitiesXml } from '../../testbed/support/syntheticCapabilities.js';

const sample = (file: string) => readFileSync(join(sharedDir, 'samples', 'capabilities', file), 'utf8');
const fixture = (file: string) => readFileSync(join(import.meta.dirname, 'fixtures', file), 'utf8');

function machineTypesOf(result: CapabilitiesResult): NodeMachineTypes {
  if (!result.ok) throw new Error(`expected a capabilities document, got ${result.code}: ${result.message}`);
  return result.machineTypes;
}

describe('kvm-x86_64.xml (real, upstream QEMU 6.1, libvirt with empty <domain type=kvm/>)', () => {
  const result = parseCapabilities(sample('kvm-x86_64.xml'));
  const types = machineTypesOf(result);
  // Read from the x86_64 <guest> of the file: 20 q35 types, 2.4 … 6.1 with the 4.0.1 bug-fix type.
  const q35 = ['2.4', '2.5', '2.6', '2.7', '2.8', '2.9', '2.10', '2.11', '2.12', '3.0', '3.1', '4.0', '4.0.1', '4.1', '4.2', '5.0', '5.1', '5.2', '6.0', '6.1'].map(
    (v) => `pc-q35-${v}`,
  );

  test('the host architecture comes from <host><cpu><arch>', () => {
    expect(types.arch).toBe('x86_64');
  });

  test('every q35 type of the x86_64 guest is a canonical type, in version order', () => {
    expect(types.canonical.filter((t) => t.startsWith('pc-q35-'))).toEqual(q35);
  });

  test('i440fx types from 1.4 to 6.1 and the unversioned x86 machines are canonical too', () => {
    const i440fx = types.canonical.filter((t) => t.startsWith('pc-i440fx-'));
    expect(i440fx).toHaveLength(27); // 1.4-1.7, 2.0-2.12, 3.0, 3.1, 4.0-4.2, 5.0-5.2, 6.0, 6.1
    expect(i440fx[0]).toBe('pc-i440fx-1.4');
    expect(i440fx.at(-1)).toBe('pc-i440fx-6.1');
    expect(types.canonical).toEqual(expect.arrayContaining(['isapc', 'microvm', 'x-remote', 'xenfv-3.1', 'xenfv-4.2', 'xenpv']));
    expect(types.canonical).toHaveLength(q35.length + 27 + 6);
  });

  test('q35, pc and xenfv are aliases of the newest type, not canonical types', () => {
    expect(types.aliases).toEqual({ pc: 'pc-i440fx-6.1', q35: 'pc-q35-6.1', xenfv: 'xenfv-3.1' });
    expect(types.canonical).not.toContain('q35');
    expect(types.canonical).not.toContain('pc');
  });

  test('machines of guests without KVM (ARM, PowerPC, s390x) are left out, deprecated swift-bmc included', () => {
    for (const foreign of ['virt-6.1', 'raspi2b', 'swift-bmc', 'pseries-6.1', 's390-ccw-virtio-6.1', 'g3beige']) expect(types.canonical).not.toContain(foreign);
    expect(types.aliases).not.toHaveProperty('virt');
    expect(types.deprecated).toEqual([]);
  });

  test('the document raises no warnings', () => {
    expect(result.ok && result.warnings).toEqual([]);
  });
});

describe('kvm-x86_64-rhel7.xml (real, RHEL 7 qemu-kvm, <domain type=kvm> with its own emulator)', () => {
  const types = machineTypesOf(parseCapabilities(sample('kvm-x86_64-rhel7.xml')));

  test('the RHEL 7 i440fx type and the RHEL 6 types are canonical, and nothing q35', () => {
    expect(types.canonical).toEqual(['pc-i440fx-rhel7.0.0', ...['0', '1', '2', '3', '4', '5', '6'].map((m) => `rhel6.${m}.0`)]);
    expect(types.canonical.some((t) => t.includes('q35'))).toBe(false);
  });

  test('pc is an alias of pc-i440fx-rhel7.0.0 and nothing is deprecated', () => {
    expect(types.aliases).toEqual({ pc: 'pc-i440fx-rhel7.0.0' });
    expect(types.deprecated).toEqual([]);
  });
});

test('kvm-x86_64-domcaps-latest.xml (real domcapabilities) is rejected as not a capabilities document', () => {
  const result = parseCapabilities(sample('kvm-x86_64-domcaps-latest.xml'));
  expect(result.ok).toBe(false);
  expect(!result.ok && result.code).toBe('domain-capabilities');
  expect(!result.ok && result.message).toMatch(/virsh domcapabilities.*not `virsh capabilities`/);
});

describe('synthetic-rhel9.6-capabilities.xml (SYNTHETIC RHEL 9.6 host)', () => {
  const types = machineTypesOf(parseCapabilities(fixture('synthetic-rhel9.6-capabilities.xml')));
  const rhel8 = ['8.0.0', '8.1.0', '8.2.0', '8.3.0', '8.4.0', '8.5.0', '8.6.0'].map((v) => `pc-q35-rhel${v}`);

  test('the RHEL 7.6, 8.x and 9.x q35 types and the RHEL 7.6 i440fx type are canonical', () => {
    expect(types.canonical).toEqual([
      'pc-q35-rhel7.6.0',
      ...rhel8,
      'pc-q35-rhel9.0.0',
      'pc-q35-rhel9.2.0',
      'pc-q35-rhel9.4.0',
      'pc-q35-rhel9.6.0',
      'pc-i440fx-rhel7.6.0',
    ]);
  });

  test('q35 resolves to pc-q35-rhel9.6.0 and pc to the deprecated pc-i440fx-rhel7.6.0', () => {
    expect(types.aliases).toEqual({ pc: 'pc-i440fx-rhel7.6.0', q35: 'pc-q35-rhel9.6.0' });
  });

  test('exactly the types marked deprecated="yes" in the x86_64 guest are deprecated', () => {
    expect(types.deprecated).toEqual(['pc-q35-rhel7.6.0', ...rhel8, 'pc-i440fx-rhel7.6.0']);
  });

  test('the i686 guest and the aarch64 guest without KVM contribute nothing', () => {
    expect(types.canonical).not.toContain('pc-i440fx-rhel7.5.0');
    expect(types.canonical).not.toContain('virt-rhel9.6.0');
    expect(types.deprecated).not.toContain('virt-rhel8.6.0');
  });
});

describe('synthetic-qemu2.3-alias-only-capabilities.xml (SYNTHETIC libvirt 1.x / QEMU 2.3 layout)', () => {
  const result = parseCapabilities(fixture('synthetic-qemu2.3-alias-only-capabilities.xml'));
  const types = machineTypesOf(result);

  test("a versioned type named only as an alias's canonical attribute is a canonical type of the node", () => {
    expect(types.canonical).toContain('pc-q35-2.3');
    expect(types.canonical).toContain('pc-i440fx-2.3');
    expect(types.aliases).toEqual({ pc: 'pc-i440fx-2.3', q35: 'pc-q35-2.3' });
  });

  test('the KVM list inside <domain type=kvm> is the one read, so pc-0.12 and pc-1.3 (TCG only) are not', () => {
    expect(types.canonical).toEqual([
      'pc-q35-2.0',
      'pc-q35-2.1',
      'pc-q35-2.2',
      'pc-q35-2.3',
      'pc-i440fx-2.0',
      'pc-i440fx-2.1',
      'pc-i440fx-2.2',
      'pc-i440fx-2.3',
      'isapc',
      'none',
    ]);
  });

  test('the document raises no warnings', () => {
    expect(result.ok && result.warnings).toEqual([]);
  });
});

describe('alias targets', () => {
  test('an alias deprecated in the document makes its target deprecated when the target has no entry of its own', () => {
    const t = machineTypesOf(parseCapabilities(syntheticCapabilitiesXml({ machines: [{ name: 'q35', canonical: 'pc-q35-2.3', deprecated: true }] })));
    expect(t.canonical).toEqual(['pc-q35-2.3']);
    expect(t.deprecated).toEqual(['pc-q35-2.3', 'q35']);
  });

  test('an alias whose target is another alias is ignored with a warning: the node runs no type of that name', () => {
    const r = parseCapabilities(
      syntheticCapabilitiesXml({ machines: [{ name: 'pc-q35-2.3' }, { name: 'q35', canonical: 'pc-q35-2.3' }, { name: 'latest', canonical: 'q35' }] }),
    );
    expect(machineTypesOf(r).aliases).toEqual({ q35: 'pc-q35-2.3' });
    expect(r.ok && r.warnings.join()).toMatch(/alias latest points to q35, which is itself an alias/);
  });
});

describe('document layouts', () => {
  test('older libvirt: the machines nested in <domain type=kvm> are the KVM ones, not the TCG list under <arch>', () => {
    const xml = syntheticCapabilitiesXml({
      nestedKvmMachines: true,
      tcgMachines: [{ name: 'pc-q35-2.0' }],
      machines: [{ name: 'pc-q35-rhel8.6.0', deprecated: true }, { name: 'pc-q35-rhel9.0.0' }, { name: 'q35', canonical: 'pc-q35-rhel9.0.0' }],
    });
    const types = machineTypesOf(parseCapabilities(xml));
    expect(types.canonical).toEqual(['pc-q35-rhel8.6.0', 'pc-q35-rhel9.0.0']);
    expect(types.aliases).toEqual({ q35: 'pc-q35-rhel9.0.0' });
    expect(types.deprecated).toEqual(['pc-q35-rhel8.6.0']);
  });

  test('a document whose host-arch guest has no kvm domain is refused, not read as "offers nothing"', () => {
    const result = parseCapabilities(syntheticCapabilitiesXml({ kvm: false, machines: [{ name: 'pc-q35-9.2' }] }));
    expect(result).toMatchObject({ ok: false, code: 'no-kvm-guest' });
    expect(!result.ok && result.message).toMatch(/no x86_64 guest with a kvm domain/);
  });

  test('guests of another architecture than the host do not count, even with KVM', () => {
    const x86Guest = syntheticCapabilitiesXml({ machines: [{ name: 'pc-q35-9.2' }] });
    const onArmHost = x86Guest.replace('<arch>x86_64</arch>', '<arch>aarch64</arch>');
    expect(parseCapabilities(onArmHost)).toMatchObject({ ok: false, code: 'no-kvm-guest' });
    const withArmGuest = x86Guest.replace('</capabilities>', "<guest><arch name='aarch64'><machine>virt-9.2</machine><domain type='kvm'/></arch></guest></capabilities>");
    expect(machineTypesOf(parseCapabilities(withArmGuest)).canonical).toEqual(['pc-q35-9.2']);
  });

  test('an alias listed with two targets keeps the lower one and warns, whatever the order', () => {
    const a = parseCapabilities(
      syntheticCapabilitiesXml({
        machines: [
          { name: 'q35', canonical: 'pc-q35-9.2' },
          { name: 'q35', canonical: 'pc-q35-10.0' },
        ],
      }),
    );
    const b = parseCapabilities(
      syntheticCapabilitiesXml({
        machines: [
          { name: 'q35', canonical: 'pc-q35-10.0' },
          { name: 'q35', canonical: 'pc-q35-9.2' },
        ],
      }),
    );
    expect(machineTypesOf(a).aliases).toEqual(machineTypesOf(b).aliases);
    expect(machineTypesOf(a).aliases.q35).toBe('pc-q35-10.0'); // '1' < '9' as text
    expect(a.ok && a.warnings.join()).toMatch(/alias q35 points to both/);
  });
});

describe('documents that are not capabilities', () => {
  test.each([
    ['empty', '', 'empty'],
    ['whitespace', ' \n\t', 'empty'],
    ['plain text', 'virsh: error: failed to connect to the hypervisor', 'not-xml'],
    ['cut short (init container killed mid-write)', sample('kvm-x86_64-rhel7.xml').slice(0, 2000), 'not-xml'],
    ['another root element', '<domain type="kvm"><name>vm</name></domain>', 'not-capabilities'],
    ['capabilities without a host arch', '<capabilities><guest/></capabilities>', 'no-host-arch'],
  ])('%s → %s', (_name, xml, code) => {
    const result = parseCapabilities(xml);
    expect(result).toMatchObject({ ok: false, code });
  });

  test('a document larger than any real one is refused before parsing', () => {
    const result = parseCapabilities(`<capabilities>${' '.repeat(MAX_CAPABILITIES_BYTES)}</capabilities>`);
    expect(result).toMatchObject({ ok: false, code: 'too-large' });
  });
});
