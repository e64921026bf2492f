/**
 * What every command shares: where relative paths resolve, how paths are shown, and the exit codes.
 * Defaults are relative (`clusters`, `dist`) so `--help` shows no path of the machine it runs on.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { projectRelativeText } from '../fleet/loadFleet.js';

/** The documented exit codes of every command (README "The CLI", docs/user-guide.md). */
export const EXIT = {
  ok: 0,
  /** Invalid input: a definition, a flag, a file, a git ref; the message names it. */
  invalid: 1,
  /** The command worked and found something that must stop a pipeline (a stranded VM). */
  blocking: 2,
} as const;

/** What each exit code means, for the end of `kvfleet --help`. */
const EXIT_MEANINGS: Record<keyof typeof EXIT, string> = {
  ok: 'success (check: valid; plan: nothing stranded)',
  invalid: 'invalid input: a definition, a flag, a file, a git ref; the message names it',
  blocking: 'the command worked and found something that must stop a pipeline (plan: a stranded VM)',
};

/** The exit codes as `--help` ends with them, built from EXIT so the two cannot drift apart. */
export function exitCodesHelp(): string {
  const rows = (Object.keys(EXIT) as (keyof typeof EXIT)[]).map((k) => `  ${EXIT[k]}  ${EXIT_MEANINGS[k]}`);
  return ['', 'Exit codes:', ...rows].join('\n');
}

export interface CliContext {
  /** Folder relative paths resolve against (the working directory). */
  readonly cwd: string;
}

export function defaultContext(): CliContext {
  return { cwd: process.cwd() };
}

export function resolvePath(ctx: CliContext, path: string): string {
  return resolve(ctx.cwd, path);
}

/** A path as a message shows it: relative to the working directory when inside it. */
export function displayPath(ctx: CliContext, path: string): string {
  const rel = relative(ctx.cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/**
 * A message with every path inside the working directory made relative (plain or as a file: URL),
 * for errors whose text comes from elsewhere (Node's ENOENT, a module loader), so output does not
 * depend on where the repository is checked out.
 */
export function relativeMessage(ctx: CliContext, message: string): string {
  return projectRelativeText(message, ctx.cwd);
}
