import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { PROGRAM_METRICS } from './metricNames.js';
import { endMarker, markedSection, metricsSections, startMarker } from './metricsDocs.js';

const readme = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');

describe('docs/operations.md', () => {
  test.each(metricsSections().map((s) => [s.id, s] as const))('has the %s metrics table the definitions generate', (id, section) => {
    const found = markedSection(readme, id);
    expect(found, `docs/operations.md lacks '${startMarker(id)}' … '${endMarker(id)}'`).toBeDefined();
    expect(found, 'docs/operations.md differs from the metric definitions: run npm run docs:metrics').toBe(section.table);
  });

  test('names no kvfleet metric that a program does not define', () => {
    const defined = new Set<string>(PROGRAM_METRICS.flatMap((m) => Object.values(m)).map((m) => m.name));
    // Series names in queries (`_bucket`, `_count`, `_sum`) count as their histogram.
    const mentioned = [...readme.matchAll(/\bkvfleet_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, ''));
    expect([...new Set(mentioned.filter((n) => !defined.has(n)))]).toEqual([]);
  });
});
