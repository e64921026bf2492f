/**
 * `kvfleet plan`: for each VM of a cluster, where it can live now and after each planned step (KubeVirt
 * upgrade, launcher switch, node OS upgrade), what to do about the ones that would have nowhere to go, and whether the pools can carry
 * them. The inventory comes from a live cluster (read-only) or from `kubectl get -o yaml` files.
 */
import { type Command, Option } from 'commander';
import { type Inventory } from '../../plan/inventory.js';
import { planFleet } from '../../plan/planFleet.js';
import { PLAN_FORMATS, type PlanFormat, renderPlan } from '../../plan/render/renderPlan.js';
import { type CliContext, EXIT, resolvePath } from '../cliContext.js';
import { validatedFleet } from '../fleetForCli.js';
import { addInventoryOptions, type InventoryOptions, inventoryFromOptions } from '../inventorySource.js';

interface PlanOptions extends InventoryOptions {
  readonly clusters: string;
  readonly output: PlanFormat;
}

export function registerPlan(program: Command, ctx: CliContext): void {
  const command = program
    .command('plan')
    .description('per VM: where it can run now and after each planned step (ok, deprecated, at-risk, stranded), fixes, capacity and the transition list')
    .option('--clusters <dir>', 'folder of cluster definition files', 'clusters')
    .option('--cluster <name>', 'only this cluster (needed with an inventory: an inventory belongs to one cluster)');
  addInventoryOptions(command)
    .addOption(new Option('-o, --output <format>', 'output format').choices(PLAN_FORMATS).default('table'))
    .addHelpText(
      'after',
      `
Verdicts: ok (2+ nodes), deprecated (only where its type is deprecated), at-risk (1 node), stranded (no node).
Exit codes: 0 nothing stranded; 1 invalid input or the cluster could not be read; 2 a VM is stranded now or after a planned step.
The JSON output follows docs/plan-json.md (schemaVersion kvfleet.io/plan/v1).`,
    )
    .action(async (opts: PlanOptions) => {
      const clusters = await validatedFleet(resolvePath(ctx, opts.clusters), ctx.cwd, opts.cluster);
      const inventory = await inventoryFromOptions(ctx, opts);
      const inventories = new Map<string, Inventory>(inventory && opts.cluster ? [[opts.cluster, inventory]] : []);
      const plan = planFleet(clusters, inventories);
      const color = opts.output === 'table' && process.stdout.isTTY === true && !process.env.NO_COLOR;
      console.log(renderPlan(plan, opts.output, { color }).replace(/\n$/, ''));
      // A plan that strands VMs must stop a pipeline that would start the upgrade.
      if (plan.counts.stranded > 0) process.exitCode = EXIT.blocking;
    });
}
