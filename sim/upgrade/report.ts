/**
 * The upgrade simulator's table: modes as columns, figures as rows, and a line per kvfleet mode
 * saying, computed from the figures, which rows it wins, ties and loses against the same KubeVirt
 * without kvfleet. Pure.
 */
import { type ModeResult } from './metrics.js';
import { MODES, type ModeName } from './modes.js';

export interface Row {
  readonly label: string;
  readonly value: (r: ModeResult) => number;
  readonly text?: (r: ModeResult) => string;
  /** Which direction is better for the cluster's operator. */
  readonly better: 'lower' | 'higher';
}

/** `42 s`, `7m05s`, `5h12m`: simulated durations. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
}

export const ROWS: readonly Row[] = [
  { label: 'migrations attempted', value: (r) => r.attempted, better: 'lower' },
  { label: 'failed: machine type', value: (r) => r.failed['machine-type'], better: 'lower' },
  { label: 'failed: unschedulable', value: (r) => r.failed.unschedulable, better: 'lower' },
  { label: 'failed: node failure', value: (r) => r.failed['node-failure'], better: 'lower' },
  { label: 'failed: other', value: (r) => r.failed.other, better: 'lower' },
  { label: 'VMs evacuated', value: (r) => r.evacuated, better: 'higher' },
  {
    label: 'VMs stranded (named by plan before)',
    value: (r) => r.stranded,
    text: (r) => `${r.stranded} (${r.strandedNamedByPlan})`,
    better: 'lower',
  },
  { label: 'extra attempts', value: (r) => r.extraAttempts, better: 'lower' },
  { label: 'duplicate in-flight VMIMs', value: (r) => r.duplicateInFlight, better: 'lower' },
  { label: 'drain time per node, p50', value: (r) => r.drainP50Seconds, text: (r) => formatDuration(r.drainP50Seconds), better: 'lower' },
  { label: 'drain time per node, p99', value: (r) => r.drainP99Seconds, text: (r) => formatDuration(r.drainP99Seconds), better: 'lower' },
  { label: 'total upgrade time', value: (r) => r.upgradeSeconds, text: (r) => formatDuration(r.upgradeSeconds), better: 'lower' },
];

const cell = (row: Row, r: ModeResult) => (row.text ? row.text(r) : String(row.value(r)));

/** A Markdown table: one column per mode, in the order given. */
export function renderTable(results: readonly ModeResult[]): string {
  const header = ['', ...results.map((r) => r.mode)];
  const lines = [header, header.map(() => '---'), ...ROWS.map((row) => [row.label, ...results.map((r) => cell(row, r))])];
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines
    .map((l, li) =>
      l
        .map((c, i) => (li === 1 ? (i === 0 ? '-'.repeat(widths[i]!) : `${'-'.repeat(widths[i]! - 1)}:`) : i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
        .join(' | '),
    )
    .map((l) => `| ${l} |`)
    .join('\n');
}

export interface Comparison {
  readonly mode: ModeName;
  readonly against: ModeName;
  readonly better: readonly string[];
  readonly equal: readonly string[];
  readonly worse: readonly string[];
}

/** Each kvfleet mode against its KubeVirt-alone counterpart, where both ran. */
export function compare(results: readonly ModeResult[]): Comparison[] {
  const byMode = new Map(results.map((r) => [r.mode, r]));
  const out: Comparison[] = [];
  for (const r of results) {
    const against = MODES[r.mode].comparedWith;
    const other = against && byMode.get(against);
    if (!against || !other) continue;
    const better: string[] = [];
    const equal: string[] = [];
    const worse: string[] = [];
    for (const row of ROWS) {
      const [mine, theirs] = [row.value(r), row.value(other)];
      // Equal as printed is a tie: seconds below the printed precision are the real components' jitter.
      const diff = cell(row, r) === cell(row, other) ? 0 : row.better === 'lower' ? theirs - mine : mine - theirs;
      const text = `${row.label} (${cell(row, r)} vs ${cell(row, other)})`;
      (diff > 0 ? better : diff < 0 ? worse : equal).push(text);
    }
    out.push({ mode: r.mode, against, better, equal, worse });
  }
  return out;
}

/** The lines under the table: per kvfleet mode, the rows it does not win (equal or worse), computed. */
export function renderComparisons(comparisons: readonly Comparison[]): string {
  if (comparisons.length === 0) return 'kvfleet does not win: (no kvfleet mode ran beside its KubeVirt-alone counterpart)';
  return comparisons
    .map((c) => {
      const notWon = [...c.worse.map((w) => `worse: ${w}`), ...c.equal.map((e) => `tie: ${e}`)];
      return `kvfleet does not win (${c.mode} vs ${c.against}): ${notWon.length ? notWon.join('; ') : 'none'}`;
    })
    .join('\n');
}

export interface OutcomeCheck {
  readonly mode: ModeName;
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * The "done when" for a kvfleet mode: no machine-type failure, every VM that could go
 * somewhere moved (every VM left behind was one the plan named), and no duplicate in-flight VMIM.
 * KubeVirt-alone modes are reported, not checked.
 */
export function outcomeChecks(results: readonly ModeResult[]): OutcomeCheck[] {
  return results
    .filter((r) => MODES[r.mode].kvfleet)
    .flatMap((r) => [
      { mode: r.mode, check: '0 machine-type failures', ok: r.failed['machine-type'] === 0, detail: `${r.failed['machine-type']}` },
      {
        mode: r.mode,
        // One condition for two of the outcomes: a VM the plan did not name had somewhere to go.
        check: 'every evacuable VM moved: each VM left on a drained node was named by kvfleet plan beforehand',
        ok: r.strandedNamedByPlan === r.stranded,
        detail: `${r.strandedNamedByPlan} of ${r.stranded} named`,
      },
      { mode: r.mode, check: '0 duplicate in-flight VMIMs', ok: r.duplicateInFlight === 0, detail: `${r.duplicateInFlight}` },
    ]);
}
