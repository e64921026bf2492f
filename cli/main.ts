/**
 * The `kvfleet` command line. Each command lives in cli/commands/<name>.ts and registers itself
 * here; this file only wires them and turns errors into a message and an exit code.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { FleetDefinitionErrors } from '../fleet/definitionError.js';
import { type CliContext, defaultContext, EXIT, exitCodesHelp, relativeMessage } from './cliContext.js';
import { registerCheck } from './commands/check.js';
import { registerDiff } from './commands/diff.js';
import { registerExplain } from './commands/explain.js';
import { registerPlan } from './commands/plan.js';
import { registerSynth } from './commands/synth.js';
import { registerVersion } from './commands/version.js';

export function buildCli(ctx: CliContext = defaultContext()): Command {
  const program = new Command('kvfleet')
    .description('Keeps KubeVirt live migration on nodes that support the VM machine type, across a fleet of clusters')
    .showHelpAfterError()
    // Commander prints help, the version and its own usage errors, then main() returns the exit code
    // instead of commander calling process.exit (which would also end a test run in-process).
    .exitOverride()
    .addHelpText('after', exitCodesHelp());
  registerVersion(program);
  registerSynth(program, ctx);
  registerCheck(program, ctx);
  registerPlan(program, ctx);
  registerDiff(program, ctx);
  registerExplain(program, ctx);
  return program;
}

export async function main(argv: readonly string[], ctx: CliContext = defaultContext()): Promise<number> {
  try {
    process.exitCode = 0;
    await buildCli(ctx).parseAsync([...argv], { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (e) {
    // Already printed by commander: help and --version (exit 0), or a usage error it explained.
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    const message = e instanceof FleetDefinitionErrors ? e.message : `kvfleet: ${(e as Error).message}`;
    console.error(relativeMessage(ctx, message));
    return EXIT.invalid;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
