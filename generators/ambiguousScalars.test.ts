import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { isAmbiguousPlainString, quoteAmbiguousScalars } from './ambiguousScalars.js';

describe('strings some reader would take for something else', () => {
  test.each(['0o755', '0O17', '0X1F', '0b101', '1_000', '012', '0x1f', 'yes', 'on', 'null', '~', '1e3', '.inf', 'true', '', '12'])('%j is quoted', (s) => {
    expect(isAmbiguousPlainString(s)).toBe(true);
  });
  test.each(['pc-q35-rhel9.6.0', 'rhel-9.6', 'kvfleet', 'o755', '0o8', 'v1.15.14', 'node-1', 'q35'])('%j stays plain', (s) => {
    expect(isAmbiguousPlainString(s)).toBe(false);
  });
});

describe('re-quoting a cdk8s YAML file', () => {
  const cdk8sOutput = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  labels:', '    a: 0o755', '    b: "yes"', '    c: plain', '  name: x', ''].join('\n');

  test('only the ambiguous plain scalar changes, and every reader now gets a string', () => {
    const out = quoteAmbiguousScalars(cdk8sOutput);
    expect(out).toBe(cdk8sOutput.replace('a: 0o755', 'a: "0o755"'));
    for (const version of ['1.1', '1.2'] as const) expect(parse(out, { version }).metadata.labels.a).toBe('0o755');
  });

  test('a file with nothing ambiguous is returned byte-identical', () => {
    const clean = cdk8sOutput.replace('a: 0o755', 'a: fine');
    expect(quoteAmbiguousScalars(clean)).toBe(clean);
  });

  test('numbers that are numbers stay numbers', () => {
    const text = 'spec:\n  replicas: 2\n  port: "8080"\n';
    expect(quoteAmbiguousScalars(text)).toBe(text);
  });
});
