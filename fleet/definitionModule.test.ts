import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { importDefinitionModule } from './definitionModule.js';
import { restoreIntrinsics, snapshotIntrinsics } from './intrinsicsGuard.js';
import { protoKeysInSource } from './protoKeysInSource.js';

const KIND = { define: 'defineCluster', importLine: "import { defineCluster } from '../fleet/clusterDefinition.js'" };
const work = mkdtempSync(join(tmpdir(), 'kvfleet-module-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function file(name: string, source: string): string {
  const path = join(work, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, source);
  return path;
}

test('changes to shared objects are found, named and undone: added, replaced and removed', () => {
  const before = snapshotIntrinsics();
  const original = Array.prototype.at;
  (Object.prototype as Record<string, unknown>).images = 'evil';
  Array.prototype.at = () => 'evil';
  delete (JSON as { parse?: unknown }).parse;
  const changes = restoreIntrinsics(before);
  expect(changes).toEqual(
    expect.arrayContaining([
      { name: 'Object.prototype.images', change: 'added' },
      { name: 'Array.prototype.at', change: 'replaced' },
      { name: 'JSON.parse', change: 'removed' },
    ]),
  );
  expect(changes).toHaveLength(3);
  expect(Object.hasOwn(Object.prototype, 'images')).toBe(false);
  expect(Array.prototype.at).toBe(original);
  expect(JSON.parse('1')).toBe(1);
  expect(restoreIntrinsics(before)).toEqual([]);
});

test('a polluting file is reported on every load of the same version, though Node runs it once', async () => {
  const path = file('pollutes.ts', "(Object.prototype as any).stage = 'canary';\nexport default {};\n");
  for (let i = 0; i < 2; i++) {
    const load = await importDefinitionModule(path, 'clusters/pollutes.ts', KIND);
    expect('errors' in load && load.errors.map((e) => e.problem)).toEqual([expect.stringContaining('Object.prototype.stage added')]);
    expect(Object.hasOwn(Object.prototype, 'stage')).toBe(false);
  }
});

test('a clean file loads; an edited one loads anew', async () => {
  const path = file('clean.ts', 'export default { name: "a" };\n');
  const first = await importDefinitionModule(path, 'clusters/clean.ts', KIND);
  expect('exports' in first && first.exports.default).toEqual({ name: 'a' });
  writeFileSync(path, 'export default { name: "bb" };\n'); // another size: another version
  const second = await importDefinitionModule(path, 'clusters/clean.ts', KIND);
  expect('exports' in second && second.exports.default).toEqual({ name: 'bb' });
});

test('`__proto__:` in a literal is found with its place and, inside the export, its field path', () => {
  const source = [
    "import { defineCluster } from '../fleet/clusterDefinition.js';",
    'const helper = { __proto__: null };',
    'export default defineCluster({',
    "  nodePools: [{ name: 'a', nodeSelector: { 'x.io/y': 'z' } }, { name: 'b', nodeSelector: { '__proto__': 'w' } }],",
    "  images: { __proto__: { nodeLabeller: 'evil' } } as const,",
    "  ['__proto__']: 'computed: an own key, not a prototype, so not this check',",
    '});',
  ].join('\n');
  expect(protoKeysInSource(source, 'clusters/a.ts')).toEqual([
    { location: { line: 2, column: 18 }, path: '' },
    { location: { line: 4, column: 92 }, path: 'nodePools[1].nodeSelector' },
    { location: { line: 5, column: 13 }, path: 'images' },
  ]);
  expect(protoKeysInSource('export default { a: 1 };', 'b.ts')).toEqual([]);
});
