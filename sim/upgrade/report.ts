/**
 * The upgrade simulator's table: modes as columns, figures as rows, and a line per kvfleet mode
 * saying, computed from the figures, which rows it wins, ties and loses against KubeVirt alone. Pure.
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

/** `42 s`, `7m05s`, `5h12m`. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
}

export const ROWS: readonly Row[] = [
  {
    label: 'VMs left on the outdated launcher (named by plan before)',
    value: (r) => r.outdatedAtEnd,
    text: (r) => `${r.outdatedAtEnd} (${r.outdatedNamedByPlan})`,
    better: 'lower',
  },
  { label: 'VMs restarted onto the move-to type before the step', value: (r) => r.restartedBeforeStep, better: 'lower' },
  { label: 'update migrations created', value: (r) => r.updateMigrations, better: 'lower' },
  { label: 'update migrations failed', value: (r) => r.updateFailed, better: 'lower' },
  { label: 'update migrations retried', value: (r) => r.updateRetries, better: 'lower' },
  { label: 'evacuation migrations (failed)', value: (r) => r.evacuations, text: (r) => `${r.evacuations} (${r.evacuationsFailed})`, better: 'lower' },
  { label: 'drains stalled', value: (r) => r.drainsStalled, text: (r) => `${r.drainsStalled} of ${r.drains}`, better: 'lower' },
  { label: 'drain time per node, p50', value: (r) => r.drainP50Seconds, text: (r) => formatDuration(r.drainP50Seconds), better: 'lower' },
  { label: 'drain time per node, max', value: (r) => r.drainMaxSeconds, text: (r) => formatDuration(r.drainMaxSeconds), better: 'lower' },
  {
    label: 'time to a fully updated cluster',
    value: (r) => r.fullyUpdatedSeconds ?? Number.POSITIVE_INFINITY,
    text: (r) => (r.fullyUpdatedSeconds !== undefined ? formatDuration(r.fullyUpdatedSeconds) : 'never'),
    better: 'lower',
  },
  { label: 'step, start to last drain', value: (r) => r.stepSeconds, text: (r) => formatDuration(r.stepSeconds), better: 'lower' },
  { label: 'duplicate in-flight VMIMs', value: (r) => r.duplicateInFlight, better: 'lower' },
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
      const diff = cell(row, r) === cell(row, other) ? 0 : row.better === 'lower' ? Math.sign(theirs - mine) : Math.sign(mine - theirs);
      const text = `${row.label} (${cell(row, r)} vs ${cell(row, other)})`;
      (diff > 0 ? better : diff < 0 ? worse : equal).push(text);
    }
    out.push({ mode: r.mode, against, better, equal, worse });
  }
  return out;
}

/** The lines under the table: per kvfleet mode, the rows it does not win (equal or worse), computed. */
export function renderComparisons(comparisons: readonly Comparison[]): string {
  if (comparisons.length === 0) return 'kvfleet does not win: (no kvfleet mode ran beside KubeVirt alone)';
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
 * What kvfleet promises for this step: every VM left on the outdated launcher was named by `kvfleet
 * plan` beforehand, and no duplicate in-flight VMIM. KubeVirt alone is reported, not checked.
 */
export function outcomeChecks(results: readonly ModeResult[]): OutcomeCheck[] {
  return results
    .filter((r) => MODES[r.mode].kvfleet)
    .flatMap((r) => [
      {
        mode: r.mode,
        check: 'every VM left on the outdated launcher was named by kvfleet plan beforehand',
        ok: r.outdatedNamedByPlan === r.outdatedAtEnd,
        detail: `${r.outdatedNamedByPlan} of ${r.outdatedAtEnd} named`,
      },
      { mode: r.mode, check: '0 duplicate in-flight VMIMs', ok: r.duplicateInFlight === 0, detail: `${r.duplicateInFlight}` },
    ]);
}
