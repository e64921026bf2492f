import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MAX_DATA_DEPTH, PROTOTYPE_NAMES, readAsData } from './definitionData.js';

/** Keys a hostile or careless file can use: the names every object inherits, "__proto__", and any string. */
const key = fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES, '__proto__'), fc.string({ maxLength: 8 }));

/** Plain data as a definition holds it, with exotic numbers, null-prototype objects and sparse lists. */
const data = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), tie('list'), tie('object')),
  list: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: false }),
})).value;

/** Walks `v` and fails on anything that is not plain data: accessors, prototypes other than null or Array's, symbol keys. */
function assertPlain(v: unknown, seen = new Set<object>()): void {
  if (typeof v !== 'object' || v === null || seen.has(v)) return;
  seen.add(v);
  expect([null, Array.prototype]).toContain(Object.getPrototypeOf(v));
  expect(Object.getOwnPropertySymbols(v)).toEqual([]);
  for (const k of Object.keys(v)) {
    const d = Object.getOwnPropertyDescriptor(v, k)!;
    expect(d.get ?? d.set).toBeUndefined();
    assertPlain(d.value, seen);
  }
}

describe('readAsData', () => {
  test('plain data is copied as it is, into null-prototype objects, and only "__proto__" keys are refused', () => {
    fc.assert(
      fc.property(data, (input) => {
        const { data: copy, problems } = readAsData(input);
        assertPlain(copy);
        // JSON drops what JSON cannot say (-0 is 0 both ways; an own "__proto__" is the one key left out of the copy).
        const withoutProto = JSON.parse(JSON.stringify(input, (k, v) => (k === '__proto__' ? undefined : v)));
        expect(JSON.parse(JSON.stringify(copy))).toEqual(withoutProto);
        for (const p of problems) expect(p.path.at(-1) === '__proto__' || p.problem.includes('hole')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('a getter is reported at its path and never called; a symbol key, a hidden field and a hole are reported', () => {
    fc.assert(
      fc.property(data, fc.constantFrom('getter', 'setter', 'symbol', 'hidden', 'hole'), fc.string({ minLength: 1, maxLength: 6 }), (inner, kind, name) => {
        let calls = 0;
        const holder: Record<string, unknown> = { inner };
        if (kind === 'getter')
          Object.defineProperty(holder, name, {
            get: () => {
              calls++;
              throw new Error('read');
            },
            enumerable: true,
          });
        if (kind === 'setter') Object.defineProperty(holder, name, { set: () => calls++, enumerable: true });
        if (kind === 'symbol') (holder as Record<symbol, unknown>)[Symbol(name)] = 1;
        if (kind === 'hidden') Object.defineProperty(holder, name === 'inner' ? 'x' : name, { value: 1, enumerable: false });
        if (kind === 'hole') {
          const list: unknown[] = [1];
          list[2] = 3; // index 1 stays a hole
          holder.list = list;
        }
        const { data: copy, problems } = readAsData({ outer: holder });
        assertPlain(copy);
        expect(calls).toBe(0);
        const expected = {
          getter: [['outer', name], /is a getter/],
          setter: [['outer', name], /a setter without a value/],
          symbol: [['outer'], /symbol key/],
          hidden: [['outer', name === 'inner' ? 'x' : name], /hidden/],
          hole: [['outer', 'list', 1], /hole/],
        }[kind] as [unknown[], RegExp];
        expect(problems.some((p) => JSON.stringify(p.path) === JSON.stringify(expected[0]) && expected[1].test(p.problem))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  test('objects that are not data are named, not read', () => {
    const proxy = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('trap');
        },
      },
    );
    const cases: [unknown, RegExp][] = [
      [proxy, /is a Proxy/],
      [new Map(), /is a Map, not plain data/],
      [new Date(0), /is a Date/],
      [Object.create({ inherited: 1 }), /has a prototype of its own/],
      [new (class Pool {})(), /is a Pool/],
      [Promise.resolve(), /is a Promise/],
    ];
    for (const [value, problem] of cases) {
      const { data: copy, problems } = readAsData({ field: value });
      expect(copy).toEqual(Object.assign(Object.create(null), { field: undefined }));
      expect(problems.map((p) => [p.path, problem.test(p.problem)])).toEqual([[['field'], true]]);
    }
  });

  test('-0 becomes 0, a cycle stays a cycle, and nesting beyond the bound is refused rather than overflowing the stack', () => {
    expect(Object.is((readAsData({ n: -0 }).data as { n: number }).n, 0)).toBe(true);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const copy = readAsData(cyclic).data as Record<string, unknown>;
    expect(copy.self).toBe(copy);
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    const { problems } = readAsData(deep);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toHaveLength(MAX_DATA_DEPTH);
  });

  test('a sparse list of 2^32-1 places is read in the time of its entries', () => {
    const huge: unknown[] = [];
    huge.length = 2 ** 32 - 1;
    huge[5] = 'x';
    const { problems } = readAsData(huge);
    expect(problems.map((p) => p.path)).toEqual([[0]]);
    expect(problems[0]!.problem).toContain(`${2 ** 32 - 2} of its ${2 ** 32 - 1} places hold nothing`);
  });
});
