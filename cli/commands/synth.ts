/** `kvfleet synth`: validate the fleet and write dist/ atomically. */
import { type Command, Option } from 'commander';
import { type SynthResult, synthFleet } from '../../generators/synthFleet.js';
import { formatSummary } from '../../generators/synthSummary.js';
import { type CliContext, resolvePath } from '../cliContext.js';
import { type CheckProblem, checkProblem } from './check.js';

export const SYNTH_SCHEMA_VERSION = 'kvfleet.io/synth/v1';

/** `kvfleet synth --output json`: what was written, per folder of dist/, with the warnings as `check` reports them. */
export interface SynthReport {
  readonly schemaVersion: typeof SYNTH_SCHEMA_VERSION;
  readonly argocd: { readonly folder: string; readonly objects: number };
  readonly clusters: readonly { readonly cluster: string; readonly objects: number; readonly warnings: readonly CheckProblem[] }[];
}

export function synthReport(result: SynthResult): SynthReport {
  return {
    schemaVersion: SYNTH_SCHEMA_VERSION,
    argocd: { folder: result.argocd.folder, objects: result.argocd.objects },
    clusters: result.clusters.map((c) => ({ cluster: c.cluster, objects: c.objects, warnings: c.warnings.map(checkProblem) })),
  };
}

export function registerSynth(program: Command, ctx: CliContext): void {
  program
    .command('synth')
    .description('validate clusters/*.ts and write dist/<cluster>/ atomically (`npm run synth`; same output as `npm run synth:cdk8s`)')
    .option('--clusters <dir>', 'folder of cluster definition files', 'clusters')
    .option('--dist <dir>', 'output folder, replaced only when everything succeeded', 'dist')
    .addOption(new Option('--output <format>', 'text, or json (schemaVersion kvfleet.io/synth/v1)').choices(['text', 'json']).default('text'))
    .action(async (opts: { clusters: string; dist: string; output: 'text' | 'json' }) => {
      const result = await synthFleet({ clustersDir: resolvePath(ctx, opts.clusters), distDir: resolvePath(ctx, opts.dist), projectDir: ctx.cwd });
      console.log(opts.output === 'json' ? JSON.stringify(synthReport(result), null, 2) : formatSummary(result));
    });
}
