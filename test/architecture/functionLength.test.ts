/**
 * Issue 22: no function longer than a screen (MAX_FUNCTION_LINES) in product, tooling or test-bed code
 * unless a comment before it says why (functionLength.ts). Tests, test/ and generated files are exempt.
 * Proven able to fail on planted sources.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { projectDir } from '../../testbed/harness/toolPaths.js';
import { longFunctions, MAX_FUNCTION_LINES } from './functionLength.js';

/** Top-level folders that hold none of our source: dependencies, synthesised output, build output. */
const NOT_SOURCE = new Set(['node_modules', 'dist', 'build']);

/** Every `.ts` file under `dir`, relative to the project; dot-folders (.git, .kvfleet, staging folders) skipped. */
function typeScriptFiles(dir = projectDir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.name.startsWith('.') || entry.name === 'node_modules' || (dir === projectDir && NOT_SOURCE.has(entry.name))) return [];
    if (entry.isDirectory()) return typeScriptFiles(path);
    return entry.name.endsWith('.ts') ? [relative(projectDir, path)] : [];
  });
}

/** Tests read best as one case per block, and generated files are not written by hand: neither is checked. */
function isChecked(file: string): boolean {
  return !file.endsWith('.test.ts') && !file.startsWith('test/') && !file.includes('.generated.') && !/(^|\/)(__golden__|__snapshots__)\//.test(file);
}

test(`no function is over ${MAX_FUNCTION_LINES} lines without a comment saying why`, () => {
  const files = typeScriptFiles().filter(isChecked);
  expect(files.length).toBeGreaterThan(100); // the listing found the tree, not an empty folder
  const offenders = files.flatMap((file) =>
    longFunctions(readFileSync(join(projectDir, file), 'utf8'), file)
      .filter((f) => !f.explained)
      .map((f) => `${file}:${f.line} ${f.name} (${f.lines} lines)`),
  );
  expect(
    offenders,
    `split each into named functions that do one thing, or put a comment right before it with "long function:" and why:\n${offenders.join('\n')}`,
  ).toEqual([]);
});

describe('the rule fails on a long function and accepts one whose comment says why', () => {
  const LINES = 85;
  /** The statements of a LINES-line function: all but its opening and closing lines. */
  const body = Array.from({ length: LINES - 2 }, (_, i) => `  const v${i} = ${i};`).join('\n');
  const MARK = '// long function: a table of rows, read best in one place';
  const planted: readonly (readonly [string, (comment: string) => string, number])[] = [
    ['a function declaration', (comment) => `${comment}\nfunction planted() {\n${body}\n}\n`, 2],
    ['an arrow function in a const', (comment) => `${comment}\nexport const planted = () => {\n${body}\n};\n`, 2],
    ['a class method', (comment) => `class Holder {\n  ${comment}\n  planted() {\n${body}\n  }\n}\n`, 3],
  ];

  test.each(planted)('%s', (_kind, source, line) => {
    const found = (comment: string) => longFunctions(source(comment), 'planted.ts');
    expect(found('/** Any other comment explains nothing. */')).toEqual([{ name: 'planted', line, lines: LINES, explained: false }]);
    expect(found(MARK)).toEqual([{ name: 'planted', line, lines: LINES, explained: true }]);
    // At the limit, not over it: no finding.
    expect(longFunctions(source(MARK), 'planted.ts', LINES)).toEqual([]);
  });
});
