// KubeVirt 1.5.0, before the native machine-type labels and selector of 1.5.1: kvfleet labels the
// nodes and steers migration target pods itself. Mid-way through a RHEL 9.6 → 10.0 node OS upgrade,
// which changes no machine type (every node runs the cluster's one CentOS Stream 9 launcher), then
// KubeVirt 1.6.2, whose launcher keeps QEMU 9.1 and so every type.
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
      os: 'rhel-9.6',
      nodeCount: 12,
    },
    {
      name: 'rhel10-compute',
      nodeSelector: { 'node.example.com/os-release': 'rhel-10.0' },
      os: 'rhel-10.0',
      nodeCount: 4,
    },
  ],
  plannedSteps: [
    { kind: 'node-os-upgrade', pool: 'rhel9-compute', to: 'rhel-10.0' },
    { kind: 'kubevirt-upgrade', to: '1.6.2' },
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
    'kubevirt#18087': 'KubeVirt 1.9 follows the RHEL 10 node upgrade and 1.6; drains are watched and a looping VMI is stopped by hand',
  },
});
