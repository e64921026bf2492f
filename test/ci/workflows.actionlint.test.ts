/**
 * The GitHub workflows pass the real actionlint (testbed/go/actionlint), and actionlint really checks: a
 * workflow broken on purpose gets the findings we rely on it for. Plus what actionlint cannot know:
 * that the pull-request workflow runs the README's test command and the dist/ check, that both test
 * workflows get the test data from the data step (no ../shared on GitHub), and that the release
 * workflow builds with the repository's own image build, checks the digests, and pushes, signs and
 * attests only on a tag, by digest.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { actionlintPath, projectDir } from '../../testbed/harness/toolPaths.js';

const workflowsDir = join(projectDir, '.github/workflows');
const workflowFiles = readdirSync(workflowsDir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .map((f) => join(workflowsDir, f));

interface Finding {
  readonly message: string;
  readonly filepath: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}

/**
 * actionlint on explicit files (it finds a project only inside a git work tree), as JSON. shellcheck
 * and pyflakes are switched off so the result does not depend on what else the machine has installed.
 */
async function actionlint(files: readonly string[], cwd: string): Promise<{ code: number; findings: Finding[]; stderr: string }> {
  const args = ['-shellcheck=', '-pyflakes=', '-format', '{{json .}}', ...files];
  try {
    const { stdout, stderr } = await promisify(execFile)(actionlintPath(), args, { cwd });
    return { code: 0, findings: JSON.parse(stdout) as Finding[], stderr };
  } catch (e) {
    const { code, stdout, stderr } = e as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof code !== 'number') throw e;
    // Exit 1 means findings (printed as JSON); 2 and 3 are actionlint's own failures (flags, panics).
    return { code, findings: code === 1 && stdout ? (JSON.parse(stdout) as Finding[]) : [], stderr: stderr ?? '' };
  }
}

interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly if?: string;
  readonly run?: string;
  readonly uses?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}
interface Job {
  readonly if?: string;
  readonly needs?: string | string[];
  readonly permissions?: Record<string, string>;
  readonly steps: readonly Step[];
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions?: unknown;
  readonly jobs: Record<string, Job>;
}
const readWorkflow = (file: string) => parse(readFileSync(join(workflowsDir, file), 'utf8')) as Workflow;
const runsOf = (steps: readonly Step[]) => steps.map((s) => s.run?.trim()).filter((r): r is string => r !== undefined);

test('the repository has the pull-request, ci and release workflows', () => {
  expect(workflowFiles.map((f) => f.slice(workflowsDir.length + 1))).toEqual(['ci.yml', 'pull-request.yml', 'release.yml']);
});

test('every action is pinned by a full commit SHA with its tag in a comment, the same commit in every workflow', () => {
  const pins = new Map<string, Set<string>>();
  for (const file of workflowFiles) {
    const uses = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => /^\s*(- )?uses:/.test(l));
    expect(uses.length, file).toBeGreaterThan(0);
    for (const line of uses) {
      const m = /uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v\d+(\.\d+)*)$/.exec(line);
      expect(m, `${file}: ${line.trim()}`).not.toBeNull();
      const [, action, sha, tag] = m!;
      pins.set(action!, (pins.get(action!) ?? new Set()).add(`${sha} ${tag}`));
    }
  }
  for (const [action, shas] of pins) expect([...shas], action).toHaveLength(1);
});

describe.each(['ci.yml', 'pull-request.yml'])('%s', (file) => {
  const steps = Object.values(readWorkflow(file).jobs).flatMap((j) => j.steps);
  const runs = runsOf(steps);

  test('gets the test data from the data step before the tests, and needs no ../shared', () => {
    const data = runs.indexOf('bash testbed/tools.d/test-data.sh ensure');
    expect(data).toBeGreaterThanOrEqual(0);
    const tests = runs.findIndex((r) => r === 'npm test' || r === '.ci/run');
    expect(tests).toBeGreaterThan(data);
    // Go and the tools cache are set up before it: it downloads modules into that cache.
    const at = (s: Step) => steps.indexOf(s);
    expect(at(steps.find((s) => s.uses?.startsWith('actions/setup-go@'))!)).toBeLessThan(at(steps.find((s) => s.run?.trim() === runs[data])!));
    expect(runs.join('\n')).not.toContain('../shared');
  });
});

test('actionlint finds nothing in .github/workflows/', async () => {
  const result = await actionlint(workflowFiles, projectDir);
  expect(result.findings).toEqual([]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
});

describe('a workflow broken on purpose', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvfleet-actionlint-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'broken.yml');
  writeFileSync(
    file,
    [
      'name: broken',
      'on: pull_request',
      'jobs:',
      '  greet:',
      '    runs-on: ubuntu-lastest', // line 5: a typo of ubuntu-latest
      '    steps:',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, written into the workflow as is
      '      - run: echo "${{ github.event.pull_request.title }}"', // line 7: attacker-controlled text in a shell
      '',
    ].join('\n'),
  );

  test('is refused, with the script injection and the unknown runner label', async () => {
    const { code, findings } = await actionlint([file], dir);
    expect(code).toBe(1);
    const byKind = Object.fromEntries(findings.map((f) => [f.kind, f]));
    expect(Object.keys(byKind).sort()).toEqual(['expression', 'runner-label']);
    expect(byKind.expression).toMatchObject({ line: 7, message: expect.stringMatching(/"github\.event\.pull_request\.title" is potentially untrusted/) });
    expect(byKind['runner-label']).toMatchObject({ line: 5, message: expect.stringMatching(/label "ubuntu-lastest" is unknown/) });
  });
});

describe('the pull-request workflow', () => {
  const workflow = readWorkflow('pull-request.yml');
  const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
  const runs = runsOf(steps);
  const readmeTestCommand = /^(npm \S+( \S+)*?)\s+# .*run every test/m.exec(readFileSync(join(projectDir, 'README.md'), 'utf8'))?.[1];

  test('runs on pull requests', () => {
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
  });

  test("runs exactly the README's test command as a step of its own", () => {
    expect(readmeTestCommand).toBe('npm test');
    expect(runs).toContain(readmeTestCommand);
  });

  test('synthesises and fails when dist/ differs, before the tests', () => {
    const synth = runs.findIndex((r) => r.includes('npm run synth'));
    expect(synth).toBeGreaterThanOrEqual(0);
    expect(runs[synth]).toMatch(/git diff --exit-code\b.* -- dist\//);
    expect(synth).toBeLessThan(runs.indexOf('npm test'));
  });

  test('checks out the full history, so the base branch is there for kvfleet diff', () => {
    const checkout = steps.find((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with?.['fetch-depth']).toBe(0);
    const diff = runs.find((r) => r.includes('kvfleet diff'));
    // The base branch reaches the shell through env:, never as ${{ }} inside the script.
    expect(diff).toMatch(/--base "origin\/\$BASE_REF"/);
    expect(diff).not.toContain('${{');
  });

  test('pins every action by a full commit SHA', () => {
    const uses = steps.map((s) => s.uses).filter((u): u is string => u !== undefined);
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
  });

  test('grants write access to pull requests only to the job that comments', () => {
    expect(workflow.permissions).toEqual({});
    const writers = Object.entries(workflow.jobs).filter(([, j]) => Object.values(j.permissions ?? {}).includes('write'));
    expect(writers.map(([name, j]) => [name, j.permissions])).toEqual([['comment', { 'pull-requests': 'write' }]]);
    expect(workflow.jobs.comment!.steps.some((s) => s.uses?.startsWith('actions/github-script@'))).toBe(true);
  });
});

describe('the release workflow', () => {
  const workflow = readWorkflow('release.yml');
  const images = workflow.jobs.images!;
  const publish = workflow.jobs.publish!;
  const imageRuns = runsOf(images.steps);
  const publishScript = runsOf(publish.steps).join('\n');

  test('runs on pull requests and on tags v*', () => {
    expect(workflow.on).toEqual({ push: { tags: ['v*'] }, pull_request: null });
  });

  test("builds with the repository's own image build, then fails when the digests differ from the committed file", () => {
    const scripts = JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(scripts.images).toBeDefined();
    const build = imageRuns.indexOf('npm run images');
    expect(build).toBeGreaterThanOrEqual(0);
    const check = imageRuns.findIndex((r) => /git diff --exit-code -- generators\/imageDigests\.generated\.json/.test(r));
    expect(check).toBeGreaterThan(build);
    expect(readFileSync(join(projectDir, 'generators/imageDigests.generated.json'), 'utf8')).toContain('"digest"');
    // The check runs on pull requests too: no condition on it or on its job.
    expect(images.if).toBeUndefined();
    expect(images.steps.find((s) => s.run?.trim() === imageRuns[check])?.if).toBeUndefined();
  });

  test('pushes, signs and attests only on a tag, in the one job allowed to write packages and get an OIDC token', () => {
    expect(workflow.permissions).toEqual({});
    expect(images.permissions).toEqual({ contents: 'read' });
    expect(publish.needs).toBe('images');
    expect(publish.if).toMatch(/github\.event_name == 'push' && startsWith\(github\.ref, 'refs\/tags\/v'\)/);
    expect(publish.permissions).toEqual({ contents: 'read', packages: 'write', 'id-token': 'write' });
  });

  test('pushes the built layouts keeping their digests, to the registry the build names, and signs and attests by digest', () => {
    expect(publish.steps.some((s) => s.uses?.startsWith('sigstore/cosign-installer@'))).toBe(true);
    // The registry comes from the build (images.json, from IMAGE_REGISTRY in generators/imageDigests.ts), never from here.
    expect(readFileSync(join(workflowsDir, 'release.yml'), 'utf8')).not.toMatch(/ghcr\.io\/\w/);
    expect(publishScript).toContain('require("./build/images/images.json")');
    expect(publishScript).toContain('require("./generators/imageDigests.generated.json")');
    expect(publishScript).toMatch(/skopeo copy --all --preserve-digests .*"oci:\$layout:\$version"/);
    expect(publishScript).toContain('cosign sign --yes "$repository@$digest"');
    expect(publishScript).toContain('cosign attest --yes --type cyclonedx --predicate "$sbom" "$repository@$digest"');
    expect(publishScript).toMatch(/cosign verify "\$repository@\$digest" --certificate-identity/);
    // Tokens reach the shell through env:, never as ${{ }} inside the script.
    expect(publishScript).not.toContain('${{');
  });
});
