/** Type guards over parsed, untyped data (YAML, JSON, API objects); the one home for each, imported by every folder. */

/** A plain object (not null, not an array), whose keys may be read. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
