/**
 * `kvfleet --version`: which kvfleet this is, in one line a bug report can quote:
 * `kvfleet 0.1.0 (commit abc1234, node v24.21.0)`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command } from 'commander';

/** The kvfleet checkout this module belongs to, not the working directory: the commit is the CLI's own. */
const kvfleetRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface VersionInfo {
  /** package.json's `version`. */
  readonly version: string;
  /** Short commit of the kvfleet checkout; absent outside a git checkout (a bundle, a tarball). */
  readonly commit?: string;
  /** `process.version` of the Node running the CLI. */
  readonly node: string;
}

export function versionLine(info: VersionInfo): string {
  const commit = info.commit ? `commit ${info.commit}, ` : '';
  return `kvfleet ${info.version} (${commit}node ${info.node})`;
}

/** What this process runs: package.json's version, the checkout's commit, the Node version. */
export function runningVersion(root: string = kvfleetRoot): VersionInfo {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return { version, commit: shortCommit(root), node: process.version };
}

function shortCommit(root: string): string | undefined {
  try {
    // Without git, or outside a checkout, the version line simply has no commit.
    const out = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 });
    return out.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** `-V, --version` on the root command (commander prints the line and ends the run with exit 0). */
export function registerVersion(program: Command, info: () => VersionInfo = runningVersion): void {
  program.version(versionLine(info()), '-V, --version', 'print the kvfleet version, its git commit and the Node version');
}
