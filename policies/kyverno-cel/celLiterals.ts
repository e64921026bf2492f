/**
 * CEL source text for values computed in TypeScript. The generated policies embed each cluster's
 * decisions as CEL literals (one entry a line), so a PR diff of dist/ shows exactly what changed.
 */

/** A CEL string literal. JSON's escapes (\" \\ \n \uXXXX) are all valid CEL escapes. */
export function celString(value: string): string {
  return JSON.stringify(value);
}

/** `["a", "b"]` on one line. */
export function celStringList(values: readonly string[]): string {
  return `[${values.map(celString).join(', ')}]`;
}

/**
 * A CEL map literal with one entry a line, in the order given (callers sort), so one changed
 * entry is one changed line in a diff. Values are CEL source text.
 */
export function celMap(entries: readonly (readonly [string, string])[]): string {
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([key, value]) => `  ${celString(key)}: ${value}`).join(',\n')}\n}`;
}

/** An RFC 6901 JSON-pointer token: `/` and `~` escaped, for JSONPatch paths fixed at synthesis time. */
export function jsonPointerToken(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
