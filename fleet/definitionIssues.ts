/**
 * Turns zod's issues into DefinitionErrors: the file, the field path as an author writes it
 * (`nodePools[0].nodeSelector["node.example.com/os"]`), the value seen and the fix. Checks in
 * clusterSchemaFields.ts / clusterSchemaRules.ts carry their own text; for the issues zod raises
 * itself (wrong type, unknown key, value not in a list) the text comes from the field's FieldInfo.
 */
import type * as z from 'zod';
import { type FieldInfo, fieldInfo } from './clusterSchemaFields.js';
import { isRecord } from '../compatibility/guards.js';
import { type DataProblem, readAsData } from './definitionData.js';
import { type RetiredField, retiredFields } from './clusterSchemaLauncher.js';
import { DefinitionError } from './definitionError.js';
import { closestName } from './definitionSuggestion.js';
import { escapeInvisible, formatValue, invisibleCharacters } from './definitionValue.js';

type Issue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;
type Path = readonly PropertyKey[];

const FALLBACK_FIX = "see the field's documentation in fleet/clusterSchema.ts";

export interface ParsedDefinition<T> {
  /** The export as plain data (definitionData.ts): what the schema read and what messages quote. */
  readonly data: unknown;
  /** The schema's output, when there is no problem. */
  readonly value?: T;
  readonly problems: DefinitionError[];
}

/**
 * Reads `exported` as data, then checks it against `schema`. A part that is not data (a getter, a
 * "__proto__" key, a hole) is the cause; what the schema then misses there (a required field) is its
 * consequence and is not reported on top of it.
 */
export function parseDefinition<T>(file: string, schema: z.ZodType<T>, exported: unknown): ParsedDefinition<T> {
  const { data, problems: dataProblems } = readAsData(exported);
  let parsed: ReturnType<typeof schema.safeParse>;
  try {
    parsed = schema.safeParse(data);
  } catch (e) {
    // Nothing in plain data should throw; if something does, say so rather than crash the run.
    const problem = `the definition cannot be read: ${formatValue(e instanceof Error ? e.message : e)}`;
    return { data, problems: [new DefinitionError(file, '', problem, 'export plain data; if it is plain data, this is a kvfleet bug: please report it')] };
  }
  const refused = dataProblems.map((p) => p.path);
  const schemaIssues = (parsed.success ? [] : parsed.error.issues).filter((issue) => !refused.some((r) => r.every((seg, i) => issue.path[i] === seg)));
  const issues = [...dataProblems.map(dataIssue), ...schemaIssues];
  const problems = issues.length > 0 ? definitionErrors(file, schema, data, issues) : [];
  return parsed.success && problems.length === 0 ? { data, value: parsed.data, problems } : { data, problems };
}

/** A data problem as a schema issue, so it is reported with the field path as the schema's are. */
function dataIssue(p: DataProblem): Issue {
  return { code: 'custom', path: [...p.path], message: p.problem, params: { fix: p.fix }, input: undefined } as Issue;
}

/** One DefinitionError per problem (one per unknown key), in the order zod found them. */
export function definitionErrors(file: string, root: Schema, input: unknown, issues: readonly Issue[]): DefinitionError[] {
  return resolveUnions(issues, input).flatMap((issue) => toErrors(file, root, input, issue).map((e) => withInvisibleNamed(e, issue, input)));
}

/**
 * A value or key that looks right but holds invisible characters (shown escaped by formatValue):
 * the problem says so, since the escape alone is easy to read past.
 */
function withInvisibleNamed(e: DefinitionError, issue: Issue, input: unknown): DefinitionError {
  const value = valueAt(input, issue.path);
  const key = issue.path.at(-1);
  const seen = [...(typeof value === 'string' ? invisibleCharacters(value) : []), ...(typeof key === 'string' ? invisibleCharacters(key) : [])];
  if (seen.length === 0) return e;
  const note = ` (it holds the invisible character${seen.length > 1 ? 's' : ''} ${[...new Set(seen)].join(', ')}, shown escaped: retype it)`;
  return new DefinitionError(e.file, e.path, `${e.problem}${note}`, e.fix, e.severity, e.location);
}

/**
 * A union reports every alternative's failures. When the value has the shape of exactly one
 * alternative (an object where 'none' or an object is allowed), that alternative's issues are the
 * real ones; otherwise the union's own message ("is not 'none' or Kube-OVN settings") is clearer.
 */
function resolveUnions(issues: readonly Issue[], input: unknown): Issue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union') return [issue];
    const shaped = issue.errors.filter((branch) => !branch.some((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value')));
    if (shaped.length !== 1) return [issue];
    const nested = shaped[0]!.map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as Issue);
    return resolveUnions(nested, input);
  });
}

function toErrors(file: string, root: Schema, input: unknown, issue: Issue): DefinitionError[] {
  const { text: path, schema } = locate(root, issue.path, input);
  const value = valueAt(input, issue.path);
  const info = schema ? infoOf(schema) : undefined;
  const fix = info?.fix ?? FALLBACK_FIX;
  const error = (problem: string, fixText = fix, at = path) => new DefinitionError(file, at, problem, fixText);
  const missing = `no value (undefined): it is required and must be ${info?.expected ?? 'set'}`;

  switch (issue.code) {
    case 'custom': {
      const own = (issue.params as { fix?: unknown } | undefined)?.fix;
      return [error(issue.message, typeof own === 'string' ? own : fix)];
    }
    case 'unrecognized_keys': {
      const known = schema ? objectKeys(schema, value) : [];
      const retired = schema ? retiredOf(schema) : undefined;
      return issue.keys.map((key) => {
        const rewrite = retired && Object.hasOwn(retired, key) ? retired[key]!(valueAt(value, [key]), (value ?? {}) as Record<string, unknown>) : undefined;
        if (rewrite) return error(rewrite.problem, rewrite.fix, locate(root, [...issue.path, key]).text);
        const guess = closestName(key, known);
        const fields = known.length ? `; the fields here are ${known.join(', ')}` : '';
        return error(
          `unknown field ${formatValue(key)} (set to ${formatValue(valueAt(value, [key]))})`,
          guess ? `did you mean "${guess}"? Rename it: a misspelt field would otherwise be ignored${fields}` : `remove it${fields}`,
          locate(root, [...issue.path, key]).text,
        );
      });
    }
    case 'invalid_type':
      if (issue.path.length === 0) return [error(`the default export is ${formatValue(value)}, not ${info?.expected ?? issue.expected}`)];
      if (value === undefined) return [error(info ? missing : `no value (undefined): it is required and must be ${issue.expected}`)];
      return [error(`${formatValue(value)} is not ${info?.expected ?? issue.expected}`)];
    case 'invalid_value': {
      const options = issue.values.filter((v): v is string => typeof v === 'string');
      const guess = typeof value === 'string' ? (info?.synonyms?.[value] ?? closestName(value, options)) : undefined;
      const expected = info?.expected ?? `one of ${options.join(', ')}`;
      if (value === undefined) return [error(missing)];
      return [error(`${formatValue(value)} is not ${expected}`, guess ? `did you mean "${guess}"? ${fix}` : fix)];
    }
    case 'invalid_union': {
      // A discriminated union (plannedSteps[].kind) reports a missing or unknown discriminator at the
      // discriminator's path, with the values it takes: say those, guess the nearest, give the union's own fix.
      const { discriminator, options } = issue as { discriminator?: string; options?: unknown[] };
      if (discriminator !== undefined && options) {
        const kinds = options.filter((o): o is string => typeof o === 'string');
        const guess = typeof value === 'string' ? closestName(value, kinds) : undefined;
        const parent = locate(root, issue.path.slice(0, -1)).schema;
        const unionFix = (parent && infoOf(parent)?.fix) ?? fix;
        const problem =
          value === undefined
            ? `no ${discriminator} (undefined): it is required and must be one of ${kinds.join(', ')}`
            : `${formatValue(value)} is not one of ${kinds.join(', ')}`;
        return [error(problem, guess ? `did you mean "${guess}"? ${unionFix}` : unionFix)];
      }
      if (value === undefined) return [error(missing)];
      return [error(`${formatValue(value)} is not ${info?.expected ?? 'any of the accepted forms'}`)];
    }
    default:
      return [error(`${formatValue(value)}: ${issue.message}`)];
  }
}

/** The value at `path` inside what the file exported; `undefined` where there is none or it cannot be read. */
function valueAt(input: unknown, path: Path): unknown {
  let v = input;
  for (const seg of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    try {
      v = Object.hasOwn(v, seg) ? (v as Record<PropertyKey, unknown>)[seg] : undefined; // never an inherited value
    } catch {
      return undefined; // a getter that throws; the formatter shows `undefined`
    }
  }
  return v;
}

/** The layers of a schema from the outside in: `.optional()`, `.readonly()`… down to the object or string. */
function layers(schema: Schema): Schema[] {
  const out: Schema[] = [schema];
  for (let s = schema; ; ) {
    const def = s._zod.def as unknown as { type: string; innerType?: Schema; in?: Schema; getter?: () => Schema };
    const next = def.innerType ?? (def.type === 'pipe' ? def.in : undefined) ?? (def.type === 'lazy' ? def.getter?.() : undefined);
    if (!next || out.includes(next)) return out;
    out.push(next);
    s = next;
  }
}

function core(schema: Schema): { type: string; def: Record<string, unknown> } {
  const inner = layers(schema).at(-1)!;
  const def = inner._zod.def as unknown as Record<string, unknown> & { type: string };
  return { type: def.type, def };
}

function infoOf(schema: Schema): FieldInfo | undefined {
  for (const layer of layers(schema)) {
    const info = fieldInfo.get(layer);
    if (info) return info;
  }
  return undefined;
}

/** The retired keys of an object schema (clusterSchemaLauncher.ts `retiredFields`), whatever layers wrap it. */
function retiredOf(schema: Schema): Readonly<Record<string, RetiredField>> | undefined {
  for (const layer of layers(schema)) {
    const retired = retiredFields.get(layer);
    if (retired) return retired;
  }
  return undefined;
}

/**
 * The keys an object schema takes. For a union, those of every option, once each; for a
 * discriminated union whose value names an option, that option's only, so an unknown key is never
 * "corrected" to a key of another kind.
 */
function objectKeys(schema: Schema, value?: unknown): string[] {
  const { type, def } = core(schema);
  if (type === 'object') return Object.keys(def.shape as object);
  if (type !== 'union') return [];
  return [...new Set(optionsFor(def, value).flatMap((o) => objectKeys(o)))];
}

/** One step down: the schema of `seg` inside `schema` (holding `value`), and whether `seg` is a key the author chose (a record key). */
function child(schema: Schema, seg: PropertyKey, value?: unknown): { next?: Schema; userKey: boolean } {
  const { type, def } = core(schema);
  switch (type) {
    case 'object':
      // Own keys only: a key named "valueOf" would find Object.prototype.valueOf on the shape.
      return { next: Object.hasOwn(def.shape as object, seg) ? (def.shape as Record<PropertyKey, Schema>)[seg] : undefined, userKey: false };
    case 'array':
      return { next: def.element as Schema, userKey: false };
    case 'record':
      return { next: def.valueType as Schema, userKey: true };
    case 'union':
      // A discriminated union's value names its option: `to` of a node-os-upgrade is an OS release, not a KubeVirt version.
      for (const option of optionsFor(def, value)) {
        const found = child(option, seg);
        if (found.next) return found;
      }
      return { userKey: false };
    default:
      return { userKey: false };
  }
}

/** A union's options; for a discriminated union whose value names one (`kind: 'node-os-upgrade'`), that one only. */
function optionsFor(def: Record<string, unknown>, value: unknown): Schema[] {
  const options = def.options as Schema[];
  const discriminator = def.discriminator as string | undefined;
  if (discriminator === undefined || !isRecord(value)) return options;
  const tag = value[discriminator];
  const chosen = options.filter((o) => {
    const { type, def: objectDef } = core(o);
    const literal = type === 'object' ? (objectDef.shape as Record<string, Schema>)[discriminator] : undefined;
    return literal !== undefined && (core(literal).def.values as unknown[] | undefined)?.includes(tag);
  });
  return chosen.length === 1 ? chosen : options;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The path as an author reads it, and the schema there (undefined past an unknown key); `input` picks a discriminated union's option. */
function locate(root: Schema, path: Path, input?: unknown): { text: string; schema?: Schema } {
  let schema: Schema | undefined = root;
  let text = '';
  for (const [i, seg] of path.entries()) {
    const step: { next?: Schema; userKey: boolean } = schema ? child(schema, seg, valueAt(input, path.slice(0, i))) : { userKey: false };
    if (typeof seg === 'number') text += `[${seg}]`;
    else if (typeof seg === 'symbol') text += `[${seg.toString()}]`;
    else if (!step.userKey && IDENTIFIER.test(seg)) text += text ? `.${seg}` : seg;
    else text += `[${escapeInvisible(JSON.stringify(seg))}]`;
    schema = step.next;
  }
  return { text, ...(schema ? { schema } : {}) };
}
