/** `kvfleet diff`: what a change does to each cluster, against a git base. */
import { resolve } from 'node:path';
import { type Command } from 'commander';
import { diffMatrices, isEmptyDiff } from '../../policies/matrixDiff.js';
import { type CliContext, resolvePath } from '../cliContext.js';
import { formatDiff } from '../diffReport.js';
import { changedDistFiles, clustersAtBase, clustersInTree, matrixAtBase, matrixInTree } from '../distDiff.js';

export function registerDiff(program: Command, ctx: CliContext): void {
  program
    .command('diff')
    .description('summarise what the change does to each cluster (machine types denied/admitted, pools, objects) against a git base')
    .option('--base <ref>', 'git revision to compare with (the PR target)', 'HEAD')
    .option('--dist <dir>', 'the synthesised output folder (run synth first)', 'dist')
    .action((opts: { base: string; dist: string }) => {
      const distDir = resolvePath(ctx, opts.dist);
      const repo = resolve(distDir, '..');
      const clusters = [...new Set([...clustersAtBase(repo, opts.base, distDir), ...clustersInTree(distDir)])].sort();
      const diffs = clusters.map((c) => diffMatrices(matrixAtBase(repo, opts.base, distDir, c), matrixInTree(distDir, c))).filter((d) => !isEmptyDiff(d));
      console.log(formatDiff(diffs, changedDistFiles(repo, opts.base, distDir), opts.base));
    });
}
