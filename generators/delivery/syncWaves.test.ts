import { Testing } from 'cdk8s';
import { expect, test } from 'vitest';
import prodEast from '../../clusters/prod-east.js';
import { ClusterChart } from '../clusterChart.js';
import { SYNC_WAVE_ANNOTATION, SYNC_WAVES, syncWaveOf } from './syncWaves.js';

test.each([
  ['v1', 'Namespace', 'foundation'],
  ['v1', 'ServiceAccount', 'foundation'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole', 'foundation'],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding', 'foundation'],
  ['apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'foundation'],
  ['v1', 'ConfigMap', 'configuration'],
  ['v1', 'Service', 'configuration'],
  ['kubevirt.io/v1', 'KubeVirt', 'configuration'],
  ['migrations.kubevirt.io/v1alpha1', 'MigrationPolicy', 'configuration'],
  ['kubeovn.io/v1', 'Subnet', 'configuration'],
  ['policies.kyverno.io/v1', 'MutatingPolicy', 'policiesAndWorkloads'],
  ['policies.kyverno.io/v1', 'ValidatingPolicy', 'policiesAndWorkloads'],
  ['apps/v1', 'DaemonSet', 'policiesAndWorkloads'],
  ['apps/v1', 'Deployment', 'policiesAndWorkloads'],
] as const)('%s %s goes in the %s wave', (apiVersion, kind, wave) => {
  expect(syncWaveOf(apiVersion, kind)).toBe(SYNC_WAVES[wave]);
});

test('namespaces and RBAC come first, then CRD-dependent objects, then policies and workloads', () => {
  expect(SYNC_WAVES.foundation).toBeLessThan(SYNC_WAVES.configuration);
  expect(SYNC_WAVES.configuration).toBeLessThan(SYNC_WAVES.policiesAndWorkloads);
});

test("every object of a cluster's chart carries the wave of its kind", () => {
  const objects = Testing.synth(new ClusterChart(Testing.app(), 'prod-east', { cluster: prodEast }));
  expect(objects.length).toBeGreaterThan(0);
  for (const o of objects) expect(o.metadata.annotations?.[SYNC_WAVE_ANNOTATION], `${o.kind} ${o.metadata.name}`).toBe(String(syncWaveOf(o.apiVersion, o.kind)));
  // The lookup ClusterRole the target-pod policy needs is applied two waves before the policy.
  const wave = (kind: string, name: string) => Number(objects.find((o) => o.kind === kind && o.metadata.name === name)!.metadata.annotations[SYNC_WAVE_ANNOTATION]);
  expect(wave('ClusterRole', 'kvfleet-kyverno-lookups')).toBeLessThan(wave('MutatingPolicy', 'kvfleet-launcher-target-affinity'));
  expect(wave('ConfigMap', 'kvfleet-machine-types')).toBeLessThan(wave('Deployment', 'kvfleet-migration-controller'));
});
