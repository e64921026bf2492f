/**
 * Where the suite reads its test data (testData.ts), and testbed/test-data.lock, the list a clone without
 * ../shared fills it from: every file the suite's data holds, at versions the suite's tools are built from.
 * The data script itself runs in test/ci/testData.apiserver.test.ts.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { KUBE_OVN_VERSION } from '../../testbed/harness/kubeOvn.js';
import { kyvernoAdmissionVersion } from '../../testbed/harness/kyvernoAdmission.js';
import { filledTestDataDir, locateTestData, testDataDir } from '../../testbed/harness/testData.js';
import { projectDir } from '../../testbed/harness/toolPaths.js';

interface LockFile {
  readonly path: string;
  readonly sha256: string;
  readonly kind: string;
  readonly args: readonly string[];
}

const lockText = readFileSync(join(projectDir, 'testbed/test-data.lock'), 'utf8');
const lockLines = lockText
  .split('\n')
  .map((l) => l.replace(/#.*/, '').trim())
  .filter((l) => l !== '')
  .map((l) => l.split(/\s+/));
const modules = new Map(lockLines.filter((w) => w[0] === 'module').map((w) => [w[1]!, w[2]!]));
const files: LockFile[] = lockLines.filter((w) => w[0] === 'file').map(([, path, sha256, kind, ...args]) => ({ path: path!, sha256: sha256!, kind: kind!, args }));
const moduleVersion = (path: string) => [...modules.keys()].find((m) => m.startsWith(`${path}@`))?.slice(path.length + 1);

describe('locateTestData', () => {
  const roots: string[] = [];
  afterAll(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });
  const key = createHash('sha256').update(lockText).digest('hex').slice(0, 12);
  /** A folder holding `clone/` (with the lock) and `cache/`, and nothing else. */
  function freshRoot(): { root: string; project: string; cache: string } {
    const root = mkdtempSync(join(tmpdir(), 'kvfleet-test-data-locate-'));
    roots.push(root);
    mkdirSync(join(root, 'clone', 'testbed'), { recursive: true });
    writeFileSync(join(root, 'clone', 'testbed/test-data.lock'), lockText);
    return { root, project: join(root, 'clone'), cache: join(root, 'cache') };
  }

  test('without KVFLEET_TEST_DATA or ../shared: the cache folder keyed by the lock, incomplete until filled', () => {
    const { project, cache } = freshRoot();
    const env = { KVFLEET_CACHE: cache };
    expect(filledTestDataDir(project, env)).toBe(join(cache, 'test-data', key));
    expect(locateTestData(project, env)).toEqual({ dir: join(cache, 'test-data', key), source: 'testbed/test-data.lock', complete: false });
    mkdirSync(join(cache, 'test-data', key), { recursive: true });
    writeFileSync(join(cache, 'test-data', key, '.complete'), '');
    expect(locateTestData(project, env).complete).toBe(true);
  });

  test('../shared beside the clone wins over the cache once it has crds/', () => {
    const { root, project, cache } = freshRoot();
    const env = { KVFLEET_CACHE: cache };
    mkdirSync(join(root, 'shared'));
    expect(locateTestData(project, env).source).toBe('testbed/test-data.lock');
    mkdirSync(join(root, 'shared', 'crds'));
    expect(locateTestData(project, env)).toEqual({ dir: join(root, 'shared'), source: '../shared', complete: true });
  });

  test('KVFLEET_TEST_DATA wins over ../shared and the cache', () => {
    const { root, project, cache } = freshRoot();
    mkdirSync(join(root, 'shared', 'crds'), { recursive: true });
    expect(locateTestData(project, { KVFLEET_CACHE: cache, KVFLEET_TEST_DATA: join(root, 'elsewhere') })).toEqual({
      dir: join(root, 'elsewhere'),
      source: 'KVFLEET_TEST_DATA',
      complete: true,
    });
  });
});

describe('testbed/test-data.lock', () => {
  test('pins every file by sha256 and names a source of a known kind', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      expect(f.path, f.path).toMatch(/^(crds|samples)\/[\w.-]+\/[\w.-]+\.(yaml|xml)$/);
      expect(f.sha256, f.path).toMatch(/^[0-9a-f]{64}$/);
      expect(['module-file', 'module-crd', 'kubevirt-crd', 'github'], f.path).toContain(f.kind);
    }
    expect(new Set(files.map((f) => f.path)).size).toBe(files.length);
  });

  test('pins the h1: sum of every module a file comes from', () => {
    for (const [module, sum] of modules) expect(sum, module).toMatch(/^h1:[A-Za-z0-9+/]{43}=$/);
    for (const f of files.filter((f) => f.kind !== 'github')) expect(modules.has(f.args[0]!), `${f.path}: ${f.args[0]}`).toBe(true);
  });

  test('takes only libvirt capabilities XML from outside the Go modules, each at a full commit', () => {
    const outside = files.filter((f) => f.kind === 'github');
    expect(outside.map((f) => f.path).every((p) => p.startsWith('samples/capabilities/'))).toBe(true);
    for (const f of outside) expect(f.args, f.path).toEqual([expect.stringMatching(/^[\w.-]+\/[\w.-]+$/), expect.stringMatching(/^[0-9a-f]{40}$/), expect.any(String)]);
  });

  test('is at the versions the suite builds its tools from', () => {
    expect(moduleVersion('github.com/kyverno/kyverno')).toBe(kyvernoAdmissionVersion());
    expect(moduleVersion('github.com/kubeovn/kube-ovn')).toBe(KUBE_OVN_VERSION);
    const goMod = readFileSync(join(projectDir, 'testbed/go/kubevirt-crds/go.mod'), 'utf8');
    expect(moduleVersion('kubevirt.io/kubevirt')).toBe(/^require kubevirt\.io\/kubevirt (v\S+)$/m.exec(goMod)?.[1]);
    expect(goMod).toContain(`kubevirt.io/api => kubevirt.io/api ${moduleVersion('kubevirt.io/kubevirt')}`);
  });

  test('lists every YAML and XML file of the test data this run reads', () => {
    const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
    const present = ['crds', 'samples']
      .flatMap((d) => walk(join(testDataDir, d)))
      .map((f) => relative(testDataDir, f))
      .filter((f) => /\.(yaml|xml)$/.test(f))
      .sort();
    expect(files.map((f) => f.path).sort()).toEqual(present);
  });
});
