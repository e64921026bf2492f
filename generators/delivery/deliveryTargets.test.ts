import { describe, expect, test } from 'vitest';
import { type FleetConfig, fleetConfigSchema } from '../../fleet/fleetConfigSchema.js';
import { testCluster } from '../../testbed/support/clusterFixtures.js';
import { chartApplicationName, deliveryProblems, deliveryTarget, type FleetMember } from './deliveryTargets.js';

const FLEET_FILE = 'kvfleet.config.ts';
const fleet: FleetConfig = fleetConfigSchema.parse({
  repoURL: 'https://git.example.com/platform/fleet.git',
  targetRevision: 'main',
  argocd: { project: 'platform-kvfleet' },
  stages: [{ name: 'canary' }, { name: 'early' }, { name: 'production' }],
});
const member = (cluster: ReturnType<typeof testCluster>): FleetMember => ({ file: `clusters/${cluster.name}.ts`, definition: cluster });
const problemsOf = (...clusters: ReturnType<typeof testCluster>[]) => deliveryProblems(clusters.map(member), fleet, FLEET_FILE).map(String);

describe('a cluster is delivered', () => {
  test('to the destination, project and stage its definition names', () => {
    const cluster = testCluster({ name: 'a', argocd: { server: 'https://api.a.example.com:6443', project: 'team-a', stage: 'early' }, namespace: 'kvfleet' });
    expect(deliveryTarget(cluster, fleet)).toEqual({
      cluster: 'a',
      destination: { server: 'https://api.a.example.com:6443' },
      project: 'team-a',
      stage: 'early',
      namespace: 'kvfleet',
      charts: [],
    });
  });

  test("in the fleet's last stage and default project when its definition names neither", () => {
    const target = deliveryTarget(testCluster({ name: 'b', argocd: { name: 'b' } }), fleet);
    expect(target).toMatchObject({ destination: { name: 'b' }, project: 'platform-kvfleet', stage: 'production', namespace: 'kvfleet-system' });
  });

  test('with a Kube-OVN chart Application when the definition installs Kube-OVN from a chart', () => {
    const cluster = testCluster({ name: 'ovn', kubeOvn: { version: '1.15.14', install: { chart: 'kube-ovn-v2', version: 'v1.15.14' } } });
    const [chart] = deliveryTarget(cluster, fleet).charts;
    expect(chart).toMatchObject({ name: 'kube-ovn', chart: 'kube-ovn-v2', namespace: 'kube-system', valuesFile: 'dist/ovn/values/kube-ovn.yaml' });
    expect(chartApplicationName('ovn', chart!)).toBe('kvfleet-ovn-kube-ovn');
  });
});

describe('fleet-wide delivery problems name the file, the field, the value and the fix', () => {
  test('a stage the fleet configuration does not list, with the nearest one suggested', () => {
    expect(problemsOf(testCluster({ name: 'a', argocd: { name: 'a', stage: 'canry' } }))).toEqual([
      'clusters/a.ts: argocd.stage: "canry" is not a rollout stage of kvfleet.config.ts (canary, early, production)\n' +
        '  did you mean "canary"? use one of canary, early, production (in rollout order), leave it out for "production", or add { name: "canry" } to stages in kvfleet.config.ts',
    ]);
  });

  test('a stage with no near match gets no guess', () => {
    const [problem] = problemsOf(testCluster({ name: 'a', argocd: { name: 'a', stage: 'staging' } }));
    expect(problem).toMatch(/^clusters\/a\.ts: argocd\.stage: "staging" is not a rollout stage/);
    expect(problem).toMatch(/\n {2}use one of canary, early, production/);
  });

  test('every known stage, and none at all, is fine', () => {
    expect(problemsOf(...['canary', 'early', 'production', undefined].map((stage, i) => testCluster({ name: `c${i}`, argocd: { name: `c${i}`, stage } })))).toEqual([]);
  });

  test('two definitions with one destination cluster', () => {
    const server = 'https://api.shared.example.com:6443';
    expect(problemsOf(testCluster({ name: 'a', argocd: { server } }), testCluster({ name: 'b', argocd: { server: `${server}/` } }))).toEqual([
      `clusters/b.ts: argocd.server: "${server}/" is also the Argo CD destination of clusters/a.ts\n` +
        '  give every cluster definition its own destination cluster: two Applications syncing kvfleet into one cluster would fight over (and prune) the same objects',
    ]);
  });

  test('a chart Application named like the Application of another cluster', () => {
    const ovn = { version: '1.15.14', install: { chart: 'kube-ovn' as const, version: 'v1.15.14' } };
    const [problem] = problemsOf(testCluster({ name: 'edge', kubeOvn: ovn }), testCluster({ name: 'edge-kube-ovn' }));
    expect(problem).toMatch(
      /^clusters\/edge\.ts: name: the Application of its kube-ovn chart would be named "kvfleet-edge-kube-ovn", as an Application of clusters\/edge-kube-ovn\.ts is/,
    );
  });

  test("a project named like another project's chart project", () => {
    const ovn = { version: '1.15.14', install: { chart: 'kube-ovn' as const, version: 'v1.15.14' } };
    const [problem] = problemsOf(
      testCluster({ name: 'a', kubeOvn: ovn, argocd: { name: 'a', project: 'team' } }),
      testCluster({ name: 'b', argocd: { name: 'b', project: 'team-charts' } }),
    );
    expect(problem).toMatch(/^clusters\/a\.ts: argocd\.project: the chart Applications of project "team" go to project "team-charts", which other clusters use/);
  });
});
