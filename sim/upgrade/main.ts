/**
 * `npm run bench:upgrade`: the upgrade simulator. Runs one seeded scenario (scenarios.ts; default
 * `kubevirt-upgrade`) in each mode (each on a fresh control plane with the real virt-controller),
 * prints `kvfleet plan`'s verdict, one table, the rows kvfleet does not win (with why) and the
 * outcome checks, and writes the JSON and the SVG chart. A scenario with a command of its own
 * (scenarios.ts `ScenarioCommand`) is handed every argument instead.
 *
 *   npm run bench:upgrade -- [--scenario kubevirt-upgrade|mixed-arch] [--seed 1]
 *                            [--size full|small|<nodes>x<vmis>] [--modes a,b]
 *                            [--out file.json] [--svg file.svg] [--logs dir]
 *   npm run bench:upgrade -- --from sim/upgrade/results/1-6x60.json [--svg file.svg]   # table and chart again, no run
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { projectDir } from '../../testbed/harness/toolPaths.js';
import { buildControllerBundle } from './kvfleetPart.js';
import { MODE_NAMES, MODES, parseModes } from './modes.js';
import { documentOf, rederived, renderReport, type ResultsDocument } from './resultsDocument.js';
import { type ModeRun } from './runMode.js';
import { FROM, TO, toLauncher } from './scenario.js';
import { DEFAULT_SCENARIO, resultsNames, SCENARIO_NAMES, scenarioArgument, scenarioDefinition, scenarioEntry } from './scenarios.js';
import { renderChart } from './svgChart.js';

const RESULTS = join(projectDir, 'sim', 'upgrade', 'results');

function gitSource(): { commit: string; changedFiles: number } | undefined {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: projectDir, encoding: 'utf8' });
  const head = git('rev-parse', 'HEAD');
  if (head.status !== 0) return undefined;
  const changed = git('status', '--porcelain').stdout.split('\n').filter(Boolean).length;
  return { commit: head.stdout.trim(), changedFiles: changed };
}

function writeChart(doc: ResultsDocument, svg: string, jsonPath: string): void {
  mkdirSync(dirname(svg), { recursive: true });
  writeFileSync(
    svg,
    renderChart(doc.results, {
      title: `kvfleet upgrade simulator: ${doc.scenario.nodes} nodes, ${doc.scenario.vmis} VMIs, ${scenarioDefinition(doc.scenario.name ?? DEFAULT_SCENARIO).summary} (seed ${doc.seed})`,
      subtitle: [
        'Real etcd + kube-apiserver + kube-scheduler + virt-controller v1.7.0 per mode; kubelet, virt-handler and virt-api played by testbed/harness/kubevirtStandIns.ts;',
        `real Kyverno admission and the real kvfleet controller in the kvfleet mode. Real time. Figures from one run: ${relative(projectDir, jsonPath)}.`,
      ],
      command: doc.command,
    }),
  );
}

const OPTIONS = {
  scenario: { type: 'string', default: DEFAULT_SCENARIO },
  seed: { type: 'string', default: '1' },
  size: { type: 'string', default: 'full' },
  modes: { type: 'string', default: MODE_NAMES.join(',') },
  out: { type: 'string' },
  svg: { type: 'string' },
  logs: { type: 'string' },
  from: { type: 'string' },
} as const;
type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true }>>['values'];
const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);

/** `--from`: the table and chart of a stored run again. */
function fromFile(values: Values, file: string): number {
  const doc = rederived(JSON.parse(readFileSync(file, 'utf8')) as ResultsDocument);
  console.log(renderReport(doc));
  const names = resultsNames(doc.scenario.name ?? DEFAULT_SCENARIO, doc.seed, doc.size);
  const svg = values.svg ?? (doc.size === 'full' && doc.results.length === MODE_NAMES.length ? join(RESULTS, names.svg) : undefined);
  if (svg) {
    writeChart(doc, svg, file);
    log(`SVG: ${relative(projectDir, svg)}`);
  }
  return 0;
}

/** Every mode of the scenario, one after the other; the report, the JSON and (full runs) the chart. */
async function run(values: Values): Promise<number> {
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed ${values.seed}: an integer`);
  const modes = parseModes(values.modes);
  const size = values.size;
  const definition = scenarioDefinition(values.scenario);
  const scenario = definition.build(seed, size);
  const names = resultsNames(scenario.name, seed, size);
  const out = values.out ?? join(RESULTS, names.json);
  // The chart only from a full run of every mode, unless a path is asked for.
  const svg = values.svg ?? (size === 'full' && modes.length === MODE_NAMES.length ? join(RESULTS, names.svg) : undefined);
  const logDir = values.logs ?? mkdtempSync(join(tmpdir(), 'kvfleet-upgrade-sim-'));
  const command = [
    'npm run bench:upgrade --',
    ...(scenario.name !== DEFAULT_SCENARIO ? [`--scenario ${scenario.name}`] : []),
    `--seed ${seed}`,
    ...(size !== 'full' ? [`--size ${size}`] : []),
    ...(values.modes !== MODE_NAMES.join(',') ? [`--modes ${values.modes}`] : []),
  ].join(' ');

  const t0 = Date.now();
  if (modes.some((m) => MODES[m].kvfleet)) {
    log('building the controller bundle the image ships (npm run bundle)');
    buildControllerBundle();
  }
  const pools = scenario.pools.map((p) => `${p.name} ${p.architecture} ×${p.nodes.length}`).join(', ');
  log(
    `scenario ${scenario.name} (of ${SCENARIO_NAMES.join(', ')}), seed ${seed}, size ${size}: ${scenario.nodes.length} nodes (${pools}), ${scenario.vmis.length} VMIs; ` +
      `KubeVirt ${FROM.version} → ${TO.version} (${toLauncher().id}); logs in ${logDir}`,
  );
  const runs: ModeRun[] = [];
  for (const m of modes) {
    const r = await definition.run({ scenario, mode: MODES[m], log, logDir });
    runs.push(r);
    log(`${m}: done in ${Math.round(r.wallSeconds.total)} s (setup ${Math.round(r.wallSeconds.setup)} s, step ${Math.round(r.wallSeconds.step)} s)`);
  }
  const doc = documentOf(scenario, runs, { command, wallSeconds: (Date.now() - t0) / 1000, source: gitSource() });
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
  return doc.checks.some((c) => !c.ok) ? 1 : 0;
}

const argv = process.argv.slice(2);
const entry = scenarioEntry(scenarioArgument(argv) ?? DEFAULT_SCENARIO);
if ('main' in entry) {
  // A scenario with a command of its own takes every argument.
  process.exitCode = await entry.main(argv);
} else {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
  process.exitCode = values.from ? fromFile(values, values.from) : await run(values);
}
