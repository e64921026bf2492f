/**
 * Reads what a definition file exported as data, before any schema sees it. A file is code and can
 * export objects that behave unlike data: getters run code on every read (and may throw), inherited
 * properties come from whatever changed `Object.prototype`, a `__proto__` key replaces a prototype
 * instead of adding a key, a list can have holes, a Proxy answers what it likes. zod reads its
 * input with `input[key]` and `for…in`, so each of these would reach the generators unseen.
 *
 * The copy holds own enumerable string-keyed data only, in null-prototype objects (nothing is
 * inherited, `"toString" in copy` is false), and every construct that is not data is reported at
 * its path with the fix, never read: a getter is not called. Pure: no I/O, never throws.
 */
import { types } from 'node:util';
import { formatValue } from './definitionValue.js';

/** A part of the export that is not plain data, at its path inside the export. */
export interface DataProblem {
  readonly path: readonly (string | number)[];
  readonly problem: string;
  readonly fix: string;
}

export interface DataReading {
  /** The export as plain data; parts with a problem are left out (their path holds nothing). */
  readonly data: unknown;
  readonly problems: readonly DataProblem[];
}

/** Deeper than any definition kvfleet reads (about 8 levels); bounds the copy of a hostile nesting. */
export const MAX_DATA_DEPTH = 32;

/** The names every object inherits: as keys of a map they collide with what code finds on any object. */
export const PROTOTYPE_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

const PLAIN_DATA = 'write plain data instead: an object literal, a list, a string, a number or a boolean';

/** The export as plain data, and what in it is not. */
export function readAsData(exported: unknown): DataReading {
  const problems: DataProblem[] = [];
  const copies = new Map<object, unknown>();
  const data = copy(exported, [], problems, copies);
  return { data, problems };
}

type Path = readonly (string | number)[];

function copy(value: unknown, path: Path, problems: DataProblem[], copies: Map<object, unknown>): unknown {
  if (typeof value === 'number') return Object.is(value, -0) ? 0 : value; // -0 would be written "-0"
  if (typeof value !== 'object' || value === null) return value; // the schema judges primitives and functions
  const seen = copies.get(value);
  if (seen !== undefined) return seen; // a shared or circular reference stays one object
  const refused = notPlainData(value, path);
  if (refused) {
    problems.push(refused);
    return undefined;
  }
  if (path.length >= MAX_DATA_DEPTH) {
    problems.push({ path, problem: `is nested more than ${MAX_DATA_DEPTH} levels deep`, fix: 'a cluster definition is a few levels deep; remove the nesting' });
    return undefined;
  }
  try {
    return Array.isArray(value) ? copyList(value, path, problems, copies) : copyObject(value, path, problems, copies);
  } catch (e) {
    // A revoked Proxy inside a structure, or an exotic object whose descriptors throw.
    problems.push({ path, problem: `cannot be read: ${formatValue(e instanceof Error ? e.message : e)}`, fix: PLAIN_DATA });
    return undefined;
  }
}

/** Why an object is not data kvfleet reads (a Proxy, a class instance, a Promise…), or undefined. */
function notPlainData(value: object, path: Path): DataProblem | undefined {
  if (types.isProxy(value)) return { path, problem: 'is a Proxy, whose fields are computed when read', fix: PLAIN_DATA };
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null || proto === Object.prototype || (proto === Array.prototype && Array.isArray(value))) return undefined;
  const shown = formatValue(value);
  if (path.length === 0) {
    return {
      path,
      problem: `the default export is ${shown}, not a plain object`,
      fix: 'export the object itself: `export default defineCluster({ ... })`, with no async, await or new',
    };
  }
  const className = constructorName(proto);
  if (className && className !== 'Object') return { path, problem: `${shown} is a ${className}, not plain data`, fix: PLAIN_DATA };
  return {
    path,
    problem: `${shown} has a prototype of its own (\`__proto__: …\` in a literal, or Object.create), so its inherited fields would be read as its own`,
    fix: 'write every field on the object itself, without __proto__ or Object.create',
  };
}

function constructorName(proto: unknown): string | undefined {
  const ctor = Object.getOwnPropertyDescriptor(proto as object, 'constructor')?.value as unknown;
  return typeof ctor === 'function' && ctor.name ? ctor.name : undefined;
}

function copyList(list: readonly unknown[], path: Path, problems: DataProblem[], copies: Map<object, unknown>): unknown[] {
  const out: unknown[] = [];
  copies.set(list, out);
  const present = Object.keys(list); // own index keys and other string keys, in order; never all `length` slots
  const indices = present.filter((k) => String(Number(k) >>> 0) === k).length;
  if (indices < list.length) {
    const first = firstHole(list);
    problems.push({
      path: [...path, first],
      problem: `is a hole in the list: ${list.length - indices} of its ${list.length} places hold nothing (two commas in a row, or a deleted entry)`,
      fix: 'write an entry at every place of the list, or remove the extra commas',
    });
  }
  for (const key of ownKeys(list, path, problems)) {
    if (key === 'length') continue;
    const index = Number(key);
    if (String(index >>> 0) !== key) {
      problems.push({ path: [...path, key], problem: `a list with a field ${formatValue(key)}`, fix: 'a list holds entries only; remove the field' });
      continue;
    }
    const entry = read(list, key, [...path, index], problems);
    if (entry.ok) out[index] = copy(entry.value, [...path, index], problems, copies);
  }
  return out;
}

/** The first index without an entry; only called when there is one. */
function firstHole(list: readonly unknown[]): number {
  for (let i = 0; i < list.length; i++) if (!Object.hasOwn(list, i)) return i;
  return list.length;
}

function copyObject(object: object, path: Path, problems: DataProblem[], copies: Map<object, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  copies.set(object, out);
  for (const key of ownKeys(object, path, problems)) {
    const at = [...path, key];
    if (key === '__proto__') {
      problems.push({
        path: at,
        problem: 'a key named "__proto__": JavaScript sets an object\'s prototype through it, so it cannot be read as a key',
        fix: 'remove it (or rename it: no field, label key or name of a definition can be "__proto__")',
      });
      continue;
    }
    const entry = read(object, key, at, problems);
    // defineProperty: an own "__proto__"-free data property even where a setter would interfere.
    if (entry.ok) Object.defineProperty(out, key, { value: copy(entry.value, at, problems, copies), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Own string keys; symbol keys and hidden (non-enumerable) ones are reported, since they would be ignored. */
function ownKeys(object: object, path: Path, problems: DataProblem[]): string[] {
  const keys: string[] = [];
  for (const key of Reflect.ownKeys(object)) {
    if (typeof key === 'symbol') {
      problems.push({ path, problem: `has a symbol key ${key.toString()}, which kvfleet does not read`, fix: 'use a string key, or remove it' });
      continue;
    }
    if (key === 'length' && Array.isArray(object)) {
      keys.push(key);
      continue;
    }
    if (!Object.prototype.propertyIsEnumerable.call(object, key)) {
      problems.push({
        path: [...path, key],
        problem: 'is hidden (not enumerable, as Object.defineProperty makes it), so it would be ignored',
        fix: `write it as an ordinary field: ${JSON.stringify(key)}: <value>`,
      });
      continue;
    }
    keys.push(key);
  }
  return keys;
}

/** A data property's value; a getter or setter is reported and never called. */
function read(object: object, key: string, path: Path, problems: DataProblem[]): { ok: true; value: unknown } | { ok: false } {
  const descriptor = Object.getOwnPropertyDescriptor(object, key);
  if (!descriptor) return { ok: false };
  if (descriptor.get || descriptor.set) {
    problems.push({
      path,
      problem: `is ${descriptor.get ? 'a getter (get …() { … })' : 'a setter without a value'}: kvfleet reads definitions as data and runs no code in them`,
      fix: `write the value itself: ${JSON.stringify(key)}: <value>`,
    });
    return { ok: false };
  }
  return { ok: true, value: descriptor.value };
}
