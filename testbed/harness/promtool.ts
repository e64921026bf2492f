/**
 * Runs the real promtool (Prometheus v3.14, built by testbed/tools.sh from testbed/go/prometheus) for tests:
 * `check metrics` on a scrape, `check rules` / `test rules` on generated rule files.
 */
import { spawn } from 'node:child_process';
import { toolPath } from './toolPaths.js';

export interface PromtoolResult {
  /** promtool's exit status: 0 ok, 1 failure, 3 lint problems (`check metrics`, `--lint-fatal`). */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `promtool <args>`, with `stdin` piped in when given (`check metrics` reads the exposition text
 * from standard input). Resolves with whatever exit status promtool had; rejects only when it
 * cannot be started or is killed (a 60 s deadline).
 */
export function runPromtool(args: readonly string[], stdin?: string, opts: { readonly cwd?: string; readonly timeoutMs?: number } = {}): Promise<PromtoolResult> {
  const bin = toolPath('promtool');
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 60_000 });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === null) reject(new Error(`promtool ${args.join(' ')} was killed (${signal}); stderr: ${stderr}`));
      else resolve({ code, stdout, stderr });
    });
    // promtool may exit before reading everything (a usage error): that is its answer, not ours.
    child.stdin.on('error', () => {});
    child.stdin.end(stdin ?? '');
  });
}
