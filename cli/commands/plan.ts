/** `kvfleet plan`: what planned hypervisor upgrades do to the VMs of a cluster. */
import { readFileSync } from 'node:fs';
import { type Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { resolvePools } from '../../compatibility/poolMachineTypes.js';
import { planWorkloads, upgradeImpacts, type WorkloadRef, workloadRef } from '../../policies/upgradePlan.js';
import { type CliContext, EXIT, resolvePath } from '../cliContext.js';
import { validatedFleet } from '../fleetForCli.js';
import { formatPlan } from '../planReport.js';

export function registerPlan(program: Command, ctx: CliContext): void {
  program
    .command('plan')
    .description('show what planned hypervisor upgrades take away, and which VMs they strand')
    .option('--clusters <dir>', 'folder of cluster definition files', 'clusters')
    .option('--cluster <name>', 'only this cluster')
    .option('--workloads <files...>', 'YAML of VMs/VMIs (`kubectl get vm,vmi -A -o yaml`) to judge; needs --cluster')
    .action(async (opts: { clusters: string; cluster?: string; workloads?: string[] }) => {
      if (opts.workloads && !opts.cluster) throw new Error('--workloads needs --cluster: workloads belong to one cluster');
      const clusters = await validatedFleet(resolvePath(ctx, opts.clusters), ctx.cwd, opts.cluster);
      const workloads = opts.workloads?.flatMap((f) => readWorkloads(resolvePath(ctx, f)));
      let blocking = 0;
      for (const cluster of clusters) {
        const pools = resolvePools(cluster);
        const verdicts = workloads ? planWorkloads(pools, workloads) : undefined;
        blocking += verdicts?.filter((v) => v.outcome === 'stranded' || v.outcome === 'unsupported').length ?? 0;
        console.log(formatPlan(cluster.name, upgradeImpacts(pools), verdicts));
      }
      // A plan that strands running VMs should stop a pipeline that would start the upgrade.
      if (blocking > 0) process.exitCode = EXIT.blocking;
    });
}

/** VMs and VMIs from a YAML file: single objects, multi-document streams or `kind: List`. */
function readWorkloads(file: string): WorkloadRef[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as { kind?: string; items?: unknown[] } | null)
    .flatMap((o) => (o?.kind === 'List' || o?.kind?.endsWith('List') ? (o.items ?? []) : [o]))
    .map(workloadRef)
    .filter((w): w is WorkloadRef => w !== undefined);
}
