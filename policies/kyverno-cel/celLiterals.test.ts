import { expect, test } from 'vitest';
import { celMap, celString, celStringList, jsonPointerToken } from './celLiterals.js';

test.each([
  ['plain', 'pc-q35-rhel9.6.0', '"pc-q35-rhel9.6.0"'],
  ['quotes and backslashes escaped', 'say "hi" \\ bye', '"say \\"hi\\" \\\\ bye"'],
  ['a newline escaped, not raw', 'a\nb', '"a\\nb"'],
])('celString: %s', (_, value, literal) => {
  expect(celString(value)).toBe(literal);
});

test('a map of string lists reads back as JSON with its entries in the order given, one a line', () => {
  const entries: [string, string[]][] = [
    ['pc-q35-rhel9.6.0', ['rhel10', 'rhel9']],
    ['pc-q35-rhel10.0.0', ['rhel10']],
  ];
  const text = celMap(entries.map(([k, v]) => [k, celStringList(v)]));
  expect(JSON.parse(text)).toEqual(Object.fromEntries(entries));
  expect(Object.keys(JSON.parse(text))).toEqual(entries.map(([k]) => k));
  expect(text.split('\n')).toHaveLength(entries.length + 2);
});

test('an empty map is {}', () => {
  expect(celMap([])).toBe('{}');
});

test('a JSON-pointer token escapes ~ before /, so neither is read back as the other', () => {
  expect(jsonPointerToken('kubevirt.io/allow')).toBe('kubevirt.io~1allow');
  expect(jsonPointerToken('a~/b')).toBe('a~0~1b');
});
