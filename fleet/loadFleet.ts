/**
 * Finds, imports and validates every cluster definition file. A file that fails to load becomes a
 * DefinitionError like any other problem (with line and column when the source says where), so one
 * broken file does not hide the others.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transformSync } from 'esbuild';
import { DefinitionError, type SourceLocation } from './definitionError.js';
import { formatValue } from './definitionValue.js';
import { type LoadedCluster, type ValidCluster, validateFleet } from './fleetValidation.js';

export interface LoadedFleet {
  /** The definitions that passed validation, in file-name order. */
  readonly clusters: readonly ValidCluster[];
  /** Every error and warning; any error means the fleet must not be synthesised. */
  readonly problems: readonly DefinitionError[];
}

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
    return { clusters: [], problems: [new DefinitionError(shown, '', 'the clusters folder does not exist', 'pass --clusters <dir> with the cluster definition files')] };
  }
  const entries = readdirSync(clustersDir).sort();
  const loadErrors: DefinitionError[] = [];
  for (const f of entries.filter((e) => MISPLACED.test(e) && statSync(join(clustersDir, e)).isFile())) {
    const base = f.replace(MISPLACED, '');
    loadErrors.push(
      new DefinitionError(
        join(shown, f),
        '',
        'is not read: cluster definitions are .ts files',
        `rename it to ${join(shown, `${base}.ts`)} and write it as \`export default defineCluster({ ... })\``,
      ),
    );
  }
  const files = clusterFiles(clustersDir);
  if (files.length === 0 && loadErrors.length === 0) {
    loadErrors.push(new DefinitionError(shown, '', 'no cluster definition files found', 'add clusters/<name>.ts with `export default defineCluster({ ... })`'));
  }
  const loaded: LoadedCluster[] = [];
  for (const path of files) {
    const result = await loadDefinitionFile(path, relative(projectDir, path));
    if (result instanceof DefinitionError) loadErrors.push(withProjectRelativePaths(result, projectDir));
    else loaded.push(result);
  }
  const { clusters, problems } = validateFleet(loaded);
  return { clusters, problems: [...loadErrors, ...problems] };
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

function withProjectRelativePaths(e: DefinitionError, projectDir: string): DefinitionError {
  return new DefinitionError(e.file, e.path, projectRelativeText(e.problem, projectDir), projectRelativeText(e.fix, projectDir), e.severity, e.location);
}

/** Imports one file; a syntax error, a throw at import or a missing default export becomes a DefinitionError. */
async function loadDefinitionFile(path: string, file: string): Promise<LoadedCluster | DefinitionError> {
  const source = readFileSync(path, 'utf8');
  // Parsed here first because loaders differ in how (and whether) they report where the syntax broke.
  try {
    transformSync(source, { loader: 'ts', sourcefile: file, logLevel: 'silent' });
  } catch (e) {
    const first = (e as { errors?: { text: string; location?: { line: number; column: number } | null }[] }).errors?.[0];
    const location = first?.location ? { line: first.location.line, column: first.location.column + 1 } : undefined;
    return new DefinitionError(file, '', `syntax error: ${first?.text ?? firstLine(e)}`, 'fix the TypeScript syntax at that line and column', 'error', location);
  }
  let mod: Record<string, unknown>;
  try {
    // ESM caches modules by URL for the life of the process; the query makes an edited file load anew.
    const { mtimeMs, size } = statSync(path);
    mod = (await import(`${pathToFileURL(path).href}?v=${mtimeMs}-${size}`)) as Record<string, unknown>;
  } catch (e) {
    return importFailure(e, path, file);
  }
  if (!('default' in mod)) {
    const named = Object.keys(mod);
    return new DefinitionError(
      file,
      '',
      `has no default export${named.length ? ` (it exports ${named.join(', ')})` : ''}`,
      'end the file with `export default defineCluster({ ... })`',
    );
  }
  return { file, definition: mod.default };
}

/** A module that cannot be found, or code that throws while the file is evaluated. */
function importFailure(e: unknown, path: string, file: string): DefinitionError {
  const code = (e as { code?: unknown } | null)?.code;
  const message = firstLine(e);
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)|Failed to load url/i.test(message)) {
    return new DefinitionError(
      file,
      '',
      `an import cannot be resolved: ${message}`,
      "fix the import path; a cluster file needs only `import { defineCluster } from '../fleet/clusterDefinition.js'`",
      'error',
      locationIn(e, path),
    );
  }
  const location = locationIn(e, path);
  const undeclared = e instanceof ReferenceError ? /^(\S+) is not defined/.exec(e.message)?.[1] : undefined;
  if (undeclared) {
    return new DefinitionError(
      file,
      '',
      `uses ${undeclared}, which it neither imports nor declares`,
      undeclared === 'defineCluster'
        ? "add `import { defineCluster } from '../fleet/clusterDefinition.js';` at the top"
        : `import or declare ${undeclared}, or write the value itself`,
      'error',
      location,
    );
  }
  return new DefinitionError(
    file,
    '',
    `throws while it is loaded: ${message}`,
    `${location ? `see line ${location.line}: ` : ''}a cluster file should only build its definition from literal values; remove the code that throws (reading files, the environment, calling functions)`,
    'error',
    location,
  );
}

/** The first line of an error's message, whatever was thrown. */
function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : typeof e === 'string' ? e : formatValue(e);
  return (text.split('\n')[0] ?? '').trim() || formatValue(e);
}

/** The first stack frame inside the definition file (stacks are source-mapped by tsx and vitest). */
function locationIn(e: unknown, path: string): SourceLocation | undefined {
  const stack = e instanceof Error && typeof e.stack === 'string' ? e.stack : '';
  const name = basename(path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const frame = new RegExp(`[\\\\/]${name}(?:\\?[^:\\s)]*)?:(\\d+):(\\d+)`).exec(stack);
  return frame ? { line: Number(frame[1]), column: Number(frame[2]) } : undefined;
}
