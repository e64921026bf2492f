/**
 * The Kube-OVN scenario, small: 3 nodes, 6 VirtualMachines, every migration of a rolling drain and
 * of one drain whose target pods wait for a node, through the REAL virt-controller v1.7.0 and the REAL
 * kube-ovn-controller v1.16.2 (with its NB and SB ovsdb-servers), on a real etcd, kube-apiserver and
 * kube-scheduler; kubelet, virt-handler and virt-api's eviction webhook played by
 * test/harness/kubevirtStandIns.ts. Once with kvfleet's generated settings, once with the
 * optimisation off. `npm run bench:upgrade -- --scenario kube-ovn` runs the bigger one.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { knownIssuesOf } from '../../fleet/versionLint.js';
import { KUBE_OVN_MODES } from './modes.js';
import { kubeOvnChecks } from './report.js';
import { type KubeOvnModeRun, runKubeOvnMode } from './runMode.js';
import { buildKubeOvnScenario, KUBE_OVN_SMALL_TIMING, kubeOvnScenarioCluster } from './scenario.js';

const scenario = buildKubeOvnScenario(1, 'small', KUBE_OVN_SMALL_TIMING);
let kvfleet: KubeOvnModeRun;
let off: KubeOvnModeRun;

beforeAll(async () => {
  kvfleet = await runKubeOvnMode({ scenario, mode: KUBE_OVN_MODES.kvfleet });
  off = await runKubeOvnMode({ scenario, mode: KUBE_OVN_MODES['optimisation-off'] });
  for (const run of [kvfleet, off]) console.log(`[kube-ovn-sim] ${run.mode.name}: ${JSON.stringify(run.phases)} (${Math.round(run.wallSeconds)} s)`);
}, 600_000);

describe("kube-ovn-controller with kvfleet's generated settings", () => {
  test('runs with the flags the values file renders', () => {
    expect(kvfleet.flags).toEqual(expect.arrayContaining(['--enable-live-migration-optimize=true', '--keep-vm-ip=true']));
  });

  test('rolling drain: every migration moved its VM, and its port got both chassis and RARP, then the target alone', () => {
    const s = kvfleet.phases['rolling-drain'];
    expect(s.migrations).toBeGreaterThanOrEqual(scenario.vms.length);
    expect(s.succeeded).toBe(s.migrations);
    expect(s.multiChassis).toBe(s.migrations);
    expect(s.handedToTarget).toBe(s.succeeded);
    expect(kvfleet.drains.filter((d) => d.phase === 'rolling-drain').every((d) => d.left === 0)).toBe(true);
  });

  test('target pods waiting for a node: kube-ovn#6823 happens as the version lint predicts for v1.16.2', () => {
    const lint = knownIssuesOf(kubeOvnScenarioCluster(scenario.nodes.length)).map((f) => f.issue.id);
    expect(lint).toContain('kube-ovn#6823');
    const waiting = kvfleet.migrations.filter((m) => m.phase === 'targets-wait');
    const skipped = waiting.filter((m) => m.skippedUnbound);
    // The other nodes stay cordoned while the first migrations enter Scheduling: their targets are unbound.
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.every((m) => !m.multiChassis && (m.targetWaitedMs ?? 0) > 1000)).toBe(true);
    // The migrations created after the uncordon find a node at once and get the options.
    expect(waiting.filter((m) => !m.skippedUnbound).every((m) => m.multiChassis)).toBe(true);
  });

  test('the checks the bench prints agree', () => {
    const checks = kubeOvnChecks([
      { mode: 'optimisation-off', phases: off.phases },
      { mode: 'kvfleet', phases: kvfleet.phases },
    ]);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
  });
});

describe('kube-ovn-controller with the optimisation off', () => {
  test('the same migrations happen, and no port ever gets a second chassis', () => {
    expect(off.flags).toContain('--enable-live-migration-optimize=false');
    const all = off.migrations;
    expect(all.length).toBeGreaterThanOrEqual(scenario.vms.length);
    expect(all.every((m) => m.outcome === 'succeeded')).toBe(true);
    expect(all.filter((m) => m.multiChassis)).toEqual([]);
    expect(all.filter((m) => m.skippedUnbound)).toEqual([]);
  });
});
