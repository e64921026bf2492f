/**
 * `kvfleet check`: everything `synth` validates (definitions, fleet rules, version lint,
 * kvfleet.config.ts), by the same function, and nothing written. For pre-commit hooks and CI.
 */
import { type Command } from 'commander';
import { checkFleet } from '../../generators/synthFleet.js';
import { DefinitionError } from '../../fleet/definitionError.js';
import { planCluster } from '../../plan/planCluster.js';
import { stepLint } from '../../plan/stepLint.js';
import { type CliContext, EXIT, resolvePath } from '../cliContext.js';
import { addInventoryOptions, type InventoryOptions, inventoryFromOptions } from '../inventorySource.js';

export const CHECK_SCHEMA_VERSION = 'kvfleet.io/check/v1';

/** One problem in `--output json`. */
export interface CheckProblem {
  readonly severity: 'error' | 'warning';
  /** Relative to the working directory: `clusters/prod-east.ts`. */
  readonly file: string;
  /** `file:line:column` position, for problems found in the source text. */
  readonly line?: number;
  readonly column?: number;
  /** Field path inside the definition; empty for the file as a whole. */
  readonly field: string;
  /** The value seen, when the message quotes one. */
  readonly value?: string;
  readonly message: string;
  readonly fix: string;
}

export interface CheckReport {
  readonly schemaVersion: typeof CHECK_SCHEMA_VERSION;
  readonly valid: boolean;
  /** Clusters without errors, by name. */
  readonly clusters: readonly string[];
  readonly errors: number;
  readonly warnings: number;
  readonly problems: readonly CheckProblem[];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Values are quoted by formatValue as `"…"` at the start of a problem (`"pc-q35-rhel9.5.0" is not in…`). */
function quotedValue(problem: string): string | undefined {
  const m = /^("(?:[^"\\]|\\.)*")/.exec(problem);
  return m ? (JSON.parse(m[1]!) as string) : undefined;
}

export function checkReport(clusters: readonly string[], problems: readonly DefinitionError[]): CheckReport {
  const errors = problems.filter((p) => p.severity === 'error').length;
  return {
    schemaVersion: CHECK_SCHEMA_VERSION,
    valid: errors === 0,
    clusters,
    errors,
    warnings: problems.length - errors,
    problems: problems.map(checkProblem),
  };
}

/** A problem as every JSON output shows it (check, and synth's warnings). */
export function checkProblem(p: DefinitionError): CheckProblem {
  const value = quotedValue(p.problem);
  return {
    severity: p.severity,
    file: p.file,
    ...(p.location ? { line: p.location.line, column: p.location.column } : {}),
    field: p.path,
    ...(value !== undefined ? { value } : {}),
    message: p.problem,
    fix: p.fix,
  };
}

/**
 * `file: field: problem` then the fix indented, as synth prints errors (DefinitionError.toString),
 * warnings marked after the position so `file:line:column` stays first for editors. Then a summary.
 */
export function formatCheck(report: CheckReport, problems: readonly DefinitionError[]): string {
  const lines = problems.map((p) =>
    (p.severity === 'warning' ? new DefinitionError(p.file, p.path, `warning: ${p.problem}`, p.fix, p.severity, p.location) : p).toString(),
  );
  const valid = `${plural(report.clusters.length, 'cluster')} valid`;
  const summary = report.valid ? `${valid}, ${plural(report.warnings, 'warning')}` : `${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')}; ${valid}`;
  return [...lines, summary].join('\n');
}

export function registerCheck(program: Command, ctx: CliContext): void {
  const command = program
    .command('check')
    .description('validate clusters/*.ts and kvfleet.config.ts exactly as synth does, without writing anything (pre-commit, CI)')
    .option('--clusters <dir>', 'folder of cluster definition files', 'clusters')
    .option('--cluster <name>', 'the cluster an inventory (--workloads or --live) belongs to');
  addInventoryOptions(command)
    .option('--strict', 'fail on warnings too')
    .option('--output <format>', 'text, or json (schemaVersion kvfleet.io/check/v1)', 'text')
    .addHelpText(
      'after',
      [
        '',
        'Prints each problem as `file: field: message` and the fix below it, warnings marked `warning:`,',
        'then a summary ("3 clusters valid, 2 warnings"). Paths are relative to the working directory.',
        '',
        'Exit codes:',
        `  ${EXIT.ok}  valid: no errors (warnings allowed unless --strict)`,
        `  ${EXIT.invalid}  an error in a definition or kvfleet.config.ts, a warning with --strict, or a bad flag`,
        `  ${EXIT.blocking}  with an inventory: a planned step drops the machine type of running VMs (named in the error)`,
        '',
        'With --cluster and an inventory (--workloads or --live), a planned step whose launcher lacks the',
        'machine type of a running VM is an error on that step naming the VMs (the lint `kvfleet plan` explains).',
      ].join('\n'),
    )
    .action(async (opts: { clusters: string; strict?: boolean; output: string } & InventoryOptions) => {
      if (opts.output !== 'text' && opts.output !== 'json') throw new Error(`--output must be text or json, not "${opts.output}"`);
      const inventory = await inventoryFromOptions(ctx, opts);
      const { clusters, problems } = await checkFleet({ clustersDir: resolvePath(ctx, opts.clusters), projectDir: ctx.cwd });
      const names = clusters.map((c) => c.definition.name).sort();
      const target = inventory ? clusters.find((c) => c.definition.name === opts.cluster) : undefined;
      if (inventory && !target && !problems.some((p) => p.severity === 'error')) throw new Error(`--cluster ${opts.cluster}: no such cluster (${names.join(', ')})`);
      const stepProblems = target && inventory ? stepLint(target.file, planCluster(target.definition, inventory)) : [];
      const all = [...problems, ...stepProblems];
      const report = checkReport(names, all);
      console.log(opts.output === 'json' ? JSON.stringify(report, null, 2) : formatCheck(report, all));
      if (problems.some((p) => p.severity === 'error') || (opts.strict && report.warnings > 0)) process.exitCode = EXIT.invalid;
      else if (stepProblems.length > 0) process.exitCode = EXIT.blocking;
    });
}
