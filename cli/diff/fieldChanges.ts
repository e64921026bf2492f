/**
 * Field-level differences between two parsed objects, as a reviewer reads them: a path such as
 * `spec.template.spec.containers[controller].env[KVFLEET_FALLBACK_ATTEMPTS].value` and the values
 * on each side. Pure.
 */
import { isRecord } from '../../compatibility/guards.js';

export interface FieldChange {
  /** Dotted path; list items with a unique `name` are addressed by it (`env[NAME]`). */
  readonly path: string;
  /** The value before; absent when the field was added. For a list compared as a set: the items removed. */
  readonly before?: unknown;
  /** The value after; absent when the field was removed. For a list compared as a set: the items added. */
  readonly after?: unknown;
  /** Set for lists compared as sets (their order carries no meaning here, or only the members changed). */
  readonly members?: true;
}

/** One deterministic text for any value: key-sorted JSON, so equal values compare equal. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isRecord(v)) {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => v[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

export const sameValue = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

function childPath(parent: string, key: string): string {
  const plain = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key);
  if (plain !== key) return `${parent}[${plain}]`;
  return parent ? `${parent}.${key}` : key;
}

/** The key list items are matched by: `name` when every item on both sides has a distinct one. */
function itemNames(list: readonly unknown[]): string[] | undefined {
  const names = list.map((x) => (isRecord(x) && typeof x.name === 'string' ? x.name : undefined));
  if (names.some((n) => n === undefined) || new Set(names).size !== names.length) return undefined;
  return names as string[];
}

interface Walk {
  /** Descend into a map that exists on one side only, so each of its leaves is a change of its own. */
  readonly leaves: boolean;
}

function listChanges(path: string, before: readonly unknown[], after: readonly unknown[], out: FieldChange[], walk: Walk): void {
  const nb = itemNames(before);
  const na = itemNames(after);
  if (nb && na && (nb.length > 0 || na.length > 0)) {
    const b = new Map(before.map((x, i) => [nb[i]!, x]));
    const a = new Map(after.map((x, i) => [na[i]!, x]));
    const found = out.length;
    for (const name of [...new Set([...nb, ...na])].sort()) collect(`${path}[${name}]`, b.get(name), a.get(name), out, walk);
    // Same items in another order: reported, since for some lists (rollout steps, rules) order matters.
    if (out.length === found && nb.join('\0') !== na.join('\0')) out.push({ path, before: nb, after: na });
    return;
  }
  const kb = before.map(canonical);
  const ka = after.map(canonical);
  const removed = before.filter((_, i) => !ka.includes(kb[i]!));
  const added = after.filter((_, i) => !kb.includes(ka[i]!));
  if (removed.length > 0 || added.length > 0) {
    out.push({ path, ...(removed.length ? { before: removed } : {}), ...(added.length ? { after: added } : {}), members: true });
  } else if (kb.join('\0') !== ka.join('\0')) {
    out.push({ path, before, after }); // same members, new order
  }
}

function collect(path: string, before: unknown, after: unknown, out: FieldChange[], walk: Walk): void {
  if (sameValue(before, after)) return;
  const descend = walk.leaves ? (isRecord(before) || before === undefined) && (isRecord(after) || after === undefined) : isRecord(before) && isRecord(after);
  if (descend) {
    const b = (before ?? {}) as Record<string, unknown>;
    const a = (after ?? {}) as Record<string, unknown>;
    for (const key of [...new Set([...Object.keys(b), ...Object.keys(a)])].sort()) collect(childPath(path, key), b[key], a[key], out, walk);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    listChanges(path, before, after, out, walk);
    return;
  }
  out.push({ path, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) });
}

/**
 * Every field that differs, sorted by path; empty when the two are equal in meaning. A map present on
 * one side only is one change, unless `leaves` asks for each of its fields.
 */
export function fieldChanges(before: unknown, after: unknown, opts: Partial<Walk> = {}): FieldChange[] {
  const out: FieldChange[] = [];
  collect('', before, after, out, { leaves: opts.leaves ?? false });
  return out.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

/** A value as one short line: scalars as they are, lists and maps in flow style, cut at `maxChars`. */
export function compactValue(v: unknown, maxChars = 80): string {
  const text = flow(v);
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}

function flow(v: unknown): string {
  if (v === undefined) return '(unset)';
  if (typeof v === 'string') return v.includes('\n') ? `${v.split('\n')[0]}…` : v;
  if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
  if (isRecord(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${k}: ${flow(v[k])}`)
      .join(', ')}}`;
  }
  return String(v);
}
