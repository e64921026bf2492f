/**
 * Validates the fleet, synthesises every cluster into a temporary folder beside `dist/`, and
 * swaps it in only when all of it succeeded: a failed run leaves the previous `dist/` as it was.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { App, YamlOutputType } from 'cdk8s';
import { type ClusterDefinition } from '../fleet/clusterDefinition.js';
import { DefinitionError, FleetDefinitionErrors } from '../fleet/definitionError.js';
import { ClusterChart } from './clusterChart.js';
import { type ArgoCdFolderSummary, loadDelivery, writeArgoCdFolder } from './delivery/fleetDelivery.js';
import { loadFleet } from '../fleet/loadFleet.js';
import { FLEET_CONFIG_FILE } from '../fleet/loadFleetConfig.js';
import { type ValidCluster } from '../fleet/fleetValidation.js';
import { valuesFiles } from './valuesFiles.js';
import { fleetObservabilityFor } from './observability/clusterObservability.js';
import { type FleetConfig } from '../fleet/fleetConfigSchema.js';
import { quoteAmbiguousScalarsInTree } from './ambiguousScalars.js';

/** A chart's constructor failed: which cluster's, for the message. */
class ClusterChartError extends Error {
  constructor(
    readonly cluster: string,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

export interface SynthOptions {
  /** Folder of the cluster definition files. */
  readonly clustersDir: string;
  /** Folder the output replaces. */
  readonly distDir: string;
  /** Root that file names in messages are relative to. */
  readonly projectDir: string;
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
    try {
      new ClusterChart(app, cluster.name, { cluster, observability: fleetObservabilityFor(cluster.name, clusters, fleet) });
    } catch (e) {
      throw new ClusterChartError(cluster.name, e);
    }
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

/** The definitions and kvfleet.config.ts, loaded and checked against each other; nothing rendered. */
async function validateFleetFiles(opts: Pick<SynthOptions, 'clustersDir' | 'projectDir' | 'fleetConfigFile'>): Promise<FleetCheck> {
  const { clusters, problems: definitionProblems, failedClusters } = await loadFleet(opts.clustersDir, opts.projectDir);
  const delivery = await loadDelivery(opts, clusters, failedClusters);
  return { clusters, ...(delivery.fleet ? { fleet: delivery.fleet } : {}), problems: [...definitionProblems, ...delivery.problems] };
}

const hasErrors = (problems: readonly DefinitionError[]) => problems.some((p) => p.severity === 'error');

/**
 * Everything synthFleet checks, and nothing written: `kvfleet check` calls this, so the two cannot
 * disagree. A fleet that validates is also rendered (into a scratch folder, then removed) by the
 * function synth renders with, so a definition that passes every rule but cannot be written is an
 * error in both, not only when synth runs.
 */
export async function checkFleet(opts: Pick<SynthOptions, 'clustersDir' | 'projectDir' | 'fleetConfigFile'>): Promise<FleetCheck> {
  const checked = await validateFleetFiles(opts);
  if (hasErrors(checked.problems)) return checked;
  const scratch = mkdtempSync(join(tmpdir(), 'kvfleet-check-'));
  try {
    const rendered = renderFleet(checked.clusters, checked.fleet!, scratch);
    return 'problems' in rendered ? { ...checked, problems: [...checked.problems, ...rendered.problems] } : checked;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export async function synthFleet(opts: SynthOptions): Promise<SynthResult> {
  const { clusters, fleet, problems } = await validateFleetFiles(opts);
  if (hasErrors(problems)) throw new FleetDefinitionErrors(problems.filter((p) => p.severity === 'error'));

  const staging = makeStagingDir(opts.distDir);
  let argocd: ArgoCdFolderSummary;
  try {
    const rendered = renderFleet(clusters, fleet!, staging);
    if ('problems' in rendered) throw new FleetDefinitionErrors(rendered.problems);
    argocd = rendered.argocd;
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

/**
 * Writes the whole of dist/ into `outdir`: every cluster's manifests and values files, the fleet's
 * Argo CD folder, then the quoting of ambiguous scalars. A failure while rendering a validated fleet
 * becomes an error naming the cluster's file (renderFailure), never a stack trace.
 */
function renderFleet(clusters: readonly ValidCluster[], fleet: FleetConfig, outdir: string): { argocd: ArgoCdFolderSummary } | { problems: DefinitionError[] } {
  try {
    const app = buildApp(
      clusters.map((c) => c.definition),
      outdir,
      fleet,
    );
    app.synth();
    const argocd = writeArgoCdFolder(fleet, app, outdir);
    for (const { definition } of clusters) writeValuesFiles(definition, join(outdir, definition.name));
    quoteAmbiguousScalarsInTree(outdir);
    return { argocd };
  } catch (e) {
    return { problems: [renderFailure(e, clusters)] };
  }
}

/** The cluster a rendering error belongs to: cdk8s names the construct path (`prod-east/node-labeller/…`), a chart's constructor its cluster. */
function renderFailure(e: unknown, clusters: readonly ValidCluster[]): DefinitionError {
  const message = e instanceof Error ? e.message : String(e);
  const cluster = e instanceof ClusterChartError ? e.cluster : /at path '([^/']+)/.exec(message)?.[1];
  const owner = clusters.find((c) => c.definition.name === cluster);
  return new DefinitionError(
    owner?.file ?? FLEET_CONFIG_FILE, // no cluster in the construct path: the fleet-level (Argo CD) output
    '',
    `passes every check but its manifests cannot be written: ${message.split('\n')[0]}`,
    'this is a kvfleet bug (a rule is missing): please report it with the definition; nothing was written',
  );
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
