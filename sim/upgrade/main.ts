/**
 * `npm run bench:upgrade`: the upgrade simulator. Runs the same seeded scenario in each mode (each
 * on a fresh control plane), prints `kvfleet plan`'s verdict, one table, the rows kvfleet does not
 * win and the issue's outcome checks, and writes the JSON and the SVG chart.
 *
 *   npm run bench:upgrade -- [--seed 1] [--size full|small|<nodes>x<vmis>] [--modes a,b] [--scale 10]
 *                            [--out file.json] [--svg file.svg] [--logs dir]
 *   npm run bench:upgrade -- --from sim/upgrade/results/1.json [--svg file.svg]   # table and chart again, no run
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { projectDir } from '../../test/harness/toolPaths.js';
import { type AdmissionProbe, buildControllerBundle } from './kvfleetPart.js';
import { type DrainRecord, type ModeResult } from './metrics.js';
import { type Verdict } from '../../plan/planModel.js';
import { MODE_NAMES, MODES, parseModes } from './modes.js';
import { type AdmissionEvidence } from './observer.js';
import { compare, type Comparison, type OutcomeCheck, outcomeChecks, renderComparisons, renderTable } from './report.js';
import { type FaultInjected, type ModeRun, runMode } from './runMode.js';
import { buildScenario, type Scenario } from './scenario.js';
import { renderChart } from './svgChart.js';

const RESULTS = join(projectDir, 'sim', 'upgrade', 'results');

/** What one invocation writes to JSON, and all `--from` needs to print the table and draw the chart again. */
export interface ResultsDocument {
  readonly command: string;
  readonly seed: number;
  readonly size: string;
  readonly realMsPerSimSecond: number;
  /** The commit the run was made from, and how many files the working tree changed on top of it. */
  readonly source?: { readonly commit: string; readonly changedFiles: number };
  readonly scenario: Record<string, unknown> & { readonly nodes: number; readonly vmis: number; readonly upgradedNodes: number };
  readonly plan: { readonly text: string; readonly stranded: readonly string[]; readonly counts: Readonly<Record<Verdict, number>> };
  readonly results: readonly ModeResult[];
  readonly comparisons: readonly Comparison[];
  readonly checks: readonly OutcomeCheck[];
  readonly runs: readonly {
    readonly mode: string;
    readonly description: string;
    readonly kubevirtVersion: string;
    readonly kvfleet: boolean;
    readonly drains: readonly DrainRecord[];
    readonly faults: readonly FaultInjected[];
    readonly evidence: AdmissionEvidence;
    readonly policies?: readonly { readonly name: string; readonly readyAfterMs: number }[];
    readonly probes?: readonly AdmissionProbe[];
    readonly controller?: Readonly<Record<string, number>>;
    readonly kubevirt: Readonly<Record<string, unknown>>;
    readonly nodesWithKubevirtLabelDrift: number;
    readonly wallSeconds: Readonly<Record<string, number>>;
    readonly loadAverage?: { readonly mean: number; readonly max: number; readonly cores: number };
    readonly observerErrors: readonly string[];
  }[];
  readonly wallSeconds: number;
}

function gitSource(): { commit: string; changedFiles: number } | undefined {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: projectDir, encoding: 'utf8' });
  const head = git('rev-parse', 'HEAD');
  if (head.status !== 0) return undefined;
  const changed = git('status', '--porcelain').stdout.split('\n').filter(Boolean).length;
  return { commit: head.stdout.trim(), changedFiles: changed };
}

function documentOf(scenario: Scenario, runs: readonly ModeRun[], meta: { command: string; scale: number; wallSeconds: number }): ResultsDocument {
  const results = runs.map((r) => r.result);
  return {
    command: meta.command,
    seed: scenario.seed,
    size: scenario.size,
    realMsPerSimSecond: meta.scale,
    source: gitSource(),
    scenario: {
      nodes: scenario.nodes.length,
      vmis: scenario.vmis.length,
      upgradedNodes: scenario.upgradeOrder.length,
      pools: scenario.pools,
      vmiKinds: Object.fromEntries(['q35', 'pinned-rhel8', 'pinned-rhel9', 'pinned-stranded'].map((k) => [k, scenario.vmis.filter((v) => v.kind === k).length])),
      nodeMemoryMiB: scenario.nodes[0]!.capacity.memoryMiB,
      aliasOnlyNodes: scenario.nodes.filter((n) => n.layout === 'alias-only').map((n) => n.name),
      upgradeOrder: scenario.upgradeOrder,
      faults: scenario.faults,
      timing: scenario.timing,
    },
    plan: { text: runs[0]!.plan.text, stranded: runs[0]!.plan.stranded, counts: runs[0]!.plan.counts },
    results,
    comparisons: compare(results),
    checks: outcomeChecks(results),
    runs: runs.map((r) => ({
      mode: r.mode.name,
      description: r.mode.description,
      kubevirtVersion: r.mode.kubevirtVersion,
      kvfleet: r.mode.kvfleet,
      drains: r.record.drains,
      faults: r.faults,
      evidence: r.evidence,
      ...(r.policies ? { policies: r.policies } : {}),
      ...(r.probes ? { probes: r.probes } : {}),
      ...(r.controller ? { controller: r.controller } : {}),
      kubevirt: r.kubevirt,
      nodesWithKubevirtLabelDrift: r.nodesWithKubevirtLabelDrift,
      wallSeconds: r.wallSeconds,
      loadAverage: r.loadAverage,
      observerErrors: r.observerErrors,
    })),
    wallSeconds: meta.wallSeconds,
  };
}

/** What stdout shows: the plan, the table, what kvfleet does not win, the admission evidence, the checks. */
export function renderReport(doc: ResultsDocument): string {
  const lines: string[] = [];
  const c = doc.plan.counts;
  lines.push(`kvfleet plan, before the upgrade (${c.stranded} stranded, ${c['at-risk']} at-risk, ${c.deprecated} deprecated, ${c.ok} ok):`);
  lines.push(doc.plan.text);
  lines.push('');
  lines.push(
    `Upgrade simulator, seed ${doc.seed}: ${doc.scenario.nodes} nodes, ${doc.scenario.vmis} VMIs, ${doc.scenario.upgradedNodes} nodes RHEL 9.6 → 10.0 one at a time; ` +
      `times simulated (1 s = ${doc.realMsPerSimSecond} ms real)`,
  );
  lines.push('');
  lines.push(renderTable(doc.results));
  lines.push('');
  lines.push(renderComparisons(doc.comparisons));
  lines.push('');
  for (const run of doc.runs.filter((r) => r.kvfleet)) {
    const e = run.evidence;
    lines.push(
      `${run.mode}: ${run.policies?.length ?? 0} Kyverno policies Ready (${(run.probes ?? []).filter((p) => p.ok).length}/${run.probes?.length ?? 0} dry-run probes acted); ` +
        `VMIMs with the unschedulable timeout: ${e.vmimsWithUnschedulableTimeout}/${e.vmims}; target pods with kvfleet's machine-type selector: ` +
        `${e.targetPodsWithKvfleetMachineTypeSelector}/${e.targetPods}; fallback VMIMs pinned to their node: ${e.fallbacksPinned}/${e.fallbackVmims}`,
    );
  }
  for (const run of doc.runs) {
    const load = run.loadAverage ? `; machine load average ${run.loadAverage.mean} (max ${run.loadAverage.max}) on ${run.loadAverage.cores} cores` : '';
    lines.push(`${run.mode}: faults ${run.faults.map((f) => `${f.node} (during the drain of ${f.drainOf})`).join(', ') || 'none injected'}${load}`);
  }
  lines.push('');
  for (const c of doc.checks) lines.push(`${c.ok ? 'ok  ' : 'FAIL'} ${c.mode}: ${c.check} (${c.detail})`);
  lines.push(`bench:upgrade took ${Math.round(doc.wallSeconds)} s of real time`);
  return lines.join('\n');
}

function writeChart(doc: ResultsDocument, svg: string, jsonPath: string): void {
  mkdirSync(dirname(svg), { recursive: true });
  writeFileSync(
    svg,
    renderChart(doc.results, {
      title: `kvfleet upgrade simulator: ${doc.scenario.nodes} nodes, ${doc.scenario.vmis} VMIs, RHEL 9.6 → 10.0 on ${doc.scenario.upgradedNodes} nodes (seed ${doc.seed})`,
      subtitle: [
        'Real etcd + kube-apiserver + kube-scheduler per mode; real Kyverno admission and the real kvfleet controller in kvfleet modes; KubeVirt played by sim/kubevirt.',
        `Times are simulated (1 s = ${doc.realMsPerSimSecond} ms real). Figures from one run: ${relative(projectDir, jsonPath)}.`,
      ],
      command: doc.command,
    }),
  );
}

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    size: { type: 'string', default: 'full' },
    modes: { type: 'string', default: MODE_NAMES.join(',') },
    scale: { type: 'string', default: '10' },
    out: { type: 'string' },
    svg: { type: 'string' },
    logs: { type: 'string' },
    from: { type: 'string' },
  },
  strict: true,
});
const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);

if (values.from) {
  const stored = JSON.parse(readFileSync(values.from, 'utf8')) as ResultsDocument;
  // Comparisons and checks are derived: computed again, so a change to their rules shows.
  const doc: ResultsDocument = { ...stored, comparisons: compare(stored.results), checks: outcomeChecks(stored.results) };
  console.log(renderReport(doc));
  const svg = values.svg ?? (doc.size === 'full' && doc.results.length === MODE_NAMES.length ? join(RESULTS, 'upgrade-sim.svg') : undefined);
  if (svg) {
    writeChart(doc, svg, values.from);
    log(`SVG: ${relative(projectDir, svg)}`);
  }
} else {
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed ${values.seed}: an integer`);
  const scale = Number(values.scale);
  if (!(scale > 0)) throw new Error(`--scale ${values.scale}: real milliseconds per simulated second, > 0`);
  const modes = parseModes(values.modes);
  const size = values.size;
  const scenario = buildScenario(seed, size);
  const suffix = size === 'full' ? '' : `-${size}`;
  const out = values.out ?? join(RESULTS, `${seed}${suffix}.json`);
  // The README's chart only from a full four-mode run, unless a path is asked for.
  const svg = values.svg ?? (size === 'full' && modes.length === MODE_NAMES.length ? join(RESULTS, 'upgrade-sim.svg') : undefined);
  const logDir = values.logs ?? mkdtempSync(join(tmpdir(), 'kvfleet-upgrade-sim-'));
  const command = [
    'npm run bench:upgrade --',
    `--seed ${seed}`,
    ...(size !== 'full' ? [`--size ${size}`] : []),
    ...(values.modes !== MODE_NAMES.join(',') ? [`--modes ${values.modes}`] : []),
    ...(scale !== 10 ? [`--scale ${scale}`] : []),
  ].join(' ');

  const t0 = Date.now();
  if (modes.some((m) => MODES[m].kvfleet)) {
    log('building the controller bundle the image ships (npm run bundle)');
    buildControllerBundle();
  }
  log(
    `scenario seed ${seed}, size ${size}: ${scenario.nodes.length} nodes in ${scenario.pools.length} pools, ${scenario.vmis.length} VMIs, ` +
      `${scenario.upgradeOrder.length} nodes to upgrade, ${scenario.faults.length} faults; 1 simulated second = ${scale} ms; logs in ${logDir}`,
  );
  const runs: ModeRun[] = [];
  for (const m of modes) {
    const run = await runMode({ scenario, mode: MODES[m], realMsPerSimSecond: scale, log, logDir });
    runs.push(run);
    log(`${m}: done in ${Math.round(run.wallSeconds.total)} s (setup ${Math.round(run.wallSeconds.setup)} s, upgrade ${Math.round(run.wallSeconds.upgrade)} s)`);
  }
  const doc = documentOf(scenario, runs, { command, scale, wallSeconds: (Date.now() - t0) / 1000 });
  console.log(renderReport(doc));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
  // In the repository's own format, so `npm run lint` passes over a committed result (Biome only
  // formats files inside the repository).
  if (!relative(projectDir, out).startsWith('..')) {
    const formatted = spawnSync(join(projectDir, 'node_modules', '.bin', 'biome'), ['format', '--write', out], { encoding: 'utf8' });
    if (formatted.status !== 0) log(`biome format ${out} failed: ${formatted.stderr.slice(0, 400)}`);
  }
  log(`JSON: ${relative(projectDir, out)}`);
  if (svg) {
    writeChart(doc, svg, out);
    log(`SVG: ${relative(projectDir, svg)}`);
  }
  if (doc.checks.some((c) => !c.ok)) process.exitCode = 1;
}
