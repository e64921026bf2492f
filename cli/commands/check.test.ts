import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { loadFleet } from '../../fleet/loadFleet.js';
import { synthFleet } from '../../generators/synthFleet.js';
import { stringify } from 'yaml';
import legacyApps from '../../clusters/legacy-apps.js';
import { resolvePools } from '../../compatibility/poolMachineTypes.js';
import { kubevirtMachineTypeLabels, nodeObject, runningVm } from '../../testbed/support/planInventories.js';
import { main } from '../main.js';
import { CHECK_SCHEMA_VERSION, type CheckReport } from './check.js';

const projectDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let work: string;

/** A copy of the example fleet in a project folder of its own, importing the model from this checkout. */
function copyFleet(): string {
  const clusters = join(work, 'clusters');
  cpSync(join(projectDir, 'clusters'), clusters, { recursive: true });
  for (const f of readdirSync(clusters)) {
    const p = join(clusters, f);
    writeFileSync(p, readFileSync(p, 'utf8').replace('../fleet/', `${projectDir}/fleet/`));
  }
  writeFileSync(join(work, 'kvfleet.config.ts'), readFileSync(join(projectDir, 'kvfleet.config.ts'), 'utf8').replace('./fleet/', `${projectDir}/fleet/`));
  return clusters;
}

function captured(): { out: () => string } {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  return { out: () => log.mock.calls.map((c) => String(c[0])).join('\n') };
}

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'kvfleet-check-'));
});
afterEach(() => {
  rmSync(work, { recursive: true, force: true });
  vi.restoreAllMocks();
});

test('the example fleet is valid: every warning printed, a summary, exit 0, nothing written', async () => {
  copyFleet();
  const { out } = captured();
  expect(await main(['check'], { cwd: work })).toBe(0);
  const { clusters, problems } = await loadFleet(join(work, 'clusters'), work);
  const warnings = problems.filter((p) => p.severity === 'warning');
  const lines = out().split('\n');
  expect(lines.at(-1)).toBe(`${clusters.length} clusters valid, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`);
  for (const w of warnings) expect(out()).toContain(`${w.file}: ${w.path}: warning: ${w.problem}\n  ${w.fix}`);
  expect(readdirSync(work).sort()).toEqual(['clusters', 'kvfleet.config.ts']);
});

test('--strict fails on warnings', async () => {
  copyFleet();
  captured();
  const { problems } = await loadFleet(join(work, 'clusters'), work);
  expect(problems.some((p) => p.severity === 'warning')).toBe(true); // else this test proves nothing
  expect(await main(['check', '--strict'], { cwd: work })).toBe(1);
});

test('an invalid definition exits 1 with repository-relative paths, as synth refuses it', async () => {
  const clusters = copyFleet();
  // Node's ENOENT quotes the absolute path it tried; the message must not depend on the checkout's place.
  writeFileSync(
    join(clusters, 'reads-a-file.ts'),
    `import { readFileSync } from 'node:fs';\nexport default JSON.parse(readFileSync('${join(work, 'missing.json')}', 'utf8'));\n`,
  );
  const prodEast = join(clusters, 'prod-east.ts');
  writeFileSync(prodEast, readFileSync(prodEast, 'utf8').replace("os: 'rhel-10.0',", "os: 'RHEL-10.0',"));
  const { out } = captured();
  expect(await main(['check'], { cwd: work })).toBe(1);
  const text = out();
  expect(text).toMatch(/^clusters\/reads-a-file\.ts:2:\d+: throws while it is loaded: ENOENT: no such file or directory, open 'missing\.json'$/m);
  expect(text).toMatch(/^clusters\/prod-east\.ts: nodePools\[1\]\.os: "RHEL-10\.0" /m);
  expect(text).not.toContain(work);
  // kvfleet.config.ts names prod-east as its dashboard cluster: a consequence of prod-east's own error, not reported as a cause.
  expect(text).not.toMatch(/fleetDashboardCluster/);
  expect(text.split('\n').at(-1)).toMatch(/^2 errors, \d+ warnings?; 2 clusters valid$/);

  // synth, given the same fleet, refuses it with the same problems.
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  expect(await main(['synth'], { cwd: work })).toBe(1);
  const synthText = String(err.mock.calls[0]![0]);
  expect(synthText).toMatch(/^2 problems in the cluster definitions; nothing was written/);
  expect(synthText).toContain("open 'missing.json'");
  expect(synthText).not.toContain(work);
  await expect(synthFleet({ clustersDir: clusters, distDir: join(work, 'dist'), projectDir: work })).rejects.toThrow(/RHEL-10\.0/);
});

test('--output json carries file, field, value, message, fix and severity of each problem', async () => {
  const clusters = copyFleet();
  const prodEast = join(clusters, 'prod-east.ts');
  writeFileSync(prodEast, readFileSync(prodEast, 'utf8').replace("os: 'rhel-10.0',", "os: 'RHEL-10.0',"));
  const { out } = captured();
  expect(await main(['check', '--output', 'json'], { cwd: work })).toBe(1);
  const report = JSON.parse(out()) as CheckReport;
  expect(report).toMatchObject({ schemaVersion: CHECK_SCHEMA_VERSION, valid: false, errors: 1, clusters: ['edge-ovn', 'legacy-apps'] });
  const error = report.problems.find((p) => p.severity === 'error' && p.file === 'clusters/prod-east.ts')!;
  expect(error).toMatchObject({ file: 'clusters/prod-east.ts', field: 'nodePools[1].os', value: 'RHEL-10.0' });
  expect(error.message).toMatch(/^"RHEL-10\.0" /);
  expect(error.fix.length).toBeGreaterThan(0);
  expect(report.warnings).toBe(report.problems.filter((p) => p.severity === 'warning').length);
});

test('an unknown --output is refused', async () => {
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  expect(await main(['check', '--output', 'yaml'], { cwd: work })).toBe(1);
  expect(String(err.mock.calls[0]![0])).toMatch(/--output must be text or json, not "yaml"/);
});

test('with an inventory, a planned step that drops the type of running VMs is an error naming them: exit 2', async () => {
  copyFleet();
  // legacy-apps (KubeVirt 1.6.2 → 1.7.0 → 1.8.0 → CS10 launcher): one VM on a RHEL 8 type the CS10 launcher drops, one on a type it keeps.
  const inventory = [
    nodeObject('la-01', { labels: { 'node.example.com/pool': 'rhel96', ...kubevirtMachineTypeLabels(resolvePools(legacyApps)[1]!.current) } }),
    ...runningVm('legacy', 'erp', 'la-01', 'pc-q35-rhel8.6.0'),
    ...runningVm('legacy', 'wiki', 'la-01', 'pc-q35-rhel9.6.0'),
  ];
  const file = join(work, 'inventory.yaml');
  writeFileSync(file, inventory.map((o) => stringify(o)).join('---\n'));
  const { out } = captured();
  expect(await main(['check', '--cluster', 'legacy-apps', '--workloads', 'inventory.yaml'], { cwd: work })).toBe(2);
  const text = out();
  expect(text).toMatch(
    /^clusters\/legacy-apps\.ts: plannedSteps\[2\]: launcher centos-stream-9 → centos-stream-10 moves the cluster to virt-launcher 1\.8 centos-stream-10 .*1 running VM\(s\): legacy\/erp \(pc-q35-rhel8\.6\.0\)/m,
  );
  expect(text).not.toContain('legacy/wiki');
  expect(text).toMatch(/restart them onto the type kvfleet plan names \(pc-q35-rhel8\.6\.0 → pc-q35-rhel9\.\d\.0\)/);
  // Without the inventory the same fleet is valid: the lint needs to know who runs what.
  expect(await main(['check'], { cwd: work })).toBe(0);
});
