// An edge site with amd64 and arm64 nodes (the one place where nodes of a cluster really offer
// different machine types: q35/pc-q35-rhel* against virt/virt-rhel*) and Kube-OVN keeping VM IPs across
// migrations. KubeVirt 1.8 is planned; its launcher adds the RHEL 9.8 types and drops none.
import { defineCluster } from '../fleet/clusterDefinition.js';

export default defineCluster({
  name: 'edge-ovn',
  kubernetesVersion: '1.34',
  kubevirtVersion: '1.7.0',
  kubeOvn: {
    version: '1.15.14',
    podNetworkMasquerade: 'warn',
    // kvfleet writes the migration flags into values/kube-ovn.yaml for the chart Argo CD installs.
    install: { chart: 'kube-ovn-v2', version: 'v1.15.14' },
    subnets: [
      {
        // The VMs' network: a VM keeps its address across migrations (keep-vm-ip); .1–.10 are the
        // site routers'.
        name: 'edge-vms',
        cidrBlock: '10.66.0.0/16',
        excludeIps: ['10.66.0.1..10.66.0.10'],
        namespaces: ['edge-vms'],
        natOutgoing: true,
      },
    ],
  },
  argocd: { server: 'https://edge-ovn.example.net:6443', version: '3.5.1', stage: 'canary' },
  nodePools: [
    {
      name: 'edge-amd64',
      nodeSelector: { 'kubernetes.io/arch': 'amd64', 'edge.example.net/vm-host': 'true' },
      architecture: 'amd64',
      nodeCount: 3,
    },
    {
      name: 'edge-arm64',
      nodeSelector: { 'kubernetes.io/arch': 'arm64', 'edge.example.net/vm-host': 'true' },
      architecture: 'arm64',
      nodeCount: 2,
    },
  ],
  plannedSteps: [{ kind: 'kubevirt-upgrade', to: '1.8.0' }],
  migration: { fallbackAttempts: 2 },
  // Edge sites share a thin uplink between nodes: few migrations at once, each capped.
  kubevirt: { migrations: { parallelMigrationsPerCluster: 2, parallelOutboundMigrationsPerNode: 1, bandwidthPerMigration: '128Mi' } },
  acceptedKnownIssues: {
    'kubevirt#18087': 'KubeVirt 1.9 is not yet qualified for the edge image; the VMI pod-count alert pages the on-call, who stops the VM',
  },
});
