/** `kvfleet explain <machine-type>`: which pools run it, now and after each planned step, why, and what the policies do. */
import { type Command } from 'commander';
import { explainMachineType, type Hosting, type MachineTypeExplanation, type PoolExplanation, type SetExplanation } from '../../plan/explainMachineType.js';
import { type MachineTypeNodes, machineTypeNodes } from '../../plan/machineTypeNodes.js';
import { type CliContext, resolvePath } from '../cliContext.js';
import { validatedFleet } from '../fleetForCli.js';
import { addInventoryOptions, type InventoryOptions, inventoryFromOptions } from '../inventorySource.js';

/** v2: per-step answers (`pools[].steps`, `hosting`) on the launcher model replace v1's `now`/`afterUpgrade`. */
export const EXPLAIN_SCHEMA_VERSION = 'kvfleet.io/explain/v2';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function hostingText(h: Hosting): string {
  if (h.pools.length === 0) return 'no pool';
  const nodes = h.nodes !== undefined ? `, ${plural(h.nodes, 'node')}` : '';
  return `${plural(h.pools.length, 'pool')}${nodes} (${h.pools.join(', ')})`;
}

function setLine(label: string, requested: string, s: SetExplanation): string {
  const as = s.canonical && s.canonical !== requested ? ` as ${s.canonical}` : '';
  const runs = s.runs ? `runs it${as}${s.deprecated ? ', deprecated' : ''}` : 'does not run it';
  return `    ${label}: ${runs}: ${s.reasons.join('; ')}`;
}

const stepName = (s: { readonly step: string; readonly stepLabel: string }) => (s.step === 'now' ? 'now' : `after ${s.step} (${s.stepLabel})`);

function poolLines(p: PoolExplanation, requested: string): string[] {
  const size = p.nodeCount !== undefined ? plural(p.nodeCount, 'node') : 'node count not given';
  return [`  pool ${p.pool} (${p.architecture}, ${size})`, ...p.steps.map((s) => setLine(`${stepName(s)} on ${s.launcher}`, requested, s))];
}

export function formatExplanation(e: MachineTypeExplanation): string {
  const name =
    e.kind === 'invalid' ? `${e.machineType} (not a valid machine-type name: expected an alias or pc-q35-…/pc-i440fx-…/virt-…/s390-ccw-virtio-…)` : e.machineType;
  const didYouMean = e.suggestions.length > 0 ? [`  did you mean ${e.suggestions.join(', ')}?`] : [];
  const policy =
    e.admission.decision === 'denied'
      ? `denied: ${e.admission.message}`
      : e.admission.decision === 'warned'
        ? `admitted with a warning: ${e.admission.message}`
        : `admitted: ${e.admission.reason}`;
  return [
    `${e.cluster}: ${name}`,
    ...didYouMean,
    ...e.hosting.map((h) => `  runs ${stepName(h)} on ${hostingText(h)}`),
    ...e.pools.flatMap((p) => poolLines(p, e.machineType)),
    `  a VM or VMI pinned to it is ${policy}`,
  ].join('\n');
}

/** With an inventory: the nodes by name, per step (the plan's node matching; cordoned nodes never count). */
export function formatNodes(n: MachineTypeNodes): string {
  const list = (names: readonly string[]) => (names.length === 0 ? 'none' : `${names.join(', ')} (${names.length})`);
  return [
    `  nodes (${n.source}):`,
    ...n.steps.map((s) => `    ${s.label}: ${list(s.nodes)}`),
    ...(n.cordonedNodes.length > 0 ? [`    cordoned, never a target: ${n.cordonedNodes.join(', ')}`] : []),
    ...(n.unmatchedNodes.length > 0 ? [`    in no pool, never counted: ${n.unmatchedNodes.join(', ')}`] : []),
  ].join('\n');
}

export function registerExplain(program: Command, ctx: CliContext): void {
  const command = program
    .command('explain')
    .description('explain which pools run a machine type now and after each planned step, why, and what the policies do with a VM pinned to it')
    .argument('<machine-type>', 'a versioned type (pc-q35-rhel9.6.0, virt-rhel9.6.0) or an alias (q35, pc, virt)')
    .option('--clusters <dir>', 'folder of cluster definition files', 'clusters')
    .option('--cluster <name>', 'only this cluster (default: every cluster; needed with an inventory)');
  addInventoryOptions(command)
    .option('--output <format>', `text, or json (schemaVersion ${EXPLAIN_SCHEMA_VERSION})`, 'text')
    .action(async (machineType: string, opts: InventoryOptions & { clusters: string; output: string }) => {
      if (opts.output !== 'text' && opts.output !== 'json') throw new Error(`--output must be text or json, not "${opts.output}"`);
      const clusters = await validatedFleet(resolvePath(ctx, opts.clusters), ctx.cwd, opts.cluster);
      const inventory = await inventoryFromOptions(ctx, opts);
      const explanations = clusters.map((c) => {
        const nodes = inventory ? machineTypeNodes(c, inventory, machineType) : undefined;
        return { ...explainMachineType(c, machineType), ...(nodes ? { nodes } : {}) };
      });
      console.log(
        opts.output === 'json'
          ? JSON.stringify({ schemaVersion: EXPLAIN_SCHEMA_VERSION, machineType, clusters: explanations }, null, 2)
          : explanations.map((e) => [formatExplanation(e), ...(e.nodes ? [formatNodes(e.nodes)] : [])].join('\n')).join('\n\n'),
      );
    });
}
