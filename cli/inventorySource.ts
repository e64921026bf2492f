/**
 * The inventory flags `plan` and `explain` share — `--workloads <files>` or `--live` /
 * `--kubeconfig` / `--context` — and reading them into an Inventory through the one reader
 * (plan/inventoryFromObjects.ts), so a live inventory and one from files of the same objects agree.
 */
import { readFileSync } from 'node:fs';
import { type Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { type Inventory } from '../plan/inventory.js';
import { inventoryFromObjects } from '../plan/inventoryFromObjects.js';
import { type CliContext, displayPath, resolvePath } from './cliContext.js';
import { readLiveObjects } from './liveInventory.js';

export interface InventoryOptions {
  readonly cluster?: string;
  readonly workloads?: string[];
  readonly live?: boolean;
  readonly kubeconfig?: string;
  readonly context?: string;
}

export function addInventoryOptions(command: Command): Command {
  return command
    .option('--workloads <files...>', 'inventory from files: `kubectl get nodes,vm,vmi -A -o yaml` output (Nodes optional)')
    .option('--live', 'inventory from the live cluster of the current kubeconfig context (read-only: lists nodes, VMs, VMIs)')
    .option('--kubeconfig <file>', 'kubeconfig for --live (default: $KUBECONFIG, then ~/.kube/config, as kubectl)')
    .option('--context <name>', 'kubeconfig context for --live (default: its current context)');
}

/** The inventory the flags ask for, or undefined when they ask for none; refuses contradictory flags. */
export async function inventoryFromOptions(ctx: CliContext, opts: InventoryOptions): Promise<Inventory | undefined> {
  const live = opts.live === true || opts.kubeconfig !== undefined || opts.context !== undefined;
  if (live && opts.workloads) throw new Error('--workloads and --live (or --kubeconfig/--context) are two inventories: give one');
  if (!live && !opts.workloads) return undefined;
  if (!opts.cluster) throw new Error('an inventory belongs to one cluster: add --cluster <name>');
  if (live) {
    const { source, objects } = await readLiveObjects({
      ...(opts.kubeconfig ? { kubeconfig: resolvePath(ctx, opts.kubeconfig) } : {}),
      ...(opts.context ? { context: opts.context } : {}),
    });
    return inventoryFromObjects(objects, source);
  }
  const files = opts.workloads!.map((f) => resolvePath(ctx, f));
  return inventoryFromObjects(files.flatMap(readYamlObjects), files.map((f) => displayPath(ctx, f)).join(', '));
}

/**
 * Every document of a YAML file (a `kind: List` stays one object: the inventory reader opens lists).
 * Messages name the absolute path; main() shows it relative to the working directory.
 */
function readYamlObjects(file: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read inventory file ${file}: ${(e as Error).message}`);
  }
  const docs = parseAllDocuments(text);
  const broken = docs.find((d) => d.errors.length > 0);
  if (broken) throw new Error(`inventory file ${file} is not valid YAML: ${broken.errors[0]!.message}`);
  return docs.map((d) => d.toJS() as unknown).filter((o) => o !== null);
}
