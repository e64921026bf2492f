/**
 * `npm run bench:upgrade`: the upgrade simulator. Runs the same seeded KubeVirt-upgrade scenario in
 * each mode (each on a fresh control plane with the real virt-controller), prints `kvfleet plan`'s
 * verdict, one table, the rows kvfleet does not win and the outcome checks, and writes the JSON and
 * the SVG chart.
 *
 *   npm run bench:upgrade -- [--seed 1] [--size full|small|<nodes>x<vmis>] [--modes a,b]
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
import { compare, type Comparison, type OutcomeCheck, outcomeChecks, renderComparisons, renderTable } from './report.js';
import { type ModeRun, runMode } from './runMode.js';
import { buildScenario, FROM, type Scenario, TO, toLauncher } from './scenario.js';
import { renderChart } from './svgChart.js';

const RESULTS = join(projectDir, 'sim', 'upgrade', 'results');

/** What one invocation writes to JSON, and all `--from` needs to print the table and draw the chart again. */
export interface ResultsDocument {
  readonly command: string;
  readonly seed: number;
  readonly size: string;
  /** The commit the run was made from, and how many files the working tree changed on top of it. */
  readonly source?: { readonly commit: string; readonly changedFiles: number };
  readonly scenario: Record<string, unknown> & { readonly nodes: number; readonly vmis: number };
  readonly plan: {
    readonly text: string;
    readonly stranded: readonly string[];
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
    readonly outdatedAtEnd: readonly { namespace: string; name: string; machineType: string }[];
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

function gitSource(): { commit: string; changedFiles: number } | undefined {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: projectDir, encoding: 'utf8' });
  const head = git('rev-parse', 'HEAD');
  if (head.status !== 0) return undefined;
  const changed = git('status', '--porcelain').stdout.split('\n').filter(Boolean).length;
  return { commit: head.stdout.trim(), changedFiles: changed };
}

function documentOf(scenario: Scenario, runs: readonly ModeRun[], meta: { command: string; wallSeconds: number }): ResultsDocument {
  const results = runs.map((r) => r.result);
  const p = runs[0]!.plan;
  return {
    command: meta.command,
    seed: scenario.seed,
    size: scenario.size,
    source: gitSource(),
    scenario: {
      nodes: scenario.nodes.length,
      vmis: scenario.vmis.length,
      step: `KubeVirt ${FROM.version} (${FROM.build}) → ${TO.version} (${TO.build}, ${TO.image}); virt-controller v${FROM.version} restarted on the new image`,
      vmiKinds: Object.fromEntries(
        ['q35', 'pinned-rhel9', 'pinned-rhel8', 'pinned-rhel7-q35', 'pinned-i440fx'].map((k) => [k, scenario.vmis.filter((v) => v.kind === k).length]),
      ),
      nodeMemoryMiB: scenario.nodes[0]!.capacity.memoryMiB,
      rolloutOrder: scenario.rolloutOrder,
      drainOrder: scenario.drainOrder,
      timing: scenario.timing,
    },
    plan: { text: p.text, stranded: p.stranded, restarts: p.restarts, holds: p.holds, counts: p.counts },
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
  lines.push('');
  lines.push(`Upgrade simulator, seed ${doc.seed}: ${doc.scenario.nodes} nodes, ${doc.scenario.vmis} VMIs; ${doc.scenario.step}; real time`);
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

function writeChart(doc: ResultsDocument, svg: string, jsonPath: string): void {
  mkdirSync(dirname(svg), { recursive: true });
  writeFileSync(
    svg,
    renderChart(doc.results, {
      title: `kvfleet upgrade simulator: ${doc.scenario.nodes} nodes, ${doc.scenario.vmis} VMIs, a KubeVirt upgrade whose launcher drops types (seed ${doc.seed})`,
      subtitle: [
        'Real etcd + kube-apiserver + kube-scheduler + virt-controller v1.7.0 per mode; kubelet, virt-handler and virt-api played by test/harness/kubevirtStandIns.ts;',
        `real Kyverno admission and the real kvfleet controller in the kvfleet mode. Real time. Figures from one run: ${relative(projectDir, jsonPath)}.`,
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
  ].join(' ');

  const t0 = Date.now();
  if (modes.some((m) => MODES[m].kvfleet)) {
    log('building the controller bundle the image ships (npm run bundle)');
    buildControllerBundle();
  }
  log(
    `scenario seed ${seed}, size ${size}: ${scenario.nodes.length} nodes, ${scenario.vmis.length} VMIs; KubeVirt ${FROM.version} → ${TO.version} (${toLauncher().id}); logs in ${logDir}`,
  );
  const runs: ModeRun[] = [];
  for (const m of modes) {
    const run = await runMode({ scenario, mode: MODES[m], log, logDir });
    runs.push(run);
    log(`${m}: done in ${Math.round(run.wallSeconds.total)} s (setup ${Math.round(run.wallSeconds.setup)} s, step ${Math.round(run.wallSeconds.step)} s)`);
  }
  const doc = documentOf(scenario, runs, { command, wallSeconds: (Date.now() - t0) / 1000 });
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
