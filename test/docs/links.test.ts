/**
 * The docs link only to what exists, as a Git forge renders them: every relative link resolves to a
 * file or folder of the repository, and every `#anchor` to a heading of the file it names (GitHub's
 * slugs). No page shows an absolute path of the machine it was written on.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, test } from 'vitest';
import { headingAnchors, markdownLinks } from './markdownLinks.js';

const repoDir = resolve(import.meta.dirname, '..', '..');
const pages = [
  'README.md',
  ...readdirSync(join(repoDir, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];

/**
 * Pages another engineer is writing at the same time (issue 14), linked before they land. Each entry
 * must still be missing: once the page exists this test fails until the entry is removed.
 */
const PENDING_PAGES = new Set<string>([]);

const anchorsOf = new Map<string, Set<string>>();
function anchors(page: string): Set<string> {
  let found = anchorsOf.get(page);
  if (!found) {
    found = headingAnchors(readFileSync(join(repoDir, page), 'utf8'));
    anchorsOf.set(page, found);
  }
  return found;
}

/** What is wrong with `target` linked from `page`, or undefined when it resolves. */
function linkProblem(page: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto:: not ours to check
  if (target.startsWith('/')) return 'starts with "/": forges resolve that differently; link relative to the page';
  const hash = target.indexOf('#');
  const path = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
  const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const file = path === '' ? join(repoDir, page) : resolve(repoDir, dirname(page), path);
  const rel = relative(repoDir, file).split(sep).join('/');
  if (rel.startsWith('..')) return `leaves the repository (${rel})`;
  if (!existsSync(file)) return PENDING_PAGES.has(rel) ? undefined : `no such file: ${rel}`;
  if (anchor === undefined) return undefined;
  if (statSync(file).isDirectory() || !rel.endsWith('.md')) return `an anchor into ${rel}, which is not a Markdown page`;
  if (!anchors(rel).has(anchor)) return `no heading in ${rel} has the anchor #${anchor}`;
  return undefined;
}

describe.each(pages)('%s', (page) => {
  const text = readFileSync(join(repoDir, page), 'utf8');

  test('every relative link and anchor resolves', () => {
    const problems = markdownLinks(text).flatMap(({ target, line }) => {
      const problem = linkProblem(page, target);
      return problem ? [`${page}:${line}: (${target}) ${problem}`] : [];
    });
    expect(problems).toEqual([]);
  });

  test('shows no absolute path of a machine', () => {
    const found = text.split('\n').flatMap((l, i) => (/\/(?:work|root|home)\//.test(l) ? [`${page}:${i + 1}: ${l.trim()}`] : []));
    expect(found).toEqual([]);
  });
});

test('the pages linked before they exist are still missing (remove an entry once its page lands)', () => {
  expect([...PENDING_PAGES].filter((p) => existsSync(join(repoDir, p)))).toEqual([]);
});

describe('the anchors', () => {
  test('are GitHub slugs: lower case, spaces to "-", punctuation but "-" and "_" removed, repeats numbered', () => {
    const page = [
      '# The `kvfleet` command',
      '## Bootstrapping Argo CD for kvfleet, in order',
      '### Metrics',
      '### Metrics',
      '## kvfleet check, kvfleet explain and --version',
      '## [Linked](x.md) heading',
    ].join('\n');
    expect([...headingAnchors(page)]).toEqual([
      'the-kvfleet-command',
      'bootstrapping-argo-cd-for-kvfleet-in-order',
      'metrics',
      'metrics-1',
      'kvfleet-check-kvfleet-explain-and---version',
      'linked-heading',
    ]);
  });

  test('of headings inside code blocks do not count', () => {
    expect([...headingAnchors('```sh\n# a comment\n```\n## Real')]).toEqual(['real']);
  });

  test('links inside code are not links', () => {
    expect(markdownLinks('`[a](missing.md)`\n```md\n[b](missing.md)\n```\n[c](here.md#x)').map((l) => l.target)).toEqual(['here.md#x']);
  });
});
