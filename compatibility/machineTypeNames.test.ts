import { describe, expect, test } from 'vitest';
import { architectureOf, compareMachineTypes, isMachineTypeAlias, machineTypeVendor, parseMachineType, sortMachineTypes } from './machineTypeNames.js';

describe('parseMachineType', () => {
  test.each([
    ['pc-q35-rhel9.6.0', { chipset: 'q35', vendor: 'rhel', version: [9, 6, 0] }],
    ['pc-q35-rhel10.0.0', { chipset: 'q35', vendor: 'rhel', version: [10, 0, 0] }],
    ['pc-i440fx-rhel7.6.0', { chipset: 'i440fx', vendor: 'rhel', version: [7, 6, 0] }],
    ['pc-q35-10.1', { chipset: 'q35', vendor: 'qemu', version: [10, 1] }],
    ['pc-i440fx-2.12', { chipset: 'i440fx', vendor: 'qemu', version: [2, 12] }],
    ['pc-q35-4.0.1', { chipset: 'q35', vendor: 'qemu', version: [4, 0, 1] }],
    ['virt-rhel9.6.0', { chipset: 'virt', vendor: 'rhel', version: [9, 6, 0] }],
    ['virt-6.0', { chipset: 'virt', vendor: 'qemu', version: [6, 0] }],
    ['s390-ccw-virtio-rhel9.6.0', { chipset: 's390-ccw-virtio', vendor: 'rhel', version: [9, 6, 0] }],
  ])('%s parses', (name, expected) => {
    expect(parseMachineType(name)).toEqual({ name, ...expected });
  });

  test.each(['q35', 'pc', 'pc-q35-rhel9.6', 'virt-rhel9.6', 'pc-q35', 'pc-q35-rhelx.y.z', 'microvm', 'pseries-rhel9.6.0', ''])('%s is not a versioned type', (name) =>
    expect(parseMachineType(name)).toBeUndefined(),
  );
});

test('aliases are the four family names', () => {
  expect(isMachineTypeAlias('q35')).toBe(true);
  expect(isMachineTypeAlias('pc')).toBe(true);
  expect(isMachineTypeAlias('virt')).toBe(true);
  expect(isMachineTypeAlias('s390-ccw-virtio')).toBe(true);
  expect(isMachineTypeAlias('pc-q35-rhel9.6.0')).toBe(false);
});

test('RHEL and upstream names have different vendors', () => {
  expect(machineTypeVendor('pc-q35-rhel9.6.0')).toBe('rhel');
  expect(machineTypeVendor('pc-q35-9.6')).toBe('qemu');
  expect(machineTypeVendor('q35')).toBeUndefined();
});

test('versions sort numerically, not as text', () => {
  expect(sortMachineTypes(['pc-q35-10.1', 'pc-q35-9.2', 'pc-q35-2.12', 'pc-q35-2.4'])).toEqual(['pc-q35-2.4', 'pc-q35-2.12', 'pc-q35-9.2', 'pc-q35-10.1']);
  expect(compareMachineTypes('pc-q35-rhel10.0.0', 'pc-q35-rhel9.8.0')).toBeGreaterThan(0);
  expect(sortMachineTypes(['b', 'pc-q35-9.2', 'a', 'pc-q35-9.2'])).toEqual(['pc-q35-9.2', 'a', 'b']);
});

test('each family runs on one architecture, aliases included', () => {
  expect(architectureOf('pc-q35-rhel9.6.0')).toBe('amd64');
  expect(architectureOf('pc')).toBe('amd64');
  expect(architectureOf('virt-rhel9.6.0')).toBe('arm64');
  expect(architectureOf('virt')).toBe('arm64');
  expect(architectureOf('s390-ccw-virtio-rhel9.8.0')).toBe('s390x');
  expect(architectureOf('microvm')).toBeUndefined();
});

test('families sort apart: x86 first, then aarch64, then s390x', () => {
  expect(sortMachineTypes(['virt-rhel9.6.0', 's390-ccw-virtio-rhel9.6.0', 'pc-i440fx-rhel7.6.0', 'pc-q35-rhel9.6.0'])).toEqual([
    'pc-q35-rhel9.6.0',
    'pc-i440fx-rhel7.6.0',
    'virt-rhel9.6.0',
    's390-ccw-virtio-rhel9.6.0',
  ]);
});
