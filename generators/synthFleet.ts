/**
 * Validates the fleet, synthesises every cluster into a temporary folder beside `dist/`, and
 * swaps it in only when all of it succeeded: a failed run leaves the previous `dist/` as it was.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { App, YamlOutputType } from 'cdk8s';
import { type ClusterDefinition } from '../fleet/clusterDefinition.js';
import { type DefinitionError, FleetDefinitionErrors } from '../fleet/definitionError.js';
import { ClusterChart } from './clusterChart.js';
import { type ArgoCdFolderSummary, loadDelivery, writeArgoCdFolder } from './delivery/fleetDelivery.js';
import { loadFleet } from '../fleet/loadFleet.js';
import { type ValidCluster } from '../fleet/fleetValidation.js';
import { valuesFiles } from './valuesFiles.js';
import { fleetObservabilityFor } from './observability/clusterObservability.js';
import { type FleetConfig } from '../fleet/fleetConfigSchema.js';
import { quoteAmbiguousScalarsInTree } from './ambiguousScalars.js';

export interface SynthOptions {
  /** Folder of the cluster definition files. */
  readonly clustersDir: string;
  /** Folder the output replaces. */
  readonly distDir: string;
  /** Root that file names in messages are relative to. */
  readonly projectDir: string;
  /** Called with the finished staging folder before the swap (tests inject failures here). */
  readonly beforeSwap?: (stagingDir: string) => void;
  /** The fleet configuration. @default `kvfleet.config.ts` beside the clusters folder */
  readonly fleetConfigFile?: string;
}

export interface ClusterSummary {
  readonly cluster: string;
  readonly file: string;
  readonly objects: number;
  readonly warnings: readonly DefinitionError[];
}

export interface SynthResult {
  readonly clusters: readonly ClusterSummary[];
  /** The fleet-level Argo CD objects (`dist/_argocd/`). */
  readonly argocd: ArgoCdFolderSummary;
}

/**
 * Builds the cdk8s app for validated definitions; exported for chart tests. `fleet` (kvfleet.config.ts)
 * gives the runbook links and the fleet dashboard's cluster; without it runbooks link relatively.
 */
export function buildApp(clusters: readonly ClusterDefinition[], outdir: string, fleet?: FleetConfig): App {
  const app = new App({
    outdir,
    outputFileExtension: '.yaml',
    yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE,
  });
  // Sorted so a chart's position never depends on the order files were read in.
  for (const cluster of [...clusters].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    new ClusterChart(app, cluster.name, { cluster, observability: fleetObservabilityFor(cluster.name, clusters, fleet) });
  }
  return app;
}

/**
 * Writes the clusters' manifests into `outdir` exactly as they land in dist/: cdk8s's YAML, then
 * the quoting of plain scalars some reader would take for numbers (ambiguousScalars.ts).
 */
export function synthManifests(clusters: readonly ClusterDefinition[], outdir: string, fleet?: FleetConfig): App {
  const app = buildApp(clusters, outdir, fleet);
  app.synth();
  quoteAmbiguousScalarsInTree(outdir);
  return app;
}

export interface FleetCheck {
  /** The definitions that passed validation. */
  readonly clusters: readonly ValidCluster[];
  /** kvfleet.config.ts, when it has no errors. */
  readonly fleet?: FleetConfig;
  /** Every error and warning of the definitions and the fleet configuration; any error stops synthesis. */
  readonly problems: readonly DefinitionError[];
}

/** Everything synthFleet validates, and nothing more: `kvfleet check` calls this, so the two cannot disagree. */
export async function checkFleet(opts: Pick<SynthOptions, 'clustersDir' | 'projectDir' | 'fleetConfigFile'>): Promise<FleetCheck> {
  const { clusters, problems: definitionProblems } = await loadFleet(opts.clustersDir, opts.projectDir);
  const delivery = await loadDelivery(opts, clusters);
  return { clusters, ...(delivery.fleet ? { fleet: delivery.fleet } : {}), problems: [...definitionProblems, ...delivery.problems] };
}

export async function synthFleet(opts: SynthOptions): Promise<SynthResult> {
  const { clusters, fleet, problems } = await checkFleet(opts);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new FleetDefinitionErrors(errors);

  const staging = makeStagingDir(opts.distDir);
  let argocd: ArgoCdFolderSummary;
  try {
    const app = buildApp(
      clusters.map((c) => c.definition),
      staging,
      fleet,
    );
    app.synth();
    argocd = writeArgoCdFolder(fleet!, app, staging);
    for (const { definition } of clusters) writeValuesFiles(definition, join(staging, definition.name));
    quoteAmbiguousScalarsInTree(staging);
    opts.beforeSwap?.(staging);
    swapInto(staging, opts.distDir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }

  return {
    argocd,
    clusters: [...clusters]
      .sort((a, b) => (a.definition.name < b.definition.name ? -1 : 1))
      .map(({ file, definition }) => ({
        cluster: definition.name,
        file,
        objects: readdirSync(join(opts.distDir, definition.name), { withFileTypes: true }).filter((e) => e.isFile()).length,
        warnings: problems.filter((p) => p.file === file && p.severity === 'warning'),
      })),
  };
}

/** Values files go beside the manifests, in a subfolder Argo CD's directory source does not read. */
function writeValuesFiles(cluster: ClusterDefinition, clusterDir: string): void {
  for (const file of valuesFiles(cluster)) {
    mkdirSync(dirname(join(clusterDir, file.path)), { recursive: true });
    writeFileSync(join(clusterDir, file.path), file.content);
  }
}

/**
 * Two renames: the old output steps aside, the new one takes its name, the old one is removed.
 * A crash between the renames leaves `.dist.previous-*` beside an absent `dist/`, never a mix.
 */
/**
 * A fresh folder beside `distDir` with the mode `distDir` has (mkdtemp would make it 0700, and the
 * rename would hand that to `dist/`); a first run gets the umask's default, as `mkdir` would.
 */
function makeStagingDir(distDir: string): string {
  const staging = join(dirname(distDir), `.${basename(distDir)}.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(staging); // fails if the name exists: never reuses another run's folder
  if (existsSync(distDir)) chmodSync(staging, statSync(distDir).mode & 0o7777);
  return staging;
}

function swapInto(staging: string, distDir: string): void {
  const previous = `${join(dirname(distDir), `.${basename(distDir)}.previous-`)}${process.pid}`;
  const hadPrevious = existsSync(distDir);
  if (hadPrevious) renameSync(distDir, previous);
  try {
    renameSync(staging, distDir);
  } catch (e) {
    if (hadPrevious) renameSync(previous, distDir);
    throw e;
  }
  if (hadPrevious) rmSync(previous, { recursive: true, force: true });
}
