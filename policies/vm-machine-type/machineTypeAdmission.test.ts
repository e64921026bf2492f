import { describe, expect, test } from 'vitest';
import edgeOvn from '../../clusters/edge-ovn.js';
import legacyApps from '../../clusters/legacy-apps.js';
import prodEast from '../../clusters/prod-east.js';
import { testCluster, testPool } from '../../test/support/clusterFixtures.js';
import { type ClusterDefinition } from '../../fleet/clusterDefinition.js';
import { HYPERVISOR_RELEASES } from '../../compatibility/hypervisorReleases.js';
import { MACHINE_TYPE_ALIASES } from '../../compatibility/machineTypeNames.js';
import { placeMachineType } from '../../compatibility/placement.js';
import { resolvePools } from '../../compatibility/poolMachineTypes.js';
import { denialMessage, isAdmitted, machineTypeAdmission, survivingMachineType } from './machineTypeAdmission.js';

const admissionOf = (c: ClusterDefinition) => machineTypeAdmission(c.name, resolvePools(c));
/** Every name some known release offers, plus the aliases: more than any one cluster runs. */
const everyKnownName = [...new Set([...HYPERVISOR_RELEASES.flatMap((r) => r.machineTypes), ...MACHINE_TYPE_ALIASES])];

describe.each([prodEast, legacyApps, edgeOvn])('cluster $name', (cluster) => {
  const pools = resolvePools(cluster);
  const admission = admissionOf(cluster);

  test('a name is admitted exactly when it is an alias or some pool runs it today', () => {
    for (const name of everyKnownName) {
      const placement = placeMachineType(pools, name);
      expect(isAdmitted(admission, name), name).toBe(placement.isAlias || placement.hostsNow.length > 0);
    }
  });

  test('each admitted type lists the pools that run it today', () => {
    for (const { machineType, pools: hosts } of admission.hosts) {
      expect(hosts).toEqual(placeMachineType(pools, machineType).hostsNow);
    }
  });

  test('a denial names the type and every pool with its release and types', () => {
    const message = denialMessage(admission, 'pc-q35-0.0');
    expect(message.startsWith('machine type pc-q35-0.0 ')).toBe(true);
    expect(message).toContain(`cluster ${cluster.name}`);
    for (const p of pools) expect(message).toContain(`pool ${p.name} (${p.current.release}) offers ${p.current.supported.join(', ')}`);
  });

  test('only types some pool runs today get warnings, and only those with something to say', () => {
    for (const { machineType } of admission.warnings) {
      const p = placeMachineType(pools, machineType);
      expect(p.hostsNow.length).toBeGreaterThan(0);
      expect(p.deprecatedOn.length > 0 || p.hostsAfterUpgrades.length === 0, machineType).toBe(true);
    }
  });
});

describe('warnings on prod-east (rhel9-compute: RHEL 9.6 → 10.0; rhel10-compute: RHEL 10.0)', () => {
  const admission = admissionOf(prodEast);
  const warning = (t: string) => admission.warnings.find((w) => w.machineType === t)?.message;
  const upgrading = prodEast.nodePools.find((p) => p.upgradeTo)!;

  test.each(['pc-q35-rhel7.6.0', 'pc-q35-rhel8.6.0', 'pc-i440fx-rhel7.6.0'])('%s: the upgrading pool and its target release are named', (t) => {
    expect(warning(t)).toContain(`pool ${upgrading.name} drops it when upgraded to ${upgrading.upgradeTo}`);
  });

  test('a RHEL 9 type that RHEL 10.0 keeps is warned about only as deprecated there', () => {
    expect(warning('pc-q35-rhel9.6.0')).toBe('machine type pc-q35-rhel9.6.0: it is deprecated on pool rhel10-compute');
  });

  test('the newest type is not warned about', () => {
    expect(warning('pc-q35-rhel10.0.0')).toBeUndefined();
  });

  test('the warning points to the newest same-chipset type every pool keeps', () => {
    expect(warning('pc-q35-rhel8.6.0')).toContain('pc-q35-rhel9.6.0 runs on every pool now and after the planned upgrades');
  });
});

test('a type one upgrading pool drops but another pool keeps gets no upgrade warning', () => {
  // edge-ovn: qemu-10-1 → QEMU 11.0 drops pc-q35-4.2; qemu-10-0 (no upgrade) keeps it.
  const p = placeMachineType(resolvePools(edgeOvn), 'pc-q35-4.2');
  expect(p.lostByUpgrade.length).toBeGreaterThan(0);
  expect(p.hostsAfterUpgrades.length).toBeGreaterThan(0);
  const message = admissionOf(edgeOvn).warnings.find((w) => w.machineType === 'pc-q35-4.2')?.message;
  expect(message).not.toContain('drops it');
  expect(message).toContain('deprecated');
});

describe('survivingMachineType', () => {
  const pools = resolvePools(prodEast);

  test('an i440fx type has no survivor when RHEL 10 drops i440fx', () => {
    expect(survivingMachineType(pools, 'pc-i440fx-rhel7.6.0')).toBeUndefined();
  });

  test('a type an upgrade only brings later is not suggested: every pool must run it today too', () => {
    // synthetic cluster: rhel93 gains pc-q35-rhel9.6.0 by its upgrade, rhel96 runs it already.
    const gaining = resolvePools(testCluster({ nodePools: [testPool('rhel93', 'rhel-9.3', { upgradeTo: 'rhel-9.6' }), testPool('rhel96', 'rhel-9.6')] }));
    expect(survivingMachineType(gaining, 'pc-q35-rhel8.6.0')).toBe('pc-q35-rhel9.2.0');
  });
});
