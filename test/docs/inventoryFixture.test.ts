/**
 * test/docs/fixtures/prod-east-inventory.yaml is prodEastInventoryObjects() (testbed/support/planInventories.ts)
 * as `kubectl get nodes,vm,vmi -A -o yaml` would print it, for the `kvfleet plan` examples in the docs.
 * It is written from the builder, never by hand: `UPDATE_GOLDEN=1 npx vitest run test/docs/inventoryFixture.test.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { stringify } from 'yaml';
import { repoDir } from '../../scripts/docsExamples.js';
import { prodEastInventoryObjects } from '../../testbed/support/planInventories.js';

const FILE = join(repoDir, 'test/docs/fixtures/prod-east-inventory.yaml');
const HEADER =
  '# SYNTHETIC: prod-east before its RHEL 9.6 -> 10.0 node OS upgrade, as `kubectl get nodes,vm,vmi -A -o yaml`\n' +
  '# prints it. Written from testbed/support/planInventories.ts by test/docs/inventoryFixture.test.ts; do not edit.\n';

test('the docs inventory is the shared prod-east inventory', () => {
  const expected = HEADER + stringify({ apiVersion: 'v1', kind: 'List', items: prodEastInventoryObjects() });
  if (process.env.UPDATE_GOLDEN) writeFileSync(FILE, expected);
  expect(readFileSync(FILE, 'utf8')).toBe(expected);
});
