import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { type FleetConfig } from '../../fleet/fleetConfigSchema.js';
import { testCluster } from '../../testbed/support/clusterFixtures.js';
import { ClusterChart } from '../clusterChart.js';
import { fleetObservabilityFor, monitoringProblems } from './clusterObservability.js';

const east = testCluster({ name: 'east' });
const west = testCluster({ name: 'west' });
const fleet = (monitoring?: FleetConfig['monitoring']): FleetConfig => ({
  repoURL: 'https://git.example.com/platform/fleet.git',
  targetRevision: 'main',
  stages: [{ name: 'production' }],
  ...(monitoring ? { monitoring } : {}),
});
const kindsAndNames = (cluster = east, f?: FleetConfig) =>
  Testing.synth(new ClusterChart(Testing.app(), cluster.name, { cluster, observability: fleetObservabilityFor(cluster.name, [east, west], f) }))
    .filter((o) => o.apiVersion.startsWith('monitoring.coreos.com') || o.metadata.labels?.grafana_dashboard === '1')
    .map((o) => `${o.kind}/${o.metadata.name}`);

describe('every cluster chart', () => {
  test('carries its rules, both monitors and its dashboard', () => {
    expect(kindsAndNames()).toEqual([
      'PrometheusRule/kvfleet',
      'ServiceMonitor/kvfleet-migration-controller',
      'PodMonitor/kvfleet-node-labeller',
      'ConfigMap/kvfleet-dashboard',
    ]);
  });

  test('links the runbooks of this repository at the revision Argo CD deploys', () => {
    expect(fleetObservabilityFor('east', [east, west], fleet()).runbooksUrl).toBe('https://git.example.com/platform/fleet/blob/main/docs/runbooks.md');
    expect(fleetObservabilityFor('east', [east, west], undefined)).toEqual({});
  });
});

describe('the fleet dashboard', () => {
  test('goes to the cluster kvfleet.config.ts names, and only there', () => {
    const f = fleet({ fleetDashboardCluster: 'west' });
    expect(kindsAndNames(west, f)).toContain('ConfigMap/kvfleet-fleet-dashboard');
    expect(kindsAndNames(east, f)).not.toContain('ConfigMap/kvfleet-fleet-dashboard');
    expect(kindsAndNames(east, fleet())).not.toContain('ConfigMap/kvfleet-fleet-dashboard');
  });

  test('naming a cluster the fleet does not have is an error with the fix', () => {
    expect(monitoringProblems(['east', 'west'], fleet({ fleetDashboardCluster: 'wset' }), 'kvfleet.config.ts').map((p) => p.toString())).toEqual([
      'kvfleet.config.ts: monitoring.fleetDashboardCluster: "wset" is not a cluster of the fleet (east, west)\n  did you mean "west"? name the cluster whose Grafana reads every cluster\'s metrics, or leave the field out for no fleet dashboard',
    ]);
    expect(monitoringProblems(['east', 'west'], fleet({ fleetDashboardCluster: 'west' }), 'kvfleet.config.ts')).toEqual([]);
    // A cluster whose own definition failed: its file's errors are the cause, this would only be their consequence.
    expect(monitoringProblems(['east'], fleet({ fleetDashboardCluster: 'west' }), 'kvfleet.config.ts', ['west'])).toEqual([]);
  });
});
