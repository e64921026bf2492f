import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, test } from 'vitest';
import { type ModeResult } from './metrics.js';
import { compare, outcomeChecks, renderComparisons, renderTable } from './report.js';
import { formatDuration, notWonReason, ROWS, rowsFor } from './reportRows.js';
import { niceCeiling, renderChart } from './svgChart.js';

function result(mode: ModeResult['mode'], more: Partial<ModeResult> = {}): ModeResult {
  return {
    mode,
    restartedBeforeStep: 0,
    outdatedAtEnd: 0,
    outdatedNamedByPlan: 0,
    updateMigrations: 100,
    updateFailed: 0,
    updateRetries: 0,
    evacuations: 50,
    evacuationsFailed: 0,
    kvfleetFallbacks: 0,
    drainsStalled: 0,
    drains: 10,
    drainP50Seconds: 30,
    drainMaxSeconds: 60,
    fullyUpdatedSeconds: 300,
    stepSeconds: 900,
    duplicateInFlight: 0,
    ...more,
  };
}

const { fullyUpdatedSeconds: _never, ...neverUpdated } = result('baseline');
const baseline: ModeResult = { ...neverUpdated, outdatedAtEnd: 9, outdatedNamedByPlan: 9, updateMigrations: 130, updateFailed: 12, updateRetries: 20, drainsStalled: 6 };
const kvfleet = result('kvfleet', { restartedBeforeStep: 7, outdatedAtEnd: 2, outdatedNamedByPlan: 2, drainsStalled: 2 });

test.each([
  [0, '0 s'],
  [59.4, '59 s'],
  [60, '1m00s'],
  [425, '7m05s'],
  [3600, '1h00m'],
])('formatDuration(%d) = %s', (s, text) => {
  expect(formatDuration(s)).toBe(text);
});

describe('the table', () => {
  const lines = renderTable([baseline, kvfleet]).split('\n');

  test('one column per mode, one row per figure the results have (an older file lacks the target-pod and unschedulable rows)', () => {
    expect(lines).toHaveLength(2 + ROWS.length - 4);
    expect(lines.some((l) => l.includes('target pod'))).toBe(false);
    expect(lines[0]).toMatch(/^\| +\| baseline \| kvfleet \|$/);
  });

  test('cells: outdated with the plan-named count, stalled of total, "never" when never fully updated', () => {
    expect(lines.find((l) => l.includes('outdated launcher'))).toMatch(/\| +9 \(9\) \| +2 \(2\) \|$/);
    expect(lines.find((l) => l.includes('drains stalled'))).toMatch(/6 of 10 \| +2 of 10 \|$/);
    expect(lines.find((l) => l.includes('fully updated'))).toMatch(/never \| +5m00s \|$/);
  });
});

describe('the comparison', () => {
  const [c] = compare([baseline, kvfleet]);

  test('kvfleet against KubeVirt alone, row by row; "never" loses to any time', () => {
    expect(c!.against).toBe('baseline');
    expect(c!.better.some((b) => b.startsWith('time to a fully updated cluster'))).toBe(true);
    expect(c!.better.some((b) => b.startsWith('drains stalled'))).toBe(true);
    // The restarts are a cost kvfleet pays before the step.
    expect(c!.worse.some((w) => w.startsWith('VMs restarted'))).toBe(true);
    expect(renderComparisons(compare([baseline, kvfleet]))).toContain('kvfleet does not win (kvfleet vs baseline):\n- worse: VMs restarted');
  });

  test('every row kvfleet does not win says why', () => {
    for (const line of [...c!.worse, ...c!.equal]) expect(line).toMatch(/\): .+/);
    expect(c!.worse.find((w) => w.startsWith('VMs restarted'))).toMatch(/reboot each, paid before the step/);
    expect(c!.equal.find((w) => w.startsWith('duplicate'))).toMatch(/neither mode had any/);
  });
});

describe('rows of a mixed-arch run', () => {
  const perArch = (outdatedAtEnd: number, drainsStalled: number, fullyUpdatedSeconds?: number) => ({
    vmis: 20,
    outdatedAtEnd,
    drains: 2,
    drainsStalled,
    drainMaxSeconds: 90,
    ...(fullyUpdatedSeconds !== undefined ? { fullyUpdatedSeconds } : {}),
    targetPodsNeverBound: 0,
  });
  const never = (r: ModeResult): ModeResult => {
    const { fullyUpdatedSeconds: _, ...rest } = r;
    return rest;
  };
  const b = never(
    result('baseline', {
      outdatedAtEnd: 7,
      outdatedNamedByPlan: 5,
      outdatedHeld: 1,
      drainsStalled: 4,
      targetPods: { pods: 60, neverBound: 9, wrongArchitecture: 0, lackingType: 0 },
      byArchitecture: { amd64: perArch(7, 4), arm64: perArch(0, 0, 120) },
    }),
  );
  const k = never(
    result('kvfleet', {
      restartedBeforeStep: 4,
      outdatedAtEnd: 1,
      outdatedNamedByPlan: 1,
      outdatedHeld: 1,
      drainsStalled: 1,
      targetPods: { pods: 55, neverBound: 3, wrongArchitecture: 0, lackingType: 0 },
      byArchitecture: { amd64: perArch(1, 1), arm64: perArch(0, 0, 120) },
    }),
  );
  const table = renderTable([b, k]).split('\n');
  const [c] = compare([b, k]);

  test('the target-pod rows, then one block per architecture', () => {
    expect(table.find((l) => l.includes('never bound'))).toMatch(/\| +9 \| +3 \|$/);
    expect(table.find((l) => l.includes('another arch'))).toMatch(/\| +0 \/ 0 \| +0 \/ 0 \|$/);
    expect(table.find((l) => l.includes('arm64: VMs left'))).toMatch(/0 of 20 \| +0 of 20 \|$/);
    expect(table.find((l) => l.includes('amd64: all its VMs'))).toMatch(/never \| +never \|$/);
    expect(rowsFor([b, k]).map((r) => r.label)).toContain('arm64: drains stalled');
    expect(rowsFor([result('baseline', { byArchitecture: { amd64: perArch(0, 0) } })]).some((r) => r.label.startsWith('amd64:'))).toBe(false);
  });

  test('a tie at 0 target pods elsewhere is explained by what virt-controller renders; the hold-only VMs explain "never"', () => {
    expect(c!.equal.find((e) => e.startsWith('target pods on a node'))).toMatch(/virt-controller v1\.7\.0 itself puts kubernetes\.io\/arch/);
    expect(c!.equal.find((e) => e.startsWith('time to a fully updated'))).toMatch(/1 VM kvfleet plan could only hold/);
    expect(c!.equal.find((e) => e.startsWith('arm64: drains stalled'))).toMatch(/neither mode had any/);
  });

  test('a close time says one run per mode cannot tell it from jitter; an unexplained loss points at the record', () => {
    const row = rowsFor([b, k]).find((r) => r.label === 'arm64: all its VMs on the new launcher after')!;
    const slower = { ...k, byArchitecture: { ...k.byArchitecture, arm64: perArch(0, 0, 126) } };
    expect(notWonReason(row, slower, b)).toMatch(/6 s apart \(5 %\)/);
    const muchSlower = { ...k, byArchitecture: { ...k.byArchitecture, arm64: perArch(0, 0, 400) } };
    expect(notWonReason(row, muchSlower, b)).toMatch(/record/);
  });
});

describe('migrations failed unschedulable', () => {
  const row = ROWS.find((r) => r.label.startsWith('migrations failed unschedulable'))!;
  const slots = ROWS.find((r) => r.label.startsWith('migration-slot time'))!;
  // KubeVirt alone: 6 VMs whose type no node offers, 300 s per try; kvfleet: 1 such VM, 120 s per try.
  const b = result('baseline', { stepSeconds: 960, drainsStalled: 6, unschedulableFailed: 10, unschedulableFailedVmis: 6, neverBoundTargetPodSeconds: 4500 });
  const k = result('kvfleet', { stepSeconds: 600, drainsStalled: 1, unschedulableFailed: 3, unschedulableFailedVmis: 1, neverBoundTargetPodSeconds: 480 });

  test('the cell has the VMIMs and their VMs; fewer is a win, with no reason needed', () => {
    expect(
      renderTable([b, k])
        .split('\n')
        .find((l) => l.includes('failed unschedulable')),
    ).toMatch(/\| +10 \(6\) \| +3 \(1\) \|$/);
    const [c] = compare([b, k]);
    expect(c!.better.some((x) => x.startsWith('migrations failed unschedulable'))).toBe(true);
    expect(c!.better.some((x) => x.startsWith('migration-slot time'))).toBe(true);
  });

  test('more of them on as many VMs: the shorter timeout, the rates per VM, and the slots it freed', () => {
    const many = { ...k, unschedulableFailed: 12, unschedulableFailedVmis: 6, neverBoundTargetPodSeconds: 2400 };
    const why = notWonReason(row, many, b);
    expect(why).not.toMatch(/more VMs/);
    expect(why).toMatch(/sets 120 s .* KubeVirt waits 300 s/);
    expect(why).toMatch(/one every 5m00s per VM vs one every 9m36s per VM/); // 600 s × 6 / 12, 960 s × 6 / 10
    expect(why).toMatch(/40m00s vs 1h15m here; .* drains stalled\), so the shorter timeout is the better trade$/);
  });

  test('more VMs without a node say so; slot time not freed is said too', () => {
    const worse = { ...k, unschedulableFailed: 12, unschedulableFailedVmis: 7, neverBoundTargetPodSeconds: 5000, drainsStalled: 6 };
    const why = notWonReason(row, worse, b);
    expect(why).toMatch(/^more VMs had a target pod no node could take \(7 vs 6\)/);
    expect(why).toMatch(/so here the shorter timeout did not free slots$/);
    expect(notWonReason(slots, worse, b)).toMatch(/more VMs had a target pod no node could take \(7 vs 6\)/);
  });

  test('a file without the slot time gives the timeout reason alone; none on either side is a plain tie', () => {
    const { neverBoundTargetPodSeconds: _b, ...bOld } = b;
    const { neverBoundTargetPodSeconds: _k, ...kOld } = { ...k, unschedulableFailed: 10 };
    expect(notWonReason(row, kOld, bOld)).not.toMatch(/slots/);
    expect(notWonReason(row, { ...k, unschedulableFailed: 0 }, { ...b, unschedulableFailed: 0 })).toBe('neither mode had any');
  });
});

describe('the chart', () => {
  const svg = renderChart([baseline, kvfleet], { title: 'Upgrade <sim>', subtitle: ['seed 1'], command: 'npm run bench:upgrade -- --seed 1' });

  test('is valid SVG, escapes text, names both modes', () => {
    expect(XMLValidator.validate(svg)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg) as { svg: { text: unknown[] } };
    expect(doc.svg.text.length).toBeGreaterThan(10);
    expect(svg).toContain('Upgrade &lt;sim&gt;');
    expect(svg).toContain('>baseline<');
    expect(svg).toContain('>kvfleet<');
  });

  test('is deterministic', () => {
    expect(renderChart([baseline, kvfleet], { title: 'Upgrade <sim>', subtitle: ['seed 1'], command: 'npm run bench:upgrade -- --seed 1' })).toBe(svg);
  });

  test.each([
    [0, 1],
    [3, 5],
    [7, 10],
    [21, 25],
  ])('niceCeiling(%d) = %d', (v, top) => {
    expect(niceCeiling(v)).toBe(top);
  });
});

describe('outcome checks apply to the kvfleet mode only', () => {
  test('a clean kvfleet run passes; the baseline is not checked', () => {
    const checks = outcomeChecks([baseline, kvfleet]);
    expect(checks.every((c) => c.mode === 'kvfleet')).toBe(true);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
  });

  test('an unnamed outdated VM or a duplicate fails its check', () => {
    const bad = result('kvfleet', { outdatedAtEnd: 3, outdatedNamedByPlan: 2, duplicateInFlight: 2 });
    expect(
      outcomeChecks([bad])
        .filter((c) => !c.ok)
        .map((c) => c.detail),
    ).toEqual(['2 of 3 named', '2']);
  });
});
