import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import legacyApps from '../clusters/legacy-apps.js';
import { moveToMachineType } from '../compatibility/moveTo.js';
import { resolveCluster } from '../compatibility/poolMachineTypes.js';
import { EXIT } from './cliContext.js';
import { type FleetPlan } from '../plan/planModel.js';
import { buildCli, main } from './main.js';

const clustersDir = resolve(dirname(fileURLToPath(import.meta.url)), '../clusters');
let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'kvfleet-cli-'));
});
afterEach(() => {
  rmSync(work, { recursive: true, force: true });
  vi.restoreAllMocks();
});

test('synth prints one line per cluster and writes its folder', async () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  expect(await main(['synth', '--clusters', clustersDir, '--dist', join(work, 'dist')])).toBe(0);
  const lines = String(log.mock.calls[0]![0])
    .split('\n')
    .filter((l) => !l.startsWith(' '));
  expect(lines.map((l) => l.split(':')[0])).toEqual(readdirSync(join(work, 'dist')).sort());
  expect(lines[0]).toMatch(/^_argocd: \d+ Argo CD objects written to dist\/_argocd\//);
  expect(lines[1]).toMatch(/^\S+: \d+ objects written to dist\/\S+\/, \d+ warnings?$/);
});

test('synth --output json lists each folder of dist/ with its object count and warnings', async () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  expect(await main(['synth', '--clusters', clustersDir, '--dist', join(work, 'dist'), '--output', 'json'])).toBe(0);
  const report = JSON.parse(String(log.mock.calls[0]![0])) as {
    schemaVersion: string;
    argocd: { folder: string };
    clusters: { cluster: string; objects: number; warnings: { file: string; severity: string }[] }[];
  };
  expect(report.schemaVersion).toBe('kvfleet.io/synth/v1');
  expect([report.argocd.folder, ...report.clusters.map((c) => c.cluster)].sort()).toEqual(readdirSync(join(work, 'dist')).sort());
  for (const c of report.clusters) {
    // Each object is one YAML file; values/ holds Helm chart values, not objects.
    expect(c.objects).toBe(readdirSync(join(work, 'dist', c.cluster)).filter((f) => f.endsWith('.yaml')).length);
    for (const w of c.warnings) expect(w).toMatchObject({ severity: 'warning', file: `clusters/${c.cluster}.ts` });
  }
});

test('synth with a missing clusters folder fails with a message, not a stack', async () => {
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  expect(await main(['synth', '--clusters', join(work, 'none'), '--dist', join(work, 'dist')])).toBe(1);
  expect(String(err.mock.calls[0]![0])).toMatch(/clusters folder does not exist/);
  expect(readdirSync(work)).toEqual([]);
});

describe('plan', () => {
  const vmi = (name: string, type: string) =>
    `---\napiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: ${name}, namespace: apps}\nspec: {domain: {machine: {type: q35}}}\nstatus: {machine: {type: ${type}}}\n`;
  // legacy-apps switches to a CentOS Stream 10 launcher, which drops every RHEL 8 type; the type to
  // restart onto is the move-to rule's answer, not retyped here.
  const moveTo = moveToMachineType(resolveCluster(legacyApps).pools, 'pc-q35-rhel8.6.0')!.machineType;

  test('a VMI whose type a planned launcher drops is reported stranded and exits 2', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const file = join(work, 'vmis.yaml');
    writeFileSync(file, vmi('db-1', 'pc-q35-rhel8.6.0') + vmi('web-1', 'pc-q35-rhel9.6.0'));
    expect(await main(['plan', '--clusters', clustersDir, '--cluster', 'legacy-apps', '--workloads', file, '--output', 'json'])).toBe(2);
    const plan = JSON.parse(String(log.mock.calls[0]![0])) as FleetPlan;
    const verdicts = Object.fromEntries(plan.clusters[0]!.vms.map((v) => [v.name, v.verdict]));
    expect(verdicts['db-1']).toBe('stranded');
    expect(verdicts['web-1']).not.toBe('stranded');
    expect(plan.counts.stranded).toBe(1);
  });

  test('the table names the stranded VM and its fix, and has no colour when stdout is not a terminal', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const file = join(work, 'vmis.yaml');
    writeFileSync(file, vmi('db-1', 'pc-q35-rhel8.6.0'));
    expect(await main(['plan', '--clusters', clustersDir, '--cluster', 'legacy-apps', '--workloads', file])).toBe(2);
    const out = String(log.mock.calls[0]![0]);
    expect(out).toMatch(/stranded\s+VMI\s+apps\/db-1\s+q35 → pc-q35-rhel8\.6\.0/);
    expect(out).toContain(`Restart onto ${moveTo}`);
    expect(out.includes('\u001b[')).toBe(false); // no ANSI escape
  });

  test('a node-OS step strands nothing: the same VMI on prod-east, before its RHEL 10 node upgrade, exits 0', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const file = join(work, 'vmis.yaml');
    writeFileSync(file, vmi('db-1', 'pc-q35-rhel8.6.0'));
    expect(await main(['plan', '--clusters', clustersDir, '--cluster', 'prod-east', '--workloads', file])).toBe(0);
  });

  test('workloads that survive every step exit 0', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const file = join(work, 'vmis.yaml');
    writeFileSync(file, vmi('web-1', moveTo));
    expect(await main(['plan', '--clusters', clustersDir, '--cluster', 'legacy-apps', '--workloads', file])).toBe(0);
  });

  test('workloads without a cluster are refused', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await main(['plan', '--clusters', clustersDir, '--workloads', 'x.yaml'])).toBe(1);
    expect(String(err.mock.calls[0]![0])).toMatch(/an inventory belongs to one cluster: add --cluster <name>/);
  });
});

describe('diff', () => {
  // The scenarios run in a temporary git repository: cli/diff/diffCommand.git.test.ts (integration).
  test('outside a git repository diff is refused with exit 1, naming the reason', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(await main(['diff'], { cwd: work })).toBe(1);
    expect(String(err.mock.calls[0]![0])).toMatch(/is not inside a git repository, so there is no base to compare with/);
    expect(log).not.toHaveBeenCalled();
  });
});

describe('help', () => {
  /** What `kvfleet <args>` writes to stdout (commander writes help there directly). */
  async function helpOf(args: string[]): Promise<string> {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(args, { cwd: work })).toBe(0);
      return write.mock.calls.map((c) => String(c[0])).join('');
    } finally {
      write.mockRestore();
    }
  }
  const commands = buildCli({ cwd: '.' })
    .commands.map((c) => c.name())
    .filter((n) => n !== 'help');

  test('lists the commands of this issue', () => {
    expect(commands).toEqual(expect.arrayContaining(['synth', 'check', 'plan', 'diff', 'explain']));
  });

  test.each([[[] as string[]], ...commands.map((c) => [[c]])])('kvfleet %j --help shows no path of this machine', async (command) => {
    const help = await helpOf([...command, '--help']);
    expect(help).toMatch(/^Usage: kvfleet/);
    for (const local of ['/work/', homedir(), process.cwd(), work, resolve(clustersDir, '..')]) expect(help).not.toContain(local);
  });

  test('the root help ends with every exit code of EXIT', async () => {
    const help = await helpOf(['--help']);
    const tail = help.slice(help.lastIndexOf('Exit codes:'));
    expect(help.trimEnd().endsWith(tail.trimEnd())).toBe(true);
    expect([...tail.matchAll(/^ {2}(\d) {2}\S/gm)].map((m) => Number(m[1]))).toEqual(Object.values(EXIT));
  });
});

test('an error quoting a file inside the working directory shows it relative', async () => {
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  // readFileSync's ENOENT quotes the absolute path.
  expect(await main(['plan', '--clusters', clustersDir, '--cluster', 'prod-east', '--workloads', 'missing/vms.yaml'], { cwd: work })).toBe(1);
  expect(String(err.mock.calls[0]![0])).toBe("kvfleet: cannot read inventory file missing/vms.yaml: ENOENT: no such file or directory, open 'missing/vms.yaml'");
});
