// Upstream QEMU machine types (pc-q35-X.Y) with Kube-OVN keeping VM IPs across migrations; one
// pool is about to move to QEMU 11.0, which deprecates the 8.x types.
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
      name: 'qemu-10-1',
      nodeSelector: { 'edge.example.net/hypervisor': 'qemu-10.1' },
      hypervisor: 'qemu-10.1',
      upgradeTo: 'qemu-11.0',
      nodeCount: 3,
    },
    {
      name: 'qemu-10-0',
      nodeSelector: { 'edge.example.net/hypervisor': 'qemu-10.0' },
      hypervisor: 'qemu-10.0',
      nodeCount: 2,
    },
  ],
  migration: { fallbackAttempts: 2 },
  // Edge sites share a thin uplink between nodes: few migrations at once, each capped.
  kubevirt: { migrations: { parallelMigrationsPerCluster: 2, parallelOutboundMigrationsPerNode: 1, bandwidthPerMigration: '128Mi' } },
  acceptedKnownIssues: {
    'kubevirt#18087': 'KubeVirt 1.9 is not yet qualified for the edge image; the VMI pod-count alert pages the on-call, who stops the VM',
  },
});
