/**
 * What every command shares: where relative paths resolve, how paths are shown, and the exit codes.
 * Defaults are relative (`clusters`, `dist`) so `--help` shows no path of the machine it runs on.
 */
import { isAbsolute, relative, resolve } from 'node:path';

/** The documented exit codes of every command (README "The CLI", docs/user-guide.md). */
export const EXIT = {
  ok: 0,
  /** Invalid input: a definition, a flag, a file, a git ref; the message names it. */
  invalid: 1,
  /** The command worked and found something that must stop a pipeline (a stranded VM). */
  blocking: 2,
} as const;

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
