import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { mebibytes, nodeOptionsFor, v8HeapMebibytes } from './v8Heap.js';

test.each([
  ['192Mi', 192],
  ['512Mi', 512],
  ['1Gi', 1024],
  ['512M', undefined],
  ['0.5Gi', undefined],
])('%s is %s MiB', (quantity, mi) => {
  expect(mebibytes(quantity)).toBe(mi);
});

test('the heap gets half the container limit', () => {
  expect(v8HeapMebibytes(192)).toBe(96);
  expect(v8HeapMebibytes(513)).toBe(256);
});

test('Node accepts the flag in NODE_OPTIONS and V8 caps the whole heap, young generation included, at it', () => {
  const run = spawnSync(process.execPath, ['-e', "console.log(require('node:v8').getHeapStatistics().heap_size_limit)"], {
    env: { ...process.env, NODE_OPTIONS: nodeOptionsFor(192) },
    encoding: 'utf8',
  });
  expect(run.stderr).toBe('');
  expect(Number(run.stdout) / 2 ** 20).toBe(96);
});
