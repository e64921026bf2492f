/**
 * `npm run docs:examples`: rewrites every command-output example in README.md and docs/*.md from a
 * real run. A block is
 *
 *   <!-- example: kvfleet plan --cluster prod-east -->
 *   …generated: the command and its output…
 *   <!-- /example -->
 *
 * The command line must start with `kvfleet`; it runs as `node_modules/.bin/tsx cli/main.ts <args>`
 * with NO_COLOR=1 and TZ=UTC, from a scratch copy of the repository root (symlinks to everything,
 * but a copy of dist/), so an example of `kvfleet synth` never rewrites the committed dist/.
 * test/docs/examples.test.ts fails when a block differs from what this writes.
 *
 * Output that needs a scene no command line can set up (a `kvfleet diff` after an edit in a git
 * repository) is shown from the golden file its end-to-end test compares against:
 *
 *   <!-- golden: test/golden/diff/remove-machine-type.md -->
 *   …generated: the file's content in a fenced block…
 *   <!-- /golden -->
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is scripts/docsExamples.ts). */
export const repoDir = resolve(import.meta.dirname, '..');

/** One example block: the command line and what stands between the markers now. */
export interface ExampleBlock {
  readonly command: string;
  readonly body: string;
  /** Offsets of the body in the file (after the opening marker's line break, before the closing marker). */
  readonly bodyStart: number;
  readonly bodyEnd: number;
}

const BLOCK = /<!-- example: (.+?) -->\n([\s\S]*?)<!-- \/example -->/g;

/** Offsets where fenced code blocks start and end: a marker shown inside one is an illustration, not a block. */
function fencedRanges(markdown: string): [number, number][] {
  const ranges: [number, number][] = [];
  let offset = 0;
  let open: { at: number; fence: string } | undefined;
  for (const line of markdown.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined && open === undefined) open = { at: offset, fence: marker };
    else if (marker !== undefined && open !== undefined && marker[0] === open.fence[0] && marker.length >= open.fence.length) {
      ranges.push([open.at, offset + line.length]);
      open = undefined;
    }
    offset += line.length + 1;
  }
  if (open) ranges.push([open.at, markdown.length]);
  return ranges;
}

export function exampleBlocks(markdown: string): ExampleBlock[] {
  const fenced = fencedRanges(markdown);
  const outsideCode = (m: RegExpExecArray) => !fenced.some(([from, to]) => m.index >= from && m.index < to);
  return [...markdown.matchAll(BLOCK)].filter(outsideCode).map((m) => {
    const bodyStart = m.index + m[0].indexOf('\n') + 1;
    return { command: m[1]!.trim(), body: m[2]!, bodyStart, bodyEnd: bodyStart + m[2]!.length };
  });
}

/** The Markdown files that may hold examples, relative to the repository root. */
export function exampleFiles(root = repoDir): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

/**
 * Words of a command line, as a POSIX shell splits them without expansion: blanks separate,
 * '…' and "…" quote. Anything a shell would expand ($, `, globs, pipes) is refused: an example
 * shows one kvfleet invocation, and what runs must be exactly what the reader sees.
 */
export function commandWords(line: string): string[] {
  if (/[$`|&;<>*?(){}\\]/.test(line.replace(/'[^']*'|"[^"]*"/g, ''))) {
    throw new Error(`example '${line}': only plain words and quotes are supported (no $, pipes, globs or redirections)`);
  }
  const words: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}

export interface ExampleRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/**
 * A scratch copy of the repository root: a symlink per top-level entry, a real copy of dist/ (which
 * `kvfleet synth` replaces), none of the scratch folders. Removed by the returned function.
 */
function scratchRoot(root: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kvfleet-docs-example-'));
  for (const entry of readdirSync(root)) {
    if (entry === 'dist') cpSync(join(root, entry), join(dir, entry), { recursive: true });
    else if (entry !== '.kvfleet' && entry !== 'build' && !entry.startsWith('.dist.')) symlinkSync(join(root, entry), join(dir, entry));
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs one example command line (`kvfleet …`) the way the block promises. */
export function runExample(command: string, root = repoDir): ExampleRun {
  const [program, ...args] = commandWords(command);
  if (program !== 'kvfleet') throw new Error(`example '${command}': the command must start with 'kvfleet'`);
  const scratch = scratchRoot(root);
  try {
    // The real cli/main.ts, not its symlink: main.ts runs only when argv[1] is its own path.
    const result = spawnSync(join(root, 'node_modules/.bin/tsx'), [join(root, 'cli/main.ts'), ...args], {
      cwd: scratch.dir,
      encoding: 'utf8',
      // The project's Node 24 (node_modules/.bin/node) first, as npm scripts have it.
      env: { ...process.env, PATH: `${join(root, 'node_modules/.bin')}${delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1', FORCE_COLOR: '0', TZ: 'UTC' },
      timeout: 120_000,
    });
    if (result.error) throw result.error;
    return { stdout: result.stdout, stderr: result.stderr, exitCode: result.status ?? 1 };
  } finally {
    scratch.remove();
  }
}

/**
 * `kvfleet --version` names the commit it runs from, which every commit changes: the docs show
 * `<commit>` in its place so the example stays current (the only part of any output rewritten).
 */
export function withoutCommit(text: string): string {
  return text.replace(/\(commit [0-9a-f]{7,40}, /g, '(commit <commit>, ');
}

/** The block body for a run: the command and its output as a console session, the exit code when not 0. */
export function renderExample(command: string, run: ExampleRun): string {
  const output = [run.stdout, run.stderr]
    .map((s) => withoutCommit(s).replace(/\s+$/, ''))
    .filter((s) => s !== '')
    .join('\n');
  const lines = [`$ ${command}`, ...(output === '' ? [] : output.split('\n').map((l) => l.trimEnd()))];
  if (run.exitCode !== 0) lines.push(`[exit code ${run.exitCode}]`);
  return `\`\`\`console\n${lines.join('\n')}\n\`\`\`\n`;
}

/** Absolute paths of this machine an output must never show (a reader's checkout is elsewhere). */
export function absolutePathsIn(text: string): string[] {
  return [...new Set(text.match(/(?:\/work\/|\/root\/|\/home\/|\/tmp\/)[^\s'"`),;]*/g) ?? [])];
}

const GOLDEN = /<!-- golden: (\S+?) -->\n([\s\S]*?)<!-- \/golden -->/g;

/** Golden-file blocks: the repository-relative path and the body between the markers now. */
export function goldenBlocks(markdown: string): { readonly path: string; readonly body: string; readonly bodyStart: number; readonly bodyEnd: number }[] {
  return [...markdown.matchAll(GOLDEN)].map((m) => {
    const bodyStart = m.index + m[0].indexOf('\n') + 1;
    return { path: m[1]!, body: m[2]!, bodyStart, bodyEnd: bodyStart + m[2]!.length };
  });
}

/** The block body for a golden file: its text in a fence long enough for any fence inside it. */
export function renderGolden(path: string, root = repoDir): string {
  const text = readFileSync(join(root, path), 'utf8').replace(/\s+$/, '');
  const longest = Math.max(2, ...[...text.matchAll(/`{3,}/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${path.endsWith('.json') ? 'json' : 'markdown'}\n${text}\n${fence}\n`;
}

/** `markdown` with every golden block rewritten from its file. */
export function withGoldens(markdown: string, root = repoDir): string {
  let text = markdown;
  for (const block of goldenBlocks(markdown).reverse()) {
    text = text.slice(0, block.bodyStart) + renderGolden(block.path, root) + text.slice(block.bodyEnd);
  }
  return text;
}

/** `markdown` with every example block rewritten from a fresh run. */
export function withExamples(markdown: string, run: (command: string) => ExampleRun = (c) => runExample(c)): string {
  let text = markdown;
  // Back to front, so earlier offsets stay valid.
  for (const block of exampleBlocks(markdown).reverse()) {
    text = text.slice(0, block.bodyStart) + renderExample(block.command, run(block.command)) + text.slice(block.bodyEnd);
  }
  return text;
}

function main(): void {
  for (const file of exampleFiles()) {
    const path = join(repoDir, file);
    const before = readFileSync(path, 'utf8');
    const blocks = [...exampleBlocks(before), ...goldenBlocks(before)];
    if (blocks.length === 0) continue;
    const after = withGoldens(withExamples(before));
    for (const found of exampleBlocks(after)) {
      const paths = absolutePathsIn(found.body);
      if (paths.length > 0) console.warn(`${file}: '${found.command}' prints absolute paths (${paths.join(', ')}); fix the command, not the docs`);
    }
    if (after === before) console.log(`${file}: ${blocks.length} example(s) already current`);
    else {
      writeFileSync(path, after);
      console.log(`${file}: ${blocks.length} example(s) rewritten from real runs`);
    }
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
