/**
 * Every `<!-- example: kvfleet … -->` block of README.md and docs/*.md holds what the command prints
 * today (scripts/docsExamples.ts writes them: `npm run docs:examples`), and no output shows an
 * absolute path of the machine it ran on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  absolutePathsIn,
  commandWords,
  exampleBlocks,
  exampleFiles,
  goldenBlocks,
  renderExample,
  renderGolden,
  repoDir,
  runExample,
  withExamples,
  withGoldens,
  withoutCommit,
} from '../../scripts/docsExamples.js';

const blocks = exampleFiles().flatMap((file) => exampleBlocks(readFileSync(join(repoDir, file), 'utf8')).map((b) => ({ file, ...b })));

test('the docs show real output of synth, plan and --help', () => {
  const commands = blocks.map((b) => b.command);
  expect(commands).toEqual(expect.arrayContaining(['kvfleet synth', 'kvfleet plan --cluster prod-east', 'kvfleet --help']));
});

describe.each(blocks.map((b) => [`${b.file}: ${b.command}`, b] as const))('%s', (_title, block) => {
  const rendered = renderExample(block.command, runExample(block.command));

  test('is what the command prints now (else run npm run docs:examples)', () => {
    expect(block.body).toBe(rendered);
  });

  test('shows no absolute path of the machine it ran on', () => {
    expect(absolutePathsIn(rendered)).toEqual([]);
  });
});

const goldens = exampleFiles().flatMap((file) => goldenBlocks(readFileSync(join(repoDir, file), 'utf8')).map((b) => ({ file, ...b })));

test.each(goldens.map((g) => [`${g.file}: ${g.path}`, g] as const))('%s shows the golden file as it is now (else run npm run docs:examples)', (_t, block) => {
  expect(block.body).toBe(renderGolden(block.path));
});

test('the docs show every command of the CLI', () => {
  const commands = blocks.map((b) => b.command.split(' ')[1]);
  expect(new Set(commands)).toEqual(new Set(['synth', 'check', 'plan', 'explain', '--version', '--help']));
  // diff needs an edited git repository: its examples are the goldens of its end-to-end test.
  expect(goldens.some((g) => g.path.startsWith('test/golden/diff/'))).toBe(true);
});

describe('the example mechanism', () => {
  test('a golden block is the file in a fence longer than any fence inside it', () => {
    const page = 'x\n<!-- golden: test/golden/diff/no-change.md -->\nold\n<!-- /golden -->\n';
    const out = withGoldens(page);
    expect(out).toContain(renderGolden('test/golden/diff/no-change.md'));
    expect(out).toMatch(/^x\n<!-- golden: test\/golden\/diff\/no-change\.md -->\n```+markdown\n/);
  });

  const run =
    (stdout: string, exitCode = 0) =>
    () => ({ stdout, stderr: '', exitCode });

  test('rewrites the body between the markers with the command, its output and a non-zero exit code', () => {
    const page = 'intro\n<!-- example: kvfleet plan -->\nstale\n<!-- /example -->\nafter\n';
    expect(withExamples(page, run('line 1\nline 2  \n', 2))).toBe(
      'intro\n<!-- example: kvfleet plan -->\n```console\n$ kvfleet plan\nline 1\nline 2\n[exit code 2]\n```\n<!-- /example -->\nafter\n',
    );
  });

  test('leaves a current block unchanged', () => {
    const page = '<!-- example: kvfleet synth -->\n```console\n$ kvfleet synth\nok\n```\n<!-- /example -->\n';
    expect(withExamples(page, run('ok\n'))).toBe(page);
  });

  test('splits a command line like a shell, and refuses what a shell would expand', () => {
    expect(commandWords(`kvfleet plan --cluster 'prod east' --workloads "a b.yaml"`)).toEqual(['kvfleet', 'plan', '--cluster', 'prod east', '--workloads', 'a b.yaml']);
    expect(() => commandWords('kvfleet plan > out.txt')).toThrow(/only plain words and quotes/);
    expect(() => commandWords('kvfleet plan --cluster $CLUSTER')).toThrow(/only plain words and quotes/);
  });

  test("hides only --version's commit, which every commit changes", () => {
    expect(withoutCommit('kvfleet 0.1.0 (commit a49fcc9, node v24.21.0)')).toBe('kvfleet 0.1.0 (commit <commit>, node v24.21.0)');
    expect(withoutCommit('commit a49fcc9 of dist/')).toBe('commit a49fcc9 of dist/');
  });

  test('runs only kvfleet', () => {
    expect(() => runExample('ls -la')).toThrow(/must start with 'kvfleet'/);
  });

  test('finds absolute paths of a machine in an output', () => {
    expect(absolutePathsIn('wrote /tmp/kvfleet-docs-example-1/dist and /home/me/x, not dist/prod-east/')).toEqual(['/tmp/kvfleet-docs-example-1/dist', '/home/me/x']);
  });
});
