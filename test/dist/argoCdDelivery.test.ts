/**
 * The committed Argo CD objects (dist/_argocd/) against the committed cluster folders, read the way
 * Argo CD reads them (testbed/support/argoCd.ts): they point at exactly the folders and values files
 * that exist, every cluster is in exactly one rollout step with the canary stage first, and each
 * AppProject permits exactly what its clusters' folders hold.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { isDnsLabel } from '../../compatibility/labelKeys.js';
import { ARGOCD_FOLDER } from '../../generators/delivery/argoCdChart.js';
import { chartValuesSources } from '../../generators/delivery/chartValues.js';
import { SYNC_WAVE_ANNOTATION } from '../../generators/delivery/syncWaves.js';
import { loadFleet } from '../../fleet/loadFleet.js';
import fleet from '../../kvfleet.config.js';
import { projectDir } from '../../testbed/harness/toolPaths.js';
import {
  isApplicationDestinationPermitted,
  isResourcePermitted,
  type Obj,
  renderApplications,
  rolloutStepsOf,
  usesGlob,
  yamlObjects,
} from '../../testbed/support/argoCd.js';

const distDir = join(projectDir, 'dist');
const argocd = yamlObjects(join(distDir, ARGOCD_FOLDER));
const clusterFolders = readdirSync(distDir, { withFileTypes: true })
  .filter((e) => e.isDirectory() && e.name !== ARGOCD_FOLDER)
  .map((e) => e.name)
  .sort();
const appSets = argocd.filter((o) => o.kind === 'ApplicationSet');
const projects = new Map(argocd.filter((o) => o.kind === 'AppProject').map((p) => [p.metadata.name as string, p]));
const applications = appSets.flatMap((s) => renderApplications(s).map((app) => ({ appSet: s, app })));
/** The Applications that sync a cluster's own folder (a directory source). */
const folderApps = applications.filter(({ app }) => app.spec.source?.directory);
const chartApps = applications.filter(({ app }) => app.spec.sources);

const destinationOf = (app: Obj) => ({ server: app.spec.destination.server || undefined, name: app.spec.destination.name || undefined });

test('dist/ holds the fleet folder and one folder per cluster, and no cluster can be named like the fleet folder', () => {
  expect(readdirSync(distDir).sort()).toEqual([ARGOCD_FOLDER, ...clusterFolders].sort());
  expect(isDnsLabel(ARGOCD_FOLDER)).toBe(false); // cluster names are DNS labels
  expect(clusterFolders.every(isDnsLabel)).toBe(true);
});

test('the Applications point at exactly the cluster folders of dist/, as non-recursive directories of this repository', () => {
  expect(folderApps.map(({ app }) => app.spec.source.path).sort()).toEqual(clusterFolders.map((c) => `dist/${c}`));
  for (const { app } of folderApps) {
    expect(app.spec.source).toMatchObject({ repoURL: fleet.repoURL, targetRevision: fleet.targetRevision, directory: { recurse: false } });
    expect(app.metadata.labels['kvfleet.io/cluster']).toBe(app.spec.source.path.slice('dist/'.length));
  }
});

test('every chart Application takes its values from a file that exists in its cluster folder, and every chart source of a definition has its Application', async () => {
  const referenced = chartApps.map(({ app }) => {
    const [chart, values] = app.spec.sources as Obj[];
    expect(values).toEqual({ repoURL: fleet.repoURL, targetRevision: fleet.targetRevision, ref: 'values' });
    expect(chart!.helm.valueFiles).toHaveLength(1);
    const file = (chart!.helm.valueFiles[0] as string).replace(/^\$values\//, '');
    expect(file.startsWith(`dist/${app.metadata.labels['kvfleet.io/cluster']}/values/`), file).toBe(true);
    expect(existsSync(join(projectDir, file)), file).toBe(true);
    return file;
  });
  // Other files in values/ (a fragment for an operator that owns the KubeVirt CR) are documentation, not delivered.
  const { clusters } = await loadFleet(join(projectDir, 'clusters'), projectDir);
  expect(referenced.sort()).toEqual(clusters.flatMap((c) => chartValuesSources(c.definition).map((s) => s.valuesFile)).sort());
});

test('every Application names its destination cluster exactly one way and has a unique name', () => {
  for (const { app } of applications) {
    expect([app.spec.destination.server, app.spec.destination.name].filter(Boolean), app.metadata.name).toHaveLength(1);
  }
  const names = applications.map(({ app }) => app.metadata.name);
  expect(new Set(names).size).toBe(names.length);
});

describe('staged rollout', () => {
  test.each(appSets.map((s) => [s.metadata.name, s]))('%s: every Application is in exactly one rollout step, and the canary stage is first', (_name, appSet) => {
    expect(appSet.spec.strategy.type).toBe('RollingSync');
    const steps = appSet.spec.strategy.rollingSync.steps as Obj[];
    expect(steps.map((s) => s.matchExpressions[0].values)).toEqual(fleet.stages.map((s) => [s.name]));
    expect(steps[0]!.matchExpressions[0].values).toEqual(['canary']);
    // RollingSync evaluates only In and NotIn; anything else matches nothing.
    expect(steps.flatMap((s) => s.matchExpressions.map((e: Obj) => e.operator)).every((op: string) => op === 'In' || op === 'NotIn')).toBe(true);
    for (const app of renderApplications(appSet)) {
      expect(rolloutStepsOf(appSet, app), app.metadata.name).toHaveLength(1);
    }
  });

  test('a canary cluster exists, and the canary step goes before every production step', () => {
    const stageOf = (cluster: string) => folderApps.find(({ app }) => app.metadata.labels['kvfleet.io/cluster'] === cluster)!.app.metadata.labels['kvfleet.io/stage'];
    expect(clusterFolders.filter((c) => stageOf(c) === 'canary').length).toBeGreaterThan(0);
    const [first] = appSets;
    const step = (cluster: string) => rolloutStepsOf(first!, folderApps.find(({ app }) => app.metadata.labels['kvfleet.io/cluster'] === cluster)!.app)[0]!;
    for (const canary of clusterFolders.filter((c) => stageOf(c) === 'canary')) {
      for (const other of clusterFolders.filter((c) => stageOf(c) !== 'canary')) expect(step(canary)).toBeLessThan(step(other));
    }
  });
});

describe('AppProjects', () => {
  test('every Application is in a project of dist/_argocd, which permits its destination and takes no glob patterns', () => {
    for (const { app } of applications) {
      const project = projects.get(app.spec.project);
      expect(project, `${app.metadata.name}: project ${app.spec.project}`).toBeDefined();
      expect(isApplicationDestinationPermitted(project!, app), app.metadata.name).toBe(true);
      for (const source of (app.spec.sources ?? [app.spec.source]) as Obj[]) expect(project!.spec.sourceRepos).toContain(source.repoURL);
    }
    for (const project of projects.values()) {
      const { destinations, clusterResourceWhitelist, namespaceResourceWhitelist, sourceRepos } = project.spec;
      const values = [destinations, clusterResourceWhitelist, namespaceResourceWhitelist].flatMap((list: Obj[]) => list.flatMap((i) => Object.values(i)));
      expect([...values, ...sourceRepos].filter(usesGlob), project.metadata.name).toEqual([]);
      // An absent namespaced whitelist would permit every namespaced kind.
      expect(namespaceResourceWhitelist, project.metadata.name).toBeDefined();
    }
  });

  test.each(clusterFolders)('the project of dist/%s permits every object in it', (cluster) => {
    const { app } = folderApps.find(({ app }) => app.metadata.labels['kvfleet.io/cluster'] === cluster)!;
    const project = projects.get(app.spec.project)!;
    const refused = yamlObjects(join(distDir, cluster)).filter(
      (o) => !isResourcePermitted(project, destinationOf(app), app.spec.destination.namespace, o, !!o.metadata.namespace),
    );
    expect(refused.map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual([]);
  });

  test('each project permits no more than its clusters hold: its lists are exactly the kinds, names and namespaces of their folders', () => {
    for (const project of projects.values()) {
      const own = folderApps.filter(({ app }) => app.spec.project === project.metadata.name).map(({ app }) => app);
      if (own.length === 0) continue; // a project of chart Applications: kinds by chart, see chartResources.ts
      const objects = own.flatMap((app) => yamlObjects(join(distDir, app.metadata.labels['kvfleet.io/cluster'])).map((o) => ({ app, o })));
      const group = (o: Obj) => (String(o.apiVersion).includes('/') ? String(o.apiVersion).split('/')[0] : '');
      const set = (xs: string[]) => [...new Set(xs)].sort();
      expect(set(project.spec.clusterResourceWhitelist.map((i: Obj) => `${i.group}/${i.kind}/${i.name}`))).toEqual(
        set(objects.filter(({ o }) => !o.metadata.namespace).map(({ o }) => `${group(o)}/${o.kind}/${o.metadata.name}`)),
      );
      expect(set(project.spec.namespaceResourceWhitelist.map((i: Obj) => `${i.group}/${i.kind}`))).toEqual(
        set(objects.filter(({ o }) => o.metadata.namespace).map(({ o }) => `${group(o)}/${o.kind}`)),
      );
      const where = (d: Obj) => `${d.server || d.name} ${d.namespace}`;
      expect(set(project.spec.destinations.map(where))).toEqual(
        set([
          ...own.map((app) => where(app.spec.destination)),
          ...objects.filter(({ o }) => o.metadata.namespace).map(({ app, o }) => where({ ...app.spec.destination, namespace: o.metadata.namespace })),
        ]),
      );
    }
  });

  test('an object of a kind no cluster folder holds is refused, as a new kind in dist/ would be until synth updates the project', () => {
    const { app } = folderApps[0]!;
    const project = projects.get(app.spec.project)!;
    const ns = app.spec.destination.namespace;
    const newKinds = [
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'kvfleet-new', namespace: ns } },
      { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'kvfleet-new' } },
      // A known cluster-scoped kind under a name kvfleet does not generate.
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cluster-admin' } },
      // A known namespaced kind in a namespace kvfleet does not deliver to.
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kvfleet-new', namespace: 'kube-system' } },
    ];
    for (const o of newKinds) expect(isResourcePermitted(project, destinationOf(app), ns, o, !!o.metadata.namespace), `${o.kind} ${o.metadata.name}`).toBe(false);
  });
});

test.each(clusterFolders)('every object in dist/%s carries its Argo CD sync wave', (cluster) => {
  const missing = yamlObjects(join(distDir, cluster)).filter((o) => !/^\d+$/.test(o.metadata.annotations?.[SYNC_WAVE_ANNOTATION] ?? ''));
  expect(missing.map((o) => `${o.kind} ${o.metadata.name}`)).toEqual([]);
});
