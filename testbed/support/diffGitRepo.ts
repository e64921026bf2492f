/**
 * A throwaway git repository holding this project's synth sources, for `kvfleet diff` tests: the
 * files are the import graph of `cli/main.ts`, the cluster files and `kvfleet.config.ts` (esbuild
 * follows it, so a new import needs no edit here), node_modules is a symlink to this checkout's.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { synthFleet } from '../../generators/synthFleet.js';

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Project files synth needs: every module the CLI, the clusters and the fleet config import. */
function synthSources(): string[] {
  const clusters = readdirSync(join(PROJECT, 'clusters'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => `clusters/${f}`);
  const { metafile } = buildSync({
    absWorkingDir: PROJECT,
    entryPoints: ['cli/main.ts', 'kvfleet.config.ts', ...clusters],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    metafile: true,
    write: false,
    outdir: 'unused',
    logLevel: 'silent',
  });
  return [...Object.keys(metafile.inputs), 'package.json', 'tsconfig.json'].sort();
}

export interface DiffGitRepo {
  readonly dir: string;
  git(...args: string[]): string;
  /** Replaces `from` with `to` in a project file; throws when `from` is not there, so an edit cannot silently miss. */
  edit(file: string, from: string | RegExp, to: string): void;
  write(file: string, text: string): void;
  read(file: string): string;
  /** Synthesises the working tree into the repository's dist/, as `npm run synth` would. */
  synth(): Promise<void>;
  /** Stages everything and commits. */
  commit(message: string): void;
  /** Back to the base commit, working tree clean: every scenario starts from the same state. */
  reset(): void;
  remove(): void;
}

/** A repository with one commit, tagged `base`, holding the sources and their synthesised dist/. */
export async function createDiffGitRepo(): Promise<DiffGitRepo> {
  const dir = mkdtempSync(join(tmpdir(), 'kvfleet-diff-repo-'));
  for (const file of synthSources()) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(PROJECT, file), join(dir, file));
  }
  symlinkSync(join(PROJECT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, '.gitignore'), 'node_modules\n');
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const repo: DiffGitRepo = {
    dir,
    git,
    edit(file, from, to) {
      const text = readFileSync(join(dir, file), 'utf8');
      const next = text.replace(from, to);
      if (next === text) throw new Error(`${file}: ${String(from)} not found`);
      writeFileSync(join(dir, file), next);
    },
    write: (file, text) => writeFileSync(join(dir, file), text),
    read: (file) => readFileSync(join(dir, file), 'utf8'),
    synth: async () => {
      await synthFleet({ clustersDir: join(dir, 'clusters'), distDir: join(dir, 'dist'), projectDir: dir });
    },
    commit(message) {
      git('add', '-A');
      git('commit', '-qm', message);
    },
    reset() {
      git('checkout', '-qf', '--detach', 'base');
      git('clean', '-fdq');
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'diff-test@kvfleet.invalid');
  git('config', 'user.name', 'kvfleet diff test');
  git('config', 'commit.gpgsign', 'false');
  await repo.synth();
  repo.commit('base');
  git('tag', 'base');
  return repo;
}
