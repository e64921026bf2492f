/**
 * The upgrade simulator, small: 4 nodes, 16 VMIs, a KubeVirt upgrade whose launcher drops the RHEL 8
 * and 7.6 types (1.7.0 CS9 → 1.8.0 CS10, played with the real virt-controller v1.7.0 restarted on the
 * new launcher image), run as KubeVirt alone and with kvfleet (real etcd, kube-apiserver,
 * kube-scheduler, virt-controller, Kyverno admission controller and kvfleet's controller process;
 * kubelet, virt-handler and virt-api's eviction webhook played by testbed/harness/kubevirtStandIns.ts).
 * Short waits (SMALL_TIMING): KubeVirt's 300 s unschedulable timeout never expires here, so what
 * shows is what never schedules. `npm run bench:upgrade` runs the bigger one.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { buildControllerBundle } from './kvfleetPart.js';
import { MODES } from './modes.js';
import { type ModeRun, runMode } from './runMode.js';
import { buildScenario, droppedByStep, startedMachineType } from './scenario.js';
import { SMALL_TIMING } from '../support/timing.js';

const scenario = buildScenario(1, 'small', SMALL_TIMING);
const dropped = scenario.vmis
  .filter((v) => droppedByStep(startedMachineType(v), v.architecture))
  .map((v) => `${v.namespace}/${v.name}`)
  .sort();
let baseline: ModeRun;
let kvfleet: ModeRun;

beforeAll(async () => {
  buildControllerBundle();
  baseline = await runMode({ scenario, mode: MODES.baseline });
  kvfleet = await runMode({ scenario, mode: MODES.kvfleet });
  for (const run of [baseline, kvfleet]) {
    console.log(
      `[upgrade-sim] ${run.mode.name}: ${JSON.stringify({ ...run.result, evidence: run.timeoutEvidence, standInErrors: run.standInErrors.slice(-3) })} (${Math.round(run.wallSeconds.total)} s)`,
    );
  }
}, 600_000);

describe('kvfleet plan before the step', () => {
  test('names exactly the VMIs whose type the new launcher lacks; restart fixes for the q35 family, hold for i440fx', () => {
    expect(dropped.length).toBeGreaterThan(0);
    expect(baseline.plan.stranded).toEqual(dropped);
    const i440fx = scenario.vmis.filter((v) => v.kind === 'pinned-i440fx').map((v) => `${v.namespace}/${v.name}`);
    expect(baseline.plan.holds).toEqual(i440fx.sort());
    expect(baseline.plan.restarts.every((r) => r.to === 'pc-q35-rhel9.6.0')).toBe(true);
  });
});

describe('KubeVirt alone', () => {
  test('every VMI on a dropped type is left on the outdated launcher, each named by the plan; the cluster is never fully updated', () => {
    const left = baseline.record.outdatedAtEnd.map((v) => `${v.namespace}/${v.name}`);
    for (const k of dropped) expect(left).toContain(k);
    expect(baseline.result.outdatedNamedByPlan).toBe(dropped.length);
    // Any other VMI left was held up, not stranded: the dropped ones' update VMIMs sit in Scheduling
    // (virt-controller counts them against parallelMigrationsPerCluster) until KubeVirt's 300 s timeout.
    expect(baseline.record.outdatedAtEnd.filter((v) => !dropped.includes(`${v.namespace}/${v.name}`)).every((v) => !droppedByStep(v.machineType, 'amd64'))).toBe(true);
    expect(baseline.result.fullyUpdatedSeconds).toBeUndefined();
  });

  test('drains stall: some node keeps VMIs past the cap', () => {
    expect(baseline.result.drainsStalled).toBeGreaterThan(0);
    const leftOnDrained = baseline.record.drains.flatMap((d) => d.left.map((l) => `${l.namespace}/${l.name}`));
    expect(leftOnDrained.some((k) => dropped.includes(k))).toBe(true);
  });
});

describe('KubeVirt with kvfleet', () => {
  // What is left on a dropped type is decided by the plan; which VMIs on kept types are still mid-update
  // when the run stops depends on timing (the parallel-migration slots), so only the former is asserted.
  const leftOnDroppedType = (run: ModeRun) =>
    run.record.outdatedAtEnd
      .filter((v) => droppedByStep(v.machineType, 'amd64'))
      .map((v) => `${v.namespace}/${v.name}`)
      .sort();

  test("the plan's restart fixes ran before the step; on a dropped type only the VMIs whose only fix is holding the step are left", () => {
    expect(kvfleet.record.restartedBeforeStep.length).toBe(kvfleet.plan.restarts.length);
    expect(leftOnDroppedType(kvfleet)).toEqual([...kvfleet.plan.holds].sort());
    expect(kvfleet.plan.holds.length).toBeGreaterThan(0); // else the comparison with baseline below proves little
  });

  test('fewer VMIs left on a dropped type than KubeVirt alone, and fewer drains held by one', () => {
    expect(leftOnDroppedType(kvfleet).length).toBeLessThan(leftOnDroppedType(baseline).length);
    const heldByDropped = (run: ModeRun) => {
      const dropped = new Set(leftOnDroppedType(run));
      return run.record.drains.filter((d) => d.left.some((l) => dropped.has(`${l.namespace}/${l.name}`))).length;
    };
    expect(heldByDropped(kvfleet)).toBeLessThanOrEqual(heldByDropped(baseline));
  });

  test('its policies were Ready and put their unschedulable timeout on every VMIM; no duplicate in-flight VMIM', () => {
    expect(kvfleet.policies?.length).toBeGreaterThan(0);
    expect(kvfleet.timeoutEvidence.vmims).toBeGreaterThan(0);
    expect(kvfleet.timeoutEvidence.withUnschedulableTimeout).toBe(kvfleet.timeoutEvidence.vmims);
    expect(kvfleet.result.duplicateInFlight).toBe(0);
  });
});
