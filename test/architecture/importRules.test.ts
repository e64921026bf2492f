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
import { projectDir } from '../../testbed/harness/toolPaths.js';

const require = createRequire(import.meta.url);
const config = require(join(projectDir, '.dependency-cruiser.cjs')) as IConfiguration;
const ROOTS = [
  'compatibility',
  'fleet',
  'policies',
  'plan',
  'programs',
  'generators',
  'cli',
  'clusters',
  'kvfleet.config.ts',
  'sim',
  'bench',
  'scripts',
  'testbed',
  'test',
];

async function cruised(baseDir: string, roots: readonly string[]): Promise<ICruiseResult> {
  const cwd = process.cwd();
  process.chdir(baseDir); // dependency-cruiser resolves the roots and the path rules against the working directory
  try {
    const { output } = await cruise([...roots], { ruleSet: config, validate: true, ...config.options, baseDir });
    return output as ICruiseResult;
  } finally {
    process.chdir(cwd);
  }
}

async function violations(baseDir: string, roots: readonly string[]): Promise<{ rule: string; from: string; to: string }[]> {
  return (await cruised(baseDir, roots)).summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
}

/** Top-level folder → the folders its modules import (tests next to code excluded: they are not the folder's product). */
function folderGraph(result: ICruiseResult): Map<string, Set<string>> {
  const top = (path: string) => path.split('/')[0]!;
  const folders = new Set(ROOTS.filter((r) => !r.includes('.')));
  const graph = new Map<string, Set<string>>();
  for (const m of result.modules) {
    if (m.source.endsWith('.test.ts') || !folders.has(top(m.source))) continue;
    for (const d of m.dependencies) {
      const to = top(d.resolved);
      if (to === top(m.source) || !folders.has(to)) continue;
      graph.set(top(m.source), (graph.get(top(m.source)) ?? new Set()).add(to));
    }
  }
  return graph;
}

/** A cycle in the folder graph as `a → b → a`, or undefined. */
function folderCycle(graph: Map<string, Set<string>>): string | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const walk = (node: string, path: string[]): string | undefined => {
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node].join(' → ');
    if (state.get(node) === 'done') return undefined;
    state.set(node, 'open');
    for (const next of graph.get(node) ?? []) {
      const found = walk(next, [...path, node]);
      if (found) return found;
    }
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const found = walk(node, []);
    if (found) return found;
  }
  return undefined;
}

test('the tree keeps the layer order and has no runtime import cycle', async () => {
  expect(await violations(projectDir, ROOTS)).toEqual([]);
}, 120_000);

test('no cycle between top-level folders (type imports included)', async () => {
  const graph = folderGraph(await cruised(projectDir, ROOTS));
  expect(graph.get('compatibility')).toBeUndefined(); // imports nothing of ours
  expect(folderCycle(graph)).toBeUndefined();
  // The check can fail: the same walk finds a planted cycle.
  expect(folderCycle(new Map([...graph, ['compatibility', new Set(['cli'])]]))).toMatch(/compatibility → .*compatibility$/);
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
  // The shared runtime reading a program; the simulator reading a test folder instead of the test bed.
  write('programs/runtime/loop.ts', "import { reasons } from '../migration-controller/reasons.js';\nexport const loop = reasons;\n");
  write('programs/migration-controller/reasons.ts', 'export const reasons = 1;\n');
  write('sim/run.ts', "import { helper } from '../test/helper.js';\nexport const run = helper;\n");

  test.each([
    ['compatibility-imports-only-below', 'compatibility/rule.ts', 'fleet/schema.ts'],
    ['programs-imports-only-below', 'programs/main.ts', 'test/helper.ts'],
    ['programs-imports-only-below', 'programs/main.ts', 'policies/policy.ts'],
    ['definitions-import-fleet-only', 'clusters/a.ts', 'compatibility/rule.ts'],
    ['no-circular', 'compatibility/rule.ts', 'fleet/schema.ts'],
    ['tooling-imports-no-tests', 'sim/run.ts', 'test/helper.ts'],
    ['runtime-imports-no-program', 'programs/runtime/loop.ts', 'programs/migration-controller/reasons.ts'],
  ])('%s: %s → %s', async (rule, from, to) => {
    const found = await violations(dir, ['compatibility', 'fleet', 'programs', 'policies', 'test', 'clusters', 'sim']);
    expect(found).toContainEqual({ rule, from, to });
  });
});
