// What is true of the whole fleet rather than of one cluster: where Argo CD reads dist/ from, and
// the order in which a change rolls out (fleet/fleetConfigSchema.ts documents every field).
import { defineFleet } from './fleet/fleetConfigSchema.js';

export default defineFleet({
  repoURL: 'https://git.example.com/platform/kvfleet-fleet.git', // this repository, as Argo CD clones it
  targetRevision: 'main',
  argocd: { namespace: 'argocd', project: 'kvfleet' },
  // Rollout order: a change reaches production only once every canary cluster is Healthy.
  stages: [{ name: 'canary' }, { name: 'production', maxUpdate: '50%' }],
  // The fleet dashboard goes to the cluster whose Grafana reads every cluster's metrics.
  monitoring: { fleetDashboardCluster: 'prod-east' },
});
