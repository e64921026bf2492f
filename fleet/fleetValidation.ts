/**
 * Checks a whole fleet before anything is written. Collects every problem (not the first) and
 * names the file, the field path, the value seen and the fix. The schema (clusterSchema.ts) checks
 * each definition; this adds what needs the file or the other files (file name = cluster name, no two
 * clusters with one name), the version lint (versionLint.ts: its errors stop the cluster like any
 * other) and the warnings, which do not stop synthesis.
 */
import { dirname } from 'node:path';
import { type ClusterDefinition } from './clusterDefinition.js';
import { clusterSchema } from './clusterSchema.js';
import { isRecord } from '../compatibility/guards.js';
import { DefinitionError } from './definitionError.js';
import { parseDefinition } from './definitionIssues.js';
import { formatValue } from './definitionValue.js';
import { resolveCluster } from '../compatibility/poolMachineTypes.js';
import { versionLint } from './versionLint.js';

export { selectorsOverlap } from './clusterSchemaRules.js';

/** A cluster file's default export, not yet validated. */
export interface LoadedCluster {
  /** `clusters/prod-east.ts` */
  readonly file: string;
  /** Whatever the file exports as default: code can export anything. */
  readonly definition: unknown;
}

/** A definition that passed validation; `definition` is the schema's output, not the file's object. */
export interface ValidCluster {
  readonly file: string;
  readonly definition: ClusterDefinition;
}

export interface ClusterValidation {
  /** Set when the definition has no errors (it may have warnings). */
  readonly definition?: ClusterDefinition;
  /** Errors and warnings, in the order of the fields. */
  readonly problems: readonly DefinitionError[];
}

export interface FleetValidation {
  /** Definitions without errors, the fleet-wide ones included. */
  readonly clusters: readonly ValidCluster[];
  readonly problems: readonly DefinitionError[];
}

/** `clusters/prod-east.ts` → `prod-east`. */
export function clusterNameOfFile(file: string): string {
  return file.replace(/^.*\//, '').replace(/\.[^.]*$/, '');
}

/** What a definition is checked against besides itself: the other files of its folder. */
export interface FleetContext {
  /** Every definition file of the fleet (`clusters/prod-east.ts`), this one included. */
  readonly files?: readonly string[];
}

export function validateCluster(file: string, exported: unknown, context: FleetContext = {}): ClusterValidation {
  // Data first: the schema never sees a getter, an inherited field or a "__proto__" key (definitionData.ts).
  const { data, value, problems } = parseDefinition(file, clusterSchema, exported);
  const name = isRecord(data) ? data.name : undefined;
  const expected = clusterNameOfFile(file);
  if (typeof name === 'string' && name !== expected && !problems.some((p) => p.path === 'name')) problems.unshift(nameMismatch(file, name, context));
  if (!value || problems.length > 0) return { problems };
  // The version lint's errors (a known-bad release not accepted) block the cluster like any other.
  const lint = [...versionLint(file, value), ...clusterWarnings(file, value)];
  return lint.some((p) => p.severity === 'error') ? { problems: lint } : { definition: value, problems: lint };
}

/** A file whose `name` is not its file name; the fix never suggests a file name another definition has. */
function nameMismatch(file: string, name: string, context: FleetContext): DefinitionError {
  const expected = clusterNameOfFile(file);
  const target = `${dirname(file)}/${name}.ts`;
  const taken = context.files?.includes(target);
  return new DefinitionError(
    file,
    'name',
    `${formatValue(name)} differs from the file name "${expected}"${taken ? `, and ${target} is the definition of a cluster of that name` : ''}`,
    taken ? `set name: "${expected}" (every cluster has its own file and name)` : `rename the file to ${target} or set name: "${expected}"`,
  );
}

/** `context.files` defaults to the loaded files; pass every file of the folder when some failed to load. */
export function validateFleet(loaded: readonly LoadedCluster[], context: FleetContext = { files: loaded.map((l) => l.file) }): FleetValidation {
  const problems: DefinitionError[] = [];
  const clusters: ValidCluster[] = [];
  const firstFileByName = new Map<string, string>();
  for (const { file, definition } of loaded) {
    const result = validateCluster(file, definition, context);
    problems.push(...result.problems);
    if (!result.definition) continue;
    const { name } = result.definition;
    const first = firstFileByName.get(name);
    if (first) {
      problems.push(
        new DefinitionError(file, 'name', `cluster name "${name}" is already used by ${first}`, 'give every cluster its own name; it names its dist/ folder'),
      );
      continue;
    }
    firstFileByName.set(name, file);
    clusters.push({ file, definition: result.definition });
  }
  return { clusters, problems };
}

/** Things that are valid but likely to hurt; reported, never blocking. */
function clusterWarnings(file: string, def: ClusterDefinition): DefinitionError[] {
  const out: DefinitionError[] = [];
  const warn = (path: string, problem: string, fix: string) => out.push(new DefinitionError(file, path, problem, fix, 'warning'));
  const { steps, pools } = resolveCluster(def);
  for (const step of steps.slice(1)) {
    const at = `plannedSteps[${step.index - 1}]`;
    if (step.launcher.entry.caveat && step.launcherChanged)
      warn(at, `${step.launcher.entry.id}: ${step.launcher.entry.caveat}`, 'qualify the build on a canary cluster before this step');
    const dropped = pools.flatMap((p) => {
      const before = new Set(p.sets[step.index]!.supported);
      const lost = p.sets[step.index - 1]!.supported.filter((t) => !before.has(t));
      return lost.length > 0 ? [`pool ${p.name} (${p.architecture}) loses ${lost.join(', ')}`] : [];
    });
    if (dropped.length === 0) continue;
    warn(
      at,
      `${step.label} moves to ${step.launcher.label}, which drops machine types: ${dropped.join('; ')}`,
      `VMs running these types can neither be updated nor drained after the step: \`kvfleet check --cluster ${def.name} --live\` (or --workloads) fails naming them, and \`kvfleet plan\` gives each the type to restart onto before the step`,
    );
  }
  if (def.launcher === undefined && steps[0]!.launcher.entry.caveat) warn('launcher', steps[0]!.launcher.entry.caveat, 'qualify the build before relying on it');
  return out;
}
