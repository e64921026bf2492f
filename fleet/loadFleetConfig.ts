/**
 * Finds, imports and validates the fleet configuration, `kvfleet.config.ts` beside the clusters
 * folder. Every problem becomes a DefinitionError naming the file, as a cluster definition's do.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transformSync } from 'esbuild';
import { isRecord } from './clusterSchemaFields.js';
import { DefinitionError } from './definitionError.js';
import { definitionErrors } from './definitionIssues.js';
import { formatValue } from './definitionValue.js';
import { projectRelativeText } from './loadFleet.js';
import { type FleetConfig, fleetConfigSchema } from './fleetConfigSchema.js';

export const FLEET_CONFIG_FILE = 'kvfleet.config.ts';

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
      `create it beside clusters/ with \`import { defineFleet } from '../generators/policies/fleetConfigSchema.js'\` and \`${EXAMPLE}\``,
    );
  }
  try {
    transformSync(readFileSync(path, 'utf8'), { loader: 'ts', sourcefile: file, logLevel: 'silent' });
  } catch (e) {
    const first = (e as { errors?: { text: string; location?: { line: number; column: number } | null }[] }).errors?.[0];
    const location = first?.location ? { line: first.location.line, column: first.location.column + 1 } : undefined;
    return fail(`syntax error: ${first?.text ?? String(e)}`, 'fix the TypeScript syntax at that line and column', location);
  }
  let mod: Record<string, unknown>;
  try {
    // ESM caches modules by URL; the query makes an edited file load anew (as loadFleet does).
    const { mtimeMs, size } = statSync(path);
    mod = (await import(`${pathToFileURL(path).href}?v=${mtimeMs}-${size}`)) as Record<string, unknown>;
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    return fail(
      `cannot be loaded: ${projectRelativeText(message ?? '', projectDir)}`,
      'the file should only import defineFleet and export literal values; fix or remove the code that fails',
    );
  }
  const exported = mod.default;
  if (!isRecord(exported)) {
    return fail(`the default export is ${formatValue(exported)}, not a fleet configuration`, `end the file with \`${EXAMPLE}\``);
  }
  const parsed = fleetConfigSchema.safeParse(exported);
  if (!parsed.success) return { file, problems: definitionErrors(file, fleetConfigSchema, exported, parsed.error.issues) };
  return { config: parsed.data, file, problems: [] };
}
