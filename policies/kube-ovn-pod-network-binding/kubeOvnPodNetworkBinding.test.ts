import { expect, test } from 'vitest';
import { INTERFACE_BINDING_FIELDS } from '../kyverno-cel/kubevirtCel.js';
import { kubeOvnPodNetworkBindingPolicy, POD_NETWORK_BINDINGS } from './kubeOvnPodNetworkBinding.js';

const actions = (setting?: 'warn' | 'deny') => {
  const policy = kubeOvnPodNetworkBindingPolicy({ version: '1.15.14', ...(setting ? { podNetworkMasquerade: setting } : {}) }).object;
  return policy.kind === 'ValidatingPolicy' ? policy.spec.validationActions : undefined;
};

test.each([
  [undefined, ['Warn']],
  ['warn', ['Warn']],
  ['deny', ['Deny']],
] as const)('kubeOvn.podNetworkMasquerade %s → %j', (setting, expected) => {
  expect(actions(setting)).toEqual(expected);
});

test('every core binding is judged, and none falls in two classes', () => {
  const classified = [...POD_NETWORK_BINDINGS.keepsIp, ...POD_NETWORK_BINDINGS.changesIp, ...POD_NETWORK_BINDINGS.cannotMigrate];
  expect(new Set(classified).size).toBe(classified.length);
  for (const field of INTERFACE_BINDING_FIELDS) expect(classified, field).toContain(field);
});

test('the description says what the cluster setting makes the policy do', () => {
  const deny = kubeOvnPodNetworkBindingPolicy({ version: '1.15.14', podNetworkMasquerade: 'deny' }).object;
  expect(deny.metadata.annotations['policies.kyverno.io/description']).toMatch(/^Denies /);
});
