/**
 * When the swap itself fails (the rename of the finished output into place: another filesystem, a
 * full disk, a folder held open), dist/ stays as it was and no staging folder is left. The failure is
 * real: node:fs's renameSync fails for the staging folder, as the operating system would make it.
 */
import * as fs from 'node:fs';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { readTree } from '../testbed/support/fileTree.js';
import { synthFleet } from './synthFleet.js';

const renameFails = vi.hoisted(() => ({ from: undefined as RegExp | undefined }));

vi.mock('node:fs', async (original) => {
  const real = await original<typeof import('node:fs')>();
  const renameSync: typeof real.renameSync = (from, to) => {
    if (renameFails.from?.test(String(from))) throw Object.assign(new Error(`EXDEV: cross-device link not permitted, rename '${from}'`), { code: 'EXDEV' });
    real.renameSync(from, to);
  };
  return { ...real, renameSync, default: { ...real, renameSync } };
});

const projectDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const clustersDir = join(projectDir, 'clusters');
let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'kvfleet-swap-'));
});
afterEach(() => {
  renameFails.from = undefined;
  rmSync(work, { recursive: true, force: true });
});

test('when the new output cannot be moved into place, the previous dist/ is put back and nothing is left beside it', async () => {
  const dist = join(work, 'dist');
  await synthFleet({ clustersDir, distDir: dist, projectDir });
  const before = readTree(dist);
  renameFails.from = /\.dist\.staging-/;
  const err = await synthFleet({ clustersDir, distDir: dist, projectDir }).catch((e: unknown) => e);
  expect((err as Error).message).toMatch(/^EXDEV: cross-device link not permitted/);
  expect(readTree(dist)).toEqual(before);
  expect(readdirSync(work)).toEqual(['dist']);
  expect(fs.existsSync(dist)).toBe(true);
});

test('a first synth whose output cannot be moved into place leaves no dist/ and no staging folder', async () => {
  renameFails.from = /\.dist\.staging-/;
  const err = await synthFleet({ clustersDir, distDir: join(work, 'dist'), projectDir }).catch((e: unknown) => e);
  expect((err as Error).message).toMatch(/^EXDEV/);
  expect(readdirSync(work)).toEqual([]);
});
