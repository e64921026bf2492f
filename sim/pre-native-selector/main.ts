/**
 * The pre-1.5.1 scenario's entry (the lead wires it into `npm run bench:upgrade -- --scenario pre-1.5.1`).
 * Runs each mode on a fresh control plane, prints one Markdown table (KubeVirt 1.5.0 alone against
 * kvfleet) and the rows kvfleet does not win with why, and writes the JSON.
 *
 *   preNativeSelectorMain(['--seed', '1', '--size', '6x60'])            both modes; needs virt-controller v1.5.0
 *   preNativeSelectorMain(['--from', 'sim/pre-native-selector/results/1-6x60.json'])   the table again, no run
 *
 * Flags: --seed (1), --size (full | small | <healthy nodes>x<vmis>; the broken node is one more),
 * --modes (baseline,kvfleet), --out (results/<seed>-<size>.json), --logs (keep each mode's logs and
 * record there), --from (print a stored result). Returns the exit code: 0, or 1 when the kvfleet mode
 * let a migration fail on a node lacking the type.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { projectDir } from '../../testbed/harness/toolPaths.js';
import { DEFAULT_KUBEVIRT_VERSION, virtControllerBinary } from '../../testbed/harness/virtController.js';
import { buildControllerBundle } from '../upgrade/kvfleetPart.js';
import { LABELLER_BUNDLE } from './labellerRun.js';
import { PRE_NATIVE_MODES, type PreNativeModeName, type PreNativeRecord, type PreNativeResult } from './metrics.js';
import { notBetterRows, renderNotBetter, renderTable } from './report.js';
import { type PreNativeRun, runPreNativeMode } from './runMode.js';
import { BROKEN_NODE, buildPreNativeScenario, KUBEVIRT, type PreNativeScenario, SCENARIO_NAME, STALE_LAUNCHER, vmisLackingOnBrokenNode } from './scenario.js';

export const RESULTS_DIR = join(projectDir, 'sim', 'pre-native-selector', 'results');

/** What the JSON holds: enough for `--from` to print the table again. */
export interface PreNativeDocument {
  readonly scenario: string;
  readonly command: string;
  readonly seed: number;
  readonly size: string;
  readonly setup: {
    readonly kubevirt: string;
    readonly healthyNodes: number;
    readonly brokenNode: string;
    readonly brokenNodeLauncher: string;
    readonly vmis: number;
    /** VMIs whose type the broken node's launcher lacks. */
    readonly vmisLackingOnBrokenNode: number;
    readonly drainOrder: readonly string[];
  };
  readonly results: readonly PreNativeResult[];
  /** Each run without its result (above) and with its record's per-VMIM and per-pod lists left out (`--logs` keeps them). */
  readonly runs: readonly StoredRun[];
  readonly wallSeconds: number;
}

export type StoredRun = Omit<PreNativeRun, 'result' | 'record'> & { readonly record: Omit<PreNativeRecord, 'migrations' | 'targetPods'> };

/** What the JSON keeps of a run: everything but the result and the record's long lists. */
export function storedRun(run: Omit<PreNativeRun, 'result'>): StoredRun {
  const { migrations: _migrations, targetPods: _targetPods, ...record } = run.record;
  return { ...run, record };
}

export function parseModeList(list: string): PreNativeModeName[] {
  const asked = list.split(',').map((m) => m.trim());
  const unknown = asked.filter((m) => !(PRE_NATIVE_MODES as readonly string[]).includes(m));
  if (unknown.length || asked.length === 0) throw new Error(`--modes ${list}: the modes are ${PRE_NATIVE_MODES.join(', ')}`);
  return PRE_NATIVE_MODES.filter((m) => asked.includes(m));
}

export function renderDocument(doc: PreNativeDocument): string {
  const s = doc.setup;
  return [
    `Scenario ${doc.scenario}, seed ${doc.seed}: KubeVirt ${s.kubevirt}, ${s.healthyNodes} healthy nodes drained in turn, ${s.brokenNode} running ` +
      `${s.brokenNodeLauncher} (lacks the type of ${s.vmisLackingOnBrokenNode} of ${s.vmis} VMIs); real time`,
    '',
    renderTable(doc.results),
    '',
    renderNotBetter(notBetterRows(doc.results)),
  ].join('\n');
}

function documentOf(s: PreNativeScenario, runs: readonly PreNativeRun[], command: string, wallSeconds: number): PreNativeDocument {
  return {
    scenario: SCENARIO_NAME,
    command,
    seed: s.seed,
    size: s.size,
    setup: {
      kubevirt: KUBEVIRT.version,
      healthyNodes: s.base.nodes.length,
      brokenNode: BROKEN_NODE,
      brokenNodeLauncher: `kubevirt-${STALE_LAUNCHER.version}/${STALE_LAUNCHER.build}`,
      vmis: s.base.vmis.length,
      vmisLackingOnBrokenNode: vmisLackingOnBrokenNode(s).length,
      drainOrder: s.base.drainOrder,
    },
    results: runs.map((r) => r.result),
    runs: runs.map(({ result: _result, ...rest }) => storedRun(rest)),
    wallSeconds,
  };
}

/** `--from`, or a run of the asked modes; returns the exit code. */
export async function preNativeSelectorMain(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      // Chosen by sim/upgrade/main.ts's registry, which hands every argument on.
      scenario: { type: 'string' },
      seed: { type: 'string', default: '1' },
      size: { type: 'string', default: 'full' },
      modes: { type: 'string', default: PRE_NATIVE_MODES.join(',') },
      out: { type: 'string' },
      logs: { type: 'string' },
      from: { type: 'string' },
    },
    strict: true,
  });
  const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  if (values.from) {
    console.log(renderDocument(JSON.parse(readFileSync(values.from, 'utf8')) as PreNativeDocument));
    return 0;
  }
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed ${values.seed}: an integer`);
  const modes = parseModeList(values.modes);
  const scenario = buildPreNativeScenario(seed, values.size);
  requireVirtController();
  const out = values.out ?? join(RESULTS_DIR, `${seed}-${values.size}.json`);
  const logDir = values.logs ?? mkdtempSync(join(tmpdir(), 'kvfleet-pre-native-'));
  const command = `npm run bench:upgrade -- --scenario ${SCENARIO_NAME} --seed ${seed} --size ${values.size}${values.modes !== PRE_NATIVE_MODES.join(',') ? ` --modes ${values.modes}` : ''}`;
  const t0 = Date.now();
  if (modes.includes('kvfleet')) {
    log('building the controller and labeller bundles the images ship (npm run bundle)');
    buildControllerBundle();
    if (!existsSync(LABELLER_BUNDLE)) throw new Error(`npm run bundle wrote no ${LABELLER_BUNDLE}`);
  }
  log(
    `scenario ${SCENARIO_NAME}, seed ${seed}, size ${values.size}: ${scenario.base.nodes.length} healthy nodes + ${BROKEN_NODE}, ${scenario.base.vmis.length} VMIs; logs in ${logDir}`,
  );
  const runs: PreNativeRun[] = [];
  for (const mode of modes) {
    const run = await runPreNativeMode({ scenario, mode, log, logDir });
    runs.push(run);
    log(`${mode}: done in ${Math.round(run.wallSeconds.total)} s (setup ${Math.round(run.wallSeconds.setup)} s, drains ${Math.round(run.wallSeconds.drains)} s)`);
  }
  const doc = documentOf(scenario, runs, command, (Date.now() - t0) / 1000);
  console.log(renderDocument(doc));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
  formatJson(out, log);
  log(`JSON: ${relative(projectDir, out)}`);
  const kv = doc.results.find((r) => r.mode === 'kvfleet');
  return kv && kv.failedOnNodeLackingType > 0 ? 1 : 0;
}

/**
 * Bench-only: the default tool build has virt-controller v1.7.0 alone (a v1.5.0 build costs 13–17 min
 * cold), and `testbed/tools.sh paths`, which the harness reads once per process (testbed/harness/toolPaths.ts),
 * lists a version only when KVFLEET_KUBEVIRT_VERSIONS names it: so it is added here before the first read.
 */
function requireVirtController(): void {
  const wanted = `v${KUBEVIRT.version}`;
  const versions = (process.env.KVFLEET_KUBEVIRT_VERSIONS ?? DEFAULT_KUBEVIRT_VERSION).split(/\s+/).filter(Boolean);
  if (!versions.includes(wanted)) process.env.KVFLEET_KUBEVIRT_VERSIONS = [...versions, wanted].join(' ');
  let binary = '';
  try {
    binary = virtControllerBinary(wanted);
  } catch {
    // not listed: not built
  }
  if (!existsSync(binary)) {
    throw new Error(
      `virt-controller ${wanted} is not built: run KVFLEET_KUBEVIRT_VERSIONS="${DEFAULT_KUBEVIRT_VERSION} ${wanted}" bash testbed/tools.sh ensure (13–17 min cold)`,
    );
  }
}

/** In the repository's own format, so `npm run lint` passes over a committed result (as sim/upgrade/main.ts does). */
export function formatJson(file: string, log: (line: string) => void): void {
  if (relative(projectDir, file).startsWith('..')) return; // Biome formats files inside the repository only
  const formatted = spawnSync(join(projectDir, 'node_modules', '.bin', 'biome'), ['format', '--write', file], { encoding: 'utf8' });
  if (formatted.status !== 0) log(`biome format ${file} failed: ${formatted.stderr.slice(0, 400)}`);
}
