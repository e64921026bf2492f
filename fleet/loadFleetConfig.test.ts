import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FleetDefinitionErrors } from './definitionError.js';
import { readTree } from '../testbed/support/fileTree.js';
import { loadFleetConfig } from './loadFleetConfig.js';
import { synthFleet } from '../generators/synthFleet.js';

const projectDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const GOOD = "export default { repoURL: 'https://git.example.com/fleet.git', targetRevision: 'main', stages: [{ name: 'canary' }, { name: 'production' }] };\n";

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'kvfleet-fleet-config-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** The problems of a kvfleet.config.ts holding `source`, as printed. */
async function problemsOf(source: string | undefined): Promise<string[]> {
  const path = join(work, 'kvfleet.config.ts');
  if (source !== undefined) writeFileSync(path, source);
  const { problems } = await loadFleetConfig(path, work);
  return problems.map(String);
}

describe('kvfleet.config.ts', () => {
  test('a valid file loads, with no problems', async () => {
    const path = join(work, 'kvfleet.config.ts');
    writeFileSync(path, GOOD);
    const { config, problems } = await loadFleetConfig(path, work);
    expect(problems).toEqual([]);
    expect(config?.stages.map((s) => s.name)).toEqual(['canary', 'production']);
  });

  test('a missing file says what it is for and how to write it', async () => {
    const [problem] = await problemsOf(undefined);
    expect(problem).toMatch(
      /^kvfleet\.config\.ts: does not exist: Argo CD delivery needs the repository URL and the rollout stages\n {2}create it beside clusters\/ with .*defineFleet/,
    );
  });

  test('a syntax error names its line and column', async () => {
    expect((await problemsOf("export default {\n  repoURL: 'x'\n  targetRevision: 'main',\n};\n"))[0]).toMatch(
      /^kvfleet\.config\.ts:3:3: syntax error: Expected "}" but found "targetRevision"/,
    );
  });

  test('code that throws while loading is reported, not thrown', async () => {
    expect((await problemsOf("throw new Error('no network here');\nexport default {};\n"))[0]).toMatch(
      /^kvfleet\.config\.ts:1:7: throws while it is loaded: no network here/,
    );
  });

  test('a field problem names the file and the field', async () => {
    expect(await problemsOf(GOOD.replace("'main'", "''"))).toEqual([
      'kvfleet.config.ts: targetRevision: "" is not a Git revision: it is empty\n  write the branch, tag or commit Argo CD follows, e.g. "main"',
    ]);
  });
});

describe('synth with the fleet configuration', () => {
  const copyExampleFleet = (config: string) => {
    const clusters = join(work, 'repo', 'clusters');
    mkdirSync(clusters, { recursive: true });
    cpSync(join(projectDir, 'clusters'), clusters, { recursive: true });
    // The copied files import the model by a relative path; point them back at this project.
    for (const f of readdirSync(clusters)) {
      const p = join(clusters, f);
      writeFileSync(p, readFileSync(p, 'utf8').replace('../fleet/', `${projectDir}/fleet/`));
    }
    writeFileSync(join(work, 'repo', 'kvfleet.config.ts'), config);
    return clusters;
  };

  test('a cluster in a stage the configuration does not list stops synth with file, field, value and fix, and dist/ stays', async () => {
    const dist = join(work, 'dist');
    await synthFleet({ clustersDir: join(projectDir, 'clusters'), distDir: dist, projectDir });
    const before = readTree(dist);
    const clusters = copyExampleFleet(GOOD.replace("{ name: 'canary' }", "{ name: 'pilot' }"));
    const err = await synthFleet({ clustersDir: clusters, distDir: dist, projectDir: join(work, 'repo') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FleetDefinitionErrors);
    const lines = (err as Error).message.split('\n');
    const at = lines.findIndex((l) => l.startsWith('clusters/edge-ovn.ts: argocd.stage: '));
    expect(lines[at]).toBe('clusters/edge-ovn.ts: argocd.stage: "canary" is not a rollout stage of kvfleet.config.ts (pilot, production)');
    expect(lines[at + 1]).toMatch(
      /^ {2}use one of pilot, production \(in rollout order\), leave it out for "production", or add \{ name: "canary" \} to stages in kvfleet\.config\.ts$/,
    );
    expect(readTree(dist)).toEqual(before);
  });

  test('without kvfleet.config.ts synth stops and says so', async () => {
    const clusters = copyExampleFleet(GOOD);
    rmSync(join(work, 'repo', 'kvfleet.config.ts'));
    const err = await synthFleet({ clustersDir: clusters, distDir: join(work, 'dist'), projectDir: join(work, 'repo') }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/\nkvfleet\.config\.ts: does not exist/);
  });
});
