import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { main } from './main.js';

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

test('synth with a missing clusters folder fails with a message, not a stack', async () => {
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  expect(await main(['synth', '--clusters', join(work, 'none'), '--dist', join(work, 'dist')])).toBe(1);
  expect(String(err.mock.calls[0]![0])).toMatch(/clusters folder does not exist/);
  expect(readdirSync(work)).toEqual([]);
});

describe('plan', () => {
  const vmi = (name: string, type: string) =>
    `---\napiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: ${name}, namespace: apps}\nspec: {domain: {machine: {type: q35}}}\nstatus: {machine: {type: ${type}}}\n`;

  test('a VMI whose type only an upgrading pool runs is reported stranded and exits 2', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const file = join(work, 'vmis.yaml');
    writeFileSync(file, vmi('db-1', 'pc-q35-rhel8.6.0') + vmi('web-1', 'pc-q35-rhel9.6.0'));
    expect(await main(['plan', '--clusters', clustersDir, '--cluster', 'prod-east', '--workloads', file])).toBe(2);
    const out = String(log.mock.calls[0]![0]);
    expect(out).toMatch(/STRANDED VirtualMachineInstance apps\/db-1 \(pc-q35-rhel8\.6\.0\)/);
    expect(out).not.toMatch(/web-1/);
    expect(out).toMatch(/workloads: 2 checked, 1 affected/);
  });

  test('workloads that survive every upgrade exit 0', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const file = join(work, 'vmis.yaml');
    writeFileSync(file, vmi('web-1', 'pc-q35-rhel9.6.0'));
    expect(await main(['plan', '--clusters', clustersDir, '--cluster', 'prod-east', '--workloads', file])).toBe(0);
  });

  test('workloads without a cluster are refused', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await main(['plan', '--clusters', clustersDir, '--workloads', 'x.yaml'])).toBe(1);
    expect(String(err.mock.calls[0]![0])).toMatch(/--workloads needs --cluster/);
  });
});

describe('diff', () => {
  test('moving every pool to RHEL 10 shows the RHEL 8 types as newly denied and the objects that changed', async () => {
    const { execFileSync } = await import('node:child_process');
    const { cpSync, readFileSync } = await import('node:fs');
    const { synthFleet } = await import('../generators/synthFleet.js');
    const repo = join(work, 'repo');
    const clusters = join(repo, 'clusters');
    cpSync(clustersDir, clusters, { recursive: true });
    // The copied files import the model by a relative path; point them back at this project.
    for (const f of readdirSync(clusters)) {
      const p = join(clusters, f);
      writeFileSync(p, readFileSync(p, 'utf8').replace('../policies/', `${resolve(clustersDir, '..')}/policies/`));
    }
    const fleetConfig = readFileSync(resolve(clustersDir, '../kvfleet.config.ts'), 'utf8');
    writeFileSync(join(repo, 'kvfleet.config.ts'), fleetConfig.replace('./policies/', `${resolve(clustersDir, '..')}/policies/`));
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.email=t@t', '-c', 'user.name=t', ...args]);
    git('init', '-q');
    await synthFleet({ clustersDir: clusters, distDir: join(repo, 'dist'), projectDir: repo });
    git('add', '.');
    git('commit', '-qm', 'base');
    const legacy = join(clusters, 'legacy-apps.ts');
    writeFileSync(
      legacy,
      readFileSync(legacy, 'utf8')
        .replace(/hypervisor: 'rhel-9\.[36]',/g, "hypervisor: 'rhel-10.0',")
        .replace("upgradeTo: 'rhel-9.6',", ''),
    );
    await synthFleet({ clustersDir: clusters, distDir: join(repo, 'dist'), projectDir: repo });

    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(await main(['diff', '--base', 'HEAD', '--dist', join(repo, 'dist')])).toBe(0);
    const out = String(log.mock.calls[0]![0]);
    expect(out).toContain('### legacy-apps');
    expect(out).not.toContain('### prod-east');
    const denied = /newly denied\*\* pinned machine types: (.*)/.exec(out)?.[1]?.split(', ');
    expect(denied).toContain('pc-q35-rhel8.6.0');
    expect(denied).toContain('pc-i440fx-rhel7.6.0');
    // RHEL 10 keeps the RHEL 9 types (deprecated), so they stay admitted.
    expect(denied).not.toContain('pc-q35-rhel9.2.0');
    expect(out).toMatch(/pool `rhel96` changed; release rhel-9\.6 → rhel-10\.0/);
    expect(out).toMatch(/modified `ConfigMap\.kvfleet-machine-types\.yaml`/);
  });
});
