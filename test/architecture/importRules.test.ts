/**
 * The layer order of the top-level folders (.dependency-cruiser.cjs), checked with dependency-cruiser
 * over the real tree, and proven able to fail on a planted tree that breaks each kind of rule.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import { afterAll, describe, expect, test } from 'vitest';
import { projectDir } from '../harness/toolPaths.js';

const require = createRequire(import.meta.url);
const config = require(join(projectDir, '.dependency-cruiser.cjs')) as IConfiguration;
const ROOTS = ['compatibility', 'fleet', 'policies', 'plan', 'programs', 'generators', 'cli', 'clusters', 'kvfleet.config.ts', 'sim', 'bench', 'scripts', 'test'];

async function violations(baseDir: string, roots: readonly string[]): Promise<{ rule: string; from: string; to: string }[]> {
  const cwd = process.cwd();
  process.chdir(baseDir); // dependency-cruiser resolves the roots and the path rules against the working directory
  try {
    const { output } = await cruise([...roots], { ruleSet: config, validate: true, ...config.options, baseDir });
    const result = output as ICruiseResult;
    return result.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
  } finally {
    process.chdir(cwd);
  }
}

test('the tree keeps the layer order and has no runtime import cycle', async () => {
  expect(await violations(projectDir, ROOTS)).toEqual([]);
}, 120_000);

describe('the rules fail on a tree that breaks them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvfleet-import-rules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  write('tsconfig.json', '{}\n');
  write('fleet/schema.ts', "import { rule } from '../compatibility/rule.js';\nexport const schema = rule;\n");
  // Upward: compatibility/ reads the definition schema.
  write('compatibility/rule.ts', "import { schema } from '../fleet/schema.js';\nexport const rule = 1;\nexport const again = schema;\n");
  // Product reading tests; programs reading policies.
  write('programs/main.ts', "import { helper } from '../test/helper.js';\nimport { policy } from '../policies/policy.js';\nexport const main = [helper, policy];\n");
  write('policies/policy.ts', 'export const policy = 1;\n');
  write('test/helper.ts', 'export const helper = 1;\n');
  write('clusters/a.ts', "import { rule } from '../compatibility/rule.js';\nexport default rule;\n");

  test.each([
    ['compatibility-imports-only-below', 'compatibility/rule.ts', 'fleet/schema.ts'],
    ['programs-imports-only-below', 'programs/main.ts', 'test/helper.ts'],
    ['programs-imports-only-below', 'programs/main.ts', 'policies/policy.ts'],
    ['definitions-import-fleet-only', 'clusters/a.ts', 'compatibility/rule.ts'],
    ['no-circular', 'compatibility/rule.ts', 'fleet/schema.ts'],
  ])('%s: %s → %s', async (rule, from, to) => {
    const found = await violations(dir, ['compatibility', 'fleet', 'programs', 'policies', 'test', 'clusters']);
    expect(found).toContainEqual({ rule, from, to });
  });
});
