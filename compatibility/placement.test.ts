import { describe, expect, test } from 'vitest';
import { upgradingTestCluster } from '../test/support/clusterFixtures.js';
import { canonicalMachineType, isDeprecatedOn, placeMachineType } from './placement.js';
import { resolveMachineTypeSet, resolvePools } from './poolMachineTypes.js';

const upgrading = resolvePools(upgradingTestCluster());

describe('placeMachineType on a RHEL 9 → 10 cluster', () => {
  test.each([
    // type, hosts now, hosts after upgrades, lost by upgrade, deprecated on
    ['pc-q35-rhel8.6.0', ['rhel9', 'rhel93'], ['rhel93'], ['rhel9'], ['rhel9', 'rhel93']],
    ['pc-q35-rhel9.6.0', ['rhel10', 'rhel9'], ['rhel10', 'rhel9'], [], ['rhel10']],
    ['pc-q35-rhel9.2.0', ['rhel10', 'rhel9', 'rhel93'], ['rhel10', 'rhel9', 'rhel93'], [], ['rhel10']],
    ['pc-q35-rhel10.0.0', ['rhel10'], ['rhel10', 'rhel9'], [], []],
    ['pc-i440fx-rhel7.6.0', ['rhel9', 'rhel93'], ['rhel93'], ['rhel9'], ['rhel9', 'rhel93']],
    ['pc-q35-10.1', [], [], [], []],
    ['q35', ['rhel10', 'rhel9', 'rhel93'], ['rhel10', 'rhel9', 'rhel93'], [], []],
    ['pc', ['rhel9', 'rhel93'], ['rhel93'], ['rhel9'], ['rhel9', 'rhel93']],
  ])('%s', (type, now, after, lost, deprecated) => {
    const p = placeMachineType(upgrading, type);
    expect(p.hostsNow).toEqual(now);
    expect(p.hostsAfterUpgrades).toEqual(after);
    expect(p.lostByUpgrade.map((l) => l.pool)).toEqual(lost);
    expect(p.deprecatedOn).toEqual(deprecated);
  });

  test('a lost pool names the release that drops the type', () => {
    expect(placeMachineType(upgrading, 'pc-q35-rhel8.6.0').lostByUpgrade).toEqual([{ pool: 'rhel9', release: 'rhel-10.0' }]);
  });

  test('an alias reports the canonical type QEMU would run on each pool', () => {
    const p = placeMachineType(upgrading, 'q35');
    expect(p.isAlias).toBe(true);
    expect(p.pools.map((x) => [x.pool, x.now.canonical, x.afterUpgrade?.canonical])).toEqual([
      ['rhel10', 'pc-q35-rhel10.0.0', undefined],
      ['rhel9', 'pc-q35-rhel9.6.0', 'pc-q35-rhel10.0.0'],
      ['rhel93', 'pc-q35-rhel9.2.0', undefined],
    ]);
  });
});

describe('canonicalMachineType', () => {
  test.each([
    ['rhel-9.6', 'q35', 'pc-q35-rhel9.6.0'],
    ['rhel-9.8', 'q35', 'pc-q35-rhel9.8.0'],
    ['rhel-9.6', 'pc', 'pc-i440fx-rhel7.6.0'],
    ['rhel-10.0', 'pc', undefined],
    ['qemu-10.1', 'q35', 'pc-q35-10.1'],
    ['qemu-10.1', 'pc-q35-rhel9.6.0', undefined],
    ['rhel-9.6', 'pc-q35-10.1', undefined],
    ['rhel-9.6', 'pc-q35-rhel9.4.0', 'pc-q35-rhel9.4.0'],
  ])('on %s, %s is %s', (release, name, expected) => {
    expect(canonicalMachineType(name, resolveMachineTypeSet(release)!)).toBe(expected);
  });
});

describe('deprecation follows the canonical type', () => {
  test.each([
    ['rhel-9.6', 'q35', false],
    ['rhel-9.6', 'pc', true],
    ['rhel-9.6', 'pc-q35-rhel8.6.0', true],
    ['rhel-10.0', 'pc-q35-rhel9.6.0', true],
    ['qemu-11.0', 'pc-q35-8.0', true],
    ['qemu-11.0', 'pc-q35-8.1', false],
    ['qemu-11.0', 'pc-q35-5.0', false],
  ])('on %s, %s deprecated: %s', (release, name, expected) => {
    expect(isDeprecatedOn(resolveMachineTypeSet(release)!, name)).toBe(expected);
  });
});

describe('pool overrides', () => {
  test('add, remove and deprecate change the set, and an alias to a removed type disappears', () => {
    const set = resolveMachineTypeSet('rhel-10.0', {
      add: ['pc-q35-rhel9.8.0'],
      remove: ['pc-q35-rhel10.0.0'],
      deprecate: ['pc-q35-rhel9.8.0'],
    })!;
    expect(set.supported).toContain('pc-q35-rhel9.8.0');
    expect(set.supported).not.toContain('pc-q35-rhel10.0.0');
    expect(set.deprecated).toContain('pc-q35-rhel9.8.0');
    expect(set.aliases.q35).toBeUndefined();
  });

  test('RHEL and upstream types never host each other', () => {
    const rhel = resolveMachineTypeSet('rhel-9.8')!;
    const qemu = resolveMachineTypeSet('qemu-11.0')!;
    expect(rhel.supported.some((t) => qemu.supported.includes(t))).toBe(false);
  });
});
