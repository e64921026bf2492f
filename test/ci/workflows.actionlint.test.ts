/**
 * The GitHub workflows pass the real actionlint (tools/actionlint), and actionlint really checks: a
 * workflow broken on purpose gets the findings we rely on it for. Plus what actionlint cannot know:
 * that the pull-request workflow runs the README's test command and the dist/ check.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { actionlintPath, projectDir } from '../harness/toolPaths.js';

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

test('the repository has the pull-request and ci workflows', () => {
  expect(workflowFiles.map((f) => f.slice(workflowsDir.length + 1))).toEqual(['ci.yml', 'pull-request.yml']);
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
  interface Step {
    readonly id?: string;
    readonly run?: string;
    readonly uses?: string;
    readonly with?: Record<string, unknown>;
    readonly env?: Record<string, string>;
  }
  interface Job {
    readonly permissions?: Record<string, string>;
    readonly steps: readonly Step[];
  }
  const workflow = parse(readFileSync(join(workflowsDir, 'pull-request.yml'), 'utf8')) as {
    on: Record<string, unknown>;
    permissions: unknown;
    jobs: Record<string, Job>;
  };
  const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
  const runs = steps.map((s) => s.run?.trim()).filter((r): r is string => r !== undefined);
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
