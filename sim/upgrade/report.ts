/**
 * The upgrade simulator's table: modes as columns, figures as rows (reportRows.ts), and per kvfleet
 * mode, computed from the figures, the rows it ties and loses against KubeVirt alone, each with why.
 * Pure.
 */
import { type ModeResult } from './metrics.js';
import { MODES, type ModeName } from './modes.js';
import { notWonReason, type Row, rowsFor } from './reportRows.js';

const cell = (row: Row, r: ModeResult) => (row.value(r) === undefined ? 'n/a' : row.text ? row.text(r) : String(row.value(r)));

/** A Markdown table: one column per mode, in the order given. */
export function renderTable(results: readonly ModeResult[]): string {
  const header = ['', ...results.map((r) => r.mode)];
  const lines = [header, header.map(() => '---'), ...rowsFor(results).map((row) => [row.label, ...results.map((r) => cell(row, r))])];
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
  /** Rows tied, each `label (mine vs theirs): why`. */
  readonly equal: readonly string[];
  /** Rows lost, each `label (mine vs theirs): why`. */
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
    for (const row of rowsFor([r, other])) {
      const [mine, theirs] = [row.value(r), row.value(other)];
      if (mine === undefined || theirs === undefined) continue;
      // Equal as printed is a tie: seconds below the printed precision are the real components' jitter.
      const diff = cell(row, r) === cell(row, other) ? 0 : row.better === 'lower' ? Math.sign(theirs - mine) : Math.sign(mine - theirs);
      const text = `${row.label} (${cell(row, r)} vs ${cell(row, other)})`;
      if (diff > 0) better.push(text);
      else (diff < 0 ? worse : equal).push(`${text}: ${notWonReason(row, r, other)}`);
    }
    out.push({ mode: r.mode, against, better, equal, worse });
  }
  return out;
}

/** The lines under the table: per kvfleet mode, the rows it does not win (worse, then tied), each with why. */
export function renderComparisons(comparisons: readonly Comparison[]): string {
  if (comparisons.length === 0) return 'kvfleet does not win: (no kvfleet mode ran beside KubeVirt alone)';
  return comparisons
    .map((c) => {
      const notWon = [...c.worse.map((w) => `- worse: ${w}`), ...c.equal.map((e) => `- tie: ${e}`)];
      return `kvfleet does not win (${c.mode} vs ${c.against}):${notWon.length ? `\n${notWon.join('\n')}` : ' none'}`;
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
