/**
 * Every sentence the four `kvfleet plan` outputs share, so table, Markdown and HTML say the same
 * thing in the same words. The renderers add only layout and escaping around these.
 */
import { type ClusterPlan, type Fix, type GridCell, type Transition, VERDICTS, type Verdict, type VmPlan } from '../planModel.js';

/** What each verdict means, for legends and headings; mirrors the definitions in plan/planModel.ts. */
export const VERDICT_MEANING: Readonly<Record<Verdict, string>> = {
  stranded: 'no schedulable node can run its machine type: live migration is impossible',
  'at-risk': 'exactly one node can run it: a drain or failure of that node strands it',
  deprecated: 'runs only on nodes where its machine type is deprecated',
  ok: 'two or more nodes run it without deprecation',
};

/** Said wherever a machine-type change is proposed: the change is not live. */
export const RESTART_NOTE = 'restart required: a VM takes a new machine type only at its next boot, never by live migration';

export const FIXES_HEADING = 'Ways out, best first';
export const NO_FIX = 'no fix proposed: add or uncordon a node that runs this machine type';

export const GRID_CELL_LABEL: Readonly<Record<GridCell, string>> = {
  supported: 'supported',
  deprecated: 'deprecated',
  dropped: 'dropped',
  added: 'added',
  absent: 'absent',
};

/** A symbol beside the word, so the grid reads at a glance and without colour. */
export const GRID_CELL_SYMBOL: Readonly<Record<GridCell, string>> = {
  supported: '✓',
  deprecated: '!',
  dropped: '✕',
  added: '+',
  absent: '–',
};

export const GRID_CELL_MEANING: Readonly<Record<GridCell, string>> = {
  supported: 'offered now and after the last planned step',
  deprecated: 'offered, but deprecated (now or after the last planned step)',
  dropped: 'offered now, removed by a planned launcher step',
  added: 'not offered now, brought by a planned launcher step',
  absent: 'not offered, now or after',
};

export const SECTION = {
  steps: 'Planned steps',
  pools: 'Pools',
  grid: 'Machine types by pool',
  attention: 'Stranded and at-risk VMs',
  deprecated: 'Deprecated VMs',
  capacity: 'Capacity',
  transitions: 'Machine-type changes to make',
  patches: 'Git changes for VMs Argo CD owns',
  warnings: 'Warnings',
} as const;

/** Column heading for a VM's migration targets at each step. */
export const TARGETS_HEADING = 'Targets by step';

/**
 * A VM's migration targets at each step, in step order: `11 on rhel9-compute → none`. A count is
 * the schedulable nodes other than its own (`?` when node counts are unknown), then the pools.
 */
export function targetsByStepText(vm: VmPlan): string {
  return vm.steps.map((s) => (s.pools.length === 0 || s.nodes === 0 ? 'none' : `${s.nodes === null ? '?' : s.nodes} on ${s.pools.join(', ')}`)).join(' → ');
}

/** What a plan without an inventory says in place of the VM sections. */
export const NO_INVENTORY = 'No inventory: add --workloads <files> (kubectl get nodes,vm,vmi -A -o yaml) or --live to judge VMs, node counts and capacity.';

/** `2 stranded, 0 at-risk, 3 deprecated, 8 ok`: every verdict, worst first, zeros included so columns line up across clusters. */
export function countsText(counts: Readonly<Record<Verdict, number>>): string {
  return VERDICTS.map((v) => `${counts[v]} ${v}`).join(', ');
}

/** The planned steps: every step after `now`. */
export function plannedStepCount(cluster: ClusterPlan): number {
  return cluster.steps.filter((s) => s.kind !== 'now').length;
}

/** `across 3 planned steps`, the tail of every summary line. */
export function upgradesText(cluster: ClusterPlan): string {
  const n = plannedStepCount(cluster);
  return `across ${n === 0 ? 'no planned step' : `${n} planned step${n === 1 ? '' : 's'}`}`;
}

/** The one-line summary of a cluster, without its name: `2 stranded, … across 3 planned steps`. */
export function clusterSummary(cluster: ClusterPlan): string {
  return `${countsText(cluster.counts)} ${upgradesText(cluster)}`;
}

/** A step's human label (`KubeVirt 1.7.0 → 1.8.0`); the id when the plan does not list it. */
export function stepLabel(cluster: ClusterPlan, stepId: string): string {
  return cluster.steps.find((s) => s.id === stepId)?.label ?? stepId;
}

export function inventoryText(cluster: ClusterPlan): string {
  const inv = cluster.inventory;
  if (!inv) return 'no inventory: node counts from the definition, no VMs';
  return `${inv.source} (${inv.nodes} node${inv.nodes === 1 ? '' : 's'}, ${inv.vms} VM${inv.vms === 1 ? '' : 's'})`;
}

export const vmRef = (vm: { readonly namespace: string; readonly name: string }) => `${vm.namespace}/${vm.name}`;
export const kindShort = (kind: VmPlan['kind']) => (kind === 'VirtualMachine' ? 'VM' : 'VMI');

/** `pc-q35-rhel8.6.0` plus the requested alias when it differs (`q35 → pc-q35-rhel10.0.0`). */
export function machineTypeText(vm: VmPlan): string {
  return vm.requestedMachineType === vm.machineType ? vm.machineType : `${vm.requestedMachineType} → ${vm.machineType}`;
}

/** The fix's own text, and for a type change the restart, said plainly. */
export function fixText(fix: Fix): string {
  // The engine's text may say it already; say it once.
  return isRestartFix(fix) && !/\brestart\b/i.test(fix.text) ? `${fix.text} (${RESTART_NOTE})` : fix.text;
}

export function isRestartFix(fix: Fix): boolean {
  return fix.kind === 'restart-onto-newer-type';
}

/** A step as a deadline reads: `step-3 (launcher centos-stream-9 → centos-stream-10)`; `now` as it is. */
export function stepAction(cluster: ClusterPlan, stepId: string): string {
  const step = cluster.steps.find((s) => s.id === stepId);
  return !step || step.kind === 'now' ? stepLabel(cluster, stepId) : `${step.id} (${step.label})`;
}

/** What a VM's verdict means for it: the engine's reason (the launcher step that breaks it) when it gave one. */
export function vmMeaning(vm: VmPlan): string {
  return vm.reason ?? VERDICT_MEANING[vm.verdict];
}

export function transitionText(t: Transition, cluster: ClusterPlan): string {
  return `${t.from} → ${t.to} before ${stepAction(cluster, t.before)}; restart required`;
}

/** `amd64, OS rhel-9.6`: what a pool row says beside its name (the OS changes no machine type). */
export function poolText(pool: { readonly architecture: string; readonly os?: string }): string {
  return pool.os ? `${pool.architecture}, OS ${pool.os}` : pool.architecture;
}

export function nodeCountText(pool: { readonly nodes: number | null; readonly nodeSource: string }): string {
  if (pool.nodes === null) return 'unknown';
  return pool.nodeSource === 'definition' ? `${pool.nodes} (definition)` : String(pool.nodes);
}

export const OK_SUMMARY = (n: number) =>
  n === 1
    ? '1 VM is ok: it runs on two or more nodes without deprecation at every step.'
    : `${n} VMs are ok: each runs on two or more nodes without deprecation at every step.`;

/** Under the deprecated VMs' heading. */
export const DEPRECATED_NOTE = 'each runs only on nodes where its machine type is deprecated: nothing breaks yet, plan a restart onto a newer type';

/** Warnings in one list: inventory nodes no pool claims, label disagreements, VM warnings, unreadable objects. */
export function warningLines(cluster: ClusterPlan): string[] {
  return [
    ...cluster.unmatchedNodes.map((n) => `node ${n} matches no pool's nodeSelector: it hosts nothing in this plan`),
    ...cluster.labelMismatches.map((m) => `label mismatch: ${m}`),
    ...(cluster.vmWarnings ?? []),
    ...(cluster.inventory?.problems ?? []).map((p) => `inventory: ${p}`),
  ];
}

/** Machine types in a JSON merge patch, the only field our patches set. */
export const PATCH_FIELD = 'spec.template.spec.domain.machine.type';

/** CPU in cores, at most one decimal (`12.5`); `–` when unknown. */
export function cpuText(millis: number | null): string {
  if (millis === null) return '–';
  const cores = millis / 1000;
  return Number.isInteger(cores) ? String(cores) : cores.toFixed(1);
}

/** Memory in GiB, at most one decimal; `–` when unknown. */
export function memoryText(bytes: number | null): string {
  if (bytes === null) return '–';
  const gib = bytes / 1024 ** 3;
  return `${Number.isInteger(gib) ? gib : gib.toFixed(1)} GiB`;
}

/** `requested / usable`, the way every capacity cell reads. */
export function requestedOfUsable(requested: number | null, usable: number | null, unit: (n: number | null) => string): string {
  return `${unit(requested)} / ${unit(usable)}`;
}

/** VMs worth a line each, worst first: stranded and at-risk, then deprecated. The model sorts `vms` already. */
export function vmsByGroup(cluster: ClusterPlan): { attention: VmPlan[]; deprecated: VmPlan[]; ok: VmPlan[] } {
  return {
    attention: cluster.vms.filter((v) => v.verdict === 'stranded' || v.verdict === 'at-risk'),
    deprecated: cluster.vms.filter((v) => v.verdict === 'deprecated'),
    ok: cluster.vms.filter((v) => v.verdict === 'ok'),
  };
}
