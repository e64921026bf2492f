/**
 * Imports one TypeScript definition module (a cluster file or `kvfleet.config.ts`): the one loader
 * both go through. Every way a file can fail to load becomes DefinitionErrors naming the file, with
 * line and column where the source says where: a syntax error, an import that cannot be resolved, code
 * that throws, a `__proto__` key the object literal swallowed (protoKeysInSource.ts), and a change to
 * JavaScript's shared objects made while it loaded (intrinsicsGuard.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transformSync } from 'esbuild';
import { DefinitionError, type SourceLocation } from './definitionError.js';
import { formatValue } from './definitionValue.js';
import { restoreIntrinsics, snapshotIntrinsics } from './intrinsicsGuard.js';
import { protoKeysInSource } from './protoKeysInSource.js';

/** What kind of file is loaded, for the fixes: the function it should call and the import that brings it. */
export interface DefinitionModuleKind {
  /** `defineCluster` */
  readonly define: string;
  /** `import { defineCluster } from '../fleet/clusterDefinition.js'` */
  readonly importLine: string;
}

export type ModuleLoad = { readonly exports: Readonly<Record<string, unknown>> } | { readonly errors: readonly DefinitionError[] };

/**
 * Each version of a file loads once per process (Node caches the module by URL and never runs it
 * again), so its result is kept with it: a second load, `kvfleet check` before synth in one process,
 * must report what the first found, not a clean import of a cached module whose damage was undone.
 */
const loads = new Map<string, Promise<ModuleLoad>>();

/** `path` on disk, `file` as messages name it (relative to the project). */
export function importDefinitionModule(path: string, file: string, kind: DefinitionModuleKind): Promise<ModuleLoad> {
  const { mtimeMs, size } = statSync(path);
  // The query makes an edited file a new module (ESM caches modules by URL for the life of the process).
  const url = `${pathToFileURL(path).href}?v=${mtimeMs}-${size}`;
  const key = `${url} ${file}`;
  let load = loads.get(key);
  if (!load) {
    load = loadModule(path, url, file, kind);
    loads.set(key, load);
  }
  return load;
}

async function loadModule(path: string, url: string, file: string, kind: DefinitionModuleKind): Promise<ModuleLoad> {
  const source = readFileSync(path, 'utf8');
  const syntax = syntaxError(source, file);
  if (syntax) return { errors: [syntax] };
  const errors: DefinitionError[] = protoKeysInSource(source, file).map(
    (p) =>
      new DefinitionError(
        file,
        p.path,
        "`__proto__: …` in an object literal sets the object's prototype instead of adding a key, so the entry is lost (or its fields are inherited, not its own)",
        'remove it; no field, label key or name of a definition can be "__proto__"',
        'error',
        p.location,
      ),
  );
  const before = snapshotIntrinsics();
  let exports: Record<string, unknown> | undefined;
  try {
    exports = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    errors.push(importFailure(e, path, file, kind));
  }
  const changed = restoreIntrinsics(before);
  if (changed.length > 0) {
    errors.push(
      new DefinitionError(
        file,
        '',
        `changes JavaScript's shared objects while it is loaded (it or a module it imports): ${changed.map((c) => `${c.name} ${c.change}`).join(', ')}`,
        "remove the code (or the dependency) that assigns to them: every object kvfleet reads would inherit the change, every cluster's definition included; kvfleet put them back and wrote nothing",
      ),
    );
  }
  return errors.length > 0 || !exports ? { errors } : { exports };
}

/** Parsed first because module loaders differ in how (and whether) they report where the syntax broke. */
function syntaxError(source: string, file: string): DefinitionError | undefined {
  try {
    transformSync(source, { loader: 'ts', sourcefile: file, logLevel: 'silent' });
    return undefined;
  } catch (e) {
    const first = (e as { errors?: { text: string; location?: { line: number; column: number } | null }[] }).errors?.[0];
    const location = first?.location ? { line: first.location.line, column: first.location.column + 1 } : undefined;
    return new DefinitionError(file, '', `syntax error: ${first?.text ?? firstLine(e)}`, 'fix the TypeScript syntax at that line and column', 'error', location);
  }
}

/** A module that cannot be found, an undeclared name, or code that throws while the file is evaluated. */
function importFailure(e: unknown, path: string, file: string, kind: DefinitionModuleKind): DefinitionError {
  const code = (e as { code?: unknown } | null)?.code;
  const message = firstLine(e);
  const location = locationIn(e, path);
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)|Failed to load url/i.test(message)) {
    return new DefinitionError(
      file,
      '',
      `an import cannot be resolved: ${message}`,
      `fix the import path; the file needs only \`${kind.importLine}\``,
      'error',
      location,
    );
  }
  const undeclared = e instanceof ReferenceError ? /^(\S+) is not defined/.exec(e.message)?.[1] : undefined;
  if (undeclared) {
    return new DefinitionError(
      file,
      '',
      `uses ${undeclared}, which it neither imports nor declares`,
      undeclared === kind.define ? `add \`${kind.importLine};\` at the top` : `import or declare ${undeclared}, or write the value itself`,
      'error',
      location,
    );
  }
  return new DefinitionError(
    file,
    '',
    `throws while it is loaded: ${message}`,
    `${location ? `see line ${location.line}: ` : ''}a definition file should only build its definition from literal values; remove the code that throws (reading files, the environment, calling functions)`,
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
