import { expect, test } from 'vitest';
import { qemuMachineTypes } from './qemuMachineTypes.js';

// libvirt caps-qemu-real-full.xml (QEMU 11.0): pc-q35-5.1…8.0 deprecated, nothing at or below 5.0.
test('QEMU 11.0 matches the real capabilities libvirt recorded', () => {
  const set = qemuMachineTypes('11.0');
  expect(set.machineTypes).toContain('pc-q35-5.1');
  expect(set.machineTypes).not.toContain('pc-q35-5.0');
  expect(set.deprecated).toContain('pc-q35-5.1');
  expect(set.deprecated).toContain('pc-q35-8.0');
  expect(set.deprecated).not.toContain('pc-q35-8.1');
  expect(set.aliases).toEqual({ q35: 'pc-q35-11.0', pc: 'pc-i440fx-11.0' });
});

test('every type of a release is offered for 18 releases and deprecated for the last 9 of them', () => {
  const set = qemuMachineTypes('10.1');
  const q35 = set.machineTypes.filter((t) => t.startsWith('pc-q35-'));
  expect(q35).toHaveLength(18);
  expect(set.deprecated.filter((t) => t.startsWith('pc-q35-'))).toHaveLength(9);
  expect(set.deprecated).toContain('pc-q35-7.1');
  expect(set.deprecated).not.toContain('pc-q35-7.2');
});

test('the oldest release keeps everything before it, and nothing is deprecated yet', () => {
  expect(qemuMachineTypes('2.4')).toEqual({ machineTypes: ['pc-q35-2.4', 'pc-i440fx-2.4'], deprecated: [], aliases: { q35: 'pc-q35-2.4', pc: 'pc-i440fx-2.4' } });
});
