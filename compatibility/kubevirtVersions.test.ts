import { describe, expect, test } from 'vitest';
import { hasMigrationPolicyField, isKubevirtOlderThanSupported, schedulingContract, schedulingContractOf } from './kubevirtVersions.js';

describe('what each KubeVirt release does for migration placement', () => {
  test.each([
    // version, whose labels the scheduler checks, how a fallback pins its node
    ['1.4.2', 'kvfleet', 'targetNodeAnnotation'],
    ['1.5.0', 'kvfleet', 'targetNodeAnnotation'], // #13690 was backported to 1.5.1, not 1.5.0
    ['1.5.1', 'kubevirt', 'targetNodeAnnotation'],
    ['1.5.2', 'kubevirt', 'targetNodeAnnotation'],
    ['1.6.0', 'kubevirt', 'addedNodeSelector'], // addedNodeSelector: #12725
    ['1.6.2', 'kubevirt', 'addedNodeSelector'],
    ['v1.7.0-rc.1', 'kubevirt', 'addedNodeSelector'],
    ['1.9.0', 'kubevirt', 'addedNodeSelector'],
  ])('KubeVirt %s: the scheduler checks %s labels, fallbacks pin with %s', (version, machineTypeLabeller, pinMode) => {
    expect(schedulingContract(version)).toEqual({ machineTypeLabeller, pinMode });
  });

  test('a string with no version in it has no contract, and the strict form names the value', () => {
    expect(schedulingContract('latest')).toBeUndefined();
    expect(() => schedulingContractOf('latest')).toThrow(/kubevirtVersion "latest" is not a version/);
  });

  test('KubeVirt before 1.4 (the oldest catalogued launcher) is older than kvfleet supports', () => {
    expect(isKubevirtOlderThanSupported('0.59.2')).toBe(true);
    expect(isKubevirtOlderThanSupported('1.4.0')).toBe(false);
    expect(isKubevirtOlderThanSupported('1.3.9')).toBe(true);
  });
});

// MigrationPolicySpec in staging/src/kubevirt.io/api/migrations/v1alpha1/types.go at each tag.
test.each([
  ['1.4.2', { allowWorkloadDisruption: false, maxDowntimeMs: false, experimental: false }],
  ['1.5.0', { allowWorkloadDisruption: true, maxDowntimeMs: false, experimental: false }],
  ['1.8.4', { allowWorkloadDisruption: true, maxDowntimeMs: false, experimental: false }],
  ['1.9.0', { allowWorkloadDisruption: true, maxDowntimeMs: true, experimental: true }],
] as const)('the MigrationPolicy CRD of KubeVirt %s has %j', (version, fields) => {
  for (const [field, has] of Object.entries(fields)) expect(hasMigrationPolicyField(version, field as keyof typeof fields), field).toBe(has);
});
