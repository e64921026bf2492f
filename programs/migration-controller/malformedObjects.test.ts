import { expect, test } from 'vitest';
import { MalformedObjects } from './malformedObjects.js';

const vmim = (name: string) => ({ kind: 'VirtualMachineInstanceMigration', namespace: 'apps', name });

test('a malformed object is reported once however often it is updated, and again when its problem changes', () => {
  const m = new MalformedObjects();
  expect(m.report(vmim('a'), 'no-vmi-name')).toBe(true);
  for (let i = 0; i < 100; i++) expect(m.report(vmim('a'), 'no-vmi-name')).toBe(false);
  expect(m.report(vmim('a'), 'no-uid')).toBe(true);
  expect(m.size).toBe(1);
});

test('memory holds one entry per malformed object and shrinks as they are deleted or repaired', () => {
  const m = new MalformedObjects();
  // 1,000 broken objects, each updated 20 times (a status writer at work).
  for (let version = 0; version < 20; version++) for (let i = 0; i < 1_000; i++) m.report(vmim(`vm-${i}`), 'no-vmi-name');
  expect(m.size).toBe(1_000);
  for (let i = 0; i < 600; i++) m.forget(vmim(`vm-${i}`)); // deleted
  for (let i = 600; i < 1_000; i++) m.forget(vmim(`vm-${i}`)); // parsed again
  expect(m.size).toBe(0);
});

test('the same name in another namespace or of another kind is another object', () => {
  const m = new MalformedObjects();
  expect(m.report(vmim('a'), 'no-vmi-name')).toBe(true);
  expect(m.report({ ...vmim('a'), namespace: 'other' }, 'no-vmi-name')).toBe(true);
  expect(m.report({ kind: 'Pod', namespace: 'apps', name: 'a' }, 'no-vmi-name')).toBe(true);
  m.forget(vmim('a'));
  expect(m.report(vmim('a'), 'no-vmi-name')).toBe(true); // broken again after a repair: news again
  expect(m.size).toBe(3);
});
