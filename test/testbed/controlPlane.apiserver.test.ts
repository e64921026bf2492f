import { existsSync } from 'node:fs';
import { CoreV1Api, VersionApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type ControlPlane, startControlPlane } from '../../testbed/harness/controlPlane.js';
import { createFakeNode } from '../../testbed/harness/fakeNodes.js';
import { createTestNamespace } from '../../testbed/harness/namespaces.js';
import { toolPath } from '../../testbed/harness/toolPaths.js';
import { until } from '../../testbed/harness/until.js';

let plane: ControlPlane;
beforeAll(async () => {
  plane = await startControlPlane({ scheduler: true, users: [{ name: 'reader', groups: ['readers'] }] });
});
afterAll(async () => plane?.stop());

test('the API server listens on loopback and reports the version it was built as', async () => {
  expect(plane.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  const version = await plane.kubeConfig().makeApiClient(VersionApi).getCode();
  // The binary name carries the version tools.sh built (kube-apiserver-v1.35.8-<hash>).
  expect(toolPath('kube-apiserver')).toContain(`kube-apiserver-${version.gitVersion}-`);
});

test('RBAC is enforced: a token user without bindings cannot list nodes', async () => {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromString(plane.kubeconfigFor('reader'));
  await expect(kc.makeApiClient(CoreV1Api).listNode()).rejects.toMatchObject({ code: 403 });
});

test('kube-scheduler binds a pod to the one node its nodeSelector matches', async () => {
  const kc = plane.kubeConfig();
  await createFakeNode(kc, 'node-rhel9', { labels: { 'machine-type.kvfleet.io/pc-q35-rhel9.6.0': 'true' } });
  await createFakeNode(kc, 'node-rhel10', { labels: { 'machine-type.kvfleet.io/pc-q35-rhel10.0.0': 'true' } });
  const ns = await createTestNamespace(kc, 'sched');
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedPod({
    namespace: ns,
    body: {
      metadata: { name: 'p' },
      spec: { nodeSelector: { 'machine-type.kvfleet.io/pc-q35-rhel10.0.0': 'true' }, containers: [{ name: 'c', image: 'example.invalid/none:1' }] },
    },
  });
  const node = await until(async () => (await core.readNamespacedPod({ name: 'p', namespace: ns })).spec?.nodeName, { timeoutMs: 30_000, what: 'the pod to be bound' });
  expect(node).toBe('node-rhel10');
});

test('stop ends every process and removes the temporary folder', async () => {
  const extra = await startControlPlane();
  expect(existsSync(extra.dir)).toBe(true);
  await extra.stop();
  expect(existsSync(extra.dir)).toBe(false);
  await expect(fetch(`${extra.server.replace('https', 'http')}/healthz`)).rejects.toThrow();
});
