// KubeVirt 1.6 (addedNodeSelector available) running VMs pinned to RHEL 8 machine types across
// two RHEL 9 minor releases; the 9.3 pool lacks the 9.4/9.6 types that the 9.6 pool defaults to.
import { defineCluster } from '../fleet/clusterDefinition.js';

export default defineCluster({
  name: 'legacy-apps',
  kubernetesVersion: '1.33',
  kubevirtVersion: '1.6.2',
  kubeOvn: 'none',
  argocd: { name: 'legacy-apps', project: 'virtualization', version: '3.5.1', stage: 'production' },
  nodePools: [
    {
      name: 'rhel93',
      nodeSelector: { 'node.example.com/pool': 'rhel93' },
      hypervisor: 'rhel-9.3',
      upgradeTo: 'rhel-9.6',
      nodeCount: 6,
    },
    {
      name: 'rhel96',
      nodeSelector: { 'node.example.com/pool': 'rhel96' },
      hypervisor: 'rhel-9.6',
      nodeCount: 6,
    },
  ],
  kubevirt: {
    // OpenShift Virtualization: HCO owns the KubeVirt CR, so kvfleet writes values/hco-migrations.yaml
    // for the HyperConverged CR instead.
    configOwner: 'hco',
    migrations: { parallelOutboundMigrationsPerNode: 1, completionTimeoutPerGiB: 300 },
    migrationPolicies: [
      {
        // The RHEL 8-era applications are memory-busy Java monoliths pinned to RHEL 8 machine types.
        name: 'rhel8-pinned',
        selectors: { namespaceSelector: { 'example.com/workload-class': 'legacy' } },
        allowAutoConverge: true,
        bandwidthPerMigration: '512Mi',
        completionTimeoutPerGiB: 600,
      },
    ],
  },
  acceptedKnownIssues: {
    'kubevirt#18087': 'stays on KubeVirt 1.6 until kubevirt#16386 is fixed; the 1.6 backport (#18255) is awaited, looping VMIs are stopped by hand',
  },
});
