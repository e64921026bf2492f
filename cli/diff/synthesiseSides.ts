/**
 * The I/O of `kvfleet diff`: both sides are synthesised here, never read from a dist/ that may be
 * stale (issue 14). The base is checked out into a temporary `git worktree` and synthesised by its
 * own code (`cli/main.ts synth`), so a generator change shows up; the working tree is synthesised
 * in-process into a temporary folder, so `dist/` is never touched. Each refusal names the ref, the
 * reason and the fix.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFleet } from '../../fleet/loadFleet.js';
import { synthFleet } from '../../generators/synthFleet.js';
import { type ClusterDefinition } from '../../fleet/clusterDefinition.js';
import { FleetDefinitionErrors } from '../../fleet/definitionError.js';
import { readDistFiles } from './distFiles.js';

/** What the user asked for, and the commit it names. */
export interface ResolvedBase {
  /** As given with --base, or the default's name. */
  readonly ref: string;
  readonly commit: string;
}

/** This checkout, whose tsx runs the base's synth and whose node_modules the worktree borrows. */
const TOOL_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The base's synth output lines a refusal shows. */
const ERROR_LINES = 12;
/** Bounds a base synth that hangs; the example fleet takes about 2 s. */
const BASE_SYNTH_TIMEOUT_MS = 300_000;

export class DiffRefusal extends Error {
  override readonly name = 'DiffRefusal';
}

function git(cwd: string, args: readonly string[]): string {
  return execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function tryGit(cwd: string, args: readonly string[]): string | undefined {
  try {
    return git(cwd, args);
  } catch {
    return undefined;
  }
}

/** The repository's top folder; refuses outside a git repository. */
export function gitTopLevel(cwd: string): string {
  const top = tryGit(cwd, ['rev-parse', '--show-toplevel']);
  if (top === undefined) {
    throw new DiffRefusal(
      `diff: ${cwd} is not inside a git repository, so there is no base to compare with; run kvfleet diff in the fleet repository (or \`git init\` and commit a base)`,
    );
  }
  return top;
}

/**
 * `--base` as given, or by default the merge base of `origin/main` and HEAD (what the PR changes, as
 * GitHub shows it, even when main moved on), or HEAD when there is no `origin/main` (a local repository:
 * the diff is then what is not committed yet).
 */
export function resolveBase(top: string, ref: string | undefined): ResolvedBase {
  if (ref !== undefined) {
    const commit = tryGit(top, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    if (!commit) {
      throw new DiffRefusal(
        `diff: base "${ref}" is not a commit git knows here; fetch it (\`git fetch origin ${ref.replace(/^origin\//, '')}\`) or pass an existing ref with --base`,
      );
    }
    return { ref, commit };
  }
  const main = tryGit(top, ['rev-parse', '--verify', '--quiet', 'origin/main^{commit}']);
  const head = tryGit(top, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  if (!head) throw new DiffRefusal('diff: base "HEAD" does not exist: the repository has no commit yet; commit a base first, or pass one with --base');
  if (main) return { ref: 'origin/main', commit: tryGit(top, ['merge-base', main, head]) ?? main };
  return { ref: 'HEAD', commit: head };
}

export interface BaseSide {
  /** The base's dist files, `<cluster>/<file>` → text. */
  readonly files: ReadonlyMap<string, string>;
  /** The base's cluster definitions, when asked for and loadable by this checkout's loadFleet. */
  readonly definitions?: readonly ClusterDefinition[];
  /** Why the definitions could not be loaded. */
  readonly definitionsProblem?: string;
}

/** Base sides by commit: synthesising the same commit twice in one run gives the same files. */
const baseCache = new Map<string, BaseSide>();

/**
 * The base synthesised by its own `cli/main.ts` in a temporary worktree, and with `definitions` its
 * cluster definitions as this checkout's loadFleet reads them (cluster files import only
 * defineCluster, so a newer loader reads an older base). `projectPath` is where the project sits
 * inside the repository ('' at its top); `clustersPath` is the clusters folder inside the project.
 */
export async function synthesiseBase(
  top: string,
  projectPath: string,
  base: ResolvedBase,
  opts: { definitions?: boolean; clustersPath?: string } = {},
): Promise<BaseSide> {
  const cached = baseCache.get(base.commit);
  if (cached && (!opts.definitions || cached.definitions || cached.definitionsProblem)) return cached;
  const temp = mkdtempSync(join(tmpdir(), 'kvfleet-diff-base-'));
  const worktree = join(temp, 'worktree');
  try {
    git(top, ['worktree', 'add', '--detach', '--quiet', worktree, base.commit]);
    const project = join(worktree, projectPath);
    if (!existsSync(join(project, 'cli', 'main.ts'))) {
      throw new DiffRefusal(
        `diff: base "${base.ref}" (${base.commit.slice(0, 12)}) has no ${join(projectPath, 'cli/main.ts')}, so its synth cannot run; it predates the kvfleet CLI: pass a newer --base`,
      );
    }
    // The base's own code, with this checkout's dependencies: a worktree has no node_modules.
    if (!existsSync(join(project, 'node_modules'))) symlinkSync(join(TOOL_ROOT, 'node_modules'), join(project, 'node_modules'), 'dir');
    const out = join(temp, 'dist');
    try {
      execFileSync(join(TOOL_ROOT, 'node_modules', '.bin', 'tsx'), ['cli/main.ts', 'synth', '--dist', out], {
        cwd: project,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: BASE_SYNTH_TIMEOUT_MS,
        // tsx's shebang runs `node` from PATH; this Node first, so the base runs on the same one.
        env: { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` },
      });
    } catch (e) {
      const { stderr, stdout, message } = e as { stderr?: string; stdout?: string; message: string };
      const lines = `${stderr ?? ''}\n${stdout ?? ''}`.split('\n').filter((l) => l.trim() !== '');
      throw new DiffRefusal(
        `diff: the synth of base "${base.ref}" (${base.commit.slice(0, 12)}) failed, so there is nothing to compare with:\n${(lines.length ? lines : [message])
          .slice(0, ERROR_LINES)
          .map((l) => `  ${l}`)
          .join('\n')}\nFix the base (or pass a base whose synth passes with --base).`,
      );
    }
    const side: BaseSide = {
      files: readDistFiles(out) ?? new Map<string, string>(),
      ...(opts.definitions ? await baseDefinitions(join(project, opts.clustersPath ?? 'clusters'), project) : {}),
    };
    baseCache.set(base.commit, side);
    return side;
  } finally {
    // Also on failure: a leftover worktree would block the next `git worktree add` of the same path.
    tryGit(top, ['worktree', 'remove', '--force', worktree]);
    tryGit(top, ['worktree', 'prune']);
    rmSync(temp, { recursive: true, force: true });
  }
}

async function baseDefinitions(clustersDir: string, projectDir: string): Promise<Pick<BaseSide, 'definitions' | 'definitionsProblem'>> {
  try {
    const { clusters, problems } = await loadFleet(clustersDir, projectDir);
    const errors = problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) return { definitionsProblem: `the base's definitions do not load with this checkout's loader: ${errors[0]!.toString().split('\n')[0]}` };
    return { definitions: clusters.map((c) => c.definition) };
  } catch (e) {
    return { definitionsProblem: `the base's definitions do not load with this checkout's loader: ${(e as Error).message.split('\n')[0]}` };
  }
}

/** The working tree's dist files, synthesised in-process into a temporary folder (dist/ stays as it is). */
export async function synthesiseWorkingTree(clustersDir: string, projectDir: string): Promise<ReadonlyMap<string, string>> {
  const temp = mkdtempSync(join(tmpdir(), 'kvfleet-diff-head-'));
  try {
    const out = join(temp, 'dist');
    try {
      await synthFleet({ clustersDir, distDir: out, projectDir });
    } catch (e) {
      if (e instanceof FleetDefinitionErrors) {
        throw new DiffRefusal(
          `diff: the working tree's definitions are invalid, so there is no "after" to compare; fix them (\`npm run synth\` shows the same):\n${e.message}`,
        );
      }
      throw new DiffRefusal(`diff: the synth of the working tree failed: ${(e as Error).message}`);
    }
    return readDistFiles(out) ?? new Map<string, string>();
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** Where the project sits inside its repository, as a path the worktree can use. */
export function projectPathIn(top: string, projectDir: string): string {
  return relative(top, realpathSync(projectDir)); // git reports the real path; /tmp may be a symlink
}
