import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, test } from 'vitest';
import { type ModeResult } from './metrics.js';
import { compare, formatDuration, outcomeChecks, renderComparisons, renderTable, ROWS } from './report.js';
import { niceCeiling, renderChart } from './svgChart.js';

function result(mode: ModeResult['mode'], more: Partial<ModeResult> = {}): ModeResult {
  return {
    mode,
    attempted: 100,
    failed: { 'machine-type': 0, unschedulable: 0, 'node-failure': 0, other: 0 },
    failedTotal: 0,
    evacuated: 100,
    stranded: 2,
    strandedNamedByPlan: 2,
    extraAttempts: 0,
    duplicateInFlight: 0,
    kvfleetFallbacks: 0,
    drainP50Seconds: 300,
    drainP99Seconds: 900,
    upgradeSeconds: 20_000,
    drainsTimedOut: 0,
    ...more,
  };
}

const baseline = result('baseline-1.5', {
  attempted: 160,
  failed: { 'machine-type': 50, unschedulable: 0, 'node-failure': 3, other: 0 },
  failedTotal: 53,
  evacuated: 95,
  stranded: 9,
  extraAttempts: 65,
  drainP50Seconds: 420,
});
const kvfleet = result('kvfleet-1.5', {
  attempted: 110,
  failed: { 'machine-type': 0, unschedulable: 4, 'node-failure': 3, other: 0 },
  failedTotal: 7,
  extraAttempts: 10,
});

test.each([
  [0, '0 s'],
  [59.4, '59 s'],
  [60, '1m00s'],
  [425, '7m05s'],
  [3600, '1h00m'],
  [18_720, '5h12m'],
])('formatDuration(%d) = %s', (s, text) => {
  expect(formatDuration(s)).toBe(text);
});

describe('the table', () => {
  const table = renderTable([baseline, kvfleet]);
  const lines = table.split('\n');

  test('one column per mode, one row per figure, a Markdown table with numbers right-aligned', () => {
    expect(lines).toHaveLength(2 + ROWS.length);
    expect(lines[0]).toMatch(/^\| +\| baseline-1\.5 \| kvfleet-1\.5 \|$/);
    expect(lines[1]).toMatch(/^\| -+ \| -+: \| -+: \|$/);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });

  test('cells show the figures, stranded with the plan-named count, durations readable', () => {
    const row = (label: string) =>
      lines
        .find((l) => l.startsWith(`| ${label}`))!
        .split('|')
        .map((c) => c.trim());
    expect(row('failed: machine type').slice(2, 4)).toEqual(['50', '0']);
    expect(row('VMs stranded').slice(2, 4)).toEqual(['9 (2)', '2 (2)']);
    expect(row('drain time per node, p50').slice(2, 4)).toEqual(['7m00s', '5m00s']);
    expect(row('total upgrade time').slice(2, 4)).toEqual(['5h33m', '5h33m']);
  });
});

describe('the comparison says, computed, which rows kvfleet does not win', () => {
  test('better, equal and worse rows against the same KubeVirt without kvfleet', () => {
    const [c] = compare([baseline, kvfleet]);
    expect(c!.mode).toBe('kvfleet-1.5');
    expect(c!.against).toBe('baseline-1.5');
    expect(c!.worse).toEqual(['failed: unschedulable (4 vs 0)']);
    expect(c!.equal.map((e) => e.split(' (')[0])).toEqual([
      'failed: node failure',
      'failed: other',
      'duplicate in-flight VMIMs',
      'drain time per node, p99',
      'total upgrade time',
    ]);
    expect(c!.better.map((e) => e.split(' (')[0])).toContain('failed: machine type');
    expect(renderComparisons([c!])).toBe(
      'kvfleet does not win (kvfleet-1.5 vs baseline-1.5): worse: failed: unschedulable (4 vs 0); tie: failed: node failure (3 vs 3); tie: failed: other (0 vs 0); ' +
        'tie: duplicate in-flight VMIMs (0 vs 0); tie: drain time per node, p99 (15m00s vs 15m00s); tie: total upgrade time (5h33m vs 5h33m)',
    );
  });

  test('durations equal as printed are a tie, whatever the seconds below the printed precision', () => {
    const [c] = compare([result('native-1.6', { drainP99Seconds: 3601 }), result('kvfleet-1.6', { drainP99Seconds: 3604 })]);
    expect(c!.equal.map((e) => e.split(' (')[0])).toContain('drain time per node, p99');
  });

  test('a kvfleet mode without its counterpart is not compared, and the line says so', () => {
    expect(compare([kvfleet])).toEqual([]);
    expect(renderComparisons([])).toMatch(/no kvfleet mode ran beside/);
  });
});

describe('the chart', () => {
  const svg = renderChart([baseline, kvfleet], { title: 'Upgrade <sim>', subtitle: ['seed 1'], command: 'npm run bench:upgrade -- --seed 1' });
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => ['rect', 'text', 'line'].includes(n) }).parse(svg) as {
    svg: { rect: { height: string; fill: string; width: string }[]; text: { '#text': string }[] };
  };

  test('is well-formed SVG with escaped text, the command and every mode named', () => {
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('Upgrade &lt;sim&gt;');
    const texts = doc.svg.text.map((t) => String(t['#text']));
    expect(texts).toContain('Reproduce: npm run bench:upgrade -- --seed 1');
    expect(texts.filter((t) => t === 'baseline-1.5')).toHaveLength(8);
    expect(texts.filter((t) => t === 'kvfleet-1.5')).toHaveLength(8);
  });

  test('bar heights are proportional to the figures (machine-type failures: 50 against 0)', () => {
    // Bars, not the 9-pixel legend swatches.
    const red = doc.svg.rect.filter((r) => r.fill === '#d62728' && r.width !== '9').map((r) => Number(r.height));
    // Failure panel: one machine-type bar (the other is 0 and not drawn); stranded panel: 9 and 2.
    expect(red).toHaveLength(3);
    const [failures, stranded9, stranded2] = red;
    expect(failures).toBeGreaterThan(0);
    expect(stranded9! / stranded2!).toBeCloseTo(9 / 2, 1);
  });

  test('is deterministic', () => {
    expect(renderChart([baseline, kvfleet], { title: 'Upgrade <sim>', subtitle: ['seed 1'], command: 'npm run bench:upgrade -- --seed 1' })).toBe(svg);
  });

  test.each([
    [0, 1],
    [0.4, 1],
    [3, 5],
    [7, 10],
    [12, 20],
    [21, 25],
    [260, 500],
  ])('niceCeiling(%d) = %d', (v, top) => {
    expect(niceCeiling(v)).toBe(top);
  });
});

describe("outcome checks (the issue's done-when) apply to kvfleet modes only", () => {
  test('a clean kvfleet run passes every check; the baseline is not checked', () => {
    const checks = outcomeChecks([baseline, kvfleet]);
    expect(checks.every((c) => c.mode === 'kvfleet-1.5')).toBe(true);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
  });

  test('a machine-type failure, an unnamed stranded VM or a duplicate fails its check', () => {
    const bad = result('kvfleet-1.6', {
      failed: { 'machine-type': 1, unschedulable: 0, 'node-failure': 0, other: 0 },
      stranded: 3,
      strandedNamedByPlan: 2,
      duplicateInFlight: 2,
    });
    expect(
      outcomeChecks([bad])
        .filter((c) => !c.ok)
        .map((c) => c.detail),
    ).toEqual(['1', '2 of 3 named', '2']);
  });
});
