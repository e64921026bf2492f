/**
 * The Kube-OVN scenario, small: 3 nodes, 6 VirtualMachines, every migration of a rolling drain and
 * of one drain whose target pods wait for a node, through the REAL virt-controller v1.7.0 and the REAL
 * kube-ovn-controller v1.16.2 (with its NB and SB ovsdb-servers), on a real etcd, kube-apiserver and
 * kube-scheduler; kubelet, virt-handler and virt-api's eviction webhook played by
 * testbed/harness/kubevirtStandIns.ts. Once with kvfleet's generated settings, once with the
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

  test('every migration kube-ovn-controller set up got both chassis and RARP, then went to the target alone', () => {
    const setUp = kvfleet.migrations.filter((m) => m.targetBound && m.handledInScheduling && !m.skippedUnbound);
    expect(setUp.length).toBeGreaterThan(0);
    expect(setUp.filter((m) => !m.multiChassis)).toEqual([]);
    expect(setUp.filter((m) => m.outcome === 'succeeded' && !m.handedToTarget)).toEqual([]);
  });

  test('a migration handled only after Scheduling gets no options, and that can only happen on a port not pinned to its source', () => {
    // The handler reads the VMIM as it is then; only Scheduling sets the options. A target can run before
    // that only when its node may claim the port (kube-ovn-cni's condition): never on a pinned port.
    const late = kvfleet.migrations.filter((m) => m.handledOnlyLater);
    expect(late.filter((m) => m.multiChassis)).toEqual([]);
    expect(late.filter((m) => m.portPinned && m.outcome === 'succeeded')).toEqual([]);
  });

  test('kube-ovn#6823 happens as the version lint predicts for v1.16.2: a skipped setup is never redone', () => {
    const lint = knownIssuesOf(kubeOvnScenarioCluster(scenario.nodes.length)).map((f) => f.issue.id);
    expect(lint).toContain('kube-ovn#6823');
    const skipped = kvfleet.migrations.filter((m) => m.skippedUnbound);
    // The other nodes stay cordoned while the last drain's first migrations enter Scheduling: their targets are unbound.
    expect(skipped.filter((m) => m.phase === 'targets-wait').length).toBeGreaterThan(0);
    expect(skipped.filter((m) => m.multiChassis)).toEqual([]);
    // Where an earlier migration left the port naming its source, the target can never claim it and never
    // starts (KubeVirt would fail the migration after its 15-min pending timeout); every VM has migrated by then.
    const pinned = skipped.filter((m) => m.portPinned);
    expect(pinned.filter((m) => m.phase === 'targets-wait').length).toBeGreaterThan(0);
    expect(pinned.filter((m) => m.outcome !== 'unfinished')).toEqual([]);
    // …holding the node's outbound migration slots: that drain stalls (the availability cost the lint names).
    expect(kvfleet.drains.find((d) => d.phase === 'targets-wait')!.left).toBeGreaterThanOrEqual(pinned.filter((m) => m.phase === 'targets-wait').length);
    expect(off.drains.find((d) => d.phase === 'targets-wait')!.left).toBe(0);
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
    expect(all.filter((m) => m.skippedUnbound || m.handledInScheduling || m.handledOnlyLater)).toEqual([]);
  });
});
