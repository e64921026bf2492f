/**
 * `npm run docs:metrics`: writes the metrics tables of docs/operations.md from the metric definitions
 * (each program's metrics.ts, generators/observability/kubevirtMetrics.ts), between their marker
 * comments. Prints what it did.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withMetricsTables } from '../generators/observability/metricsDocs.js';

/** Where the metrics tables live (generators/observability/metricsDocs.test.ts reads the same file). */
const docPath = join(import.meta.dirname, '..', 'docs', 'operations.md');
const before = readFileSync(docPath, 'utf8');
const after = withMetricsTables(before);
if (after === before) {
  console.log('docs/operations.md: metrics tables already match the metric definitions');
} else {
  writeFileSync(docPath, after);
  console.log('docs/operations.md: metrics tables rewritten from the metric definitions');
}
