import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FleetDefinitionErrors } from '../fleet/definitionError.js';
import { readTree } from '../testbed/support/fileTree.js';
import { ARGOCD_FOLDER } from './delivery/argoCdChart.js';
import { synthFleet } from './synthFleet.js';

const projectDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const clustersDir = join(projectDir, 'clusters');

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'kvfleet-synth-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

test('the example fleet synthesises to byte-identical output twice', async () => {
  const a = join(work, 'a');
  const b = join(work, 'b');
  await synthFleet({ clustersDir, distDir: a, projectDir });
  await synthFleet({ clustersDir, distDir: b, projectDir });
  expect(readTree(a)).toEqual(readTree(b));
});

test('the committed dist/ is what the cluster definitions synthesise (run `npm run synth`)', async () => {
  const fresh = join(work, 'dist');
  await synthFleet({ clustersDir, distDir: fresh, projectDir });
  expect(readTree(join(projectDir, 'dist'))).toEqual(readTree(fresh));
});

test('values files are written under dist/<cluster>/values/, covered by the staleness check, and counted as no objects', async () => {
  const dist = join(work, 'dist');
  const result = await synthFleet({ clustersDir, distDir: dist, projectDir });
  expect(Object.keys(readTree(dist)).filter((f) => f.includes('/values/'))).toEqual(['edge-ovn/values/kube-ovn.yaml', 'legacy-apps/values/hco-migrations.yaml']);
  const edge = result.clusters.find((c) => c.cluster === 'edge-ovn')!;
  expect(edge.objects).toBe(readdirSync(join(dist, 'edge-ovn')).filter((f) => f.endsWith('.yaml')).length);
});

test('every example cluster gets its own folder with a file per resource', async () => {
  const dist = join(work, 'dist');
  const result = await synthFleet({ clustersDir, distDir: dist, projectDir });
  const names = readdirSync(clustersDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.replace(/\.ts$/, ''));
  // Beside them, the fleet-level Argo CD folder (generators/delivery/argoCdChart.ts).
  expect(readdirSync(dist).sort()).toEqual([ARGOCD_FOLDER, ...names].sort());
  expect(result.argocd.objects).toBe(readdirSync(join(dist, ARGOCD_FOLDER)).length);
  for (const c of result.clusters) {
    expect(c.objects).toBe(readdirSync(join(dist, c.cluster), { withFileTypes: true }).filter((e) => e.isFile()).length); // values/ holds no objects
    expect(readdirSync(join(dist, c.cluster))).toContain('Namespace.kvfleet-system.yaml');
  }
});

describe('a failing synth leaves the previous dist/ untouched', () => {
  let dist: string;
  let before: Record<string, string>;
  beforeEach(async () => {
    dist = join(work, 'dist');
    await synthFleet({ clustersDir, distDir: dist, projectDir });
    before = readTree(dist);
  });

  test('when a definition is invalid, all problems are reported and nothing is written', async () => {
    const clusters = join(work, 'clusters');
    cpSync(clustersDir, clusters, { recursive: true });
    writeFileSync(
      join(clusters, 'broken.ts'),
      `export default { name: 'broken', kubernetesVersion: '1.33', kubevirtVersion: 'v1', kubeOvn: 'none',
         argocd: { name: 'broken' }, nodePools: [{ name: 'p', nodeSelector: { a: 'b' }, architecture: 'x86_64', nodeCount: 1 }] };`,
    );
    const err = await synthFleet({ clustersDir: clusters, distDir: dist, projectDir: work }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FleetDefinitionErrors);
    const message = (err as Error).message;
    expect(message).toContain('clusters/broken.ts: kubevirtVersion: "v1" is not a version');
    expect(message).toContain('clusters/broken.ts: nodePools[0].architecture: "x86_64" is not a CPU architecture');
    expect(readTree(dist)).toEqual(before);
  });

  test('when a file does not even parse, it is reported by name, line and column', async () => {
    const clusters = join(work, 'clusters');
    cpSync(clustersDir, clusters, { recursive: true });
    writeFileSync(join(clusters, 'syntax.ts'), "export default {\n  name: 'syntax',\n  kubernetesVersion: '1.33'\n  kubevirtVersion: '1.6.2',\n};\n");
    const err = await synthFleet({ clustersDir: clusters, distDir: dist, projectDir: work }).catch((e: unknown) => e);
    // The missing comma after line 3 is found where line 4 starts.
    expect((err as Error).message).toMatch(/clusters\/syntax.ts:4:3: syntax error: Expected "}" but found "kubevirtVersion"/);
    expect(readTree(dist)).toEqual(before);
  });
});

describe('a successful synth leaves dist/ with the permissions it had', () => {
  const modeOf = (dir: string) => statSync(dir).mode & 0o777;

  test.each([0o755, 0o750, 0o775])('%o stays %o', async (mode) => {
    const dist = join(work, 'dist');
    mkdirSync(dist);
    chmodSync(dist, mode);
    await synthFleet({ clustersDir, distDir: dist, projectDir });
    expect(modeOf(dist)).toBe(mode);
  });

  test('a first synth makes dist/ as mkdir would, not private to its owner (mkdtemp makes 0700)', async () => {
    const reference = join(work, 'made-by-mkdir');
    mkdirSync(reference);
    const dist = join(work, 'dist');
    await synthFleet({ clustersDir, distDir: dist, projectDir });
    expect(modeOf(dist)).toBe(modeOf(reference));
  });
});
