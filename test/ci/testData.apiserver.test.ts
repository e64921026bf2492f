/**
 * The workflows' data step (`bash testbed/tools.d/test-data.sh ensure`) on a copy of this clone in a
 * temporary folder with no ../shared beside it, as on GitHub's runners: it fills a fresh cache folder
 * from the pinned Go modules and reports, file by file, what it cannot get; completed, suites that read
 * the data pass on the copy (the Kyverno test folders, a real API server installing every CRD folder,
 * the capabilities and KubeVirt samples).
 *
 * The copy gets the Go module and build caches and the built tools of this run (links into
 * $KVFLEET_CACHE), never its test data. The libvirt capabilities XML, the one part no Go module carries,
 * comes from GitHub at pinned commits; here a folder laid out like raw.githubusercontent.com stands in
 * for it (KVFLEET_TEST_DATA_GITHUB), filled from the test data this run reads, so the test needs no
 * network and the sha256 checks still decide.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { locateTestData, testDataDir } from '../../testbed/harness/testData.js';
import { projectDir } from '../../testbed/harness/toolPaths.js';

const sh = promisify(execFile);
const realCache = process.env.KVFLEET_CACHE || join(homedir(), '.cache', 'kvfleet');

interface LockFile {
  readonly path: string;
  readonly sha256: string;
  readonly kind: string;
  readonly args: readonly string[];
}
const lockFiles: LockFile[] = readFileSync(join(projectDir, 'testbed/test-data.lock'), 'utf8')
  .split('\n')
  .map((l) => l.replace(/#.*/, '').trim().split(/\s+/))
  .filter((w) => w[0] === 'file')
  .map(([, path, sha256, kind, ...args]) => ({ path: path!, sha256: sha256!, kind: kind!, args }));
const fromGitHub = lockFiles.filter((f) => f.kind === 'github');
const fromModules = lockFiles.filter((f) => f.kind !== 'github');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const sha256Of = (file: string) => sha256(readFileSync(file));

const root = mkdtempSync(join(tmpdir(), 'kvfleet-test-data-step-'));
const clone = join(root, 'kvfleet');

/** The environment of a fresh machine's shell: no test data settings, none of vitest's own variables. */
function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('VITEST') && !['KVFLEET_TEST_DATA', 'KVFLEET_TEST_DATA_GITHUB', 'KVFLEET_CACHE', 'TEST', 'NODE_ENV'].includes(k),
    ),
  );
  return { ...env, ...extra };
}

/** A cache with this run's Go caches and tools, and no test data. */
function freshCache(name: string): string {
  const cache = join(root, name);
  mkdirSync(cache);
  for (const entry of ['go', 'bin', 'kube-ovn', 'kubevirt-crds']) if (existsSync(join(realCache, entry))) symlinkSync(join(realCache, entry), join(cache, entry));
  return cache;
}

/** A stand-in for raw.githubusercontent.com: `<owner>/<repo>/<commit>/<path>`, with the given bytes per lock path. */
function githubStandIn(name: string, contents: (f: LockFile) => Buffer | undefined): string {
  const base = join(root, name);
  for (const f of fromGitHub) {
    const bytes = contents(f);
    if (bytes === undefined) continue;
    const file = join(base, f.args[0]!, f.args[1]!, f.args[2]!);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, bytes);
  }
  return `file://${base}`;
}

async function dataStep(command: 'ensure' | 'paths', env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await sh('bash', [join(clone, 'testbed/tools.d/test-data.sh'), command], { env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const { code, stdout, stderr } = e as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof code !== 'number') throw e;
    return { code, stdout: stdout ?? '', stderr: stderr ?? '' };
  }
}

beforeAll(async () => {
  // The working tree as it is (tracked and new files, as a checkout of this change would have them).
  const { stdout } = await sh('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: projectDir, maxBuffer: 16 * 1024 * 1024 });
  for (const rel of stdout.split('\0').filter((p) => p !== '' && existsSync(join(projectDir, p)))) {
    mkdirSync(dirname(join(clone, rel)), { recursive: true });
    copyFileSync(join(projectDir, rel), join(clone, rel));
  }
  symlinkSync(join(projectDir, 'node_modules'), join(clone, 'node_modules'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

test('the copy has no ../shared beside it', () => {
  expect(existsSync(join(root, 'shared'))).toBe(false);
  expect(existsSync(join(clone, 'testbed/test-data.lock'))).toBe(true);
});

describe('with GitHub out of reach and a tampered file', () => {
  let result: Awaited<ReturnType<typeof dataStep>>;
  let cache: string;
  const [tampered, ...unreachable] = fromGitHub;
  beforeAll(async () => {
    cache = freshCache('cache-incomplete');
    const github = githubStandIn('github-tampered', (f) => (f === tampered ? Buffer.from('<capabilities/>\n') : undefined));
    result = await dataStep('ensure', envWith({ KVFLEET_CACHE: cache, KVFLEET_TEST_DATA_GITHUB: github }));
  }, 600_000);

  test('the data step fails and names each file it could not get, with its source and why', () => {
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${fromModules.length} files ready`);
    expect(result.stderr).toContain(`${fromGitHub.length} could not be obtained`);
    const bad = (f: LockFile) => result.stderr.split('\n').findIndex((l) => l.trim().startsWith(`${f.path} (from github ${f.args.join(' ')})`));
    const reason = (f: LockFile) => result.stderr.split('\n')[bad(f) + 1] ?? '';
    expect(bad(tampered!)).toBeGreaterThan(0);
    expect(reason(tampered!)).toContain(`sha256 is ${sha256(Buffer.from('<capabilities/>\n'))}, testbed/test-data.lock pins ${tampered!.sha256}`);
    for (const f of unreachable) {
      expect(bad(f), f.path).toBeGreaterThan(0);
      expect(reason(f)).toContain(`could not download file://${join(root, 'github-tampered')}/${f.args.join('/')}`);
    }
    expect(result.stderr).toContain('KVFLEET_TEST_DATA');
  });

  test('every file from the Go modules is there with the sha256 of the lock; the folder is not marked complete', () => {
    const dir = locateTestData(clone, envWith({ KVFLEET_CACHE: cache })).dir;
    for (const f of fromModules) expect(sha256Of(join(dir, f.path)), f.path).toBe(f.sha256);
    for (const f of fromGitHub) expect(existsSync(join(dir, f.path)), f.path).toBe(false);
    expect(locateTestData(clone, envWith({ KVFLEET_CACHE: cache })).complete).toBe(false);
  });

  test('`paths` (what the suite runs) reports the data missing', async () => {
    const paths = await dataStep('paths', envWith({ KVFLEET_CACHE: cache }));
    expect(paths.code).toBe(1);
    expect(paths.stderr).toMatch(/missing the test data .*run testbed\/tools.sh ensure/);
  });
});

describe('completed', () => {
  let cache: string;
  let filled: string;
  beforeAll(async () => {
    cache = freshCache('cache-complete');
    const github = githubStandIn('github', (f) => readFileSync(join(testDataDir, f.path)));
    const step = await dataStep('ensure', envWith({ KVFLEET_CACHE: cache, KVFLEET_TEST_DATA_GITHUB: github }));
    expect(step.code, step.stderr).toBe(0);
    filled = /^test-data=(.+)$/m.exec(step.stdout)?.[1] ?? '';
  }, 600_000);

  test('the data step prints the folder the resolver of the copy reads, and every file has the sha256 of the lock', () => {
    expect(locateTestData(clone, envWith({ KVFLEET_CACHE: cache }))).toEqual({ dir: filled, source: 'testbed/test-data.lock', complete: true });
    for (const f of lockFiles) expect(sha256Of(join(filled, f.path)), f.path).toBe(f.sha256);
  });

  test('the data step and the resolver agree when KVFLEET_TEST_DATA or ../shared is there instead', async () => {
    const elsewhere = envWith({ KVFLEET_CACHE: cache, KVFLEET_TEST_DATA: filled });
    expect((await dataStep('paths', elsewhere)).stdout.trim()).toBe(`test-data=${locateTestData(clone, elsewhere).dir}`);
    const besideRoot = join(root, 'beside');
    mkdirSync(join(besideRoot, 'shared', 'crds'), { recursive: true });
    symlinkSync(clone, join(besideRoot, 'kvfleet'));
    const env = envWith({ KVFLEET_CACHE: cache });
    const { stdout } = await sh('bash', [join(besideRoot, 'kvfleet', 'testbed/tools.d/test-data.sh'), 'paths'], { env });
    expect(stdout.trim()).toBe(`test-data=${join(besideRoot, 'shared')}`);
    expect(locateTestData(join(besideRoot, 'kvfleet'), env).dir).toBe(join(besideRoot, 'shared'));
  });

  test('suites that read the data pass on the copy: Kyverno folders, a real API server with every CRD folder, the samples', async () => {
    const suites = [
      'programs/node-labeller/capabilitiesXml.test.ts',
      'plan/inventoryFromObjects.test.ts',
      'test/kyverno/kyvernoPolicies.kyverno.test.ts',
      'test/dist/distDryRun.apiserver.test.ts',
    ];
    const report = join(root, 'suites.json');
    try {
      await sh(join(clone, 'node_modules/.bin/vitest'), ['run', '--reporter=json', `--outputFile=${report}`, ...suites], {
        cwd: clone,
        env: envWith({ KVFLEET_CACHE: cache }),
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (e) {
      if (!existsSync(report)) throw e;
    }
    const json = JSON.parse(readFileSync(report, 'utf8')) as {
      numFailedTests: number;
      numPassedTests: number;
      testResults: { name: string; status: string; assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
    };
    const failures = json.testResults.flatMap((r) =>
      r.assertionResults.filter((a) => a.status === 'failed').map((a) => `${a.fullName}: ${a.failureMessages.join('\n')}`),
    );
    expect(failures).toEqual([]);
    expect(json.testResults.map((r) => [r.name.slice(clone.length + 1), r.status]).sort()).toEqual(suites.map((s) => [s, 'passed']).sort());
    expect(json.numPassedTests).toBeGreaterThan(50);
  }, 900_000);
});
