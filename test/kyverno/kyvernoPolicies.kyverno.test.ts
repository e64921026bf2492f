/**
 * Runs every policies/<name>/.kyverno-test folder through the real `kyverno test` (v1.19 CLI) and
 * fails with the CLI's output. The folders test the policies as synthesised in dist/; the launcher
 * cases the example fleet has no cluster for run on folders generated from synthetic definitions.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import legacyApps from '../../clusters/legacy-apps.js';
import { type LauncherBuild, launcherEntry, launcherLabel } from '../../compatibility/launcherCatalogue.js';
import { moveToMachineType } from '../../compatibility/moveTo.js';
import { placeMachineType } from '../../compatibility/placement.js';
import { resolveCluster } from '../../compatibility/poolMachineTypes.js';
import { loadFleet } from '../../fleet/loadFleet.js';
import { kyvernoPoliciesFor } from '../../generators/kyvernoPolicies.js';
import { denialMessage, machineTypeAdmission } from '../../policies/vm-machine-type/machineTypeAdmission.js';
import { type KyvernoTestResult, type KyvernoTestRow, runKyvernoTest } from '../../testbed/harness/kyvernoTest.js';
import { projectDir } from '../../testbed/harness/toolPaths.js';
import { TEST_CS10_LAUNCHER_IMAGE, testCluster, upgradingTestCluster } from '../../testbed/support/clusterFixtures.js';
import { type PinnedCase, pinnedName, runGeneratedFolder } from './generatedFolder.js';

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

describe('messages, as Kyverno evaluates them (legacy-apps, from dist/)', () => {
  const resolved = resolveCluster(legacyApps);
  const admission = machineTypeAdmission(legacyApps.name, resolved);

  test('a denial is the admission text: the requested type and the launcher the cluster runs today', async () => {
    const { rows, output } = await run('vm-machine-type');
    const types = pinnedTypes('vm-machine-type');
    const denials = rows!.filter((r) => r.message.startsWith('machine type '));
    expect(denials.map(resourceName).sort(), output).toEqual(['vm-pinned-rhel10-0', 'vm-pinned-rhel9-8', 'vmi-pinned-qemu-10-1']);
    for (const row of denials) {
      const machineType = types.get(resourceName(row))!;
      expect(row.message).toBe(denialMessage(admission, machineType));
      expect(row.message).toContain(`machine type ${machineType} is not offered by ${resolved.steps[0]!.launcher.label}`);
    }
  });

  test('a warning names the planned step whose launcher drops the type, and advises the move-to type', async () => {
    const { rows, output } = await run('vm-machine-type-warnings');
    const types = pinnedTypes('vm-machine-type-warnings');
    const warned = rows!.filter((r) => r.message.startsWith('machine type '));
    expect(warned.map(resourceName).sort(), output).toEqual(['vm-pinned-rhel8-6', 'vmi-pinned-i440fx-rhel7-6']);
    for (const row of warned) {
      const machineType = types.get(resourceName(row))!;
      const k = placeMachineType(resolved.pools, machineType).firstStepWithoutHost!;
      expect(resolved.steps[k]?.kind).toBe('launcher-switch');
      expect(row.message).toBe(admission.warnings.find((w) => w.machineType === machineType)?.message);
      expect(row.message).toContain(`planned step ${k} (${resolved.steps[k]!.label}) moves the cluster to ${resolved.steps[k]!.launcher.label}`);
      expect(advisedIn(row.message)).toBe(moveToMachineType(resolved.pools, machineType)?.machineType);
    }
  });
});

/** amd64 types of one catalogue entry. */
const amd64Types = (kubevirtVersion: string, build: LauncherBuild) => launcherEntry(kubevirtVersion, build)!.architectures.amd64!.machineTypes;
/** The types the CS10 build of KubeVirt 1.8 lacks that the CS9 build has, from the catalogue. */
const cs9Only = amd64Types('1.8.0', 'centos-stream-9').filter((t) => !amd64Types('1.8.0', 'centos-stream-10').includes(t));
/** The type a warning tells the user to restart onto, read back from its text. */
const advisedIn = (message: string) => /restart the VM onto (\S+),/.exec(message)?.[1];
const rowFor = (rows: readonly KyvernoTestRow[], c: PinnedCase) => rows.find((r) => resourceName(r) === pinnedName(c));

describe('a cluster already on the CS10 launcher (generated folder): a type only the previous launcher had', () => {
  const cluster = testCluster({ name: 'synthetic-cs10', kubevirtVersion: '1.8.0', launcher: { build: 'centos-stream-10', image: TEST_CS10_LAUNCHER_IMAGE } });
  const label = launcherLabel(launcherEntry('1.8.0', 'centos-stream-10')!);
  const denied: PinnedCase[] = [
    ...cs9Only.map((machineType) => ({ kind: 'VirtualMachine' as const, machineType, result: 'fail' as const })),
    { kind: 'VirtualMachineInstance', machineType: 'pc-q35-rhel8.6.0', result: 'fail' },
  ];
  const admitted: PinnedCase[] = amd64Types('1.8.0', 'centos-stream-10').map((machineType) => ({ kind: 'VirtualMachine', machineType, result: 'pass' }));

  test('is denied by the real CLI, naming the CS10 launcher; the types it offers pass', async () => {
    expect(cs9Only).toContain('pc-q35-rhel8.6.0');
    const { ok, rows, output } = await runGeneratedFolder(cluster, 'kvfleet-vm-machine-type', [...denied, ...admitted]);
    expect(ok, output).toBe(true);
    const admission = machineTypeAdmission(cluster.name, resolveCluster(cluster));
    for (const c of denied) {
      expect(rowFor(rows!, c)?.message, pinnedName(c)).toBe(denialMessage(admission, c.machineType));
      expect(rowFor(rows!, c)?.message).toContain(`machine type ${c.machineType} is not offered by ${label}`);
    }
  });
});

describe('upgradingTestCluster (generated folder): a type the planned CS10 launcher drops', () => {
  const cluster = upgradingTestCluster();
  const resolved = resolveCluster(cluster);
  const switchStep = resolved.steps.find((s) => s.kind === 'launcher-switch')!;
  const admission = machineTypeAdmission(cluster.name, resolved);
  // Today's launcher (1.7, CS9) runs them; the CS10 launcher of the switch lacks them.
  const dropped = amd64Types('1.7.0', 'centos-stream-9').filter((t) => cs9Only.includes(t));
  const quiet = admission.hosts.map((h) => h.machineType).filter((t) => !admission.warnings.some((w) => w.machineType === t));

  test('is warned by the real CLI, naming the step and its launcher; a type kept and current is not', async () => {
    expect(dropped).toContain('pc-q35-rhel8.6.0');
    expect(quiet).toContain('pc-q35-rhel9.6.0');
    const warned: PinnedCase[] = dropped.map((machineType) => ({ kind: 'VirtualMachine', machineType, result: 'fail' }));
    const { ok, rows, output } = await runGeneratedFolder(cluster, 'kvfleet-vm-machine-type-warnings', [
      ...warned,
      ...quiet.map((machineType): PinnedCase => ({ kind: 'VirtualMachine', machineType, result: 'pass' })),
    ]);
    expect(ok, output).toBe(true);
    for (const c of warned) {
      const message = rowFor(rows!, c)?.message ?? '';
      expect(message, pinnedName(c)).toContain(`planned step ${switchStep.index} (${switchStep.label}) moves the cluster to ${switchStep.launcher.label}`);
      expect(advisedIn(message)).toBe(moveToMachineType(resolved.pools, c.machineType)?.machineType);
    }
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
