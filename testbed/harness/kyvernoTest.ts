import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve as resolvePath } from 'node:path';
import { testDataDir } from './testData.js';
import { projectDir, toolPath } from './toolPaths.js';

/** One result row of `kyverno test -o json --detailed-results`. */
export interface KyvernoTestRow {
  readonly id: number;
  readonly policy: string;
  /** Empty for the CEL policy kinds. */
  readonly rule: string;
  /** `apiVersion/Kind/namespace/name` (`kubevirt.io/v1/VirtualMachine/default/vm-cirros`). */
  readonly resource: string;
  /** Whether the expectation held: `Pass` or `Fail`, not what the policy decided. */
  readonly result: string;
  /** `Ok`, `Want fail, got pass`, `Resource diff`, `Not found`, or `Excluded` (matched no rule, counted as a pass). */
  readonly reason: string;
  /** The engine's message: `success`, `skip`, or the validation message of a failed validation. */
  readonly message: string;
}

export interface KyvernoTestResult {
  readonly ok: boolean;
  readonly passed: number;
  readonly failed: number;
  /** Everything the CLI printed, for the failure message. */
  readonly output: string;
  /** Every result row; only with `{ rows: true }`. */
  readonly rows?: readonly KyvernoTestRow[];
}

export interface KyvernoTestOptions {
  /** Ask the CLI for JSON result rows (`-o json`) and parse them into `rows`. @default false */
  readonly rows?: boolean;
}

/** The JSON arrays `-o json` prints, one per kyverno-test.yaml; each closes with `]` at column 0. */
function parseRows(output: string): KyvernoTestRow[] {
  const arrays = output.match(/^\[\]$|^\[\n[\s\S]*?\n\]$/gm) ?? [];
  return arrays.flatMap((text) =>
    (JSON.parse(text) as Record<string, unknown>[]).map((r) => ({
      id: Number(r.ID),
      policy: String(r.POLICY ?? ''),
      rule: String(r.RULE ?? ''),
      resource: String(r.RESOURCE ?? ''),
      result: String(r.RESULT ?? ''),
      reason: String(r.REASON ?? ''),
      message: String(r.Message ?? ''),
    })),
  );
}

/**
 * The folder to hand the CLI for `dir`. The repository's kyverno-test folders name the test data as
 * `../../../../shared/…`, relative to themselves, and the CLI joins such paths lexically
 * (filepath.Join in cmd/cli/kubectl-kyverno/commands/test). When the data is not `../shared` beside the
 * clone (testbed/harness/testData.ts), `dir` is run through a view: a temporary folder holding `shared`
 * (a link to the data) beside a link to the clone, so the same relative paths reach the data.
 */
function folderForCli(dir: string): { dir: string; remove: () => void } {
  const rel = relative(projectDir, dir);
  if (testDataDir === resolvePath(projectDir, '..', 'shared') || rel.startsWith('..')) return { dir, remove: () => {} };
  const view = mkdtempSync(join(tmpdir(), 'kvfleet-kyverno-view-'));
  symlinkSync(testDataDir, join(view, 'shared'));
  symlinkSync(projectDir, join(view, basename(projectDir)));
  return { dir: join(view, basename(projectDir), rel), remove: () => rmSync(view, { recursive: true, force: true }) };
}

/**
 * Runs the real `kyverno test <dir>` (CLI built by testbed/tools.sh). `--require-tests` makes a
 * folder without kyverno-test.yaml an error instead of a silent pass.
 */
export function runKyvernoTest(dir: string, options: KyvernoTestOptions = {}): Promise<KyvernoTestResult> {
  const cli = folderForCli(dir);
  const args = ['test', cli.dir, '--require-tests', '--detailed-results', '--remove-color', ...(options.rows ? ['-o', 'json'] : [])];
  return new Promise((resolve) => {
    execFile(toolPath('kyverno'), args, { maxBuffer: 16 * 1024 * 1024, timeout: 300_000 }, (error, stdout, stderr) => {
      cli.remove();
      const output = `${stdout}${stderr}`;
      const summary = /Test Summary: (\d+) tests? passed and (\d+) tests? failed/.exec(output);
      const passed = Number(summary?.[1] ?? 0);
      const failed = Number(summary?.[2] ?? 0);
      resolve({
        ok: !error && summary !== null && failed === 0 && passed > 0,
        passed,
        failed,
        output,
        ...(options.rows ? { rows: parseRows(stdout) } : {}),
      });
    });
  });
}
