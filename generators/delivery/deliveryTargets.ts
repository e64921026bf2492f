/**
 * Where and when Argo CD delivers each cluster: its destination, AppProject and rollout stage, from
 * the `argocd` field of its definition and the fleet configuration; and the fleet-wide problems that
 * only show once the definitions are read together with kvfleet.config.ts.
 */
import { type ClusterDefinition, DEFAULT_NAMESPACE } from '../../fleet/clusterDefinition.js';
import { DefinitionError } from '../../fleet/definitionError.js';
import { closestName } from '../../fleet/definitionSuggestion.js';
import { monitoringProblems } from '../observability/clusterObservability.js';
import { formatValue } from '../../fleet/definitionValue.js';
import { type FleetConfig, fleetArgoCd } from '../../fleet/fleetConfigSchema.js';
import { type ChartValuesSource, chartValuesSources } from './chartValues.js';

/** Argo CD names a destination cluster by its API server URL or by its registered name, never both. */
export type ArgoCdDestination = { readonly server: string; readonly name?: undefined } | { readonly name: string; readonly server?: undefined };

export interface DeliveryTarget {
  readonly cluster: string;
  readonly destination: ArgoCdDestination;
  readonly project: string;
  readonly stage: string;
  /** kvfleet's namespace on the cluster: the Application's default namespace. */
  readonly namespace: string;
  /** Helm charts delivered with values from `dist/<cluster>/values/` (generators/delivery/chartValues.ts). */
  readonly charts: readonly ChartValuesSource[];
}

/** Applications kvfleet generates are named with this prefix; other teams' Applications share the namespace. */
export const APPLICATION_NAME_PREFIX = 'kvfleet-';

export function clusterApplicationName(cluster: string): string {
  return `${APPLICATION_NAME_PREFIX}${cluster}`;
}

export function chartApplicationName(cluster: string, chart: ChartValuesSource): string {
  return `${APPLICATION_NAME_PREFIX}${cluster}-${chart.name}`;
}

/**
 * The AppProject of a project's chart Applications. Charts are rendered by Argo CD, so kvfleet knows
 * their kinds only by chart (chartResources.ts), not by name; a project of their own keeps the
 * project of kvfleet's own objects restricted to exactly what dist/ holds.
 */
export function chartProjectName(project: string): string {
  return `${project}-charts`;
}

export function deliveryTarget(cluster: ClusterDefinition, fleet: FleetConfig): DeliveryTarget {
  const { argocd } = cluster;
  return {
    cluster: cluster.name,
    destination: argocd.server !== undefined ? { server: argocd.server } : { name: argocd.name! },
    project: argocd.project ?? fleetArgoCd(fleet).project,
    stage: argocd.stage ?? fleet.stages[fleet.stages.length - 1]!.name,
    namespace: cluster.namespace ?? DEFAULT_NAMESPACE,
    charts: chartValuesSources(cluster),
  };
}

export interface FleetMember {
  /** `clusters/prod-east.ts` */
  readonly file: string;
  readonly definition: ClusterDefinition;
}

/**
 * Problems between the definitions and kvfleet.config.ts: an unknown stage, two definitions that
 * deliver to one Argo CD destination, and Argo CD names that two generated objects would share.
 */
/** `failedClusters`: clusters whose definitions have errors, so rules naming them are left to those errors. */
export function deliveryProblems(members: readonly FleetMember[], fleet: FleetConfig, fleetFile: string, failedClusters: readonly string[] = []): DefinitionError[] {
  const problems = [
    ...stageProblems(members, fleet, fleetFile),
    ...destinationProblems(members),
    ...monitoringProblems(
      members.map((m) => m.definition.name),
      fleet,
      fleetFile,
      failedClusters,
    ),
  ];
  const targets = members.map((m) => ({ file: m.file, target: deliveryTarget(m.definition, fleet) }));
  return [...problems, ...chartProjectProblems(targets), ...applicationNameProblems(targets)];
}

interface MemberTarget {
  readonly file: string;
  readonly target: DeliveryTarget;
}

/** A definition's `argocd.stage` that kvfleet.config.ts does not list. */
function stageProblems(members: readonly FleetMember[], fleet: FleetConfig, fleetFile: string): DefinitionError[] {
  const problems: DefinitionError[] = [];
  const stages = fleet.stages.map((s) => s.name);
  for (const { file, definition } of members) {
    const stage = definition.argocd.stage;
    if (stage === undefined || stages.includes(stage)) continue;
    const guess = closestName(stage, stages);
    problems.push(
      new DefinitionError(
        file,
        'argocd.stage',
        `${formatValue(stage)} is not a rollout stage of ${fleetFile} (${stages.join(', ')})`,
        `${guess ? `did you mean "${guess}"? ` : ''}use one of ${stages.join(', ')} (in rollout order), leave it out for "${stages[stages.length - 1]}", or add { name: ${formatValue(stage)} } to stages in ${fleetFile}`,
      ),
    );
  }
  return problems;
}

/** Two definitions delivering to one cluster would each prune the other's objects. */
function destinationProblems(members: readonly FleetMember[]): DefinitionError[] {
  const problems: DefinitionError[] = [];
  const byDestination = new Map<string, string>();
  for (const { file, definition } of members) {
    const key = definition.argocd.server !== undefined ? `server ${definition.argocd.server.replace(/\/+$/, '')}` : `name ${definition.argocd.name}`;
    const first = byDestination.get(key);
    if (first) {
      problems.push(
        new DefinitionError(
          file,
          definition.argocd.server !== undefined ? 'argocd.server' : 'argocd.name',
          `${formatValue(definition.argocd.server ?? definition.argocd.name)} is also the Argo CD destination of ${first}`,
          'give every cluster definition its own destination cluster: two Applications syncing kvfleet into one cluster would fight over (and prune) the same objects',
        ),
      );
    } else {
      byDestination.set(key, file);
    }
  }
  return problems;
}

/** A project whose chart project (`<project>-charts`) is another cluster's own project. */
function chartProjectProblems(targets: readonly MemberTarget[]): DefinitionError[] {
  const problems: DefinitionError[] = [];
  const projects = new Set(targets.map((t) => t.target.project));
  for (const { file, target } of targets) {
    if (target.charts.length > 0 && projects.has(chartProjectName(target.project))) {
      problems.push(
        new DefinitionError(
          file,
          'argocd.project',
          `the chart Applications of project "${target.project}" go to project "${chartProjectName(target.project)}", which other clusters use as their own project`,
          `rename one of the projects: kvfleet writes "${chartProjectName(target.project)}" for the Helm charts of "${target.project}"`,
        ),
      );
    }
  }
  return problems;
}

/**
 * Application names must be unique in Argo CD's namespace: `kvfleet-edge` + chart `ovn-x` and
 * cluster `edge-ovn-x` would both make `kvfleet-edge-ovn-x`.
 */
function applicationNameProblems(targets: readonly MemberTarget[]): DefinitionError[] {
  const problems: DefinitionError[] = [];
  const applicationOwner = new Map<string, string>(targets.map((t) => [clusterApplicationName(t.target.cluster), t.file]));
  for (const { file, target } of targets) {
    for (const chart of target.charts) {
      const name = chartApplicationName(target.cluster, chart);
      const owner = applicationOwner.get(name);
      if (owner !== undefined) {
        problems.push(
          new DefinitionError(
            file,
            'name',
            `the Application of its ${chart.name} chart would be named "${name}", as an Application of ${owner} is`,
            'rename one of the clusters: Argo CD Application names are unique in their namespace',
          ),
        );
      } else {
        applicationOwner.set(name, file);
      }
    }
  }
  return problems;
}
