/**
 * Finds, imports and validates every cluster definition file. A file that fails to load becomes a
 * DefinitionError like any other problem (with line and column when the source says where), so one
 * broken file does not hide the others.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DefinitionError } from './definitionError.js';
import { type DefinitionModuleKind, importDefinitionModule } from './definitionModule.js';
import { clusterNameOfFile, type LoadedCluster, type ValidCluster, validateFleet } from './fleetValidation.js';

export interface LoadedFleet {
  /** The definitions that passed validation, in file-name order. */
  readonly clusters: readonly ValidCluster[];
  /** Every error and warning; any error means the fleet must not be synthesised. */
  readonly problems: readonly DefinitionError[];
  /**
   * The clusters (by file name) whose definitions have errors: a rule of another file that names one
   * of them is skipped, since the cause is reported in that cluster's own file.
   */
  readonly failedClusters: readonly string[];
}

const CLUSTER_MODULE: DefinitionModuleKind = { define: 'defineCluster', importLine: "import { defineCluster } from '../fleet/clusterDefinition.js'" };

const DEFINITION = /\.ts$/;
const NOT_A_DEFINITION = /\.(test|spec)\.ts$|\.d\.ts$/;
/** Files an author may mean as a definition, but that the loader does not read: an error, not silence. */
const MISPLACED = /\.(js|mjs|cjs|mts|cts|jsx|tsx|json|ya?ml)$/;

/** The definition files of a folder, sorted; misplaced files (`prod.js`) are reported by loadFleet. */
export function clusterFiles(clustersDir: string): string[] {
  return readdirSync(clustersDir)
    .filter((f) => DEFINITION.test(f) && !NOT_A_DEFINITION.test(f))
    .sort()
    .map((f) => join(clustersDir, f));
}

export async function loadFleet(clustersDir: string, projectDir: string): Promise<LoadedFleet> {
  const shown = relative(projectDir, clustersDir) || '.';
  if (!existsSync(clustersDir)) {
    return {
      clusters: [],
      problems: [new DefinitionError(shown, '', 'the clusters folder does not exist', 'pass --clusters <dir> with the cluster definition files')],
      failedClusters: [],
    };
  }
  const entries = readdirSync(clustersDir).sort();
  const loadErrors: DefinitionError[] = [];
  for (const f of entries.filter((e) => MISPLACED.test(e) && statSync(join(clustersDir, e)).isFile())) {
    const definition = join(shown, `${f.replace(MISPLACED, '')}.ts`);
    // Never suggest a name another file already has.
    const fix = entries.includes(basename(definition))
      ? `remove it: ${definition} is the definition kvfleet reads (move anything this file holds into it)`
      : `rename it to ${definition} and write it as \`export default defineCluster({ ... })\``;
    loadErrors.push(new DefinitionError(join(shown, f), '', 'is not read: cluster definitions are .ts files', fix));
  }
  const files = clusterFiles(clustersDir);
  if (files.length === 0 && loadErrors.length === 0) {
    loadErrors.push(new DefinitionError(shown, '', 'no cluster definition files found', 'add clusters/<name>.ts with `export default defineCluster({ ... })`'));
  }
  const loaded: LoadedCluster[] = [];
  for (const path of files) {
    const result = await loadDefinitionFile(path, relative(projectDir, path));
    if ('definition' in result) loaded.push(result);
    else loadErrors.push(...result.map((e) => withProjectRelativePaths(e, projectDir)));
  }
  const shownFiles = files.map((f) => relative(projectDir, f));
  const { clusters, problems } = validateFleet(loaded, { files: shownFiles });
  const valid = new Set(clusters.map((c) => c.file));
  return { clusters, problems: [...loadErrors, ...problems], failedClusters: shownFiles.filter((f) => !valid.has(f)).map(clusterNameOfFile) };
}

/**
 * `text` with every path inside `projectDir` made relative, plain or as a file: URL. Node and module
 * loaders quote absolute paths (`ENOENT: … open '/home/…/clusters/x.json'`, `imported from …`), and a
 * message should read the same wherever the repository is checked out.
 */
export function projectRelativeText(text: string, projectDir: string): string {
  const root = resolve(projectDir);
  if (root === sep) return text;
  return text.replaceAll(`${pathToFileURL(root).href}/`, '').replaceAll(`${root}${sep}`, '');
}

export function withProjectRelativePaths(e: DefinitionError, projectDir: string): DefinitionError {
  return new DefinitionError(e.file, e.path, projectRelativeText(e.problem, projectDir), projectRelativeText(e.fix, projectDir), e.severity, e.location);
}

/** The cluster file as the one loader imports it (definitionModule.ts); a file that fails to load becomes its errors. */
async function loadDefinitionFile(path: string, file: string): Promise<LoadedCluster | readonly DefinitionError[]> {
  const loaded = await importDefinitionModule(path, file, CLUSTER_MODULE);
  if ('errors' in loaded) return loaded.errors;
  const mod = loaded.exports;
  if (!Object.hasOwn(mod, 'default')) {
    const named = Object.keys(mod);
    return [
      new DefinitionError(
        file,
        '',
        `has no default export${named.length ? ` (it exports ${named.join(', ')})` : ''}`,
        'end the file with `export default defineCluster({ ... })`',
      ),
    ];
  }
  return { file, definition: mod.default };
}
