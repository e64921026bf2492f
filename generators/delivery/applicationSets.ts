/**
 * The ApplicationSets that deliver the fleet, stage by stage: `kvfleet` (one Application per
 * cluster, syncing `dist/<cluster>/`) and, when any cluster has one, `kvfleet-charts` (one
 * multi-source Application per cluster and Helm chart: the chart plus its values file from this
 * repository). A list generator carries each cluster's stage, which becomes the Application's
 * `kvfleet.io/stage` label; `strategy: RollingSync` syncs the stages in the order of
 * kvfleet.config.ts, each only once every Application of the stages before it is Healthy
 * (applicationset/progressivesync/progressive_sync.go @v3.5.1).
 */
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../compatibility/labelKeys.js';
import { type FleetConfig, fleetArgoCd } from '../../fleet/fleetConfigSchema.js';
import { ARGOCD_API_VERSION } from './appProjects.js';
import { APPLICATION_NAME_PREFIX, chartProjectName, type DeliveryTarget } from './deliveryTargets.js';

/** On every generated Application: the stage the rollout steps select on. */
export const STAGE_LABEL = 'kvfleet.io/stage';
/** On every generated Application: the cluster it delivers to. */
export const CLUSTER_LABEL = 'kvfleet.io/cluster';
/** On chart Applications: the chart's ChartValuesSource name (`kube-ovn`). */
export const CHART_LABEL = 'kvfleet.io/chart';

/** Where `dist/` is in the repository Argo CD reads: `kvfleet synth` writes the committed `dist/`. */
export const REPO_DIST_PATH = 'dist';

export const CLUSTER_APPLICATION_SET = 'kvfleet';
export const CHART_APPLICATION_SET = 'kvfleet-charts';

/**
 * Compare options of every generated Application. Server-side diff lets the API server's defaulting
 * and admission take part in the diff (stable since Argo CD 3.1); IncludeMutationWebhook keeps
 * changes by mutating webhooks in it, as Kyverno's platform notes ask where Kyverno mutates what an
 * Application manages (kvfleet's clusters run Kyverno, whose policies may mutate kvfleet's
 * workloads and the chart's).
 */
export const COMPARE_OPTIONS = 'ServerSideDiff=true,IncludeMutationWebhook=true';

/**
 * Sync policy of every generated Application. RollingSync turns automated sync off on the
 * Applications it manages and triggers their syncs itself; `automated.prune` is still read then, and
 * only from an enabled `automated` (SyncDesiredApplications), so it is set to keep the rollout's
 * syncs pruning what left dist/. Without progressive syncs enabled in the ApplicationSet controller
 * the strategy is ignored (argo-cd#11924) and this automated sync applies to every cluster at once:
 * docs/operations.md "Deploying with Argo CD" makes enabling it the first bootstrap step.
 */
export const SYNC_POLICY = {
  automated: { prune: true },
  // Server-side apply: objects too large for the last-applied annotation, fields owned by others
  // (Kyverno's CRD defaults) left alone; Kyverno's platform notes ask for it.
  syncOptions: ['ServerSideApply=true'],
} as const;

function labels(extra: Record<string, string>): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, 'app.kubernetes.io/part-of': 'kvfleet', ...extra };
}

/** RollingSync steps, one per stage in the fleet's order; only `In` / `NotIn` work in them. */
export function rolloutSteps(fleet: FleetConfig) {
  return fleet.stages.map((stage) => ({
    matchExpressions: [{ key: STAGE_LABEL, operator: 'In', values: [stage.name] }],
    ...(stage.maxUpdate !== undefined ? { maxUpdate: stage.maxUpdate } : {}),
  }));
}

/**
 * A destination both ways: a template cannot leave a field out for some elements, and Argo CD
 * treats an empty `server` or `name` as unset (`GetDestinationServer`, util/argo/argo.go @v3.5.1).
 */
function destinationParams(target: DeliveryTarget) {
  return { server: target.destination.server ?? '', destinationName: target.destination.name ?? '' };
}

function applicationSet(fleet: FleetConfig, name: string, elements: readonly Record<string, string>[], template: object) {
  return {
    apiVersion: ARGOCD_API_VERSION,
    kind: 'ApplicationSet',
    metadata: { name, namespace: fleetArgoCd(fleet).namespace },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{ list: { elements } }],
      strategy: { type: 'RollingSync', rollingSync: { steps: rolloutSteps(fleet) } },
      template,
    },
  };
}

const byCluster = (a: DeliveryTarget, b: DeliveryTarget) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0);

/** `kvfleet`: each cluster's `dist/<cluster>/`, applied as a non-recursive directory. */
export function clusterApplicationSet(fleet: FleetConfig, targets: readonly DeliveryTarget[]) {
  const elements = [...targets].sort(byCluster).map((t) => ({
    cluster: t.cluster,
    path: `${REPO_DIST_PATH}/${t.cluster}`,
    project: t.project,
    namespace: t.namespace,
    stage: t.stage,
    ...destinationParams(t),
  }));
  return applicationSet(fleet, CLUSTER_APPLICATION_SET, elements, {
    metadata: {
      name: `${APPLICATION_NAME_PREFIX}{{.cluster}}`,
      labels: labels({ [STAGE_LABEL]: '{{.stage}}', [CLUSTER_LABEL]: '{{.cluster}}' }),
      annotations: { 'argocd.argoproj.io/compare-options': COMPARE_OPTIONS },
    },
    spec: {
      project: '{{.project}}',
      source: {
        repoURL: fleet.repoURL,
        targetRevision: fleet.targetRevision,
        path: '{{.path}}',
        // Subfolders (dist/<cluster>/values/) hold Helm values, not manifests.
        directory: { recurse: false },
      },
      destination: { server: '{{.server}}', name: '{{.destinationName}}', namespace: '{{.namespace}}' },
      syncPolicy: SYNC_POLICY,
    },
  });
}

/** `kvfleet-charts`, or nothing when no cluster has a chart with kvfleet's values. */
export function chartApplicationSet(fleet: FleetConfig, targets: readonly DeliveryTarget[]) {
  const elements = [...targets].sort(byCluster).flatMap((t) =>
    [...t.charts]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((chart) => ({
        cluster: t.cluster,
        component: chart.name,
        project: chartProjectName(t.project),
        namespace: chart.namespace,
        stage: t.stage,
        chartRepoURL: chart.repoURL,
        chart: chart.chart,
        chartVersion: chart.targetRevision,
        valuesFile: chart.valuesFile,
        ...destinationParams(t),
      })),
  );
  if (elements.length === 0) return undefined;
  return applicationSet(fleet, CHART_APPLICATION_SET, elements, {
    metadata: {
      name: `${APPLICATION_NAME_PREFIX}{{.cluster}}-{{.component}}`,
      labels: labels({ [STAGE_LABEL]: '{{.stage}}', [CLUSTER_LABEL]: '{{.cluster}}', [CHART_LABEL]: '{{.component}}' }),
      annotations: { 'argocd.argoproj.io/compare-options': COMPARE_OPTIONS },
    },
    spec: {
      project: '{{.project}}',
      sources: [
        {
          repoURL: '{{.chartRepoURL}}',
          chart: '{{.chart}}',
          targetRevision: '{{.chartVersion}}',
          // The release name a `helm install <component>` would have, so names the chart derives
          // from it match an installation made by hand (Argo CD defaults it to the Application's name).
          helm: { releaseName: '{{.component}}', valueFiles: ['$values/{{.valuesFile}}'] },
        },
        { repoURL: fleet.repoURL, targetRevision: fleet.targetRevision, ref: 'values' },
      ],
      destination: { server: '{{.server}}', name: '{{.destinationName}}', namespace: '{{.namespace}}' },
      syncPolicy: SYNC_POLICY,
    },
  });
}
