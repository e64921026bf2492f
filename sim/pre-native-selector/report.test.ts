import { describe, expect, test } from 'vitest';
import { type PreNativeResult } from './metrics.js';
import { notBetterRows, renderNotBetter, renderTable, ROWS } from './report.js';

/** SYNTHETIC results: KubeVirt alone fails on the broken node and stalls; kvfleet drains. */
const baseline: PreNativeResult = {
  mode: 'baseline',
  migrations: 40,
  migrationsSucceeded: 22,
  migrationsFailed: 18,
  failedOnNodeLackingType: 18,
  targetPodsOnNodeLackingType: 18,
  retries: 14,
  kvfleetFallbacks: 0,
  drains: 5,
  drainsStalled: 5,
  drainP50Seconds: 66,
  drainMaxSeconds: 92,
  drainSeconds: 400,
  vmisLeftOnDrainedNodes: 30,
  vmisOnBrokenNodeAtEnd: 6,
  duplicateInFlight: 0,
};
const kvfleet: PreNativeResult = {
  ...baseline,
  mode: 'kvfleet',
  migrations: 70,
  migrationsSucceeded: 70,
  migrationsFailed: 0,
  failedOnNodeLackingType: 0,
  targetPodsOnNodeLackingType: 0,
  retries: 0,
  drainsStalled: 0,
  drainP50Seconds: 20,
  drainMaxSeconds: 100,
  drainSeconds: 140,
  vmisLeftOnDrainedNodes: 0,
};

describe('the table', () => {
  test('one row per figure, one column per mode, times as minutes and seconds', () => {
    const lines = renderTable([baseline, kvfleet]).split('\n');
    expect(lines).toHaveLength(ROWS.length + 2);
    expect(lines[0]).toMatch(/^\| +\| baseline \| kvfleet \|$/);
    expect(lines.find((l) => l.includes('migrations failed on a node lacking the type'))).toMatch(/\| +18 \| +0 \|$/);
    expect(lines.find((l) => l.includes('time to drain every node'))).toMatch(/\| +6m40s \| +2m20s \|$/);
    expect(lines.find((l) => l.includes('drain time per node, p50'))).toMatch(/\| +1m06s \| +20 s \|$/);
  });
});

describe('rows where kvfleet is not better', () => {
  const rows = notBetterRows([baseline, kvfleet]);
  const byLabel = Object.fromEntries(rows.map((r) => [r.label, r]));

  test('a worse row carries its mechanism; a row at 0 in both modes says so; better rows are not listed', () => {
    expect(byLabel['drain time per node, max']).toMatchObject({ baseline: 92, kvfleet: 100 });
    expect(byLabel['drain time per node, max']!.why).toMatch(/migration slots/);
    expect(byLabel['duplicate in-flight VMIMs']).toMatchObject({ baseline: 0, kvfleet: 0, why: '0 in both modes' });
    expect(byLabel['drains stalled']).toBeUndefined();
    expect(byLabel['migrations failed on a node lacking the type']).toBeUndefined();
  });

  test('descriptive rows are listed only where the modes differ', () => {
    expect(byLabel['migrations created']).toMatchObject({ baseline: 40, kvfleet: 70 });
    expect(byLabel['VMIs on the broken node at the end']).toBeUndefined();
  });

  test('a worse row without a known mechanism says it is not expected', () => {
    const worse = notBetterRows([baseline, { ...kvfleet, migrationsFailed: 19 }]).find((r) => r.label === 'migrations failed, all causes');
    expect(worse?.why).toMatch(/^not expected/);
  });

  test('nothing to compare without both modes; the text says when kvfleet wins every row', () => {
    expect(notBetterRows([baseline])).toEqual([]);
    expect(renderNotBetter([])).toBe('kvfleet is better on every row.');
    expect(renderNotBetter(rows).split('\n')[0]).toBe('Rows where kvfleet is not better:');
  });
});
