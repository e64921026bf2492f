/**
 * Runs every policies/<name>/.kyverno-test folder through the real `kyverno test` (v1.19 CLI) and
 * fails with the CLI's output. The folders test the policies as synthesised in dist/.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import prodEast from '../../clusters/prod-east.js';
import { loadFleet } from '../../fleet/loadFleet.js';
import { kyvernoPoliciesFor } from '../../generators/kyvernoPolicies.js';
import { placeMachineType } from '../../compatibility/placement.js';
import { resolvePools } from '../../compatibility/poolMachineTypes.js';
import { denialMessage, machineTypeAdmission } from '../../policies/vm-machine-type/machineTypeAdmission.js';
import { type KyvernoTestResult, type KyvernoTestRow, runKyvernoTest } from '../harness/kyvernoTest.js';
import { projectDir } from '../harness/toolPaths.js';

const policiesDir = join(projectDir, 'policies');
const testDirOf = (folder: string) => join(policiesDir, folder, '.kyverno-test');
const folders = readdirSync(policiesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(testDirOf(d.name), 'kyverno-test.yaml')))
  .map((d) => d.name)
  .sort();

// One CLI run per folder, shared by the tests that read its rows.
const runs = new Map<string, Promise<KyvernoTestResult>>();
function run(folder: string): Promise<KyvernoTestResult> {
  let r = runs.get(folder);
  if (!r) {
    r = runKyvernoTest(testDirOf(folder), { rows: true });
    runs.set(folder, r);
  }
  return r;
}

const resourceName = (row: KyvernoTestRow) => row.resource.split('/').at(-1)!;

/** name → pinned machine type of the VMs and VMIs in a folder's resources.yaml. */
function pinnedTypes(folder: string): Map<string, string> {
  const docs = parseAllDocuments(readFileSync(join(testDirOf(folder), 'resources.yaml'), 'utf8')).map((d) => d.toJS());
  return new Map(docs.map((o) => [o.metadata.name as string, (o.kind === 'VirtualMachine' ? o.spec.template.spec : o.spec).domain?.machine?.type as string]));
}

test('there are Kyverno test folders to run', () => {
  expect(folders.length).toBeGreaterThan(0);
});

describe.each(folders)('policies/%s/.kyverno-test', (folder) => {
  test('passes under the real Kyverno CLI', async () => {
    const r = await run(folder);
    expect(r.ok, r.output).toBe(true);
  });

  test('names no resource that the policy never looked at', async () => {
    // The CLI counts a listed resource that matched no rule as a pass ("Excluded"), whatever the
    // expected result; skips in these folders must come from the policy's match conditions.
    const { rows, output } = await run(folder);
    expect(rows!.length, output).toBeGreaterThan(0);
    expect(
      rows!.filter((r) => r.reason === 'Excluded').map((r) => r.resource),
      output,
    ).toEqual([]);
  });
});

test('every Kyverno policy of the example fleet has a test folder with results for it', async () => {
  const { clusters } = await loadFleet(join(projectDir, 'clusters'), projectDir);
  const shipped = new Set(clusters.flatMap((c) => kyvernoPoliciesFor(c.definition).map((p) => p.object.metadata.name)));
  const tested = new Set(
    folders.flatMap((f) => (parse(readFileSync(join(testDirOf(f), 'kyverno-test.yaml'), 'utf8')) as { results: { policy: string }[] }).results.map((r) => r.policy)),
  );
  expect([...shipped].filter((name) => !tested.has(name))).toEqual([]);
});

describe('messages, as Kyverno evaluates them (prod-east)', () => {
  const pools = resolvePools(prodEast);

  test('a denial names the requested type, and every pool with each type it offers', async () => {
    const { rows, output } = await run('vm-machine-type');
    const types = pinnedTypes('vm-machine-type');
    const denials = rows!.filter((r) => r.message.startsWith('machine type '));
    expect(denials.map(resourceName).sort(), output).toEqual(['vm-pinned-rhel9-8', 'vmi-pinned-qemu-10-1']);
    for (const row of denials) {
      const machineType = types.get(resourceName(row))!;
      expect(row.message).toBe(denialMessage(machineTypeAdmission(prodEast.name, pools), machineType));
      expect(row.message).toContain(machineType);
      for (const pool of pools) expect(row.message).toContain(`pool ${pool.name} (${pool.current.release}) offers ${pool.current.supported.join(', ')}`);
    }
  });

  test('a warning names each pool whose planned upgrade drops the type, with the release', async () => {
    const { rows, output } = await run('vm-machine-type-warnings');
    const row = rows!.find((r) => resourceName(r) === 'vm-pinned-rhel8-6');
    const machineType = pinnedTypes('vm-machine-type-warnings').get('vm-pinned-rhel8-6')!;
    const lost = placeMachineType(pools, machineType).lostByUpgrade;
    expect(lost.length).toBeGreaterThan(0);
    for (const { pool, release } of lost) expect(row?.message, output).toContain(`pool ${pool} drops it when upgraded to ${release}`);
  });

  test('a warning names the pools where the type is deprecated', async () => {
    const { rows, output } = await run('vm-machine-type-warnings');
    const row = rows!.find((r) => resourceName(r) === 'vm-pinned-rhel9-6');
    const machineType = pinnedTypes('vm-machine-type-warnings').get('vm-pinned-rhel9-6')!;
    const deprecatedOn = placeMachineType(pools, machineType).deprecatedOn;
    expect(deprecatedOn.length).toBeGreaterThan(0);
    expect(row?.message, output).toContain(`deprecated on pool${deprecatedOn.length > 1 ? 's' : ''} ${deprecatedOn.join(', ')}`);
  });
});

test('a patched resource that differs from what the policy produces fails its folder', async () => {
  // Guards the folders above: the expected selector here is the alias q35 (what a spec-based
  // selector would give), while the policy uses the VMI's status type.
  const r = await runKyvernoTest(join(projectDir, 'test/kyverno/fixtures/alias-selector-expected'));
  expect(r.failed, r.output).toBe(1);
  expect(r.output).toContain('Resource diff');
  expect(r.output).toContain('machine-type.kvfleet.io/pc-q35-rhel9.6.0');
});
