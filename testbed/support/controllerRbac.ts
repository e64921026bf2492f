/**
 * Applies the migration controller's generated namespace, ServiceAccount and RBAC to a test API
 * server, as Argo CD would (server-side apply): tests then run the controller with exactly the
 * permissions its manifests grant, and nothing else.
 */
import { type KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { Testing } from 'cdk8s';
import { MigrationController as MigrationControllerChart } from '../../generators/migrationController.js';
import { type ClusterDefinition } from '../../fleet/clusterDefinition.js';

export async function applyControllerRbac(admin: KubeConfig, cluster: ClusterDefinition, namespace: string): Promise<void> {
  const chart = Testing.chart();
  new MigrationControllerChart(chart, 'migration-controller', { cluster, namespace });
  const objects = KubernetesObjectApi.makeApiClient(admin);
  await objects.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  for (const o of Testing.synth(chart).filter((x) => /Role|ServiceAccount/.test(x.kind))) {
    await objects.patch(o, undefined, undefined, 'kvfleet-test', true, PatchStrategy.ServerSideApply);
  }
}
