// Not exported from the package's entry point; imported from its file as a reference for the test only.
import { quantityToScalar } from '@kubernetes/client-node/dist/util.js';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { cpuMillis, memoryBytes } from './quantities.js';

const Ki = 1024;
const Mi = 1024 * Ki;
const Gi = 1024 * Mi;

describe('cpuMillis', () => {
  test.each([
    ['3500m', 3500],
    ['4', 4 * 1000],
    ['0.5', 500],
    ['.5', 500],
    ['0.1', 100], // 0.1 * 1000 is 100.00000000000001 in floating point; a ceil of that would say 101
    ['1.', 1000],
    ['250000u', 250],
    ['1500000n', 2], // 1.5 millicores, rounded up as Kubernetes does
    ['1E-3', 1],
    [4, 4000], // an unquoted YAML number
    [0.25, 250],
    ['0', 0],
    ['+2', 2000],
  ])('%j is %d millicores', (quantity, millis) => {
    expect(cpuMillis(quantity)).toBe(millis);
  });
});

describe('memoryBytes', () => {
  test.each([
    ['16Gi', 16 * Gi],
    ['16384Mi', 16384 * Mi],
    ['123456Ki', 123456 * Ki],
    ['1.5Gi', 1.5 * Gi],
    ['1e9', 1e9],
    ['1E9', 1e9],
    ['1024M', 1024 * 1e6],
    ['2G', 2e9],
    ['1k', 1000],
    ['128974848', 128974848],
    [1e9, 1e9],
  ])('%j is %d bytes', (quantity, bytes) => {
    expect(memoryBytes(quantity)).toBe(bytes);
  });
});

describe('what is not a quantity', () => {
  test.each([
    ['', 'empty'],
    ['abc', 'no number'],
    ['16GB', 'a unit Kubernetes does not know'],
    ['16 Gi', 'a space inside'],
    ['1.2.3', 'two decimal points'],
    ['2e3m', 'an exponent and a suffix together'],
    ['-1Gi', 'negative'],
    ['1e99999', 'an absurd exponent'],
    ['Gi', 'a suffix without a number'],
    [null, 'null'],
    [true, 'a boolean'],
    [{ value: 1 }, 'an object'],
    [Number.NaN, 'NaN'],
  ] as [unknown, string][])('%j (%s) gives undefined', (quantity) => {
    expect(memoryBytes(quantity)).toBeUndefined();
    expect(cpuMillis(quantity)).toBeUndefined();
  });
});

test('integer quantities agree with @kubernetes/client-node where that parses them', () => {
  // client-node handles whole numbers with a suffix exactly (as BigInt); it is the reference there.
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom('', 'k', 'M', 'G', 'Ki', 'Mi', 'Gi', 'Ti'), (n, suffix) => {
      expect(memoryBytes(`${n}${suffix}`)).toBe(Number(quantityToScalar(`${n}${suffix}`)));
    }),
  );
});
