/**
 * Shows a value from a cluster definition inside an error message. A definition file is code and can
 * export anything, so this never throws: BigInts, symbols, functions, circular objects, getters that
 * throw and Proxies all print as something a reader recognises, on one line, cut to a readable length.
 */

/** Longest rendering before it is cut with "…"; long enough for a 253-character label key prefix. */
const MAX_LENGTH = 300;
const MAX_DEPTH = 3;
const MAX_ENTRIES = 8;

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
      return JSON.stringify(value);
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
    const entries = keys.slice(0, MAX_ENTRIES).map((k) => `${JSON.stringify(k)}: ${safeRender(() => (obj as Record<string, unknown>)[k], depth, seen)}`);
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
