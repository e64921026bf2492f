import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { KUBE_OVN_MIGRATION_FLAGS } from '../../fleet/versionLint.js';
import { kubeOvnChartValues } from '../../generators/valuesFiles.js';
import { kubeOvnControllerMigrationFlags } from '../../testbed/harness/kubeOvnChartFlags.js';
import { projectDir } from '../../testbed/harness/toolPaths.js';

describe('kubeOvnControllerMigrationFlags', () => {
  test.each(['kube-ovn', 'kube-ovn-v2'] as const)("kvfleet's generated %s values render the flags the version lint names", (chart) => {
    const flags = kubeOvnControllerMigrationFlags(chart, kubeOvnChartValues({ chart, version: 'v1.15.14' }));
    expect([...flags].sort()).toEqual([...KUBE_OVN_MIGRATION_FLAGS].sort());
  });

  test("dist/edge-ovn's values file gives the controller both migration flags on", () => {
    const values: unknown = parse(readFileSync(join(projectDir, 'dist/edge-ovn/values/kube-ovn.yaml'), 'utf8'));
    expect(kubeOvnControllerMigrationFlags('kube-ovn-v2', values)).toEqual(['--keep-vm-ip=true', '--enable-live-migration-optimize=true']);
  });

  test("a key the values leave out renders the chart's default (true), as Helm merges values over values.yaml", () => {
    expect(kubeOvnControllerMigrationFlags('kube-ovn-v2', {})).toEqual(['--keep-vm-ip=true', '--enable-live-migration-optimize=true']);
    expect(kubeOvnControllerMigrationFlags('kube-ovn', undefined)).toEqual(['--keep-vm-ip=true', '--enable-live-migration-optimize=true']);
    expect(kubeOvnControllerMigrationFlags('kube-ovn', { func: { ENABLE_KEEP_VM_IP: null } })[0]).toBe('--keep-vm-ip=true');
  });

  test("each chart reads its own keys: the other chart's keys change nothing", () => {
    expect(kubeOvnControllerMigrationFlags('kube-ovn', { func: { ENABLE_LIVE_MIGRATION_OPTIMIZE: false } })).toEqual([
      '--keep-vm-ip=true',
      '--enable-live-migration-optimize=false',
    ]);
    expect(kubeOvnControllerMigrationFlags('kube-ovn-v2', { func: { ENABLE_LIVE_MIGRATION_OPTIMIZE: false } })).toContain('--enable-live-migration-optimize=true');
    expect(kubeOvnControllerMigrationFlags('kube-ovn-v2', { features: { enableLiveMigrationOptimization: false, enableKeepVmIps: false } })).toEqual([
      '--keep-vm-ip=false',
      '--enable-live-migration-optimize=false',
    ]);
  });

  test('a value that is not a boolean is refused (the controller would fail to parse it)', () => {
    expect(() => kubeOvnControllerMigrationFlags('kube-ovn-v2', { features: { enableKeepVmIps: 'yes' } })).toThrow(/enableKeepVmIps is "yes"/);
  });
});
