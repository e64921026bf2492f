/**
 * `kvfleet diff`: what a change does to each cluster and to delivery, against a git base. Both sides
 * are synthesised afresh (cli/diff/synthesiseSides.ts), so the answer never depends on whether someone
 * ran synth (issue 14); the comparison is pure (cli/diff/diffTrees.ts).
 */
import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { parseAllDocuments } from 'yaml';
import { loadFleet } from '../../fleet/loadFleet.js';
import { inventoryFromObjects } from '../../plan/inventoryFromObjects.js';
import { type CliContext, displayPath, resolvePath } from '../cliContext.js';
import { diffMarkdown } from '../diff/diffMarkdown.js';
import { diffReport } from '../diff/diffSummary.js';
import { diffTrees } from '../diff/diffTrees.js';
import { readDistFiles } from '../diff/distFiles.js';
import { distFreshness } from '../diff/distFreshness.js';
import { distTreeFromFiles } from '../diff/distTree.js';
import { type VmVerdictDiff } from '../diff/fleetDiffModel.js';
import { type BaseSide, DiffRefusal, gitTopLevel, projectPathIn, resolveBase, synthesiseBase, synthesiseWorkingTree } from '../diff/synthesiseSides.js';
import { vmVerdictChanges } from '../diff/vmVerdictChanges.js';

interface DiffOptions {
  readonly base?: string;
  readonly clusters: string;
  readonly dist: string;
  readonly output: 'markdown' | 'json';
  readonly cluster?: string;
  readonly workloads?: string[];
}

export function registerDiff(program: Command, ctx: CliContext): void {
  program
    .command('diff')
    .description(
      'what the change does to each cluster (machine types denied/warned, enforcement, controller/KubeVirt/Kube-OVN settings, rollout stages, objects) against a git base; ' +
        'synthesises both sides itself, so it is never stale. Exit 0 with or without changes, 1 when it cannot compare',
    )
    .option('--base <ref>', 'git revision to compare with (default: the merge base of origin/main and HEAD, or HEAD without origin/main)')
    .option('--clusters <dir>', 'folder of cluster definition files of the working tree', 'clusters')
    .option('--dist <dir>', 'the committed output, checked for staleness against a fresh synth', 'dist')
    .addOption(new Option('--output <format>', 'markdown for a PR comment, or json (schemaVersion kvfleet.io/diff/v1)').choices(['markdown', 'json']).default('markdown'))
    .option('--cluster <name>', 'the cluster the --workloads belong to')
    .option('--workloads <files...>', 'YAML of nodes/VMs/VMIs (`kubectl get nodes,vm,vmi -A -o yaml`): list the VMs whose plan verdict changes; needs --cluster')
    .action(async (opts: DiffOptions) => {
      if (opts.workloads && !opts.cluster) throw new DiffRefusal('diff: --workloads needs --cluster: workloads belong to one cluster');
      const top = gitTopLevel(ctx.cwd);
      const base = resolveBase(top, opts.base);
      const clustersDir = resolvePath(ctx, opts.clusters);
      const before = await synthesiseBase(top, projectPathIn(top, ctx.cwd), base, {
        definitions: opts.workloads !== undefined,
        clustersPath: displayPath(ctx, clustersDir),
      });
      const afterFiles = await synthesiseWorkingTree(clustersDir, ctx.cwd);
      const diff = diffTrees(distTreeFromFiles(before.files), distTreeFromFiles(afterFiles));
      const workloads = opts.workloads && opts.cluster ? await workloadVerdicts(ctx, opts.cluster, opts.workloads, before, clustersDir) : undefined;
      const report = diffReport(diff, base, distFreshness(readDistFiles(resolvePath(ctx, opts.dist)), afterFiles), workloads);
      console.log(opts.output === 'json' ? JSON.stringify(report, null, 2) : diffMarkdown(report).trimEnd());
    });
}

/** The VM section: the inventory judged against the base's and the working tree's definition of `cluster`. */
async function workloadVerdicts(ctx: CliContext, cluster: string, files: readonly string[], before: BaseSide, clustersDir: string): Promise<VmVerdictDiff> {
  const after = (await loadFleet(clustersDir, ctx.cwd)).clusters.map((c) => c.definition);
  const definitionAfter = after.find((d) => d.name === cluster);
  const definitionBefore = before.definitions?.find((d) => d.name === cluster);
  if (!definitionAfter && !definitionBefore && before.definitions) {
    throw new DiffRefusal(`diff: --cluster "${cluster}" is in neither side (working tree has: ${after.map((d) => d.name).join(', ')}); name one of them`);
  }
  if (!before.definitions) return { cluster, skipped: before.definitionsProblem ?? "the base's definitions were not loaded", changes: [], checked: 0 };
  const objects = files.flatMap((f) => {
    try {
      return parseAllDocuments(readFileSync(resolvePath(ctx, f), 'utf8')).map((d) => d.toJS() as unknown);
    } catch (e) {
      throw new DiffRefusal(`diff: --workloads ${f} cannot be read: ${(e as Error).message.split('\n')[0]}; pass the YAML of \`kubectl get nodes,vm,vmi -A -o yaml\``);
    }
  });
  const inventory = inventoryFromObjects(objects, files.map((f) => displayPath(ctx, resolvePath(ctx, f))).join(', '));
  return vmVerdictChanges(cluster, definitionBefore, definitionAfter, inventory);
}
