/**
 * Where the suite reads its test data: upstream CRDs (`crds/<project>/`) and samples
 * (`samples/capabilities/`, `samples/kubevirt/`), used by reference. The one place that decides, with
 * testbed/tools.d/test-data.sh deciding the same way (test/ci/testData.apiserver.test.ts checks that
 * they agree). First match wins:
 *
 * 1. `KVFLEET_TEST_DATA` (an absolute path), if set;
 * 2. `../shared` beside the clone, if it has `crds/` (the development machine's `.ci/run`);
 * 3. `${KVFLEET_CACHE:-~/.cache/kvfleet}/test-data/<sha256 of testbed/test-data.lock, first 12 hex>`, which
 *    `testbed/tools.sh ensure` fills from pinned Go modules and pinned upstream commits (GitHub, a new machine).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface TestDataLocation {
  /** The folder holding `crds/` and `samples/`. */
  readonly dir: string;
  /** Why this folder: the variable, the folder beside the clone, or the lock the data script fills from. */
  readonly source: 'KVFLEET_TEST_DATA' | '../shared' | 'testbed/test-data.lock';
  /** False only for the filled folder before `testbed/tools.sh ensure` has completed it. */
  readonly complete: boolean;
}

/** The folder testbed/tools.d/test-data.sh fills for the lock of the clone at `project`. */
export function filledTestDataDir(project: string = repoDir, env: NodeJS.ProcessEnv = process.env): string {
  const key = createHash('sha256')
    .update(readFileSync(join(project, 'testbed/test-data.lock')))
    .digest('hex')
    .slice(0, 12);
  return join(env.KVFLEET_CACHE || join(homedir(), '.cache', 'kvfleet'), 'test-data', key);
}

/** Where the clone at `project` reads its test data under `env` (the order above). */
export function locateTestData(project: string = repoDir, env: NodeJS.ProcessEnv = process.env): TestDataLocation {
  if (env.KVFLEET_TEST_DATA) return { dir: resolve(env.KVFLEET_TEST_DATA), source: 'KVFLEET_TEST_DATA', complete: true };
  const shared = resolve(project, '..', 'shared');
  if (existsSync(join(shared, 'crds'))) return { dir: shared, source: '../shared', complete: true };
  const dir = filledTestDataDir(project, env);
  return { dir, source: 'testbed/test-data.lock', complete: existsSync(join(dir, '.complete')) };
}

/** The location for this process, decided once. */
export const testData: TestDataLocation = locateTestData();

/**
 * The test data folder. A path even when the data is missing, so that importing this never fails a
 * test that needs no data; a test that reads a file there then fails naming the path, and
 * `testbed/tools.sh ensure` (run first by `npm test`) says what could not be obtained.
 */
export const testDataDir: string = testData.dir;
