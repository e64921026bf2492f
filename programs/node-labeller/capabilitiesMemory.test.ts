/**
 * The accepted document size and the container's memory agree: the largest capabilities document
 * the labeller accepts is reconciled by the real program code (bundled as the image bundles it) in a
 * process of its own, started with the NODE_OPTIONS the DaemonSet sets, and stays inside the
 * container's memory limit; one byte more is refused before anything is parsed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NodeLabeller } from '../../generators/nodeLabeller.js';
import { mebibytes } from '../../generators/v8Heap.js';
import { matrixDocument, renderMatrixDocument } from '../../compatibility/matrixDocument.js';
import { testCluster } from '../../testbed/support/clusterFixtures.js';
import { MAX_CAPABILITIES_BYTES, parseCapabilities } from './capabilitiesXml.js';

const HEAD =
  '<!-- SYNTHETIC capabilities document of an exact size -->\n<capabilities>\n  <host>\n    <cpu>\n      <arch>x86_64</arch>\n    </cpu>\n  </host>\n' +
  "  <guest>\n    <os_type>hvm</os_type>\n    <arch name='x86_64'>\n      <wordsize>64</wordsize>\n      <machine maxCpus='288'>pc-q35-rhel9.6.0</machine>\n";
const TAIL = "      <domain type='qemu'/>\n      <domain type='kvm'/>\n    </arch>\n  </guest>\n</capabilities>\n";

/** A SYNTHETIC capabilities document of exactly `bytes` bytes: `entry(i)` repeated, then padding. */
function documentOfSize(bytes: number, entry: (i: number) => string): string {
  const parts = [HEAD];
  let size = HEAD.length + TAIL.length;
  for (let i = 0; ; i++) {
    const e = entry(i);
    if (size + e.length > bytes) break;
    parts.push(e);
    size += e.length;
  }
  parts.push(' '.repeat(bytes - size), TAIL);
  return parts.join('');
}

const SHAPES = {
  // What a runaway libvirt would write: thousands of machine types. Far more labels than LABEL_LIMITS
  // allows, so the reconcile ends refused, after building and measuring the whole patch.
  'many <machine> entries': {
    entry: (i: number) => `      <machine maxCpus='288'>pc-q35-synthetic${i}.0</machine>\n`,
    outcome: { kind: 'invalid', code: 'too_many_labels' },
  },
  // The densest markup measured (most parser objects per byte): ~43 MiB of heap per MiB of input.
  'the densest markup (<m/> repeated)': { entry: () => '<m/>', outcome: { kind: 'done', patched: true } },
};

let dir: string;
let child: string;
let matrixPath: string;
let nodeOptions: string;
let limitMi: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kvfleet-labeller-memory-'));
  child = join(dir, 'child.mjs');
  // As scripts/bundle.ts builds the image's program: one ESM file, every dependency inside.
  await build({
    entryPoints: [join(import.meta.dirname, '..', '..', 'testbed', 'support', 'labellerMemoryChild.ts')],
    outfile: child,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    banner: { js: "import { createRequire as __kvfleetRequire } from 'node:module'; const require = __kvfleetRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  const cluster = testCluster();
  matrixPath = join(dir, 'matrix.yaml');
  writeFileSync(matrixPath, renderMatrixDocument(matrixDocument(cluster)));

  const chart = Testing.chart();
  new NodeLabeller(chart, 'labeller', { cluster });
  const labeller = (Testing.synth(chart) as any[]).find((m) => m.kind === 'DaemonSet').spec.template.spec.containers[0];
  nodeOptions = labeller.env.find((e: { name: string }) => e.name === 'NODE_OPTIONS').value;
  limitMi = mebibytes(labeller.resources.limits.memory)!;
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface ChildReport {
  outcome: { kind: string; patched?: boolean; code?: string; reason?: string };
  maxRssMiB: number;
  heapLimitMiB: number;
}

/** One reconcile of `xml` in a fresh process with the DaemonSet's NODE_OPTIONS. */
function reconcileInChild(xml: string): ChildReport {
  const capabilitiesPath = join(dir, 'capabilities.xml');
  writeFileSync(capabilitiesPath, xml);
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  const run = spawnSync(process.execPath, [child, capabilitiesPath, matrixPath], { env: { ...env, NODE_OPTIONS: nodeOptions }, encoding: 'utf8', timeout: 60_000 });
  expect(run.status, `child failed (a V8 heap OOM ends with status 134): ${run.stderr.slice(-2_000)}`).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as ChildReport;
}

describe('the largest accepted capabilities document fits the labeller container', () => {
  test('the DaemonSet caps the V8 heap at half its memory limit', () => {
    expect(nodeOptions).toBe(`--max-heap-size=${limitMi / 2}`);
  });

  test.each(Object.entries(SHAPES))('%s, exactly MAX_CAPABILITIES_BYTES: reconciled under the heap flag, within the memory limit', (_shape, { entry, outcome }) => {
    const xml = documentOfSize(MAX_CAPABILITIES_BYTES, entry);
    expect(Buffer.byteLength(xml)).toBe(MAX_CAPABILITIES_BYTES);
    expect(parseCapabilities(xml).ok).toBe(true); // accepted, so the child parses all of it

    const report = reconcileInChild(xml);
    expect(report.heapLimitMiB).toBe(limitMi / 2);
    expect(report.outcome).toMatchObject(outcome);
    // Peak RSS of the whole process, code and all: what the kernel compares with the limit.
    expect(report.maxRssMiB).toBeLessThan(limitMi);
  });

  test('one byte more is refused as too large before it is read, by the program and by the parser', () => {
    const xml = documentOfSize(MAX_CAPABILITIES_BYTES + 1, SHAPES['many <machine> entries'].entry);
    const report = reconcileInChild(xml);
    expect(report.outcome).toMatchObject({ kind: 'invalid', code: 'capabilities_invalid' });
    expect(report.outcome.reason).toContain(`too-large: ${MAX_CAPABILITIES_BYTES + 1} bytes`);
    // Not even well-formed: 'too-large' rather than 'not-xml' shows the size is checked before parsing.
    expect(parseCapabilities(`<${'x'.repeat(MAX_CAPABILITIES_BYTES)}`)).toMatchObject({ ok: false, code: 'too-large' });
  });
});
