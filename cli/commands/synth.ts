/** `kvfleet synth`: validate the fleet and write dist/ atomically. */
import { type Command } from 'commander';
import { synthFleet } from '../../generators/synthFleet.js';
import { formatSummary } from '../../generators/synthSummary.js';
import { type CliContext, resolvePath } from '../cliContext.js';

export function registerSynth(program: Command, ctx: CliContext): void {
  program
    .command('synth')
    .description('validate clusters/*.ts and write dist/<cluster>/ atomically (`npm run synth`; same output as `npm run synth:cdk8s`)')
    .option('--clusters <dir>', 'folder of cluster definition files', 'clusters')
    .option('--dist <dir>', 'output folder, replaced only when everything succeeded', 'dist')
    .action(async (opts: { clusters: string; dist: string }) => {
      const result = await synthFleet({ clustersDir: resolvePath(ctx, opts.clusters), distDir: resolvePath(ctx, opts.dist), projectDir: ctx.cwd });
      console.log(formatSummary(result));
    });
}
