/**
 * Property tests: no input, however broken, makes the parser or the label computation throw, and
 * whatever they return keeps their invariants. 12,000 documents in all: random text, real samples
 * cut and spliced, random element trees over the capabilities vocabulary, and near-valid documents
 * whose machines, aliases and domains are random (the only kind that reaches the label code).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { isValidLabelName } from '../../compatibility/labelKeys.js';
import { sharedDir } from '../../testbed/harness/toolPaths.js';
import { parseCapabilities } from './capabilitiesXml.js';
import { matrixDocument } from '../../compatibility/matrixDocument.js';
import { testCluster } from '../../testbed/support/clusterFixtures.js';
import { desiredNodeMetadata } from './nodeLabels.js';

/** A matrix whose pools select no node: the label computation alone. */
const NO_POOLS = { ...matrixDocument(testCluster()), pools: [] };

const samples = [
  readFileSync(join(sharedDir, 'samples', 'capabilities', 'kvm-x86_64-rhel7.xml'), 'utf8'),
  readFileSync(join(sharedDir, 'samples', 'capabilities', 'kvm-x86_64.xml'), 'utf8'),
  readFileSync(join(import.meta.dirname, 'fixtures', 'synthetic-rhel9.6-capabilities.xml'), 'utf8'),
  readFileSync(join(import.meta.dirname, 'fixtures', 'synthetic-qemu2.3-alias-only-capabilities.xml'), 'utf8'),
];

/** The parser's contract: a result value, never an exception, and a consistent one. */
function checkInvariants(xml: string): void {
  let result: ReturnType<typeof parseCapabilities>;
  try {
    result = parseCapabilities(xml);
  } catch (e) {
    throw new Error(`parseCapabilities threw: ${(e as Error).message}`);
  }
  if (!result.ok) {
    expect(typeof result.code).toBe('string');
    expect(typeof result.message).toBe('string');
    return;
  }
  const { canonical, aliases, deprecated } = result.machineTypes;
  expect(canonical.every((t) => typeof t === 'string' && t.length > 0)).toBe(true);
  expect(new Set(canonical).size).toBe(canonical.length);
  for (const [alias, target] of Object.entries(aliases)) {
    expect(typeof target).toBe('string');
    expect(canonical).not.toContain(alias);
    // What a VM started as the alias reports in status.machine.type is a type the node runs.
    expect(canonical).toContain(target);
  }
  for (const t of deprecated) expect(canonical.includes(t) || Object.hasOwn(aliases, t)).toBe(true);
  // Whatever names came out, the labels built from them are valid or skipped, never a throw.
  const desired = desiredNodeMetadata(result.machineTypes, NO_POOLS, {});
  for (const [key, value] of Object.entries(desired.labels)) {
    const [prefix, name] = key.split('/');
    expect(prefix!.length).toBeLessThanOrEqual(253);
    expect(isValidLabelName(name!)).toBe(true);
    expect(value === '' || isValidLabelName(value)).toBe(true);
  }
}

test('random text never makes the parser throw', () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.string({ unit: fc.constantFrom(...'<>/=\'"&;!?[]- capbilitesmhnrgud'), maxLength: 400 })),
      checkInvariants,
    ),
    { numRuns: 4_000 },
  );
});

const fragments = [
  '<',
  '>',
  '</machine>',
  "<machine canonical='",
  "<machine deprecated='yes'>",
  "<domain type='kvm'>",
  "<domain type='kvm'/>",
  '</arch>',
  "<arch name='x86_64'>",
  '<guest>',
  '</capabilities>',
  '&',
  '&amp;',
  '&#x0;',
  ']]>',
  '<!--',
  '<![CDATA[',
  '<?xml version="1.0"?>',
  '<!DOCTYPE c [<!ENTITY e "pc-q35-9.2">]>',
  '&e;',
  '<domainCapabilities>',
  "<machine canonical='pc-q35-rhel9.6.0'>q35</machine>",
  `<machine>${'x'.repeat(70)}</machine>`,
  '<machine>pc q35 with spaces</machine>',
  '<constructor>',
  '<toString/>',
  '\u0000',
  '\uFFFF',
];

type Edit =
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'truncate'; at: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 20 })) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 2_000 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function applyEdit(doc: string, e: Edit): string {
  const at = e.at % (doc.length + 1);
  switch (e.kind) {
    case 'delete':
      return doc.slice(0, at) + doc.slice(at + e.length);
    case 'insert':
      return doc.slice(0, at) + e.text + doc.slice(at);
    case 'duplicate':
      return doc.slice(0, at + e.length) + doc.slice(at);
    case 'truncate':
      return doc.slice(0, at);
  }
}

test('real and synthetic documents cut, spliced and duplicated never make the parser throw', () => {
  fc.assert(
    // The 32 KB upstream sample in one run of five keeps this to seconds; the small ones cover the same paths.
    fc.property(fc.constantFrom(0, 0, 1, 2, 2), fc.array(edit, { minLength: 1, maxLength: 6 }), (i, edits) => {
      checkInvariants(edits.reduce(applyEdit, samples[i]!));
    }),
    { numRuns: 4_000 },
  );
});

const tagName = fc.constantFrom(
  'capabilities',
  'host',
  'cpu',
  'arch',
  'guest',
  'machine',
  'domain',
  'os_type',
  'emulator',
  'features',
  'domainCapabilities',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'x',
);
const attrValue = fc.oneof(fc.constantFrom('x86_64', 'kvm', 'qemu', 'yes', 'no', 'q35', 'pc-q35-9.2', ''), fc.string({ maxLength: 12 }));
const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&apos;');
const attrs = fc.dictionary(fc.constantFrom('name', 'type', 'canonical', 'deprecated', 'maxCpus'), attrValue, { maxKeys: 3 });
const text = fc.oneof(fc.constantFrom('x86_64', 'pc-q35-rhel9.6.0', 'q35', 'pc-i440fx-6.1', ''), fc.string({ maxLength: 16 }));

const { tree } = fc.letrec<{ tree: string }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text.map(escapeXml),
    fc.record({ tag: tagName, attrs, children: fc.array(tie('tree'), { maxLength: 5 }) }).map(({ tag, attrs: a, children }) => {
      const attrText = Object.entries(a)
        .map(([k, v]) => ` ${k}='${escapeXml(v)}'`)
        .join('');
      return `<${tag}${attrText}>${children.join('')}</${tag}>`;
    }),
  ),
}));

test('random element trees over the capabilities vocabulary never make the parser throw', () => {
  fc.assert(
    fc.property(tree, (body) => {
      checkInvariants(`<capabilities><host><cpu><arch>x86_64</arch></cpu></host>${body}</capabilities>`);
      checkInvariants(body);
    }),
    { numRuns: 1_000 },
  );
});

// Mostly the host's own arch and KVM, so most documents reach the machine and label code.
const archName = fc.oneof({ arbitrary: fc.constant('x86_64'), weight: 6 }, { arbitrary: fc.constantFrom('i686', 'aarch64', '', 'x86_64 '), weight: 1 });
const machineName = fc.oneof(
  fc.constantFrom('pc-q35-rhel9.6.0', 'q35', 'pc', 'pc-i440fx-6.1', 'microvm', 'x'.repeat(64), 'pc q35', '-pc-', ''),
  fc.string({ maxLength: 70 }),
);
const machine = fc
  .record({ name: machineName, canonical: fc.option(machineName), deprecated: fc.option(fc.constantFrom('yes', 'no', 'YES')) })
  .map(({ name, canonical, deprecated }) => {
    const a = (canonical !== null ? ` canonical='${escapeXml(canonical)}'` : '') + (deprecated !== null ? ` deprecated='${deprecated}'` : '');
    return `<machine${a}>${escapeXml(name)}</machine>`;
  });
const domain = fc
  .record({
    type: fc.oneof({ arbitrary: fc.constant('kvm'), weight: 4 }, { arbitrary: fc.constantFrom('qemu', 'KVM', ''), weight: 1 }),
    nested: fc.array(machine, { maxLength: 4 }),
  })
  .map(({ type, nested }) =>
    nested.length > 0 ? `<domain type='${type}'><emulator>/usr/bin/qemu-kvm</emulator>${nested.join('')}</domain>` : `<domain type='${type}'/>`,
  );
const guest = fc
  .record({ arch: archName, machines: fc.array(machine, { maxLength: 8 }), domains: fc.array(domain, { maxLength: 3 }), junk: fc.array(tree, { maxLength: 2 }) })
  .map(
    ({ arch, machines, domains, junk }) =>
      `<guest><os_type>hvm</os_type><arch name='${escapeXml(arch)}'>${machines.join('')}${domains.join('')}${junk.join('')}</arch></guest>`,
  );

test('near-valid documents with random machines, aliases, deprecations and domains keep the invariants', () => {
  fc.assert(
    fc.property(archName, fc.array(guest, { maxLength: 4 }), (hostArch, guests) => {
      checkInvariants(`<capabilities><host><cpu><arch>${escapeXml(hostArch)}</arch></cpu></host>${guests.join('')}</capabilities>`);
    }),
    { numRuns: 2_000 },
  );
});
