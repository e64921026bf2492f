/**
 * The Kube-OVN scenario of `npm run bench:upgrade -- --scenario kube-ovn`: each mode on a fresh
 * control plane with the real virt-controller and the real kube-ovn-controller; prints what kvfleet's
 * version lint says of the release, one table per phase and the checks, and writes the JSON.
 *
 *   npm run bench:upgrade -- --scenario kube-ovn [--seed 1] [--size full|small|<nodes>x<vms>]
 *                            [--modes optimisation-off,kvfleet] [--out file.json] [--logs dir]
 *   npm run bench:upgrade -- --scenario kube-ovn --from sim/kube-ovn/results/1-full.json
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { knownIssuesOf } from '../../fleet/versionLint.js';
import { projectDir } from '../../testbed/harness/toolPaths.js';
import { type MigrationNetworkRecord } from './metrics.js';
import { KUBE_OVN_MODE_NAMES, KUBE_OVN_MODES, type KubeOvnModeName } from './modes.js';
import { type KubeOvnCheck, kubeOvnChecks, type ModeFigures, renderKubeOvnChecks, renderKubeOvnTables } from './report.js';
import { type KubeOvnDrainRecord, runKubeOvnMode } from './runMode.js';
import { buildKubeOvnScenario, type KubeOvnScenario, kubeOvnScenarioCluster, SIM_KUBE_OVN_VERSION } from './scenario.js';

const RESULTS = join(projectDir, 'sim', 'kube-ovn', 'results');

export interface KubeOvnResultsDocument {
  readonly command: string;
  readonly seed: number;
  readonly size: string;
  readonly scenario: { readonly nodes: number; readonly vms: number; readonly drainOrder: readonly string[]; readonly timing: KubeOvnScenario['timing'] };
  /** kvfleet's version lint on the release the run uses: what it predicts before anything runs. */
  readonly lint: readonly { readonly id: string; readonly severity: string; readonly problem: string }[];
  readonly results: readonly (ModeFigures & {
    readonly description: string;
    readonly flags: readonly string[];
    readonly drains: readonly KubeOvnDrainRecord[];
    readonly migrations: readonly MigrationNetworkRecord[];
    readonly kubeOvnControllerStartMs: number;
    readonly wallSeconds: number;
    readonly errors: readonly string[];
  })[];
  readonly checks: readonly KubeOvnCheck[];
}

export function renderKubeOvnReport(doc: KubeOvnResultsDocument): string {
  const lint = doc.lint.map((l) => `  ${l.severity} ${l.id}: ${l.problem}`).join('\n') || '  nothing';
  return [
    `Kube-OVN scenario, seed ${doc.seed}, size ${doc.size}: ${doc.scenario.nodes} nodes, ${doc.scenario.vms} VMs`,
    `kvfleet's version lint on Kube-OVN ${SIM_KUBE_OVN_VERSION} (before the run):\n${lint}`,
    '',
    renderKubeOvnTables(doc.results),
    '',
    renderKubeOvnChecks(doc.checks),
  ].join('\n');
}

function parseKubeOvnModes(list: string): KubeOvnModeName[] {
  const asked = list.split(',').map((s) => s.trim());
  const unknown = asked.filter((m) => !(KUBE_OVN_MODE_NAMES as readonly string[]).includes(m));
  if (unknown.length) throw new Error(`unknown mode(s) ${unknown.join(', ')}; the Kube-OVN scenario's modes are ${KUBE_OVN_MODE_NAMES.join(', ')}`);
  return KUBE_OVN_MODE_NAMES.filter((m) => asked.includes(m));
}

/** Runs the scenario (or re-renders `--from`); returns the exit code. */
export async function kubeOvnMain(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      scenario: { type: 'string' },
      seed: { type: 'string', default: '1' },
      size: { type: 'string', default: 'full' },
      modes: { type: 'string', default: KUBE_OVN_MODE_NAMES.join(',') },
      out: { type: 'string' },
      logs: { type: 'string' },
      from: { type: 'string' },
    },
  });
  if (values.from) {
    console.log(renderKubeOvnReport(JSON.parse(readFileSync(values.from, 'utf8')) as KubeOvnResultsDocument));
    return 0;
  }
  const scenario = buildKubeOvnScenario(Number(values.seed), values.size);
  const t0 = Date.now();
  const log = (line: string) => console.error(`[${Math.round((Date.now() - t0) / 1000)} s] ${line}`);
  const runs = [];
  for (const name of parseKubeOvnModes(values.modes))
    runs.push(await runKubeOvnMode({ scenario, mode: KUBE_OVN_MODES[name], log, ...(values.logs ? { logDir: values.logs } : {}) }));
  const results = runs.map((r) => ({
    mode: r.mode.name,
    description: r.mode.description,
    flags: r.flags,
    phases: r.phases,
    drains: r.drains,
    migrations: r.migrations,
    kubeOvnControllerStartMs: r.kubeOvnControllerStartMs,
    wallSeconds: r.wallSeconds,
    errors: r.errors,
  }));
  const doc: KubeOvnResultsDocument = {
    command: `npm run bench:upgrade -- ${argv.join(' ')}`.trim(),
    seed: scenario.seed,
    size: scenario.size,
    scenario: { nodes: scenario.nodes.length, vms: scenario.vms.length, drainOrder: scenario.drainOrder, timing: scenario.timing },
    lint: knownIssuesOf(kubeOvnScenarioCluster(scenario.nodes.length))
      .filter((f) => f.issue.component === 'kube-ovn')
      .map((f) => ({ id: f.issue.id, severity: f.issue.severity, problem: f.issue.problem })),
    results,
    checks: kubeOvnChecks(results),
  };
  const out = values.out ?? join(RESULTS, `${scenario.seed}-${scenario.size}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
  console.log(renderKubeOvnReport(doc));
  console.log(`\nwrote ${relative(projectDir, out)}`);
  return doc.checks.every((c) => c.ok || c.informational) ? 0 : 1;
}
