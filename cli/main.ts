/**
 * The `kvfleet` command line. Each command lives in cli/commands/<name>.ts and registers itself
 * here; this file only wires them and turns errors into a message and an exit code.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { FleetDefinitionErrors } from '../policies/definitionError.js';
import { type CliContext, defaultContext, EXIT } from './cliContext.js';
import { registerDiff } from './commands/diff.js';
import { registerPlan } from './commands/plan.js';
import { registerSynth } from './commands/synth.js';

export function buildCli(ctx: CliContext = defaultContext()): Command {
  const program = new Command('kvfleet')
    .description('Keeps KubeVirt live migration on nodes that support the VM machine type, across a fleet of clusters')
    .showHelpAfterError();
  registerSynth(program, ctx);
  registerPlan(program, ctx);
  registerDiff(program, ctx);
  return program;
}

export async function main(argv: readonly string[], ctx: CliContext = defaultContext()): Promise<number> {
  try {
    process.exitCode = 0;
    await buildCli(ctx).parseAsync([...argv], { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (e) {
    console.error(e instanceof FleetDefinitionErrors ? e.message : `kvfleet: ${(e as Error).message}`);
    return EXIT.invalid;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
