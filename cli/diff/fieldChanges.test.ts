import { expect, test } from 'vitest';
import { fieldChanges } from './fieldChanges.js';

test('maps equal but for key order have no changes', () => {
  expect(fieldChanges({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toEqual([]);
});

test('list items with a unique name are matched by it, so a reordered env shows only the changed value', () => {
  const before = { env: [{ name: 'KVFLEET_FALLBACK_ATTEMPTS', value: '3' }, { name: 'POD_NAME' }] };
  const after = { env: [{ name: 'POD_NAME' }, { name: 'KVFLEET_FALLBACK_ATTEMPTS', value: '2' }] };
  expect(fieldChanges(before, after)).toEqual([{ path: 'env[KVFLEET_FALLBACK_ATTEMPTS].value', before: '3', after: '2' }]);
});

test('a list of scalars reports the members added and removed', () => {
  expect(fieldChanges({ validationActions: ['Warn', 'Audit'] }, { validationActions: ['Deny', 'Audit'] })).toEqual([
    { path: 'validationActions', before: ['Warn'], after: ['Deny'], members: true },
  ]);
});

test('the same members in another order are a change: for rollout steps order is the meaning', () => {
  expect(fieldChanges({ steps: ['canary', 'production'] }, { steps: ['production', 'canary'] })).toEqual([
    { path: 'steps', before: ['canary', 'production'], after: ['production', 'canary'] },
  ]);
});

test('keys that are not identifiers are quoted in the path', () => {
  expect(fieldChanges({ annotations: { 'kvfleet.io/config-hash': 'a' } }, { annotations: { 'kvfleet.io/config-hash': 'b' } })[0]?.path).toBe(
    'annotations["kvfleet.io/config-hash"]',
  );
});

test('with leaves, a map on one side only lists each of its fields', () => {
  expect(fieldChanges(undefined, { a: { b: 1, c: 2 } }, { leaves: true }).map((c) => c.path)).toEqual(['a.b', 'a.c']);
  expect(fieldChanges(undefined, { a: { b: 1, c: 2 } }).map((c) => c.path)).toEqual(['']);
});
