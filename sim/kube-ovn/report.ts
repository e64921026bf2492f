/**
 * The Kube-OVN scenario's report: per phase, one column per mode, and the checks that say whether
 * what kvfleet promises held (every migration's port gets both chassis under its settings) and
 * whether what its version lint predicts for v1.16.2 happened (kube-ovn#6823). Pure.
 */
import { KUBE_OVN_PHASES, type KubeOvnPhase, type PhaseSummary } from './metrics.js';

export interface ModeFigures {
  readonly mode: string;
  readonly phases: Readonly<Record<KubeOvnPhase, PhaseSummary>>;
}

interface Row {
  readonly label: string;
  readonly cell: (s: PhaseSummary) => string;
}

const ms = (v: number | undefined) => (v === undefined ? '—' : v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(1)} s`);

const ROWS: readonly Row[] = [
  { label: 'migrations', cell: (s) => String(s.migrations) },
  { label: 'succeeded / failed / unfinished', cell: (s) => `${s.succeeded} / ${s.failed} / ${s.unfinished}` },
  { label: 'multi-chassis port set, of migrations set up', cell: (s) => `${s.setUpMultiChassis} of ${s.setUp}` },
  { label: 'handled only after Scheduling (target already ran)', cell: (s) => String(s.handledLate) },
  { label: 'target bound → options, p50', cell: (s) => ms(s.boundToOptionsP50Ms) },
  { label: 'target bound → options, max', cell: (s) => ms(s.boundToOptionsMaxMs) },
  { label: 'setup skipped, target unbound (kube-ovn#6823)', cell: (s) => `${s.skippedUnbound} (${s.skippedUnboundMultiChassis} set later)` },
  { label: '… on a port pinned to the source (finished)', cell: (s) => `${s.skippedPinned} (${s.skippedPinnedFinished})` },
  { label: "target pod's longest wait for a node", cell: (s) => ms(s.targetWaitedMaxMs) },
  { label: 'port handed to the target alone after success', cell: (s) => `${s.handedToTarget} of ${s.succeeded}` },
];

export const PHASE_TITLES: Readonly<Record<KubeOvnPhase, string>> = {
  'rolling-drain': 'Rolling drain (every node in turn, the others open)',
  'targets-wait': 'One more drain with every other node cordoned for a while (target pods wait for a node)',
};

/** One Markdown table per phase, modes as columns. */
export function renderKubeOvnTables(results: readonly ModeFigures[]): string {
  return KUBE_OVN_PHASES.map((phase) => {
    const header = ['', ...results.map((r) => r.mode)];
    const lines = [header, ...ROWS.map((row) => [row.label, ...results.map((r) => row.cell(r.phases[phase]))])];
    const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
    const fmt = (l: string[]) => l.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
    const rule = widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ');
    return [`### ${PHASE_TITLES[phase]}`, '', fmt(lines[0]!), rule, ...lines.slice(1).map(fmt)].join('\n');
  }).join('\n\n');
}

export interface KubeOvnCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /** Says what happened rather than what must hold (a race): never fails a run. */
  readonly informational?: boolean;
}

const sum = (r: ModeFigures, f: (s: PhaseSummary) => number) => KUBE_OVN_PHASES.reduce((n, p) => n + f(r.phases[p]), 0);

/**
 * What must hold, computed from the figures: under kvfleet's settings every migration kube-ovn-controller
 * did not skip got the multi-chassis port; every one it skipped with the target unbound never did
 * (the lint's prediction); with the optimisation off none did. The last says whether the deferred
 * case happened at all in this run (a race: it needs a target pod still unbound as the VMIM's
 * Scheduling is handled).
 */
export function kubeOvnChecks(results: readonly ModeFigures[]): KubeOvnCheck[] {
  const checks: KubeOvnCheck[] = [];
  const kvfleet = results.find((r) => r.mode === 'kvfleet');
  const off = results.find((r) => r.mode === 'optimisation-off');
  if (kvfleet) {
    const setUp = sum(kvfleet, (s) => s.setUp);
    const set = sum(kvfleet, (s) => s.setUpMultiChassis);
    checks.push({ name: "kvfleet's settings: every migration kube-ovn-controller set up got the multi-chassis port", ok: set === setUp, detail: `${set} of ${setUp}` });
    const skipped = sum(kvfleet, (s) => s.skippedUnbound);
    const setLater = sum(kvfleet, (s) => s.skippedUnboundMultiChassis);
    checks.push({
      name: 'kube-ovn#6823 as the lint predicts: a setup skipped with the target unbound is never redone',
      ok: setLater === 0,
      detail: `${skipped} skipped, ${setLater} set later`,
    });
    const pinned = sum(kvfleet, (s) => s.skippedPinned);
    const finished = sum(kvfleet, (s) => s.skippedPinnedFinished);
    checks.push({
      name: '… and where the port names only the source, the target never starts (the migration hangs until KubeVirt gives up)',
      ok: finished === 0,
      detail: `${pinned} such migrations, ${finished} finished`,
    });
    checks.push({
      name: 'the deferred case happened in this run',
      ok: skipped > 0,
      detail: `${skipped} migrations skipped with the target unbound`,
      informational: true,
    });
  }
  if (off) {
    const set = sum(off, (s) => s.multiChassis);
    checks.push({ name: 'optimisation off: no migration got the multi-chassis port', ok: set === 0, detail: `${set} of ${sum(off, (s) => s.migrations)}` });
  }
  return checks;
}

export function renderKubeOvnChecks(checks: readonly KubeOvnCheck[]): string {
  return checks.map((c) => `${c.ok ? 'ok  ' : c.informational ? 'no  ' : 'FAIL'} ${c.name}: ${c.detail}`).join('\n');
}
