/**
 * `npm run docs:schemas`: writes docs/schemas/plan-<version>.schema.json from the zod schema of the plan
 * (plan/render/planJsonSchema.ts). A test fails while the committed file differs from this output.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLAN_SCHEMA_FILE, planJsonSchemaDocument } from '../plan/render/planJsonSchema.js';

const projectDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(projectDir, PLAN_SCHEMA_FILE);
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, planJsonSchemaDocument());
console.log(`wrote ${PLAN_SCHEMA_FILE}`);
