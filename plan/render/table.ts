/**
 * `kvfleet plan` for a terminal: per cluster, what needs a person first (stranded and at-risk VMs
 * with their fixes), then the rest. Columns are aligned by padding the plain text before any colour
 * is applied, so the escape codes never skew the widths; colour only ever repeats what the words say.
 */
import { styleText } from 'node:util';
import { gridChanges } from './gridChanges.js';
import { type ClusterPlan, type FleetPlan, VERDICTS, type Verdict, type VmPlan } from '../planModel.js';
import {
  cpuText,
  DEPRECATED_NOTE,
  countsText,
  FIXES_HEADING,
  fixText,
  GRID_CELL_SYMBOL,
  inventoryText,
  kindShort,
  machineTypeText,
  memoryText,
  NO_FIX,
  NO_INVENTORY,
  nodeCountText,
  OK_SUMMARY,
  PATCH_FIELD,
  requestedOfUsable,
  SECTION,
  stepAction,
  TARGETS_HEADING,
  targetsByStepText,
  transitionText,
  upgradesText,
  vmMeaning,
  vmRef,
  vmsByGroup,
  warningLines,
} from './wording.js';

type Style = Parameters<typeof styleText>[0];
/** Colours text when colour is on; returns it as is otherwise. */
type Paint = (text: string, style?: Style) => string;

/** One table cell: its text, and how to colour it when colour is on. */
interface Cell {
  readonly text: string;
  readonly style?: Style;
}

const VERDICT_STYLE: Readonly<Record<Verdict, Style>> = {
  stranded: ['red', 'bold'],
  'at-risk': ['yellow', 'bold'],
  deprecated: 'yellow',
  ok: 'green',
};

/** The terminal renderer; `color` is the caller's decision (TTY and NO_COLOR), never re-checked here. */
export function renderTable(plan: FleetPlan, opts: { readonly color: boolean }): string {
  // validateStream: false: styleText would otherwise look at process.stdout itself and override the caller.
  const paint = (text: string, style?: Style) => (opts.color && style ? styleText(style, text, { validateStream: false }) : text);
  const out: string[] = [];
  for (const cluster of plan.clusters) {
    out.push(...clusterLines(cluster, paint), '');
  }
  if (plan.clusters.length !== 1) out.push(paint(`Fleet: ${countsText(plan.counts)}`, 'bold'));
  if (plan.clusters.length === 0) out.push('No clusters in the plan.');
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

function clusterLines(cluster: ClusterPlan, paint: Paint): string[] {
  const lines = [...overviewLines(cluster, paint), ...poolLines(cluster, paint), ...stepLines(cluster, paint), ...gridChangeLines(cluster, paint)];
  if (!cluster.inventory) return [...lines, '', NO_INVENTORY];
  return [
    ...lines,
    ...vmLines(cluster, paint),
    ...capacityLines(cluster, paint),
    ...transitionLines(cluster, paint),
    ...patchLines(cluster, paint),
    ...warningSectionLines(cluster, paint),
  ];
}

/** A section title, a blank line before it. */
function heading(title: string, paint: Paint): string[] {
  return ['', paint(title, 'bold')];
}

function verdictCell(v: Verdict): Cell {
  return { text: v, style: VERDICT_STYLE[v] };
}

/** The cluster's name, KubeVirt version and inventory, and its verdict counts when there is an inventory. */
function overviewLines(cluster: ClusterPlan, paint: Paint): string[] {
  const lines = [paint(`${cluster.cluster}`, ['bold', 'underline']), `KubeVirt ${cluster.kubevirtVersion}; inventory: ${inventoryText(cluster)}`];
  if (cluster.inventory) lines.push(`Verdicts: ${paintCounts(cluster, paint)}`);
  return lines;
}

function poolLines(cluster: ClusterPlan, paint: Paint): string[] {
  return [
    ...heading(SECTION.pools, paint),
    ...alignedRows(
      ['POOL', 'NODES', 'ARCHITECTURE', 'OS'],
      cluster.pools.map((p) => [{ text: p.name }, { text: nodeCountText(p) }, { text: p.architecture }, { text: p.os ?? '–' }]),
      paint,
    ),
  ];
}

function stepLines(cluster: ClusterPlan, paint: Paint): string[] {
  return [
    ...heading(SECTION.steps, paint),
    ...alignedRows(
      ['STEP', 'WHAT', 'LAUNCHER AFTERWARDS'],
      cluster.steps.map((s) => [{ text: s.id }, s.machineTypesChanged ? { text: s.label, style: 'cyan' } : { text: s.label }, { text: s.launcher }]),
      paint,
    ),
  ];
}

function gridChangeLines(cluster: ClusterPlan, paint: Paint): string[] {
  const changes = gridChanges(cluster.grid);
  if (changes.length === 0) return [];
  const lines = heading(`${SECTION.grid}: what the planned steps change`, paint);
  for (const ch of changes) {
    lines.push(`  ${ch.pool}: drops ${ch.dropped.length}, adds ${ch.added.length}`);
    for (const d of ch.dropped) {
      const where = d.stillOn.length > 0 ? `still on ${d.stillOn.join(', ')}` : paint('on no pool afterwards', 'red');
      lines.push(`    ${GRID_CELL_SYMBOL.dropped} ${d.machineType}: ${where}`);
    }
    for (const a of ch.added) lines.push(`    ${GRID_CELL_SYMBOL.added} ${a}`);
  }
  return lines;
}

/** The VMs that need attention (with their fixes), those on deprecated types, and the count of the rest. */
function vmLines(cluster: ClusterPlan, paint: Paint): string[] {
  const groups = vmsByGroup(cluster);
  return [
    ...attentionLines(cluster, groups.attention, paint),
    ...deprecatedLines(cluster, groups.deprecated, paint),
    '',
    paint(OK_SUMMARY(cluster.counts.ok), cluster.counts.ok > 0 ? 'green' : undefined),
  ];
}

function attentionLines(cluster: ClusterPlan, vms: readonly VmPlan[], paint: Paint): string[] {
  if (vms.length === 0) return [];
  const lines = heading(`${SECTION.attention} (${FIXES_HEADING.toLowerCase()} under each)`, paint);
  // One alignment for all rows, with each VM's meaning and fixes under its own row.
  const [head, ...rows] = alignedRows(
    VM_HEADER,
    vms.map((vm) => vmRow(vm, cluster)),
    paint,
  );
  lines.push(head!);
  vms.forEach((vm, i) => {
    lines.push(rows[i]!, `      ${vmMeaning(vm)}`);
    if (vm.fixes.length === 0) lines.push(`      - ${NO_FIX}`);
    lines.push(...vm.fixes.map((f, n) => `      ${n + 1}. ${fixText(f)}`));
  });
  return lines;
}

function deprecatedLines(cluster: ClusterPlan, vms: readonly VmPlan[], paint: Paint): string[] {
  if (vms.length === 0) return [];
  return [
    ...heading(`${SECTION.deprecated} (${DEPRECATED_NOTE})`, paint),
    ...alignedRows(
      VM_HEADER,
      vms.map((vm) => vmRow(vm, cluster)),
      paint,
    ),
  ];
}

function capacityLines(cluster: ClusterPlan, paint: Paint): string[] {
  return [
    ...heading(SECTION.capacity, paint),
    `Rule: ${cluster.capacity.rule}`,
    ...alignedRows(
      ['STEP', 'POOL', 'VMS', 'CPU REQUESTED / USABLE', 'MEMORY REQUESTED / USABLE', ''],
      cluster.capacity.pools.map((c) => [
        { text: stepAction(cluster, c.step) },
        { text: c.pool },
        { text: String(c.vms) },
        { text: `${requestedOfUsable(c.requested.cpuMillis, c.usable.cpuMillis, cpuText)} cores` },
        { text: requestedOfUsable(c.requested.memoryBytes, c.usable.memoryBytes, memoryText) },
        c.overcommitted ? { text: 'OVERCOMMITTED', style: ['red', 'bold'] } : { text: '' },
      ]),
      paint,
    ),
  ];
}

function transitionLines(cluster: ClusterPlan, paint: Paint): string[] {
  if (cluster.transitions.length === 0) return [];
  return [
    ...heading(SECTION.transitions, paint),
    ...alignedRows(
      ['KIND', 'VM', 'CHANGE', 'ARGO CD APP'],
      cluster.transitions.map((t) => [{ text: kindShort(t.kind) }, { text: vmRef(t) }, { text: transitionText(t, cluster) }, { text: t.argoCdApplication ?? '–' }]),
      paint,
    ),
  ];
}

function patchLines(cluster: ClusterPlan, paint: Paint): string[] {
  if (cluster.patches.length === 0) return [];
  const lines = heading(`${SECTION.patches} (JSON merge patch of the VirtualMachine)`, paint);
  for (const p of cluster.patches) {
    lines.push(`  ${p.argoCdApplication}: VirtualMachine ${vmRef(p)}: set ${PATCH_FIELD} to ${p.mergePatch.spec.template.spec.domain.machine.type}`);
    lines.push(`    ${JSON.stringify(p.mergePatch)}`);
  }
  return lines;
}

function warningSectionLines(cluster: ClusterPlan, paint: Paint): string[] {
  const warnings = warningLines(cluster);
  if (warnings.length === 0) return [];
  return [...heading(SECTION.warnings, paint), ...warnings.map((w) => `  ${paint('warning:', 'yellow')} ${w}`)];
}

const VM_HEADER = ['VERDICT', 'KIND', 'VM', 'MACHINE TYPE', 'FROM STEP', TARGETS_HEADING.toUpperCase(), 'ARGO CD APP'];

function vmRow(vm: VmPlan, cluster: ClusterPlan): Cell[] {
  return [
    verdictCell(vm.verdict),
    { text: kindShort(vm.kind) },
    { text: vmRef(vm) },
    { text: machineTypeText(vm) },
    { text: stepAction(cluster, vm.verdictStep) },
    { text: targetsByStepText(vm) },
    { text: vm.argoCdApplication ?? '–' },
  ];
}

function paintCounts(cluster: ClusterPlan, paint: Paint): string {
  // Colour a verdict only when some VM has it: a red "0 stranded" would shout about nothing.
  const parts = VERDICTS.map((v) => (cluster.counts[v] > 0 ? paint(`${cluster.counts[v]} ${v}`, VERDICT_STYLE[v]) : `0 ${v}`));
  return `${parts.join(', ')} ${upgradesText(cluster)}`;
}

/** Rows padded to the widest cell per column, two spaces apart, indented by two; trailing blanks cut. */
function alignedRows(header: readonly string[], rows: readonly (readonly Cell[])[], paint: Paint): string[] {
  const all: (readonly Cell[])[] = header.length > 0 ? [header.map((h) => ({ text: h, style: 'dim' as Style })), ...rows] : [...rows];
  const widths: number[] = [];
  for (const row of all) {
    row.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.text.length);
    });
  }
  return all.map((row) => {
    const last = row.findLastIndex((c) => c.text !== '');
    const cells = row.slice(0, last + 1).map((c, i) => paint(i === last ? c.text : c.text.padEnd(widths[i]!), c.style));
    return `  ${cells.join('  ')}`;
  });
}
