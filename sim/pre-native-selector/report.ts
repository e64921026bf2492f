/**
 * The table `preNativeSelectorMain` prints: one row per figure, KubeVirt 1.5.0 alone against kvfleet,
 * and the rows where kvfleet is not better with the mechanism behind each. Pure.
 */
import { type PreNativeModeName, type PreNativeResult } from './metrics.js';

interface Row {
  readonly label: string;
  readonly value: (r: PreNativeResult) => number;
  readonly format?: (n: number) => string;
  /** Which way is better; `neither` for counts that describe rather than judge. */
  readonly better: 'lower' | 'higher' | 'neither';
  /** The mechanism that can make kvfleet level or worse here (and not 0 in both modes). */
  readonly mechanism?: string;
}

const seconds = (n: number) => (n >= 60 ? `${Math.floor(n / 60)}m${String(Math.round(n % 60)).padStart(2, '0')}s` : `${Math.round(n)} s`);

export const ROWS: readonly Row[] = [
  {
    label: 'migrations failed on a node lacking the type',
    value: (r) => r.failedOnNodeLackingType,
    better: 'lower',
    mechanism: 'with kvfleet a target pod reached the broken node: Kyverno did not mutate it (failurePolicy Ignore) or the labels were not there yet',
  },
  {
    label: 'target pods bound to a node lacking the type',
    value: (r) => r.targetPodsOnNodeLackingType,
    better: 'lower',
    mechanism: 'as above',
  },
  { label: 'migrations failed, all causes', value: (r) => r.migrationsFailed, better: 'lower' },
  { label: 'retries (a VMIM right after a failed one)', value: (r) => r.retries, better: 'lower' },
  {
    label: 'migrations created',
    value: (r) => r.migrations,
    better: 'neither',
    mechanism:
      "KubeVirt alone creates a VMIM per attempt, failed ones included; kvfleet's drains empty their nodes, so every VMI on a drained node migrates, some again at a later drain",
  },
  {
    label: 'migrations succeeded',
    value: (r) => r.migrationsSucceeded,
    better: 'higher',
    mechanism: 'a VMI moved to a node drained later moves again; the count follows where the scheduler put the targets',
  },
  { label: 'drains stalled', value: (r) => r.drainsStalled, better: 'lower' },
  { label: 'VMIs a drain left behind', value: (r) => r.vmisLeftOnDrainedNodes, better: 'lower' },
  {
    label: 'drain time per node, p50',
    value: (r) => r.drainP50Seconds,
    format: seconds,
    better: 'lower',
    mechanism: 'a stalled drain ends after the stall window whatever is left; a drain that empties its node can take as long',
  },
  {
    label: 'drain time per node, max',
    value: (r) => r.drainMaxSeconds,
    format: seconds,
    better: 'lower',
    mechanism: 'as above: migration slots (5 per cluster, 2 per node) and VM sizes bound a drain that empties its node',
  },
  {
    label: 'time to drain every node',
    value: (r) => r.drainSeconds,
    format: seconds,
    better: 'lower',
    mechanism: 'as above: giving up is not faster than finishing when the stall window is short',
  },
  {
    label: 'VMIs on the broken node at the end',
    value: (r) => r.vmisOnBrokenNodeAtEnd,
    better: 'neither',
    mechanism: 'kvfleet keeps off the node only the VMIs whose type its launcher lacks; VMIs on types it has may land there in both modes',
  },
  {
    label: 'kvfleet fallback migrations',
    value: (r) => r.kvfleetFallbacks,
    better: 'neither',
    mechanism: "kvfleet's controller creates a fallback only after a migration failed for a reason it can fix",
  },
  { label: 'duplicate in-flight VMIMs', value: (r) => r.duplicateInFlight, better: 'lower' },
];

const modeOf = (results: readonly PreNativeResult[], mode: PreNativeModeName) => results.find((r) => r.mode === mode);

/** The Markdown table, one column per mode present. */
export function renderTable(results: readonly PreNativeResult[]): string {
  const modes = results.map((r) => r.mode);
  const cells = ROWS.map((row) => [row.label, ...results.map((r) => (row.format ?? String)(row.value(r)))]);
  const header = ['', ...modes];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) => `| ${c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(header), rule, ...cells.map(line)].join('\n');
}

export interface NotBetter {
  readonly label: string;
  readonly baseline: number;
  readonly kvfleet: number;
  readonly why: string;
}

/**
 * Rows where kvfleet is level with or worse than KubeVirt alone (descriptive rows: where they differ),
 * with why: 0 in both modes, the row's known mechanism, or "not expected" (read the run's record).
 */
export function notBetterRows(results: readonly PreNativeResult[]): NotBetter[] {
  const b = modeOf(results, 'baseline');
  const k = modeOf(results, 'kvfleet');
  if (!b || !k) return [];
  return ROWS.flatMap((row) => {
    const [bv, kv] = [row.value(b), row.value(k)];
    const notBetter = row.better === 'lower' ? kv >= bv : row.better === 'higher' ? kv <= bv : kv !== bv;
    if (!notBetter) return [];
    const why = bv === 0 && kv === 0 ? '0 in both modes' : (row.mechanism ?? 'not expected: read the run record (--logs keeps it) before trusting this row');
    return [{ label: row.label, baseline: bv, kvfleet: kv, why }];
  });
}

export function renderNotBetter(rows: readonly NotBetter[]): string {
  if (rows.length === 0) return 'kvfleet is better on every row.';
  return ['Rows where kvfleet is not better:', ...rows.map((r) => `- ${r.label} (baseline ${r.baseline}, kvfleet ${r.kvfleet}): ${r.why}`)].join('\n');
}
