/**
 * Finds, imports and validates the fleet configuration, `kvfleet.config.ts` beside the clusters
 * folder. Every problem becomes a DefinitionError naming the file, as a cluster definition's do.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { isRecord } from '../compatibility/guards.js';
import { DefinitionError } from './definitionError.js';
import { parseDefinition } from './definitionIssues.js';
import { type DefinitionModuleKind, importDefinitionModule } from './definitionModule.js';
import { formatValue } from './definitionValue.js';
import { withProjectRelativePaths } from './loadFleet.js';
import { type FleetConfig, fleetConfigSchema } from './fleetConfigSchema.js';

export const FLEET_CONFIG_FILE = 'kvfleet.config.ts';

const FLEET_MODULE: DefinitionModuleKind = { define: 'defineFleet', importLine: "import { defineFleet } from './fleet/fleetConfigSchema.js'" };

/** `kvfleet.config.ts` in the folder that holds `clusters/`: the repository root. */
export function fleetConfigPath(clustersDir: string): string {
  return join(dirname(clustersDir), FLEET_CONFIG_FILE);
}

export interface LoadedFleetConfig {
  /** Set when the configuration has no errors. */
  readonly config?: FleetConfig;
  /** The file as messages name it, relative to the project. */
  readonly file: string;
  readonly problems: readonly DefinitionError[];
}

const EXAMPLE =
  "export default defineFleet({ repoURL: 'https://git.example.com/platform/fleet.git', targetRevision: 'main', stages: [{ name: 'canary' }, { name: 'production' }] })";

export async function loadFleetConfig(path: string, projectDir: string): Promise<LoadedFleetConfig> {
  const file = relative(projectDir, path) || path;
  const fail = (problem: string, fix: string, location?: { line: number; column: number }) => ({
    file,
    problems: [new DefinitionError(file, '', problem, fix, 'error', location)],
  });
  if (!existsSync(path)) {
    return fail(
      'does not exist: Argo CD delivery needs the repository URL and the rollout stages',
      `create it beside clusters/ with \`${FLEET_MODULE.importLine}\` and \`${EXAMPLE}\``,
    );
  }
  const loaded = await importDefinitionModule(path, file, FLEET_MODULE);
  if ('errors' in loaded) return { file, problems: loaded.errors.map((e) => withProjectRelativePaths(e, projectDir)) };
  const exported = Object.hasOwn(loaded.exports, 'default') ? loaded.exports.default : undefined;
  if (!isRecord(exported)) {
    return fail(`the default export is ${formatValue(exported)}, not a fleet configuration`, `end the file with \`${EXAMPLE}\``);
  }
  const { value, problems } = parseDefinition(file, fleetConfigSchema, exported);
  return value ? { config: value, file, problems } : { file, problems };
}
