/** The README says why every package is there: each one in package.json has a row in its table. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';

const repoDir = resolve(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(repoDir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
const readme = readFileSync(join(repoDir, 'README.md'), 'utf8');

/** The first cell of each row of the table under "## Dependencies…", as the package names it lists. */
function tabledPackages(): Set<string> {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Dependencies')) ?? '';
  const rows = section.split('\n').filter((l) => l.startsWith('| `'));
  return new Set(rows.flatMap((r) => [...r.split('|')[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)));
}

test.each([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})])('the README says why %s is a dependency', (name) => {
  expect([...tabledPackages()]).toContain(name);
});
