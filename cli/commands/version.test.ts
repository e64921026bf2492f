import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test, vi } from 'vitest';
import { main } from '../main.js';
import { versionLine } from './version.js';

const projectDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
afterEach(() => vi.restoreAllMocks());

test('kvfleet --version prints the package version, the commit of this checkout and the Node version, and exits 0', async () => {
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  expect(await main(['--version'], { cwd: projectDir })).toBe(0);
  const { version } = JSON.parse(readFileSync(resolve(projectDir, 'package.json'), 'utf8')) as { version: string };
  const commit = execFileSync('git', ['-C', projectDir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  expect(write.mock.calls.map((c) => String(c[0])).join('')).toBe(`kvfleet ${version} (commit ${commit}, node ${process.version})\n`);
});

test.each([
  [{ version: '0.1.0', commit: 'abc1234', node: 'v24.21.0' }, 'kvfleet 0.1.0 (commit abc1234, node v24.21.0)'],
  // Outside a git checkout (a bundle or a tarball) there is no commit to name.
  [{ version: '0.1.0', node: 'v24.21.0' }, 'kvfleet 0.1.0 (node v24.21.0)'],
])('%j is shown as %s', (info, line) => {
  expect(versionLine(info)).toBe(line);
});
