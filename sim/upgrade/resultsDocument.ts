/**
 * What one invocation of the upgrade simulator writes to JSON (`sim/upgrade/results/`), and the text
 * it prints: built from the runs, or read back with `--from`, where what is derived from the figures
 * (comparisons, checks, counts older files lack) is computed again. Pure.
 */
import { type Verdict } from '../../plan/planModel.js';
import { type AdmissionProbe } from './kvfleetPart.js';
import { type DrainRecord, type ModeResult } from './metrics.js';
import { compare, type Comparison, type OutcomeCheck, outcomeChecks, renderComparisons, renderTable } from './report.js';
import { type ModeRun } from './runMode.js';
import { FROM, type Scenario, TO } from './scenario.js';
import { DEFAULT_SCENARIO, scenarioDefinition } from './scenarios.js';
import { VMI_KINDS } from './vmiKinds.js';

/** What one invocation writes to JSON, and all `--from` needs to print the table and draw the chart again. */
export interface ResultsDocument {
  readonly command: string;
  readonly seed: number;
  readonly size: string;
  /** The commit the run was made from, and how many files the working tree changed on top of it. */
  readonly source?: { readonly commit: string; readonly changedFiles: number };
  /** `name` is absent in files from before there were several scenarios: `kubevirt-upgrade`. */
  readonly scenario: Record<string, unknown> & { readonly name?: string; readonly nodes: number; readonly vmis: number };
  readonly plan: {
    readonly text: string;
    readonly stranded: readonly string[];
    /** Stranded VMIs per `spec.architecture` (absent in older files). */
    readonly strandedByArchitecture?: Readonly<Record<string, readonly string[]>>;
    readonly restarts: readonly { namespace: string; name: string; from: string; to: string }[];
    readonly holds: readonly string[];
    readonly counts: Readonly<Record<Verdict, number>>;
  };
  readonly results: readonly ModeResult[];
  readonly comparisons: readonly Comparison[];
  readonly checks: readonly OutcomeCheck[];
  readonly runs: readonly {
    readonly mode: string;
    readonly description: string;
    readonly kvfleet: boolean;
    readonly drains: readonly DrainRecord[];
    readonly outdatedAtEnd: readonly { namespace: string; name: string; machineType: string; architecture?: string }[];
    readonly timeoutEvidence: { readonly vmims: number; readonly withUnschedulableTimeout: number };
    readonly policies?: readonly { readonly name: string; readonly readyAfterMs: number }[];
    readonly probes?: readonly AdmissionProbe[];
    readonly controller?: Readonly<Record<string, number>>;
    readonly virtController: { readonly version: string; readonly startMs: number; readonly rssMiB: number };
    readonly wallSeconds: Readonly<Record<string, number>>;
    readonly loadAverage?: { readonly mean: number; readonly max: number; readonly cores: number };
    readonly observerErrors: readonly string[];
    readonly standInErrors: readonly string[];
  }[];
  readonly wallSeconds: number;
}

/** The JSON of a run: the scenario, the plan, each mode's figures and evidence, and what is derived from them. */
export function documentOf(
  scenario: Scenario,
  runs: readonly ModeRun[],
  meta: { command: string; wallSeconds: number; source?: ResultsDocument['source'] },
): ResultsDocument {
  const results = runs.map((r) => r.result);
  const p = runs[0]!.plan;
  const archOf = new Map(scenario.vmis.map((v) => [`${v.namespace}/${v.name}`, v.architecture]));
  const architectures = scenario.pools.map((pool) => pool.architecture);
  return {
    command: meta.command,
    seed: scenario.seed,
    size: scenario.size,
    ...(meta.source ? { source: meta.source } : {}),
    scenario: {
      name: scenario.name,
      summary: scenarioDefinition(scenario.name).summary,
      nodes: scenario.nodes.length,
      vmis: scenario.vmis.length,
      pools: scenario.pools.map((pool) => ({
        name: pool.name,
        architecture: pool.architecture,
        nodes: pool.nodes.length,
        vmis: scenario.vmis.filter((v) => v.architecture === pool.architecture).length,
        nodeMemoryMiB: scenario.nodes.find((n) => n.pool === pool.name)!.capacity.memoryMiB,
      })),
      step: `KubeVirt ${FROM.version} (${FROM.build}) → ${TO.version} (${TO.build}, ${TO.image}); virt-controller v${FROM.version} restarted on the new image`,
      vmiKinds: Object.fromEntries(VMI_KINDS.map((k) => [k, scenario.vmis.filter((v) => v.kind === k).length]).filter(([, n]) => n)),
      nodeMemoryMiB: scenario.nodes[0]!.capacity.memoryMiB,
      rolloutOrder: scenario.rolloutOrder,
      drainOrder: scenario.drainOrder,
      timing: scenario.timing,
    },
    plan: {
      text: p.text,
      stranded: p.stranded,
      strandedByArchitecture: Object.fromEntries(architectures.map((a) => [a, p.stranded.filter((k) => archOf.get(k) === a)])),
      restarts: p.restarts,
      holds: p.holds,
      counts: p.counts,
    },
    results,
    comparisons: compare(results),
    checks: outcomeChecks(results),
    runs: runs.map((r) => ({
      mode: r.mode.name,
      description: r.mode.description,
      kvfleet: r.mode.kvfleet,
      drains: r.record.drains,
      outdatedAtEnd: r.record.outdatedAtEnd,
      timeoutEvidence: r.timeoutEvidence,
      ...(r.policies ? { policies: r.policies } : {}),
      ...(r.probes ? { probes: r.probes } : {}),
      ...(r.controller ? { controller: r.controller } : {}),
      virtController: r.virtController,
      wallSeconds: r.wallSeconds,
      loadAverage: r.loadAverage,
      observerErrors: r.observerErrors,
      standInErrors: r.standInErrors.slice(-20),
    })),
    wallSeconds: meta.wallSeconds,
  };
}

/** What stdout shows: the plan, the table, what kvfleet does not win, the evidence, the checks. */
export function renderReport(doc: ResultsDocument): string {
  const lines: string[] = [];
  const c = doc.plan.counts;
  lines.push(`kvfleet plan, before the step (${c.stranded} stranded, ${c['at-risk']} at-risk, ${c.deprecated} deprecated, ${c.ok} ok):`);
  lines.push(doc.plan.text);
  const byArch = doc.plan.strandedByArchitecture;
  if (byArch && Object.keys(byArch).length > 1) {
    lines.push(
      `stranded per architecture: ${Object.entries(byArch)
        .map(([a, keys]) => `${a} ${keys.length}`)
        .join(', ')}`,
    );
  }
  lines.push('');
  const pools = (doc.scenario.pools as { name: string; architecture: string; nodes: number; vmis: number }[] | undefined) ?? [];
  const poolText = pools.length > 1 ? ` (${pools.map((p) => `${p.name}: ${p.architecture}, ${p.nodes} nodes, ${p.vmis} VMIs`).join('; ')})` : '';
  lines.push(
    `Upgrade simulator, scenario ${doc.scenario.name ?? DEFAULT_SCENARIO}, seed ${doc.seed}: ${doc.scenario.nodes} nodes, ${doc.scenario.vmis} VMIs${poolText}; ${doc.scenario.step}; real time`,
  );
  lines.push('');
  lines.push(renderTable(doc.results));
  lines.push('');
  lines.push(renderComparisons(doc.comparisons));
  lines.push('');
  for (const run of doc.runs) {
    const e = run.timeoutEvidence;
    const kv = run.kvfleet
      ? `${run.policies?.length ?? 0} Kyverno policies Ready (${(run.probes ?? []).filter((p) => p.ok).length}/${run.probes?.length ?? 0} dry-run probes acted); `
      : '';
    const load = run.loadAverage ? `; load average ${run.loadAverage.mean} (max ${run.loadAverage.max}) on ${run.loadAverage.cores} cores` : '';
    lines.push(
      `${run.mode}: ${kv}VMIMs with an unschedulable timeout annotation: ${e.withUnschedulableTimeout}/${e.vmims}; ` +
        `left outdated: ${run.outdatedAtEnd.map((o) => `${o.namespace}/${o.name} (${o.machineType})`).join(', ') || 'none'}${load}`,
    );
  }
  lines.push('');
  for (const c of doc.checks) lines.push(`${c.ok ? 'ok  ' : 'FAIL'} ${c.mode}: ${c.check} (${c.detail})`);
  lines.push(`bench:upgrade took ${Math.round(doc.wallSeconds)} s of real time`);
  return lines.join('\n');
}

/**
 * Files from before `outdatedHeld` was counted (overall and per architecture): it follows from the
 * plan's holds and each run's outdated VMIs (with their architecture; amd64 where none is recorded).
 */
export function withHeldCounts(doc: Pick<ResultsDocument, 'plan' | 'results' | 'runs'>): ModeResult[] {
  const holds = new Set(doc.plan.holds);
  return doc.results.map((r) => {
    const run = doc.runs.find((x) => x.mode === r.mode);
    if (!run) return r;
    const held = run.outdatedAtEnd.filter((v) => holds.has(`${v.namespace}/${v.name}`));
    const byArchitecture = r.byArchitecture
      ? Object.fromEntries(
          Object.entries(r.byArchitecture).map(([arch, a]) => [
            arch,
            a.outdatedHeld !== undefined ? a : { ...a, outdatedHeld: held.filter((v) => (v.architecture ?? 'amd64') === arch).length },
          ]),
        )
      : undefined;
    return { ...r, outdatedHeld: r.outdatedHeld ?? held.length, ...(byArchitecture ? { byArchitecture } : {}) };
  });
}

/** A stored document with what is derived from its figures computed again (so a change to the rules shows). */
export function rederived(stored: ResultsDocument): ResultsDocument {
  const results = withHeldCounts(stored);
  return { ...stored, results, comparisons: compare(results), checks: outcomeChecks(results) };
}
