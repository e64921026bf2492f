// Mid-upgrade from RHEL 9.6 to RHEL 10.0 on KubeVirt 1.5.0: no addedNodeSelector and no native
// machine-type labels (those came with 1.5.1), so kvfleet steers migration target pods and labels the nodes itself.
import { defineCluster } from '../policies/clusterDefinition.js';

export default defineCluster({
  name: 'prod-east',
  kubernetesVersion: '1.32',
  kubevirtVersion: '1.5.0',
  kubeOvn: 'none',
  argocd: { server: 'https://api.prod-east.example.com:6443', project: 'virtualization' },
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
});
