// KubeVirt 1.6 (addedNodeSelector available) running VMs pinned to RHEL 8 machine types across
// two RHEL 9 minor releases; the 9.3 pool lacks the 9.4/9.6 types that the 9.6 pool defaults to.
import { defineCluster } from '../policies/clusterDefinition.js';

export default defineCluster({
  name: 'legacy-apps',
  kubernetesVersion: '1.33',
  kubevirtVersion: '1.6.2',
  kubeOvn: 'none',
  argocd: { name: 'legacy-apps', project: 'virtualization' },
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
});
