/**
 * Checks a whole fleet before anything is written. Collects every problem (not the first) and
 * names the file, the field path, the value seen and the fix. The schema (clusterSchema.ts) checks
 * each definition; this adds what needs the file or the other files (file name = cluster name, no two
 * clusters with one name), the version lint (versionLint.ts: its errors stop the cluster like any
 * other) and the warnings, which do not stop synthesis.
 */
import { type ClusterDefinition } from './clusterDefinition.js';
import { clusterSchema } from './clusterSchema.js';
import { isRecord } from './clusterSchemaFields.js';
import { DefinitionError } from './definitionError.js';
import { definitionErrors } from './definitionIssues.js';
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

export function validateCluster(file: string, exported: unknown): ClusterValidation {
  if (isRecord(exported) && !isPlainObject(exported)) {
    // A Promise (an async builder) or a class instance would pass as an object and lack every field.
    return {
      problems: [
        new DefinitionError(
          file,
          '',
          `the default export is ${formatValue(exported)}, not a plain object`,
          'export the object itself: `export default defineCluster({ ... })`, with no async, await or new',
        ),
      ],
    };
  }
  let parsed: ReturnType<typeof clusterSchema.safeParse>;
  try {
    parsed = clusterSchema.safeParse(exported);
  } catch (e) {
    // A getter or Proxy that throws while zod reads it.
    return {
      problems: [
        new DefinitionError(
          file,
          '',
          `the definition cannot be read: ${formatValue(e instanceof Error ? e.message : e)}`,
          'export plain data (no getters, Proxies or class instances); if it is plain data, this is a kvfleet bug: please report it',
        ),
      ],
    };
  }
  const problems = parsed.success ? [] : definitionErrors(file, clusterSchema, exported, parsed.error.issues);

  const name = isRecord(exported) ? safeRead(() => exported.name) : undefined;
  const expected = clusterNameOfFile(file);
  if (typeof name === 'string' && name !== expected && !problems.some((p) => p.path === 'name')) {
    problems.unshift(
      new DefinitionError(
        file,
        'name',
        `${formatValue(name)} differs from the file name "${expected}"`,
        `rename the file to clusters/${name}.ts or set name: "${expected}"`,
      ),
    );
  }
  if (!parsed.success || problems.length > 0) return { problems };
  // The version lint's errors (a known-bad release not accepted) block the cluster like any other.
  const lint = [...versionLint(file, parsed.data), ...clusterWarnings(file, parsed.data)];
  return lint.some((p) => p.severity === 'error') ? { problems: lint } : { definition: parsed.data, problems: lint };
}

export function validateFleet(loaded: readonly LoadedCluster[]): FleetValidation {
  const problems: DefinitionError[] = [];
  const clusters: ValidCluster[] = [];
  const firstFileByName = new Map<string, string>();
  for (const { file, definition } of loaded) {
    const result = validateCluster(file, definition);
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

function isPlainObject(v: object): boolean {
  const proto = safeRead(() => Object.getPrototypeOf(v));
  return proto === Object.prototype || proto === null;
}

function safeRead(read: () => unknown): unknown {
  try {
    return read();
  } catch {
    return undefined;
  }
}
