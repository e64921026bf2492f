// Upstream QEMU machine types (pc-q35-X.Y) with Kube-OVN keeping VM IPs across migrations; one
// pool is about to move to QEMU 11.0, which deprecates the 8.x types.
import { defineCluster } from '../policies/clusterDefinition.js';

export default defineCluster({
  name: 'edge-ovn',
  kubernetesVersion: '1.34',
  kubevirtVersion: '1.7.0',
  kubeOvn: { version: '1.15.14', podNetworkMasquerade: 'warn' },
  argocd: { server: 'https://edge-ovn.example.net:6443' },
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
});
