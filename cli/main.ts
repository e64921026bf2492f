/** The `kvfleet` command line. */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { FleetDefinitionErrors } from '../policies/definitionError.js';
import { synthFleet } from '../generators/synthFleet.js';
import { formatSummary } from '../generators/synthSummary.js';

const projectDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function buildCli(): Command {
  const program = new Command('kvfleet')
    .description('Keeps KubeVirt live migration on nodes that support the VM machine type, across a fleet of clusters')
    .showHelpAfterError();

  program
    .command('synth')
    .description('validate clusters/*.ts and write dist/<cluster>/ atomically (same output as `cdk8s synth`)')
    .option('--clusters <dir>', 'folder of cluster definition files', join(projectDir, 'clusters'))
    .option('--dist <dir>', 'output folder, replaced only when everything succeeded', join(projectDir, 'dist'))
    .action(async (opts: { clusters: string; dist: string }) => {
      const result = await synthFleet({ clustersDir: resolve(opts.clusters), distDir: resolve(opts.dist), projectDir: process.cwd() });
      console.log(formatSummary(result));
    });

  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildCli().parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    console.error(e instanceof FleetDefinitionErrors ? e.message : `kvfleet: ${(e as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
