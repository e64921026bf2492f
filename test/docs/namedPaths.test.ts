/**
 * The docs name only files that exist: every `path/in/backticks` of README.md, docs/*.md and the
 * folders' own READMEs whose first segment is a folder of the repository must exist, so a renamed or
 * deleted file cannot stay described (links are checked by links.test.ts; this is the prose).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';

const repoDir = resolve(import.meta.dirname, '..', '..');

/** Paths named on purpose although they are not in a checkout: where they live instead. */
const ELSEWHERE: Readonly<Record<string, string>> = {
  'bin/kube-ovn-v1.16.2/kube-ovn-controller': 'in the tool cache (~/.cache/kvfleet), not the repository',
  'sim/upgrade/results/1.json': "in the Git history only: the simulator's results before issue 19",
  'dist/_fleet/': 'named as the folder kvfleet does not write',
  'docs/user-guide/sync-options.md': "a page of Argo CD's documentation, quoted",
};

/** Every tracked Markdown page that describes the repository: README.md, docs/, and each folder's README.md. */
function pages(): string[] {
  const docs = readdirSync(join(repoDir, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  const folderReadmes = readdirSync(repoDir, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('README.md') && !f.startsWith('node_modules') && !f.startsWith('dist') && f !== 'README.md',
  );
  return ['README.md', ...docs, ...folderReadmes].sort();
}

const topLevel = new Set(readdirSync(repoDir).filter((f) => !f.startsWith('.') && f !== 'node_modules'));

/** `fleet/loadFleet.ts`, `sim/upgrade/`, `scripts/tools.sh` from inline code; globs, placeholders and ranges are not paths. */
function namedPaths(markdown: string): string[] {
  return [...markdown.matchAll(/`([^`\s]+)`/g)]
    .map((m) => m[1]!.split(/[:#]/)[0]!.replace(/[),.;]+$/, ''))
    .filter((p) => p.includes('/') && topLevel.has(p.split('/')[0]!) && !/[*<>{}$]/.test(p));
}

test.each(pages())('%s names only files and folders that exist', (page) => {
  const missing = [...new Set(namedPaths(readFileSync(join(repoDir, page), 'utf8')))].filter((p) => !existsSync(join(repoDir, p)) && !(p in ELSEWHERE));
  expect(missing, `named in ${page} but not in the repository (fix the name, or add it to ELSEWHERE with where it lives)`).toEqual([]);
});

test('each path named as elsewhere is really not in the repository', () => {
  for (const p of Object.keys(ELSEWHERE)) expect(existsSync(join(repoDir, p)), p).toBe(false);
});

test('the check reads paths from prose', () => {
  expect(namedPaths('see `fleet/loadFleet.ts:12`, `sim/upgrade/`, `clusters/*.ts`, `kubectl get`, `dist/<cluster>/`')).toEqual(['fleet/loadFleet.ts', 'sim/upgrade/']);
});
