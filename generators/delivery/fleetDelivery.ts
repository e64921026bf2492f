/**
 * Delivery in synthesis: reads kvfleet.config.ts, checks the definitions against it, and writes the
 * fleet-level Argo CD objects from what was synthesised for the clusters (generators/synthFleet.ts).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type App } from 'cdk8s';
import { type DefinitionError } from '../../fleet/definitionError.js';
import { type FleetConfig } from '../../fleet/fleetConfigSchema.js';
import { ClusterChart } from '../clusterChart.js';
import { fleetConfigPath, loadFleetConfig } from '../../fleet/loadFleetConfig.js';
import { type Manifest } from './appProjects.js';
import { ARGOCD_FOLDER, buildArgoCdApp } from './argoCdChart.js';
import { deliveryProblems, deliveryTarget, type FleetMember } from './deliveryTargets.js';

export interface DeliveryLoad {
  /** Set when kvfleet.config.ts is valid. */
  readonly fleet?: FleetConfig;
  readonly problems: readonly DefinitionError[];
}

/** The fleet configuration (beside the clusters folder unless `fleetConfigFile` says where) and its problems with the definitions. */
export async function loadDelivery(
  opts: { readonly clustersDir: string; readonly projectDir: string; readonly fleetConfigFile?: string },
  members: readonly FleetMember[],
  failedClusters: readonly string[] = [],
): Promise<DeliveryLoad> {
  const { config, file, problems } = await loadFleetConfig(opts.fleetConfigFile ?? fleetConfigPath(opts.clustersDir), opts.projectDir);
  if (!config) return { problems };
  return { fleet: config, problems: deliveryProblems(members, config, file, failedClusters) };
}

export interface ArgoCdFolderSummary {
  /** The folder inside dist/: `_argocd`. */
  readonly folder: string;
  readonly objects: number;
}

/**
 * Writes `<distDir>/_argocd/` from the cluster charts of `clusterApp` (already synthesised into
 * `distDir`): the AppProjects are computed from exactly the objects those charts produced.
 */
export function writeArgoCdFolder(fleet: FleetConfig, clusterApp: App, distDir: string): ArgoCdFolderSummary {
  const clusters = clusterApp.charts
    .filter((chart): chart is ClusterChart => chart instanceof ClusterChart)
    .map((chart) => ({ target: deliveryTarget(chart.cluster, fleet), manifests: chart.toJson() as Manifest[] }));
  const outdir = join(distDir, ARGOCD_FOLDER);
  buildArgoCdApp({ fleet, clusters }, outdir).synth();
  return { folder: ARGOCD_FOLDER, objects: readdirSync(outdir).length };
}
