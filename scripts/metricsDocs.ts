/**
 * `npm run docs:metrics`: writes the README's metrics tables from the metrics contract
 * (programs/runtime/metricsContract.ts), between their marker comments. Prints what it did.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withMetricsTables } from '../programs/runtime/metricsDocs.js';

const readmePath = join(import.meta.dirname, '..', 'README.md');
const before = readFileSync(readmePath, 'utf8');
const after = withMetricsTables(before);
if (after === before) {
  console.log('README.md: metrics tables already match the contract');
} else {
  writeFileSync(readmePath, after);
  console.log('README.md: metrics tables rewritten from programs/runtime/metricsContract.ts');
}
