import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { type ClusterDefinition } from '../../fleet/clusterDefinition.js';
import { type FleetConfig, fleetConfigSchema } from '../../fleet/fleetConfigSchema.js';
import { isApplicationDestinationPermitted, isResourcePermitted, type Obj, renderApplications, rolloutStepsOf } from '../../testbed/support/argoCd.js';
import { testCluster } from '../../testbed/support/clusterFixtures.js';
import { ClusterChart } from '../clusterChart.js';
import { ArgoCdChart } from './argoCdChart.js';
import { deliveryTarget } from './deliveryTargets.js';

// SYNTHETIC fleet: a canary cluster with the Kube-OVN chart, two production clusters in two projects.
const fleet: FleetConfig = fleetConfigSchema.parse({
  repoURL: 'https://git.example.com/platform/fleet.git',
  targetRevision: 'main',
  stages: [{ name: 'canary' }, { name: 'production', maxUpdate: 1 }],
});
const clusters = [
  testCluster({
    name: 'canary-a',
    argocd: { server: 'https://api.canary-a.example.com:6443', stage: 'canary' },
    kubeOvn: { version: '1.15.14', install: { chart: 'kube-ovn', version: 'v1.15.14' } },
  }),
  testCluster({ name: 'prod-b', argocd: { name: 'prod-b', project: 'team-b', stage: 'production' } }),
  testCluster({ name: 'prod-c', argocd: { server: 'https://api.prod-c.example.com:6443' }, namespace: 'kvfleet' }),
];

function synth(defs: readonly ClusterDefinition[] = clusters): { objects: Obj[]; manifests: Map<string, Obj[]> } {
  const manifests = new Map(defs.map((c) => [c.name, Testing.synth(new ClusterChart(Testing.app(), c.name, { cluster: c })) as Obj[]]));
  const chart = new ArgoCdChart(Testing.app(), 'argocd', {
    fleet,
    clusters: defs.map((c) => ({ target: deliveryTarget(c, fleet), manifests: manifests.get(c.name) as never })),
  });
  return { objects: Testing.synth(chart), manifests };
}

const { objects, manifests } = synth();
const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;
const appSet = find('ApplicationSet', 'kvfleet');
const apps = renderApplications(appSet);
const app = (cluster: string) => apps.find((a) => a.metadata.labels['kvfleet.io/cluster'] === cluster)!;

test('the Argo CD objects of a synthetic fleet', () => {
  expect(objects).toMatchSnapshot();
});

test('one AppProject per project, one for the projects with charts, and one ApplicationSet each for cluster folders and charts', () => {
  expect(objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual([
    'AppProject argocd/kvfleet',
    'AppProject argocd/kvfleet-charts',
    'AppProject argocd/team-b',
    'ApplicationSet argocd/kvfleet',
    'ApplicationSet argocd/kvfleet-charts',
  ]);
  expect(synth(clusters.slice(1)).objects.map((o) => o.kind)).not.toContain('kvfleet-charts');
  expect(synth(clusters.slice(1)).objects.filter((o) => o.metadata.name.endsWith('-charts'))).toEqual([]);
});

describe('staged rollout', () => {
  test('one RollingSync step per stage, in the order of the fleet configuration, with its maxUpdate', () => {
    expect(appSet.spec.strategy).toEqual({
      type: 'RollingSync',
      rollingSync: {
        steps: [
          { matchExpressions: [{ key: 'kvfleet.io/stage', operator: 'In', values: ['canary'] }] },
          { matchExpressions: [{ key: 'kvfleet.io/stage', operator: 'In', values: ['production'] }], maxUpdate: 1 },
        ],
      },
    });
  });

  test("each Application carries its cluster's stage and is selected by exactly that stage's step", () => {
    for (const c of clusters) {
      const stage = deliveryTarget(c, fleet).stage;
      expect(app(c.name).metadata.labels['kvfleet.io/stage']).toBe(stage);
      expect(rolloutStepsOf(appSet, app(c.name))).toEqual([fleet.stages.findIndex((s) => s.name === stage)]);
    }
  });

  test('the chart Applications roll out by the same steps', () => {
    const chartSet = find('ApplicationSet', 'kvfleet-charts');
    expect(chartSet.spec.strategy).toEqual(appSet.spec.strategy);
    const [chartApp] = renderApplications(chartSet);
    expect(rolloutStepsOf(chartSet, chartApp!)).toEqual([0]);
  });
});

describe('Applications', () => {
  test("sync their cluster's folder of this repository, not recursively, into kvfleet's namespace by server or by name", () => {
    expect(app('prod-c').spec).toMatchObject({
      project: 'kvfleet',
      source: { repoURL: fleet.repoURL, targetRevision: 'main', path: 'dist/prod-c', directory: { recurse: false } },
      destination: { server: 'https://api.prod-c.example.com:6443', name: '', namespace: 'kvfleet' },
    });
    expect(app('prod-b').spec.destination).toEqual({ server: '', name: 'prod-b', namespace: 'kvfleet-system' });
    expect(app('prod-b').spec.project).toBe('team-b');
  });

  test('apply server-side, compare server-side with mutating webhooks included, and prune', () => {
    for (const a of apps) {
      expect(a.spec.syncPolicy).toEqual({ automated: { prune: true }, syncOptions: ['ServerSideApply=true'] });
      expect(a.metadata.annotations['argocd.argoproj.io/compare-options']).toBe('ServerSideDiff=true,IncludeMutationWebhook=true');
    }
  });

  test("no object carries a tracking label of kvfleet's own: no label value names an Application (Argo CD tracks them by its annotation)", () => {
    const names = new Set(apps.map((a) => a.metadata.name));
    for (const [cluster, objects] of manifests) {
      const labelValues = objects.flatMap((o) => [o.metadata.labels ?? {}, o.spec?.template?.metadata?.labels ?? {}]).flatMap((l: Obj) => Object.values(l));
      expect(
        labelValues.filter((v) => names.has(v)),
        cluster,
      ).toEqual([]);
    }
  });

  test('a chart Application installs the chart with the values file of its cluster folder as a $values ref', () => {
    const [chartApp] = renderApplications(find('ApplicationSet', 'kvfleet-charts'));
    expect(chartApp!.metadata.name).toBe('kvfleet-canary-a-kube-ovn');
    expect(chartApp!.spec).toMatchObject({
      project: 'kvfleet-charts',
      destination: { server: 'https://api.canary-a.example.com:6443', name: '', namespace: 'kube-system' },
      sources: [
        {
          repoURL: 'https://kubeovn.github.io/kube-ovn/',
          chart: 'kube-ovn',
          targetRevision: 'v1.15.14',
          helm: { releaseName: 'kube-ovn', valueFiles: ['$values/dist/canary-a/values/kube-ovn.yaml'] },
        },
        { repoURL: fleet.repoURL, targetRevision: 'main', ref: 'values' },
      ],
    });
  });
});

describe('AppProjects', () => {
  test("permit each Application's destination and every object of its cluster, and nothing of another project's cluster", () => {
    for (const c of clusters) {
      const a = app(c.name);
      const project = find('AppProject', a.spec.project);
      expect(isApplicationDestinationPermitted(project, a)).toBe(true);
      const destination = { server: a.spec.destination.server || undefined, name: a.spec.destination.name || undefined };
      for (const o of manifests.get(c.name)!)
        expect(isResourcePermitted(project, destination, a.spec.destination.namespace, o, !!o.metadata.namespace), `${o.kind} ${o.metadata.name}`).toBe(true);
    }
    const teamB = find('AppProject', 'team-b');
    expect(teamB.spec.destinations).toEqual([{ name: 'prod-b', namespace: 'kvfleet-system' }]);
    expect(isApplicationDestinationPermitted(teamB, app('prod-c'))).toBe(false);
  });

  test('list cluster-scoped objects by name and namespaced ones by kind, and only this repository as a source', () => {
    const project = find('AppProject', 'kvfleet');
    expect(project.spec.sourceRepos).toEqual([fleet.repoURL]);
    expect(project.spec.clusterResourceWhitelist).toContainEqual({ group: '', kind: 'Namespace', name: 'kvfleet' });
    expect(project.spec.clusterResourceWhitelist).toContainEqual({ group: '', kind: 'Namespace', name: 'kvfleet-system' });
    expect(project.spec.clusterResourceWhitelist.every((i: Obj) => typeof i.name === 'string' && i.name.length > 0)).toBe(true);
    expect(project.spec.namespaceResourceWhitelist).toContainEqual({ group: 'apps', kind: 'DaemonSet' });
    expect(project.spec.namespaceResourceWhitelist.some((i: Obj) => 'name' in i)).toBe(false);
  });

  test("the charts' project takes the chart repository and this one, and only the chart's namespace on its clusters", () => {
    const project = find('AppProject', 'kvfleet-charts');
    expect(project.spec.sourceRepos).toEqual([fleet.repoURL, 'https://kubeovn.github.io/kube-ovn/'].sort());
    expect(project.spec.destinations).toEqual([{ server: 'https://api.canary-a.example.com:6443', namespace: 'kube-system' }]);
  });
});
