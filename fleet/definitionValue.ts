/**
 * Shows a value from a cluster definition inside an error message. A definition file is code and can
 * export anything, so this never throws: BigInts, symbols, functions, circular objects, getters that
 * throw and Proxies all print as something a reader recognises, on one line, cut to a readable length.
 */

/** Longest rendering before it is cut with "…"; long enough for a 253-character label key prefix. */
const MAX_LENGTH = 300;
const MAX_DEPTH = 3;
const MAX_ENTRIES = 8;

/**
 * Characters a terminal shows as nothing (or as a plain space): format characters (zero-width space,
 * joiners, bidirectional controls, BOM, soft hyphen), separators other than the space, controls,
 * variation selectors and the Hangul fillers. Pasted from a web page or a chat, they make a value
 * that looks right fail, and an unescaped message would show the very value that looks right.
 */
// Variation selectors (combining, so outside the class: a class would combine them with its neighbour).
const INVISIBLE = /[\p{Cf}\p{Cc}\p{Zl}\p{Zp}\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000\u115F\u1160\u3164\uFFA0]|\p{Variation_Selector}/gu;

/** `text` with every invisible character written as `\u200b` (`\u{e0100}` beyond the BMP). */
export function escapeInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => {
    const code = c.codePointAt(0)!;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** The invisible characters of `text` as code points (`U+200B`), once each; empty when it has none. */
export function invisibleCharacters(text: string): string[] {
  return [...new Set([...text.matchAll(INVISIBLE)].map((m) => `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`))];
}

/** `"rhel-9.5"`, `42`, `12n`, `null`, `{ "a": 1, … }`, `[circular]`: one line, at most ~300 characters. */
export function formatValue(value: unknown): string {
  let text: string;
  try {
    text = render(value, 0, new Set());
  } catch {
    // A Proxy or exotic object that throws even on typeof-safe inspection.
    text = '[a value that cannot be read]';
  }
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}

function render(value: unknown, depth: number, seen: Set<object>): string {
  switch (typeof value) {
    case 'string':
      // JSON escapes controls (\n, \u0000) itself; the rest of the invisible ones are escaped here.
      return escapeInvisible(JSON.stringify(value));
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value); // NaN, Infinity print as themselves
    case 'bigint':
      return `${value}n`;
    case 'boolean':
      return String(value);
    case 'undefined':
      return 'undefined';
    case 'symbol':
      return value.toString();
    case 'function':
      return value.name ? `[function ${value.name}]` : '[function]';
    default:
      break;
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (seen.has(obj)) return '[circular]';
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? '[invalid Date]' : `[Date ${obj.toISOString()}]`;
  if (obj instanceof RegExp) return String(obj);
  if (obj instanceof Promise) return '[Promise]';
  if (depth >= MAX_DEPTH) return Array.isArray(obj) ? '[…]' : '{…}';
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      const items = obj.slice(0, MAX_ENTRIES).map((v) => safeRender(() => v, depth, seen));
      if (obj.length > MAX_ENTRIES) items.push(`… ${obj.length - MAX_ENTRIES} more`);
      return `[${items.join(', ')}]`;
    }
    const keys = Object.keys(obj);
    const entries = keys.slice(0, MAX_ENTRIES).map((k) => `${escapeInvisible(JSON.stringify(k))}: ${safeRender(() => (obj as Record<string, unknown>)[k], depth, seen)}`);
    if (keys.length > MAX_ENTRIES) entries.push(`… ${keys.length - MAX_ENTRIES} more`);
    const proto = Object.getPrototypeOf(obj) as { constructor?: { name?: string } } | null;
    const className = proto && proto !== Object.prototype ? proto.constructor?.name : undefined;
    const body = entries.length ? `{ ${entries.join(', ')} }` : '{}';
    return className ? `${className} ${body}` : body;
  } finally {
    seen.delete(obj);
  }
}

/** One entry; a getter that throws shows as such instead of ending the whole message. */
function safeRender(read: () => unknown, depth: number, seen: Set<object>): string {
  try {
    return render(read(), depth + 1, seen);
  } catch {
    return '[a getter that throws]';
  }
}
