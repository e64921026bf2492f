/**
 * The upgrade simulator's mixed-arch scenario, small: 3 amd64 + 2 arm64 nodes (labelled
 * `kubernetes.io/arch` by the kubelet stand-in), 14 VMIs of both architectures (arm64 ones as `virt`
 * or pinned to `virt-rhel9.*`), the KubeVirt upgrade whose CS10 launcher drops the amd64 RHEL 8/7.6
 * types and no arm64 type, run as KubeVirt alone and with kvfleet on the real virt-controller v1.7.0,
 * kube-scheduler and (kvfleet mode) Kyverno and kvfleet's controller. Short waits (SMALL_TIMING):
 * KubeVirt's 300 s unschedulable timeout never expires here. Asserted: what the plan decides per
 * architecture, and where the target pods virt-controller rendered went. `npm run bench:upgrade --
 * --scenario mixed-arch` runs the bigger one.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { buildControllerBundle } from './kvfleetPart.js';
import { MODES } from './modes.js';
import { type ModeRun } from './runMode.js';
import { buildMixedArchScenario, droppedByStep, startedMachineType } from './scenario.js';
import { SCENARIOS } from './scenarios.js';
import { SMALL_TIMING } from '../support/timing.js';

const scenario = buildMixedArchScenario(1, 'small', SMALL_TIMING);
const key = (v: { namespace: string; name: string }) => `${v.namespace}/${v.name}`;
const architectureOf = new Map(scenario.vmis.map((v) => [key(v), v.architecture]));
const droppedOn = (arch: string) =>
  scenario.vmis
    .filter((v) => v.architecture === arch && droppedByStep(startedMachineType(v), v.architecture))
    .map(key)
    .sort();
const dropped = new Set([...droppedOn('amd64'), ...droppedOn('arm64')]);
let baseline: ModeRun;
let kvfleet: ModeRun;

beforeAll(async () => {
  buildControllerBundle();
  baseline = await SCENARIOS['mixed-arch'].run({ scenario, mode: MODES.baseline });
  kvfleet = await SCENARIOS['mixed-arch'].run({ scenario, mode: MODES.kvfleet });
  for (const run of [baseline, kvfleet]) {
    console.log(
      `[mixed-arch] ${run.mode.name}: ${JSON.stringify({ ...run.result, standInErrors: run.standInErrors.slice(-3) })} (${Math.round(run.wallSeconds.total)} s)`,
    );
  }
}, 900_000);

describe('kvfleet plan before the step, per architecture', () => {
  test('strands on each architecture exactly the VMIs whose type the new launcher lacks there: some amd64, no arm64', () => {
    expect(droppedOn('amd64').length).toBeGreaterThan(0);
    expect(droppedOn('arm64')).toEqual([]);
    for (const arch of ['amd64', 'arm64']) expect(baseline.plan.stranded.filter((k) => architectureOf.get(k) === arch)).toEqual(droppedOn(arch));
    expect(baseline.plan.restarts.every((r) => r.to === 'pc-q35-rhel9.6.0')).toBe(true);
  });
});

describe('where the target pods virt-controller rendered went', () => {
  test('none on a node of another architecture or without the VMI’s type, in either mode; arm64 VMIs did migrate', () => {
    for (const run of [baseline, kvfleet]) {
      expect(run.result.targetPods, run.mode.name).toMatchObject({ wrongArchitecture: 0, lackingType: 0 });
      const bound = (run.record.targetPods ?? []).filter((p) => p.node !== undefined);
      expect(
        bound.every((p) => p.nodeArchitecture === architectureOf.get(p.vmi)),
        run.mode.name,
      ).toBe(true);
    }
    expect((kvfleet.record.targetPods ?? []).some((p) => p.vmiArchitecture === 'arm64' && p.nodeArchitecture === 'arm64')).toBe(true);
  });

  test('KubeVirt alone: the dropped-type VMIs got target pods, and none was ever bound (Pending)', () => {
    const ofDropped = (baseline.record.targetPods ?? []).filter((p) => dropped.has(p.vmi));
    expect(ofDropped.length).toBeGreaterThan(0);
    expect(ofDropped.filter((p) => p.node !== undefined)).toEqual([]);
    expect(baseline.result.targetPods!.neverBound).toBeGreaterThanOrEqual(ofDropped.length);
  });

  test('the figures are split by architecture: VMIs by spec.architecture, drains by the node’s', () => {
    for (const run of [baseline, kvfleet]) {
      expect(Object.fromEntries(Object.entries(run.result.byArchitecture ?? {}).map(([a, r]) => [a, [r.vmis, r.drains]]))).toEqual({
        amd64: [9, 3],
        arm64: [5, 2],
      });
    }
  });
});

describe('the upgrade itself', () => {
  const leftOnDroppedType = (run: ModeRun) =>
    run.record.outdatedAtEnd
      .filter((v) => dropped.has(key(v)))
      .map(key)
      .sort();

  test('KubeVirt alone leaves every dropped-type VMI on the old launcher', () => {
    expect(leftOnDroppedType(baseline)).toEqual([...dropped].sort());
    expect(baseline.result.fullyUpdatedSeconds).toBeUndefined();
  });

  test("with kvfleet the plan's restarts ran first; on a dropped type only the hold-only VMIs are left; no duplicate in-flight VMIM", () => {
    expect(kvfleet.record.restartedBeforeStep.length).toBe(kvfleet.plan.restarts.length);
    expect(kvfleet.plan.restarts.length).toBeGreaterThan(0);
    expect(leftOnDroppedType(kvfleet)).toEqual([...kvfleet.plan.holds].sort());
    expect(leftOnDroppedType(kvfleet).length).toBeLessThan(leftOnDroppedType(baseline).length);
    expect(kvfleet.result.duplicateInFlight).toBe(0);
  });
});
