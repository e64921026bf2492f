/**
 * Finds and imports every cluster definition file. A file that fails to load becomes a
 * DefinitionError like any other problem, so one broken file does not hide the others.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ClusterDefinition } from '../policies/clusterDefinition.js';
import { DefinitionError } from '../policies/definitionError.js';
import { type LoadedCluster } from '../policies/fleetValidation.js';

export interface LoadedFleet {
  readonly clusters: readonly LoadedCluster[];
  readonly loadErrors: readonly DefinitionError[];
}

export function clusterFiles(clustersDir: string): string[] {
  return readdirSync(clustersDir)
    .filter((f) => /\.[cm]?ts$/.test(f) && !/\.(test|spec)\.[cm]?ts$/.test(f) && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => join(clustersDir, f));
}

export async function loadFleet(clustersDir: string, projectDir: string): Promise<LoadedFleet> {
  const clusters: LoadedCluster[] = [];
  const loadErrors: DefinitionError[] = [];
  if (!existsSync(clustersDir)) {
    return { clusters, loadErrors: [new DefinitionError(clustersDir, '', 'the clusters folder does not exist', 'pass --clusters <dir> with the cluster definition files')] };
  }
  const files = clusterFiles(clustersDir);
  if (files.length === 0) {
    loadErrors.push(new DefinitionError(relative(projectDir, clustersDir) || '.', '', 'no cluster definition files found', 'add clusters/<name>.ts with `export default defineCluster({ ... })`'));
  }
  for (const path of files) {
    const file = relative(projectDir, path);
    try {
      // ESM caches modules by URL for the life of the process; the query makes an edited file load anew.
      const { mtimeMs, size } = statSync(path);
      const mod = (await import(`${pathToFileURL(path).href}?v=${mtimeMs}-${size}`)) as { default?: ClusterDefinition };
      clusters.push({ file, definition: mod.default as ClusterDefinition });
    } catch (e) {
      loadErrors.push(new DefinitionError(file, '', `cannot be loaded: ${(e as Error).message.split('\n')[0]}`, 'fix the file so that `npm run typecheck` passes'));
    }
  }
  return { clusters, loadErrors };
}
