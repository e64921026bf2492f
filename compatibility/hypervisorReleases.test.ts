import { describe, expect, test } from 'vitest';
import { HYPERVISOR_RELEASES, hypervisorRelease } from './hypervisorReleases.js';
import { machineTypeVendor } from './machineTypeNames.js';

describe.each(HYPERVISOR_RELEASES.map((r) => [r.id, r] as const))('%s', (_id, release) => {
  test('names its source', () => expect(release.source.length).toBeGreaterThan(10));
  test('offers only types of its own vendor', () => {
    expect(release.machineTypes.map(machineTypeVendor)).toEqual(release.machineTypes.map(() => release.vendor));
  });
  test('deprecates and aliases only types it offers', () => {
    for (const t of release.deprecated) expect(release.machineTypes).toContain(t);
    for (const t of Object.values(release.aliases)) expect(release.machineTypes).toContain(t);
  });
});

test.each([
  ['rhel-9.6', 'pc-q35-rhel9.6.0', ['pc-q35-rhel8.6.0', 'pc-q35-rhel7.6.0'], 'pc-q35-rhel9.8.0'],
  ['rhel-9.8', 'pc-q35-rhel9.8.0', ['pc-q35-rhel8.0.0'], undefined],
  ['rhel-9.3', 'pc-q35-rhel9.2.0', ['pc-q35-rhel8.6.0'], 'pc-q35-rhel9.4.0'],
  ['rhel-8.9', 'pc-q35-rhel8.6.0', ['pc-q35-rhel7.3.0'], 'pc-q35-rhel9.0.0'],
  ['rhel-10.0', 'pc-q35-rhel10.0.0', ['pc-q35-rhel9.6.0'], 'pc-q35-rhel8.6.0'],
])('%s: q35 is %s, %j deprecated, %s absent', (id, q35, deprecated, absent) => {
  const r = hypervisorRelease(id)!;
  expect(r.aliases.q35).toBe(q35);
  for (const d of deprecated) expect(r.deprecated).toContain(d);
  if (absent) expect(r.machineTypes).not.toContain(absent);
});

test('RHEL 9 has machine types for even minors only', () => {
  const rhel9 = hypervisorRelease('rhel-9.8')!.machineTypes.filter((t) => t.includes('rhel9.'));
  expect(rhel9).toEqual(['pc-q35-rhel9.0.0', 'pc-q35-rhel9.2.0', 'pc-q35-rhel9.4.0', 'pc-q35-rhel9.6.0', 'pc-q35-rhel9.8.0']);
});

test('the unverified RHEL 10 list says it is an assumption', () => {
  expect(hypervisorRelease('rhel-10.0')!.assumption).toMatch(/verified/);
});
