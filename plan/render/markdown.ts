/**
 * `kvfleet plan --format markdown`: for a pull-request comment or a CI job summary (GitHub-flavoured
 * Markdown). The summary lines come first, one per cluster, so a reviewer sees the verdict without
 * opening anything; the tables follow. Every name from a cluster goes through `md`/`code`, since a
 * `|` or `<` in a VM name would otherwise break a table or inject markup into the comment.
 */
import { gridChanges } from './gridChanges.js';
import { type ClusterPlan, type FleetPlan, type VmPlan } from '../planModel.js';
import {
  clusterSummary,
  countsText,
  cpuText,
  DEPRECATED_NOTE,
  FIXES_HEADING,
  fixText,
  GRID_CELL_LABEL,
  GRID_CELL_SYMBOL,
  inventoryText,
  kindShort,
  memoryText,
  NO_FIX,
  nodeCountText,
  OK_SUMMARY,
  PATCH_FIELD,
  requestedOfUsable,
  SECTION,
  stepAction,
  vmMeaning,
  TARGETS_HEADING,
  targetsByStepText,
  vmRef,
  vmsByGroup,
  warningLines,
} from './wording.js';

/** The whole plan as Markdown, newline-terminated. */
export function renderMarkdown(plan: FleetPlan): string {
  const out: string[] = [];
  for (const c of plan.clusters) out.push(`**${md(c.cluster)}**: ${md(clusterSummary(c))}`, '');
  if (plan.clusters.length > 1) out.push(`**Fleet**: ${countsText(plan.counts)}`, '');
  if (plan.clusters.length === 0) out.push('No clusters in the plan.', '');
  for (const c of plan.clusters) out.push(...clusterSection(c));
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

function clusterSection(c: ClusterPlan): string[] {
  return [
    ...poolLines(c),
    ...stepLines(c),
    ...gridChangeLines(c),
    ...vmLines(c),
    ...capacityLines(c),
    ...transitionLines(c),
    ...patchLines(c),
    ...warningSectionLines(c),
  ];
}

/** The cluster's heading, its KubeVirt version and inventory, and its pools. */
function poolLines(c: ClusterPlan): string[] {
  return [
    `### ${md(c.cluster)}`,
    '',
    `KubeVirt ${md(c.kubevirtVersion)} · inventory: ${md(inventoryText(c))}`,
    '',
    ...table(
      ['Pool', 'Nodes', 'Architecture', 'OS'],
      c.pools.map((p) => [code(p.name), md(nodeCountText(p)), code(p.architecture), p.os ? code(p.os) : '–']),
    ),
  ];
}

function stepLines(c: ClusterPlan): string[] {
  return [
    `#### ${SECTION.steps}`,
    '',
    ...table(
      ['Step', 'What', 'Launcher afterwards'],
      c.steps.map((s) => [code(s.id), s.machineTypesChanged ? `**${md(s.label)}**` : md(s.label), md(s.launcher)]),
    ),
  ];
}

/** Only the pools a planned step changes, and only the types it changes: the full grid is in the HTML report. */
function gridChangeLines(c: ClusterPlan): string[] {
  const changes = gridChanges(c.grid);
  if (changes.length === 0) return [];
  return [
    `#### ${SECTION.grid}: what the planned steps change`,
    '',
    ...table(
      ['Pool', `${GRID_CELL_SYMBOL.dropped} ${GRID_CELL_LABEL.dropped}`, `${GRID_CELL_SYMBOL.added} ${GRID_CELL_LABEL.added}`],
      changes.map((ch) => [code(ch.pool), ch.dropped.map((d) => code(d.machineType)).join(', ') || '–', ch.added.map(code).join(', ') || '–']),
    ),
  ];
}

/** The VMs that need attention, those on deprecated types, and the count of the rest. */
function vmLines(c: ClusterPlan): string[] {
  const groups = vmsByGroup(c);
  return [...attentionLines(c, groups.attention), ...deprecatedLines(c, groups.deprecated), md(OK_SUMMARY(c.counts.ok)), ''];
}

function attentionLines(c: ClusterPlan, vms: readonly VmPlan[]): string[] {
  if (vms.length === 0) return [];
  return [
    `#### ${SECTION.attention}`,
    '',
    ...table(
      ['Verdict', 'VM', 'Machine type', 'From step', 'Why', TARGETS_HEADING, `${FIXES_HEADING}`],
      vms.map((vm) => [
        `**${vm.verdict}**`,
        vmCell(vm),
        machineTypeCell(vm),
        md(stepAction(c, vm.verdictStep)),
        md(vmMeaning(vm)),
        md(targetsByStepText(vm)),
        vm.fixes.length === 0 ? md(NO_FIX) : vm.fixes.map((f, i) => `${i + 1}. ${md(fixText(f))}`).join('<br>'),
      ]),
    ),
  ];
}

function deprecatedLines(c: ClusterPlan, vms: readonly VmPlan[]): string[] {
  if (vms.length === 0) return [];
  return [
    `#### ${SECTION.deprecated}`,
    '',
    `${md(DEPRECATED_NOTE)}.`,
    '',
    ...table(
      ['VM', 'Machine type', 'From step', TARGETS_HEADING],
      vms.map((vm) => [vmCell(vm), machineTypeCell(vm), md(stepAction(c, vm.verdictStep)), md(targetsByStepText(vm))]),
    ),
  ];
}

function capacityLines(c: ClusterPlan): string[] {
  return [
    `#### ${SECTION.capacity}`,
    '',
    `Rule: ${md(c.capacity.rule)}`,
    '',
    ...table(
      ['Step', 'Pool', 'VMs', 'CPU requested / usable (cores)', 'Memory requested / usable', ''],
      c.capacity.pools.map((p) => [
        md(stepAction(c, p.step)),
        code(p.pool),
        String(p.vms),
        requestedOfUsable(p.requested.cpuMillis, p.usable.cpuMillis, cpuText),
        requestedOfUsable(p.requested.memoryBytes, p.usable.memoryBytes, memoryText),
        p.overcommitted ? '**overcommitted**' : '',
      ]),
    ),
  ];
}

function transitionLines(c: ClusterPlan): string[] {
  if (c.transitions.length === 0) return [];
  return [
    `#### ${SECTION.transitions}`,
    '',
    'Each needs a restart of the VM: a machine type changes only at its next boot.',
    '',
    ...table(
      ['VM', 'From', 'To', 'Before', 'Argo CD app'],
      c.transitions.map((t) => [
        `${kindShort(t.kind)} ${code(vmRef(t))}`,
        code(t.from),
        code(t.to),
        md(stepAction(c, t.before)),
        t.argoCdApplication ? code(t.argoCdApplication) : '–',
      ]),
    ),
  ];
}

function patchLines(c: ClusterPlan): string[] {
  if (c.patches.length === 0) return [];
  return [
    `#### ${SECTION.patches}`,
    '',
    `A JSON merge patch of each VirtualMachine in its Git source, setting \`${PATCH_FIELD}\`:`,
    '',
    ...table(
      ['Argo CD app', 'VirtualMachine', 'Merge patch'],
      c.patches.map((p) => [code(p.argoCdApplication), code(vmRef(p)), code(JSON.stringify(p.mergePatch))]),
    ),
  ];
}

function warningSectionLines(c: ClusterPlan): string[] {
  const warnings = warningLines(c);
  if (warnings.length === 0) return [];
  return [`#### ${SECTION.warnings}`, '', ...warnings.map((w) => `- ${md(w)}`), ''];
}

function vmCell(vm: VmPlan): string {
  const app = vm.argoCdApplication ? ` (Argo CD: ${code(vm.argoCdApplication)})` : '';
  return `${kindShort(vm.kind)} ${code(vmRef(vm))}${app}`;
}

function machineTypeCell(vm: VmPlan): string {
  return vm.requestedMachineType === vm.machineType ? code(vm.machineType) : `${code(vm.requestedMachineType)} → ${code(vm.machineType)}`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`), ''];
}

/**
 * Plain text safe in a paragraph or a table cell, never at the start of a line: the characters that
 * mark up inline (emphasis, code, links, HTML, entities, table cells) get a backslash, which GFM
 * honours for every ASCII punctuation character; newlines fold into spaces.
 */
export function md(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/[\\`*_[\]<>|~&]/g, (ch) => `\\${ch}`);
}

/**
 * A code span: backticks longer than any run inside, so the content needs no escaping, except `|`,
 * which GFM splits table cells on even inside code.
 */
export function code(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longestRun + 1);
  const body = text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}
