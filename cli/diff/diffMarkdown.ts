/**
 * The Markdown `kvfleet diff` prints for a PR comment: the summary line, then what changes for
 * delivery and for each cluster, in words, then the objects. Pure; lists are bounded so a new cluster
 * does not bury the rest.
 */
import { compactValue, type FieldChange } from './fieldChanges.js';
import { type ClusterDiff, type DiffReport, type EnforcementChange, type FleetDeliveryDiff, type SettingArea, type VmVerdictDiff } from './fleetDiffModel.js';
import { poolText, shortList, stageMove, stepsText } from './diffSummary.js';

const MAX_OBJECTS = 25;
const MAX_FIELDS = 5;
const MAX_NAMES = 12;
const code = (s: string) => `\`${s}\``;

function fieldText(f: FieldChange): string {
  if (f.members) {
    const parts = [
      ...((f.after as unknown[] | undefined) ?? []).map((x) => `+ ${compactValue(x, 160)}`),
      ...((f.before as unknown[] | undefined) ?? []).map((x) => `− ${compactValue(x, 160)}`),
    ];
    return `${code(f.path)} ${parts.join('; ')}`;
  }
  return `${code(f.path)} ${compactValue(f.before)} → ${compactValue(f.after)}`;
}

function fleetLines(f: FleetDeliveryDiff): string[] {
  const out: string[] = [];
  for (const e of f.elements) {
    const what = e.element === e.cluster ? e.cluster : `${e.cluster} chart ${e.element.split('/')[1]}`;
    const where = e.applicationSet === 'kvfleet' ? '' : ` (ApplicationSet ${e.applicationSet})`;
    if (e.change === 'added') {
      const value = (field: string) => e.fields.find((x) => x.path === field)?.after;
      const destination = value('server') || value('destinationName');
      out.push(
        `- ${what} is delivered from now on${where}: stage ${String(value('stage') ?? '?')}, destination ${String(destination ?? '?')}, project ${String(value('project') ?? '?')}`,
      );
      continue;
    }
    if (e.change === 'removed') {
      out.push(`- ${what} is no longer delivered${where}`);
      continue;
    }
    const move = stageMove(e);
    if (move) out.push(`- **${what} moves from stage ${move.before ?? '(none)'} to ${move.after ?? '(none)'}**${where}`);
    const rest = e.fields.filter((x) => x.path !== 'stage');
    if (rest.length) out.push(`- ${what}${where}: ${rest.map(fieldText).join('; ')}`);
  }
  for (const s of f.rolloutSteps) {
    out.push(`- rollout steps of ApplicationSet ${s.applicationSet}: ${s.before.join(' → ') || '(none)'} becomes ${s.after.join(' → ') || '(none)'}`);
  }
  for (const o of f.objects) {
    if (o.change !== 'changed') out.push(`- ${o.change} ${code(o.object)}`);
    else out.push(`- ${code(o.object)}: ${o.changes.slice(0, MAX_FIELDS).map(fieldText).join('; ')}${more(o.changes.length, MAX_FIELDS)}`);
  }
  return out;
}

const more = (n: number, max: number) => (n > max ? `; and ${n - max} more` : '');

/** Warnings name their type first (`machine type X: …`); grouping by the rest keeps ten types on one line. */
function groupedWarnings(items: readonly { machineType: string; message: string }[]): string[] {
  const groups = new Map<string, string[]>();
  for (const { machineType, message } of items) {
    const reason = message.replace(/^machine type \S+: /, '');
    groups.set(reason, [...(groups.get(reason) ?? []), machineType]);
  }
  return [...groups].map(([reason, types]) => `${shortList(types, MAX_NAMES)}: ${reason}`);
}

function enforcementText(e: EnforcementChange): string {
  const settings = e.settings.map((s) => `${s.setting} ${s.before ?? '(unset)'} → ${s.after ?? '(unset)'}`).join('; ');
  const actions = e.settings.find((s) => s.setting === 'validationActions' || s.setting === 'validationFailureAction');
  const denies = (v?: string) => /\b(Deny|Enforce)\b/.test(v ?? '');
  const meaning =
    e.change === 'added'
      ? ' (new policy)'
      : e.change === 'removed'
        ? ' (policy removed)'
        : actions && denies(actions.after) && !denies(actions.before)
          ? ' — **now rejects** what it only reported before'
          : actions && denies(actions.before) && !denies(actions.after)
            ? ' — no longer rejects, only reports'
            : '';
  return `- ${code(e.policy)}: ${settings}${meaning}`;
}

const AREA_TITLE: Record<SettingArea, string> = { controller: 'Migration controller', kubevirt: 'KubeVirt settings', 'kube-ovn': 'Kube-OVN settings' };

function clusterLines(d: ClusterDiff): string[] {
  const title = d.change === 'added' ? ' (new cluster)' : d.change === 'removed' ? ' (removed)' : '';
  const out = ['', `## ${d.cluster}${title}`];
  const launcher = [
    ...(d.launcher ? [`- launcher now: ${d.launcher.before ?? '(none)'} → **${d.launcher.after ?? '(none)'}**`] : []),
    ...(d.steps ? [`- planned steps before: ${stepsText(d.steps.before)}`, `- planned steps after: ${stepsText(d.steps.after)}`] : []),
  ];
  if (launcher.length) out.push('', '### Launcher and planned steps', ...launcher);
  if (d.pools.length) out.push('', '### Machine types', ...d.pools.map((p) => `- pool ${code(p.pool)}: ${poolText(p)}`));
  const a = d.admission;
  const admission = [
    ...(a.newlyDenied.length ? [`- **newly denied** (no node pool runs them): ${shortList(a.newlyDenied, MAX_NAMES)}`] : []),
    ...(a.newlyAdmitted.length ? [`- newly admitted: ${shortList(a.newlyAdmitted, MAX_NAMES)}`] : []),
    ...groupedWarnings(a.newlyWarned).map((l) => `- newly warned: ${l}`),
    ...(a.noLongerWarned.length ? [`- no longer warned: ${shortList(a.noLongerWarned, MAX_NAMES)}`] : []),
    ...groupedWarnings(a.warningChanged.map((w) => ({ machineType: w.machineType, message: w.after }))).map((l) => `- warning now reads: ${l}`),
  ];
  if (admission.length) out.push('', '### Admission (machine types)', ...admission);
  if (d.enforcement.length) out.push('', '### Policy enforcement', ...d.enforcement.map(enforcementText));
  for (const area of ['controller', 'kubevirt', 'kube-ovn'] as const) {
    const lines = d.settings.filter((s) => s.area === area);
    if (lines.length === 0) continue;
    out.push('', `### ${AREA_TITLE[area]}`, ...lines.map((s) => `- ${s.subject}: ${s.setting} ${s.before ?? '(unset)'} → ${s.after ?? '(unset)'}`));
  }
  out.push('', '### Objects');
  if (d.change !== 'changed') {
    out.push(`- ${d.objects.length} objects ${d.change}`);
    return out;
  }
  for (const o of d.objects.slice(0, MAX_OBJECTS)) {
    const fields = o.fields.length
      ? `: ${o.fields.slice(0, MAX_FIELDS).map(code).join(', ')}${o.fields.length > MAX_FIELDS ? ` and ${o.fields.length - MAX_FIELDS} more` : ''}`
      : '';
    out.push(`- ${o.change} ${code(o.object)}${fields}`);
  }
  if (d.objects.length > MAX_OBJECTS) out.push(`- and ${d.objects.length - MAX_OBJECTS} more objects`);
  return out;
}

function workloadLines(w: VmVerdictDiff): string[] {
  const out = ['', `## VMs of ${w.cluster} whose verdict changes`];
  if (w.skipped) return [...out, `- not computed: ${w.skipped}`];
  if (w.changes.length === 0) return [...out, `- none of the ${w.checked} checked`];
  return [
    ...out,
    ...w.changes.map((c) => `- ${c.kind} ${c.namespace}/${c.name} (${c.machineType}): ${c.before} → **${c.after}**`),
    `- ${w.changes.length} of ${w.checked} checked change`,
  ];
}

export function diffMarkdown(r: DiffReport): string {
  const out = [r.summary];
  if (r.dist.stale) {
    const files = r.dist.files.map((f) => `${f.change} ${code(f.path)}`);
    out.push(
      '',
      `> **dist/ is stale: run \`npm run synth\`.** ${r.dist.filesDiffering === 1 ? '1 file of dist/ differs' : `${r.dist.filesDiffering} files of dist/ differ`} from a fresh synth of the working tree: ${shortList(files, 5)}.`,
    );
  }
  const fleet = fleetLines(r.fleet);
  if (fleet.length) out.push('', '## Fleet delivery (Argo CD)', ...fleet);
  for (const d of r.clusters) out.push(...clusterLines(d));
  if (r.workloads) out.push(...workloadLines(r.workloads));
  return `${out.join('\n')}\n`;
}
