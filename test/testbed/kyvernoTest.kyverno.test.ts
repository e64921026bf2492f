import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runKyvernoTest } from '../../testbed/harness/kyvernoTest.js';
import { projectDir } from '../../testbed/harness/toolPaths.js';

const fixtures = join(projectDir, 'testbed/harness/fixtures/kyverno-wiring');

test('a folder whose pass, fail and skip expectations hold passes under the real Kyverno CLI', async () => {
  const r = await runKyvernoTest(join(fixtures, 'good'));
  expect(r.output).toMatch(/Test Summary/);
  expect(r, r.output).toMatchObject({ ok: true, passed: 3, failed: 0 });
});

test('a folder with a wrong expectation fails, and the CLI output says which result', async () => {
  const r = await runKyvernoTest(join(fixtures, 'wrong-expectation'));
  expect(r.ok).toBe(false);
  expect(r.failed).toBe(1);
  expect(r.output).toContain('unlabelled');
});

test('a folder without any kyverno-test.yaml is an error, not a silent pass', async () => {
  const r = await runKyvernoTest(join(projectDir, 'bench'));
  expect(r.ok).toBe(false);
  expect(r.passed).toBe(0);
});
