/**
 * SYNTHETIC cluster definitions for tests and the bench. One builder holds what every test cluster
 * repeats (Kubernetes 1.33, KubeVirt 1.6.2, no Kube-OVN, an Argo CD destination named after the
 * cluster); a test states only what its assertions depend on: pool names, architectures, planned steps,
 * the KubeVirt version. The example fleet lives in clusters/; tests about it import those files.
 */
import { type ClusterDefinition, defineCluster } from '../../fleet/clusterDefinition.js';

type ClusterInput = Parameters<typeof defineCluster>[0];
export type TestPool = ClusterInput['nodePools'][number];

/** The label test pools select their nodes by, with the pool's name as value. */
export const TEST_POOL_LABEL = 'node.example.com/pool';

/** A pool of two amd64 nodes labelled `node.example.com/pool: <name>`; `more` adds or replaces fields. */
export function testPool(name: string, more: Partial<TestPool> = {}): TestPool {
  return { name, nodeSelector: { [TEST_POOL_LABEL]: name }, nodeCount: 2, ...more };
}

/**
 * A synthetic cluster; `overrides` replace whole fields.
 * @default two amd64 pools, `east` and `west`, on KubeVirt 1.6.2 with the CentOS Stream 9 launcher
 */
export function testCluster(overrides: Partial<ClusterInput> = {}): ClusterDefinition {
  const name = overrides.name ?? 'synthetic';
  return defineCluster({
    name,
    kubernetesVersion: '1.33',
    kubevirtVersion: '1.6.2',
    kubeOvn: 'none',
    argocd: { name },
    nodePools: [testPool('east'), testPool('west')],
    ...overrides,
  });
}

/** The image a test names for a launcher upstream does not publish (CentOS Stream 10). */
export const TEST_CS10_LAUNCHER_IMAGE = 'registry.example.com/test/virt-launcher:v1.8.0-cs10';

/**
 * A cluster before launcher steps that drop types: KubeVirt 1.7.0 (CS9, QEMU 9.1), then 1.8.0 (CS9,
 * QEMU 10.1: adds the RHEL 9.8 types, drops none), then a switch to a CentOS Stream 10 build (drops
 * every RHEL 7.6/8.x type), with a node OS upgrade of `east` in between that changes nothing. Pools:
 * `east` and `west` (amd64, `east` on rhel-9.6) and `arm` (arm64).
 */
export function upgradingTestCluster(overrides: Partial<ClusterInput> = {}): ClusterDefinition {
  return testCluster({
    name: 'synthetic-upgrading',
    kubevirtVersion: '1.7.0',
    nodePools: [testPool('east', { os: 'rhel-9.6' }), testPool('west'), testPool('arm', { architecture: 'arm64' })],
    plannedSteps: [
      { kind: 'kubevirt-upgrade', to: '1.8.0' },
      { kind: 'node-os-upgrade', pool: 'east', to: 'rhel-10.0' },
      { kind: 'launcher-switch', build: 'centos-stream-10', image: TEST_CS10_LAUNCHER_IMAGE },
    ],
    ...overrides,
  });
}
