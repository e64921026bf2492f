import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { BARE_VMI_CONSEQUENCE, BARE_VMI_OBSERVED_KUBE_OVN, kubeOvnBareVmiPolicy } from './kubeOvnBareVmi.js';

const projectDir = join(import.meta.dirname, '..', '..');
const policy = kubeOvnBareVmiPolicy().object;

test('warns, never denies, and fails open', () => {
  expect(policy.kind).toBe('ValidatingPolicy');
  if (policy.kind !== 'ValidatingPolicy') return;
  expect(policy.spec.validationActions).toEqual(['Warn']);
  expect(policy.spec.failurePolicy).toBe('Ignore');
  expect(kubeOvnBareVmiPolicy().lookups).toEqual([]);
});

test('matches VMI CREATE only: VirtualMachines and updates are never looked at', () => {
  expect(policy.spec.matchConstraints.resourceRules).toEqual([
    { apiGroups: ['kubevirt.io'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['virtualmachineinstances'] },
  ]);
});

test('its match conditions are plain Kubernetes CEL, so the API server filters before Kyverno', () => {
  for (const { expression } of policy.spec.matchConditions) expect(expression).not.toMatch(/variables\.|resource\.|http\./);
});

test('the VM-owner check is Kube-OVN’s: kind VirtualMachine, any kubevirt.io/ version', () => {
  if (policy.kind !== 'ValidatingPolicy') throw new Error('not a ValidatingPolicy');
  expect(policy.spec.validations.map((v) => v.expression)).toEqual([
    expect.stringContaining(`r.kind == 'VirtualMachine' && string(r.apiVersion).startsWith("kubevirt.io/")`),
  ]);
});

test('the message says what happens, where it was seen, and the fix', () => {
  if (policy.kind !== 'ValidatingPolicy') throw new Error('not a ValidatingPolicy');
  const message = JSON.parse(policy.spec.validations[0]!.messageExpression) as string;
  expect(message).toContain(BARE_VMI_CONSEQUENCE);
  expect(message).toMatch(/deletes the VM's logical switch port and IP while it runs on the target/);
  expect(message).toMatch(/network is down until the target pod next changes/);
  expect(message).toMatch(/Create it through a VirtualMachine\.$/);
});

test('the version the message names is the one test/kube-ovn runs, whose case (d) observed it', () => {
  const tools = readFileSync(join(projectDir, 'testbed/tools.d/kube-ovn.sh'), 'utf8');
  expect(/^KUBE_OVN_VERSION=(\S+)$/m.exec(tools)?.[1]).toBe(BARE_VMI_OBSERVED_KUBE_OVN);
  expect(readFileSync(join(projectDir, 'test/kube-ovn/kubeOvnMigration.apiserver.test.ts'), 'utf8')).toContain(
    '(d) a bare VMI (no VirtualMachine owner): deleting the finished source pod deletes the port and the IP',
  );
});
