import { execFile } from 'node:child_process';
import { toolPath } from './toolPaths.js';

export interface KyvernoTestResult {
  readonly ok: boolean;
  readonly passed: number;
  readonly failed: number;
  /** Everything the CLI printed, for the failure message. */
  readonly output: string;
}

/**
 * Runs the real `kyverno test <dir>` (CLI built by scripts/tools.sh). `--require-tests` makes a
 * folder without kyverno-test.yaml an error instead of a silent pass.
 */
export function runKyvernoTest(dir: string): Promise<KyvernoTestResult> {
  return new Promise((resolve) => {
    execFile(toolPath('kyverno'), ['test', dir, '--require-tests', '--detailed-results'], { maxBuffer: 16 * 1024 * 1024, timeout: 300_000 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      const summary = /Test Summary: (\d+) tests? passed and (\d+) tests? failed/.exec(output);
      const passed = Number(summary?.[1] ?? 0);
      const failed = Number(summary?.[2] ?? 0);
      resolve({ ok: !error && summary !== null && failed === 0 && passed > 0, passed, failed, output });
    });
  });
}
