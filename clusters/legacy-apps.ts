// KubeVirt 1.6 (native machine-type labels, addedNodeSelector) running RHEL 8-era VMs pinned to
// pc-q35-rhel8.x. The platform plans KubeVirt 1.7, 1.8 and then its own CentOS Stream 10 build of the
// launcher, whose QEMU drops every RHEL 7/8 machine type: `kvfleet plan` names the VMs to restart first.
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
      os: 'rhel-9.3',
      nodeCount: 6,
    },
    {
      name: 'rhel96',
      nodeSelector: { 'node.example.com/pool': 'rhel96' },
      os: 'rhel-9.6',
      nodeCount: 6,
    },
  ],
  plannedSteps: [
    { kind: 'kubevirt-upgrade', to: '1.7.0' },
    { kind: 'kubevirt-upgrade', to: '1.8.0' },
    // Upstream publishes no CS10 launcher; this is the platform team's own `--config=cs10` build.
    { kind: 'launcher-switch', build: 'centos-stream-10', image: 'registry.example.com/platform/virt-launcher:v1.8.0-cs10' },
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
    'kubevirt#16386':
      'the 1.7 step is done in a maintenance window: every VM started on 1.6 is restarted after it (the RHEL 8-pinned ones onto the type plan names), none is live-migrated',
    'kubevirt#18087': 'the planned 1.7 and 1.8 steps still carry it; the backports (#18255, #18254) are awaited, looping VMIs are stopped by hand',
  },
});
