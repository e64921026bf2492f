/**
 * `npm run docs:metrics`: writes the metrics tables of docs/operations.md from the metrics contract
 * (programs/runtime/metricsContract.ts), between their marker comments. Prints what it did.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withMetricsTables } from '../programs/runtime/metricsDocs.js';

/** Where the metrics tables live (programs/runtime/metricsContract.test.ts reads the same file). */
const docPath = join(import.meta.dirname, '..', 'docs', 'operations.md');
const before = readFileSync(docPath, 'utf8');
const after = withMetricsTables(before);
if (after === before) {
  console.log('docs/operations.md: metrics tables already match the contract');
} else {
  writeFileSync(docPath, after);
  console.log('docs/operations.md: metrics tables rewritten from programs/runtime/metricsContract.ts');
}
