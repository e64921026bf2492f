import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testDataDir } from './testData.js';

export const projectDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * The test data (upstream CRDs and samples): `../shared` beside the clone on the development machine,
 * elsewhere the folder testbed/harness/testData.ts names. The name stays for its readers.
 */
export const sharedDir = testDataDir;

let cached: Record<string, string> | undefined;

/**
 * stdout of `tools.sh paths`. It exits 1 while any tool is missing but still prints the ones that
 * exist, so a suite that needs only the Kyverno CLI can run while the Kubernetes binaries build.
 */
function pathsOutput(): string {
  try {
    return execFileSync('bash', [join(projectDir, 'testbed/tools.sh'), 'paths'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const stdout = (e as { stdout?: unknown }).stdout;
    if (typeof stdout === 'string') return stdout;
    throw e;
  }
}

/** Binary paths from `testbed/tools.sh paths` (which `npm test` has built first). */
export function toolPaths(): Record<string, string> {
  if (!cached) {
    const out = pathsOutput();
    cached = Object.fromEntries(
      out
        .split('\n')
        .map((l) => /^([\w-]+)=(.+)$/.exec(l.trim()))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1]!, m[2]!]),
    );
  }
  return cached;
}

export function toolPath(name: string): string {
  const path = toolPaths()[name];
  if (!path) throw new Error(`testbed/tools.sh knows no tool '${name}' (has: ${Object.keys(toolPaths()).join(', ')}); run 'bash testbed/tools.sh ensure'`);
  return path;
}

/** actionlint (testbed/go/actionlint), which lints `.github/workflows/` in test/ci/. */
export function actionlintPath(): string {
  return toolPath('actionlint');
}

/** Debian's Chromium, which `tools.sh ensure` installs (`/usr/bin/chromium`) for the browser tests. */
export function chromiumPath(): string {
  return toolPath('chromium');
}
