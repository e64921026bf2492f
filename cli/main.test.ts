import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { main } from './main.js';

const clustersDir = resolve(dirname(fileURLToPath(import.meta.url)), '../clusters');
let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'kvfleet-cli-'));
});
afterEach(() => {
  rmSync(work, { recursive: true, force: true });
  vi.restoreAllMocks();
});

test('synth prints one line per cluster and writes its folder', async () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  expect(await main(['synth', '--clusters', clustersDir, '--dist', join(work, 'dist')])).toBe(0);
  const lines = String(log.mock.calls[0]![0]).split('\n').filter((l) => !l.startsWith(' '));
  expect(lines.map((l) => l.split(':')[0])).toEqual(readdirSync(join(work, 'dist')).sort());
  expect(lines[0]).toMatch(/^\S+: \d+ objects written to dist\/\S+\/, \d+ warnings?$/);
});

test('synth with a missing clusters folder fails with a message, not a stack', async () => {
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  expect(await main(['synth', '--clusters', join(work, 'none'), '--dist', join(work, 'dist')])).toBe(1);
  expect(String(err.mock.calls[0]![0])).toMatch(/clusters folder does not exist/);
  expect(readdirSync(work)).toEqual([]);
});
