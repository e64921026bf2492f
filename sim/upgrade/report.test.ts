import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, test } from 'vitest';
import { type ModeResult } from './metrics.js';
import { compare, formatDuration, outcomeChecks, renderComparisons, renderTable, ROWS } from './report.js';
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

  test('one column per mode, one row per figure', () => {
    expect(lines).toHaveLength(2 + ROWS.length);
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
    expect(renderComparisons(compare([baseline, kvfleet]))).toContain('kvfleet does not win (kvfleet vs baseline): worse: VMs restarted');
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
