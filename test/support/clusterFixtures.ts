/**
 * SYNTHETIC cluster definitions for tests and the bench. One builder holds what every test cluster
 * repeats (Kubernetes 1.33, KubeVirt 1.6.2, no Kube-OVN, an Argo CD destination named after the
 * cluster); a test states only what its assertions depend on: pool names, releases, upgrades, the
 * KubeVirt version. The example fleet lives in clusters/; tests about it import those files.
 */
import { type ClusterDefinition, defineCluster } from '../../fleet/clusterDefinition.js';

type ClusterInput = Parameters<typeof defineCluster>[0];
export type TestPool = ClusterInput['nodePools'][number];

/** The label test pools select their nodes by, with the pool's name as value. */
export const TEST_POOL_LABEL = 'node.example.com/pool';

/** A pool of two nodes labelled `node.example.com/pool: <name>`; `more` adds or replaces fields. */
export function testPool(name: string, hypervisor: TestPool['hypervisor'], more: Partial<TestPool> = {}): TestPool {
  return { name, nodeSelector: { [TEST_POOL_LABEL]: name }, hypervisor, nodeCount: 2, ...more };
}

/**
 * A synthetic cluster; `overrides` replace whole fields.
 * @default two pools, `rhel96` (RHEL 9.6) and `rhel10` (RHEL 10.0), on KubeVirt 1.6.2
 */
export function testCluster(overrides: Partial<ClusterInput> = {}): ClusterDefinition {
  const name = overrides.name ?? 'synthetic';
  return defineCluster({
    name,
    kubernetesVersion: '1.33',
    kubevirtVersion: '1.6.2',
    kubeOvn: 'none',
    argocd: { name },
    nodePools: [testPool('rhel96', 'rhel-9.6'), testPool('rhel10', 'rhel-10.0')],
    ...overrides,
  });
}

/**
 * A cluster in the middle of a RHEL 9 → 10 upgrade: `rhel9` (RHEL 9.6, planned to move to 10.0),
 * `rhel10` (already on 10.0) and `rhel93` (RHEL 9.3, which keeps the RHEL 7.6/8.x types).
 */
export function upgradingTestCluster(overrides: Partial<ClusterInput> = {}): ClusterDefinition {
  return testCluster({
    name: 'synthetic-upgrading',
    nodePools: [testPool('rhel9', 'rhel-9.6', { upgradeTo: 'rhel-10.0' }), testPool('rhel10', 'rhel-10.0'), testPool('rhel93', 'rhel-9.3')],
    ...overrides,
  });
}
