/** The `kvfleet` command line. */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { resolvePools } from '../compatibility/poolMachineTypes.js';
import { planWorkloads, upgradeImpacts, type WorkloadRef, workloadRef } from '../policies/upgradePlan.js';
import { diffMatrices, isEmptyDiff } from '../policies/matrixDiff.js';
import { changedDistFiles, clustersAtBase, clustersInTree, matrixAtBase, matrixInTree } from './distDiff.js';
import { formatDiff } from './diffReport.js';
import { validatedFleet } from './fleetForCli.js';
import { formatPlan } from './planReport.js';
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
    .description('validate clusters/*.ts and write dist/<cluster>/ atomically (`npm run synth`; same output as `npm run synth:cdk8s`)')
    .option('--clusters <dir>', 'folder of cluster definition files', join(projectDir, 'clusters'))
    .option('--dist <dir>', 'output folder, replaced only when everything succeeded', join(projectDir, 'dist'))
    .action(async (opts: { clusters: string; dist: string }) => {
      const result = await synthFleet({ clustersDir: resolve(opts.clusters), distDir: resolve(opts.dist), projectDir: process.cwd() });
      console.log(formatSummary(result));
    });

  program
    .command('plan')
    .description('show what planned hypervisor upgrades take away, and which VMs they strand')
    .option('--clusters <dir>', 'folder of cluster definition files', join(projectDir, 'clusters'))
    .option('--cluster <name>', 'only this cluster')
    .option('--workloads <files...>', 'YAML of VMs/VMIs (`kubectl get vm,vmi -A -o yaml`) to judge; needs --cluster')
    .action(async (opts: { clusters: string; cluster?: string; workloads?: string[] }) => {
      if (opts.workloads && !opts.cluster) throw new Error('--workloads needs --cluster: workloads belong to one cluster');
      const clusters = await validatedFleet(resolve(opts.clusters), process.cwd(), opts.cluster);
      const workloads = opts.workloads?.flatMap(readWorkloads);
      let blocking = 0;
      for (const cluster of clusters) {
        const pools = resolvePools(cluster);
        const verdicts = workloads ? planWorkloads(pools, workloads) : undefined;
        blocking += verdicts?.filter((v) => v.outcome === 'stranded' || v.outcome === 'unsupported').length ?? 0;
        console.log(formatPlan(cluster.name, upgradeImpacts(pools), verdicts));
      }
      // A plan that strands running VMs should stop a pipeline that would start the upgrade.
      if (blocking > 0) process.exitCode = 2;
    });

  program
    .command('diff')
    .description('summarise what the change does to each cluster (machine types denied/admitted, pools, objects) against a git base')
    .option('--base <ref>', 'git revision to compare with (the PR target)', 'HEAD')
    .option('--dist <dir>', 'the synthesised output folder (run synth first)', join(projectDir, 'dist'))
    .action((opts: { base: string; dist: string }) => {
      const distDir = resolve(opts.dist);
      const repo = resolve(distDir, '..');
      const clusters = [...new Set([...clustersAtBase(repo, opts.base, distDir), ...clustersInTree(distDir)])].sort();
      const diffs = clusters.map((c) => diffMatrices(matrixAtBase(repo, opts.base, distDir, c), matrixInTree(distDir, c))).filter((d) => !isEmptyDiff(d));
      console.log(formatDiff(diffs, changedDistFiles(repo, opts.base, distDir), opts.base));
    });

  return program;
}

/** VMs and VMIs from a YAML file: single objects, multi-document streams or `kind: List`. */
function readWorkloads(file: string): WorkloadRef[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as { kind?: string; items?: unknown[] } | null)
    .flatMap((o) => (o?.kind === 'List' || o?.kind?.endsWith('List') ? (o.items ?? []) : [o]))
    .map(workloadRef)
    .filter((w): w is WorkloadRef => w !== undefined);
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    process.exitCode = 0;
    await buildCli().parseAsync([...argv], { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (e) {
    console.error(e instanceof FleetDefinitionErrors ? e.message : `kvfleet: ${(e as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
