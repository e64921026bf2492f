// Mid-upgrade from RHEL 9.6 to RHEL 10.0 on KubeVirt 1.5.0: no addedNodeSelector and no native
// machine-type labels (those came with 1.5.1), so kvfleet steers migration target pods and labels the nodes itself.
import { defineCluster } from '../fleet/clusterDefinition.js';

export default defineCluster({
  name: 'prod-east',
  kubernetesVersion: '1.32',
  kubevirtVersion: '1.5.0',
  kubeOvn: 'none',
  argocd: { server: 'https://api.prod-east.example.com:6443', project: 'virtualization', version: '3.5.1', stage: 'production' },
  nodePools: [
    {
      name: 'rhel9-compute',
      nodeSelector: { 'node.example.com/os-release': 'rhel-9.6' },
      hypervisor: 'rhel-9.6',
      upgradeTo: 'rhel-10.0',
      nodeCount: 12,
    },
    {
      name: 'rhel10-compute',
      nodeSelector: { 'node.example.com/os-release': 'rhel-10.0' },
      hypervisor: 'rhel-10.0',
      nodeCount: 4,
    },
  ],
  migration: { fallbackAttempts: 3, unschedulableTimeoutSeconds: 90 },
  kubevirt: {
    // virt-operator's own KubeVirt CR (kubevirt/kubevirt): kvfleet applies only spec.configuration.migrations.
    configOwner: 'kubevirt-cr',
    migrations: {
      parallelMigrationsPerCluster: 8,
      bandwidthPerMigration: '1Gi',
      progressTimeout: 300,
      // A macvlan NetworkAttachmentDefinition on the 25G storage NIC, created by the platform team in
      // the kubevirt namespace.
      network: 'migration-net',
    },
    migrationPolicies: [
      {
        // Databases of 256 GiB and more: give them longer and let QEMU slow their vCPUs rather than
        // fail the drain of the RHEL 10 upgrade.
        name: 'large-vms',
        selectors: { virtualMachineInstanceSelector: { 'workload.example.com/size': 'large' } },
        allowAutoConverge: true,
        completionTimeoutPerGiB: 300,
        allowWorkloadDisruption: false,
      },
    ],
  },
  acceptedKnownIssues: {
    'kubevirt#18087': 'the upgrade to KubeVirt 1.9 follows the RHEL 10 node upgrade; drains are watched and a looping VMI is stopped by hand',
  },
});
