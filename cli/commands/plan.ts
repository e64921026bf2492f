/**
 * `kvfleet plan`: for each VM of a cluster, where it can live now and after each planned hypervisor
 * upgrade, what to do about the ones that would have nowhere to go, and whether the pools can carry
 * them. The inventory comes from a live cluster (read-only) or from `kubectl get -o yaml` files.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { parseAllDocuments } from 'yaml';
import { type Inventory } from '../../plan/inventory.js';
import { inventoryFromObjects } from '../../plan/inventoryFromObjects.js';
import { planFleet } from '../../plan/planFleet.js';
import { type PlanFormat, renderPlan } from '../../plan/render/renderPlan.js';
import { type CliContext, displayPath, EXIT, resolvePath } from '../cliContext.js';
import { validatedFleet } from '../fleetForCli.js';
import { readLiveObjects } from '../liveInventory.js';

const FORMATS: readonly PlanFormat[] = ['table', 'json', 'markdown', 'html'];

interface PlanOptions {
  readonly clusters: string;
  readonly cluster?: string;
  readonly workloads?: string[];
  readonly live?: boolean;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly output: PlanFormat;
}

export function registerPlan(program: Command, ctx: CliContext): void {
  program
    .command('plan')
    .description('per VM: where it can run now and after each planned upgrade (ok, deprecated, at-risk, stranded), fixes, capacity and the transition list')
    .option('--clusters <dir>', 'folder of cluster definition files', 'clusters')
    .option('--cluster <name>', 'only this cluster (needed with an inventory: an inventory belongs to one cluster)')
    .option('--workloads <files...>', 'inventory from files: `kubectl get nodes,vm,vmi -A -o yaml` output (Nodes optional)')
    .option('--live', 'inventory from the live cluster of the current kubeconfig context (read-only: lists nodes, VMs, VMIs)')
    .option('--kubeconfig <file>', 'kubeconfig for --live (default: $KUBECONFIG, then ~/.kube/config, as kubectl)')
    .option('--context <name>', 'kubeconfig context for --live (default: its current context)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(FORMATS).default('table'))
    .addHelpText(
      'after',
      `
Verdicts: ok (2+ nodes), deprecated (only where its type is deprecated), at-risk (1 node), stranded (no node).
Exit codes: 0 nothing stranded; 1 invalid input or the cluster could not be read; 2 a VM is stranded now or after a planned upgrade.
The JSON output follows docs/plan-json.md (schemaVersion kvfleet.io/plan/v1).`,
    )
    .action(async (opts: PlanOptions) => {
      const live = opts.live || opts.kubeconfig !== undefined || opts.context !== undefined;
      if (live && opts.workloads) throw new Error('--workloads and --live (or --kubeconfig/--context) are two inventories: give one');
      if ((live || opts.workloads) && !opts.cluster) throw new Error('an inventory belongs to one cluster: add --cluster <name>');
      const clusters = await validatedFleet(resolvePath(ctx, opts.clusters), ctx.cwd, opts.cluster);
      const inventories = new Map<string, Inventory>();
      if (opts.cluster && (live || opts.workloads)) inventories.set(opts.cluster, await readInventory(ctx, opts, live));
      const plan = planFleet(clusters, inventories);
      const color = opts.output === 'table' && process.stdout.isTTY === true && !process.env.NO_COLOR;
      console.log(renderPlan(plan, opts.output, { color }));
      // A plan that strands VMs must stop a pipeline that would start the upgrade.
      if (plan.counts.stranded > 0) process.exitCode = EXIT.blocking;
    });
}

async function readInventory(ctx: CliContext, opts: PlanOptions, live: boolean): Promise<Inventory> {
  if (live) {
    const { source, objects } = await readLiveObjects({
      ...(opts.kubeconfig ? { kubeconfig: resolvePath(ctx, opts.kubeconfig) } : {}),
      ...(opts.context ? { context: opts.context } : {}),
    });
    return inventoryFromObjects(objects, source);
  }
  const files = opts.workloads!.map((f) => resolvePath(ctx, f));
  return inventoryFromObjects(
    files.flatMap((f) => readYamlObjects(f, displayPath(ctx, f))),
    files.map((f) => displayPath(ctx, f)).join(', '),
  );
}

/** Every document of a YAML file (a `kind: List` stays one object: the inventory reader opens lists). */
function readYamlObjects(file: string, shown: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read inventory file ${shown}: ${(e as Error).message.replace(file, shown)}`);
  }
  const docs = parseAllDocuments(text);
  const broken = docs.find((d) => d.errors.length > 0);
  if (broken) throw new Error(`inventory file ${shown} is not valid YAML: ${broken.errors[0]!.message}`);
  return docs.map((d) => d.toJS() as unknown).filter((o) => o !== null);
}
