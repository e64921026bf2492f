import { describe, expect, test } from 'vitest';
import {
  ATTEMPT_LABEL,
  FALLBACK_OF_LABEL,
  FALLBACK_OF_UID_ANNOTATION,
  HOSTNAME_LABEL,
  isValidLabelName,
  MANAGED_BY_LABEL,
  TARGET_NODE_ANNOTATION,
  VMI_LABEL,
} from '../../compatibility/labelKeys.js';
import { fallbackName, fallbackVmim, type FallbackSpec, labelValue } from './fallbackVmim.js';
import { UNSCHEDULABLE_TIMEOUT_ANNOTATION } from '../../compatibility/kubevirtNames.js';
import { parseVmi, parseVmim } from './objectViews.js';
import { must, vmimObject, vmiObject } from '../../testbed/support/syntheticMigrationObjects.js';

const vmi = must(parseVmi(vmiObject({ name: 'db-0', namespace: 'apps', uid: 'vmi-uid', createdMs: 0, nodeName: 'n0', machineType: 'pc-q35-rhel8.6.0' })));
const failed = must(parseVmim(vmimObject({ name: 'kubevirt-evacuation-x7k2p', namespace: 'apps', vmiName: 'db-0', uid: 'failed-uid', createdMs: 0, phase: 'Failed' })));
const spec = (over: Partial<FallbackSpec> = {}): FallbackSpec => ({
  failed,
  vmi,
  target: { node: 'worker-7', hostname: 'worker-7.example.net', deprecated: false, upgrade: 'none-planned' },
  attempt: 2,
  reason: 'TargetUnschedulable',
  pinMode: 'addedNodeSelector',
  unschedulableTimeoutSeconds: 60,
  ...over,
});

describe('the fallback VMIM', () => {
  test('on KubeVirt ≥ 1.6 it pins the target with addedNodeSelector on the node hostname label', () => {
    const v = fallbackVmim(spec());
    expect(v.spec).toEqual({ vmiName: 'db-0', addedNodeSelector: { [HOSTNAME_LABEL]: 'worker-7.example.net' } });
    expect(v.metadata.annotations[TARGET_NODE_ANNOTATION]).toBe('worker-7');
  });

  test('before 1.6 it carries only the kvfleet annotation the target-pod policy turns into a nodeSelector', () => {
    const v = fallbackVmim(spec({ pinMode: 'targetNodeAnnotation' }));
    expect(v.spec).toEqual({ vmiName: 'db-0' });
    expect(v.metadata.annotations[TARGET_NODE_ANNOTATION]).toBe('worker-7');
  });

  test('it links to the failed migration, its attempt and its VMI, and is owned by the VMI', () => {
    const v = fallbackVmim(spec());
    expect(v.metadata.labels).toMatchObject({
      [MANAGED_BY_LABEL]: 'kvfleet',
      [FALLBACK_OF_LABEL]: failed.name,
      [ATTEMPT_LABEL]: '2',
      [VMI_LABEL]: vmi.name,
    });
    expect(v.metadata.annotations[FALLBACK_OF_UID_ANNOTATION]).toBe(failed.uid);
    expect(v.metadata.ownerReferences).toEqual([{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', name: 'db-0', uid: 'vmi-uid' }]);
    expect(v.metadata.namespace).toBe(vmi.namespace);
  });

  test('it carries the short unschedulable timeout for KubeVirt', () => {
    expect(fallbackVmim(spec({ unschedulableTimeoutSeconds: 45 })).metadata.annotations[UNSCHEDULABLE_TIMEOUT_ANNOTATION]).toBe('45');
  });

  test('it reads back as a kvfleet fallback with the same links', () => {
    const back = must(parseVmim({ ...fallbackVmim(spec()), metadata: { ...fallbackVmim(spec()).metadata, uid: 'new', creationTimestamp: '2026-01-01T00:00:00Z' } }));
    expect(back.kvfleet).toEqual({
      fallbackOfName: failed.name,
      fallbackOfUid: failed.uid,
      attempt: 2,
      targetNode: 'worker-7',
      reason: 'TargetUnschedulable',
      vmiUid: 'vmi-uid',
    });
  });
});

describe('names', () => {
  test('the name depends only on the failed VMIM: deciding twice yields the same object', () => {
    expect(fallbackVmim(spec({ attempt: 1 })).metadata.name).toBe(fallbackVmim(spec({ attempt: 3, target: { ...spec().target, node: 'other' } })).metadata.name);
    expect(fallbackName('db-0', 'failed-uid')).not.toBe(fallbackName('db-0', 'another-uid'));
  });

  test.each([['db-0'], ['a'.repeat(63)], [`${'x'.repeat(41)}.y`], ['vm-with-a-very-long-name-that-goes-on-and-on-and-on-and-on-and-on.example.com']])(
    'a fallback for VMI %s has a name that is also a valid label value',
    (vmiName) => {
      const name = fallbackName(vmiName, 'uid');
      expect(name.length).toBeLessThanOrEqual(63);
      expect(labelValue(name)).toBe(name);
      expect(name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    },
  );

  test.each([
    ['short-name', 'short-name'],
    ['n'.repeat(64), undefined],
    ['Not valid!', undefined],
  ])('label value for %s', (text, same) => {
    const v = labelValue(text);
    if (same) expect(v).toBe(same);
    expect(v.length).toBeLessThanOrEqual(63);
    expect(isValidLabelName(v)).toBe(true);
    expect(labelValue(`${text}-other`)).not.toBe(v);
  });
});
