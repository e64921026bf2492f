import { expect, test } from 'vitest';
import { slimInPlace } from './watchedResource.js';
import { vmiObject } from '../../testbed/support/syntheticMigrationObjects.js';

test('a cached object keeps only what the informer and delete handlers need', () => {
  const o = vmiObject({ name: 'vm-1', namespace: 'apps', uid: 'u1', createdMs: 0, machineType: 'pc-q35-rhel9.6.0' }) as Record<string, any>;
  o.metadata.resourceVersion = '42';
  o.metadata.labels = { app: 'db' };
  o.metadata.managedFields = [{ manager: 'virt-handler', fieldsV1: { 'f:status': {} } }];
  slimInPlace(o);
  expect(o).toEqual({
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { name: 'vm-1', namespace: 'apps', uid: 'u1', resourceVersion: '42', labels: { app: 'db' } },
  });
});
