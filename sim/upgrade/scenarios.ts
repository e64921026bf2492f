/**
 * The scenarios `npm run bench:upgrade -- --scenario <name>` runs, by name, one entry each. Most are
 * run by this simulator: how to build one from a seed and size, what it is about (report header,
 * chart title), and how one mode of it runs (the two here share runMode.ts). A scenario with modes,
 * figures and a report of its own brings its whole command instead (`main`, handed the arguments), so
 * adding it is one line here.
 */
import { kubeOvnMain } from '../kube-ovn/main.js';
import { preNativeSelectorMain } from '../pre-native-selector/main.js';
import { type ModeRun, type RunModeOptions, runMode } from './runMode.js';
import { buildMixedArchScenario, buildScenario, type Scenario } from './scenario.js';
import { type ScenarioTiming } from '../support/timing.js';

/** A scenario this simulator runs and reports. */
export interface ScenarioDefinition {
  /** One line: what the scenario shows. */
  readonly summary: string;
  /** One scenario, byte for byte, per seed, size and timing. */
  build(seed: number, size: string, timing?: ScenarioTiming): Scenario;
  /** One mode's run. */
  run(opts: RunModeOptions): Promise<ModeRun>;
}

/** A scenario with a command of its own: gets every argument (`--scenario` included), returns the exit code. */
export interface ScenarioCommand {
  readonly summary: string;
  main(argv: readonly string[]): Promise<number>;
}

export type ScenarioEntry = ScenarioDefinition | ScenarioCommand;

export const SCENARIOS = {
  'kubevirt-upgrade': { summary: 'a KubeVirt upgrade whose launcher drops types', build: buildScenario, run: runMode },
  'mixed-arch': { summary: 'a KubeVirt upgrade whose launcher drops types, on amd64 and arm64 pools', build: buildMixedArchScenario, run: runMode },
  'pre-1.5.1': {
    summary: 'KubeVirt 1.5.0 (no machine-type selector of its own) with a broken node: kvfleet labeller and selector vs none',
    main: preNativeSelectorMain,
  },
  'kube-ovn': { summary: 'every migration of a rolling drain through the real kube-ovn-controller: multi-chassis port or not', main: kubeOvnMain },
} as const satisfies Record<string, ScenarioEntry>;

export type ScenarioName = keyof typeof SCENARIOS;
export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];
/** What runs without `--scenario`, and what a results file without a scenario name holds. */
export const DEFAULT_SCENARIO: ScenarioName = 'kubevirt-upgrade';

/** The entry of `name`; throws naming the scenarios there are. */
export function scenarioEntry(name: string): ScenarioEntry {
  if (!(name in SCENARIOS)) throw new Error(`unknown scenario "${name}"; the scenarios are ${SCENARIO_NAMES.join(', ')}`);
  return SCENARIOS[name as ScenarioName];
}

/** The entry of `name`, a scenario this simulator runs; throws for one with a command of its own. */
export function scenarioDefinition(name: string): ScenarioDefinition {
  const entry: ScenarioEntry = scenarioEntry(name);
  if ('main' in entry) throw new Error(`scenario "${name}" has a command of its own; its results are not this simulator's`);
  return entry;
}

/** The value of `--scenario <name>` or `--scenario=<name>` in `argv` (the last one), if any. */
export function scenarioArgument(argv: readonly string[]): string | undefined {
  let found: string | undefined;
  argv.forEach((a, i) => {
    if (a === '--scenario' && i + 1 < argv.length) found = argv[i + 1];
    else if (a.startsWith('--scenario=')) found = a.slice('--scenario='.length);
  });
  return found;
}

/**
 * Where a run's figures go by default: `sim/upgrade/results/[<scenario>-]<seed>[-<size>].json` (the
 * default scenario keeps the names it had before there were others) and, for full runs of every mode,
 * the chart `upgrade-sim[-<scenario>].svg`.
 */
export function resultsNames(scenario: string, seed: number, size: string): { json: string; svg: string } {
  const prefix = scenario === DEFAULT_SCENARIO ? '' : `${scenario}-`;
  return {
    json: `${prefix}${seed}${size === 'full' ? '' : `-${size}`}.json`,
    svg: `upgrade-sim${scenario === DEFAULT_SCENARIO ? '' : `-${scenario}`}.svg`,
  };
}
