/**
 * `kvfleet plan --format html`: one self-contained page, published as a CI artefact. No script,
 * font, image or stylesheet is loaded (a Content-Security-Policy meta tag forbids it), so the page
 * opens the same from a zip on a laptop with no network. Grid cells carry a symbol, a word and a
 * title besides their colour, and a legend explains them: the page reads in grey print too.
 * Every string from a cluster passes through `esc`.
 */
import { type ClusterPlan, type Fix, type FleetPlan, type GridCell, VERDICTS, type Verdict, type VmPlan } from '../planModel.js';
import {
  countsText,
  cpuText,
  DEPRECATED_NOTE,
  FIXES_HEADING,
  isRestartFix,
  GRID_CELL_LABEL,
  GRID_CELL_MEANING,
  GRID_CELL_SYMBOL,
  inventoryText,
  kindShort,
  memoryText,
  NO_FIX,
  nodeCountText,
  poolText,
  OK_SUMMARY,
  PATCH_FIELD,
  RESTART_NOTE,
  SECTION,
  stepAction,
  stepLabel,
  TARGETS_HEADING,
  targetsByStepText,
  upgradesText,
  VERDICT_MEANING,
  vmRef,
  vmsByGroup,
  warningLines,
} from './wording.js';

/** Forbids every load: the page must not phone home, and a name smuggling markup could not fetch anything either. */
export const PLAN_HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const GRID_CELLS: readonly GridCell[] = ['supported', 'deprecated', 'dropped', 'added', 'absent'];

/** The whole plan as one HTML document. */
export function renderHtml(plan: FleetPlan): string {
  const title = `kvfleet plan: ${plan.clusters.length === 1 ? plan.clusters[0]!.cluster : `${plan.clusters.length} clusters`}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(PLAN_HTML_CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header class="page">
<h1>${esc(title)}</h1>
<p class="lead">What the planned KubeVirt and launcher steps do to live migration, per cluster and step. Fleet: ${countBadges(plan.counts)}</p>
</header>
<main>
${plan.clusters.length === 0 ? '<p>No clusters in the plan.</p>' : plan.clusters.map(clusterSection).join('\n')}
</main>
<footer>Rendered by <code>kvfleet plan --format html</code> from plan schema <code>${esc(plan.schemaVersion)}</code>. Verdicts: ${VERDICTS.map(
    (v) => `<b>${v}</b>: ${esc(VERDICT_MEANING[v])}`,
  ).join('; ')}.</footer>
</body>
</html>
`;
}

function clusterSection(c: ClusterPlan): string {
  const groups = vmsByGroup(c);
  const parts: string[] = [];
  parts.push(`<section class="cluster" data-cluster="${esc(c.cluster)}" aria-labelledby="${id(c, 'title')}">
<h2 id="${id(c, 'title')}">${esc(c.cluster)}</h2>
<p class="meta">KubeVirt <b>${esc(c.kubevirtVersion)}</b> · inventory: ${esc(inventoryText(c))}</p>
<p class="summary" data-summary>${countBadges(c.counts)} <span class="muted">${esc(upgradesText(c))}</span></p>
<p class="steps">${c.steps
    .map(
      (s) =>
        `<span class="step" data-step="${esc(s.id)}" data-machine-types-changed="${s.machineTypesChanged}" title="${esc(s.launcher)}">${esc(s.id)}: ${esc(s.label)}</span>`,
    )
    .join('<span class="arrow" aria-hidden="true">⇒</span>')}</p>`);

  parts.push(`<h3>${SECTION.grid}</h3>`, grid(c));

  parts.push(`<h3>${SECTION.attention}</h3>`);
  if (groups.attention.some((vm) => vm.fixes.some(isRestartFix)))
    parts.push(
      `<p class="muted">A fix marked <span class="tag">restart required</span> changes the machine type: ${esc(RESTART_NOTE.replace(/^restart required: /, ''))}.</p>`,
    );
  parts.push(groups.attention.length === 0 ? '<p class="none">None.</p>' : vmTable(c, groups.attention, true));
  if (groups.deprecated.length > 0) {
    parts.push(`<h3>${SECTION.deprecated}</h3>`, `<p class="muted">${esc(DEPRECATED_NOTE)}.</p>`, vmTable(c, groups.deprecated, false));
  }
  parts.push(`<p class="ok-summary">${esc(OK_SUMMARY(c.counts.ok))}</p>`);

  parts.push(`<h3>${SECTION.capacity}</h3>`, `<p class="rule"><b>Rule:</b> ${esc(c.capacity.rule)}</p>`, capacityTable(c));

  if (c.transitions.length > 0) {
    parts.push(
      `<h3>${SECTION.transitions}</h3><p class="muted">${esc(RESTART_NOTE)}.</p>`,
      table(
        ['VM', 'From', 'To', 'Before', 'Argo CD app'],
        c.transitions.map((t) => [
          `${kindShort(t.kind)} <code>${esc(vmRef(t))}</code>`,
          `<code>${esc(t.from)}</code>`,
          `<code>${esc(t.to)}</code>`,
          esc(stepAction(c, t.before)),
          t.argoCdApplication ? `<code>${esc(t.argoCdApplication)}</code>` : '–',
        ]),
        'transitions',
      ),
    );
  }
  if (c.patches.length > 0) {
    parts.push(
      `<h3>${SECTION.patches}</h3><p class="muted">JSON merge patch of each VirtualMachine in its Git source, setting <code>${PATCH_FIELD}</code>.</p>`,
      table(
        ['Argo CD app', 'VirtualMachine', 'Merge patch'],
        c.patches.map((p) => [
          `<code>${esc(p.argoCdApplication)}</code>`,
          `<code>${esc(vmRef(p))}</code>`,
          `<code class="wrap">${esc(JSON.stringify(p.mergePatch))}</code>`,
        ]),
        'patches',
      ),
    );
  }
  const warnings = warningLines(c);
  if (warnings.length > 0) {
    parts.push(`<h3>${SECTION.warnings}</h3>`, `<ul class="warnings">${warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`);
  }
  return `${parts.join('\n')}\n</section>`;
}

/**
 * Machine types down, pools across: the types outnumber the pools many times over, and full type
 * names read better as row heads than as rotated column heads. Oldest type first, as the model sorts them.
 */
function grid(c: ClusterPlan): string {
  const vmsByType = new Map<string, VmPlan[]>();
  for (const vm of c.vms) vmsByType.set(vm.machineType, [...(vmsByType.get(vm.machineType) ?? []), vm]);
  const pools = c.grid.rows.map((r) => ({ row: r, pool: c.pools.find((p) => p.name === r.pool) }));
  const head = pools
    .map(
      ({ row, pool }) =>
        `<th scope="col" data-pool="${esc(row.pool)}">${esc(row.pool)}${
          pool ? `<span class="sub">${esc(poolText(pool))}</span>` + `<span class="sub">${esc(nodeCountText(pool))} node${pool.nodes === 1 ? '' : 's'}</span>` : ''
        }</th>`,
    )
    .join('');
  const body = c.grid.machineTypes
    .map((type) => {
      const vms = vmsByType.get(type) ?? [];
      const worst = VERDICTS.find((v) => vms.some((vm) => vm.verdict === v));
      const vmCell = vms.length === 0 ? '<td class="vms muted">–</td>' : `<td class="vms">${vms.length}${worst && worst !== 'ok' ? ` ${pill(worst)}` : ''}</td>`;
      const cells = pools
        .map(({ row }) => {
          const cell = row.cells[type] ?? 'absent';
          const title = `${row.pool}: ${type} ${GRID_CELL_LABEL[cell]}: ${GRID_CELL_MEANING[cell]}`;
          return `<td class="cell cell-${cell}" data-pool="${esc(row.pool)}" data-machine-type="${esc(type)}" data-cell="${cell}" title="${esc(title)}"><span class="sym" aria-hidden="true">${GRID_CELL_SYMBOL[cell]}</span> ${GRID_CELL_LABEL[cell]}</td>`;
        })
        .join('');
      return `<tr><th scope="row"><code>${esc(type)}</code></th>${cells}${vmCell}</tr>`;
    })
    .join('\n');
  const legend = GRID_CELLS.map(
    (cell) =>
      `<li><span class="cell cell-${cell} swatch"><span class="sym" aria-hidden="true">${GRID_CELL_SYMBOL[cell]}</span> ${GRID_CELL_LABEL[cell]}</span> ${esc(GRID_CELL_MEANING[cell])}</li>`,
  ).join('');
  return `<div class="grid-wrap"><table class="grid" data-grid data-cluster="${esc(c.cluster)}">
<caption>Each pool's machine types now, and what the planned steps change by the last one</caption>
<thead><tr><th scope="col">Machine type</th>${head}<th scope="col">VMs</th></tr></thead>
<tbody>
${body}
</tbody>
</table>
<ul class="legend" aria-label="Legend">${legend}</ul></div>`;
}

function vmTable(c: ClusterPlan, vms: readonly VmPlan[], withFixes: boolean): string {
  const header = ['Verdict', 'VM', 'Machine type', 'From step', TARGETS_HEADING, ...(withFixes ? [FIXES_HEADING] : [])];
  const rows = vms.map((vm) => [
    pill(vm.verdict),
    `${kindShort(vm.kind)} <code>${esc(vmRef(vm))}</code>${vm.argoCdApplication ? `<span class="sub">Argo CD: ${esc(vm.argoCdApplication)}</span>` : ''}`,
    vm.requestedMachineType === vm.machineType
      ? `<code>${esc(vm.machineType)}</code>`
      : `<code>${esc(vm.machineType)}</code><span class="sub">requested ${esc(vm.requestedMachineType)}</span>`,
    `${esc(stepAction(c, vm.verdictStep))}${vm.reason ? `<span class="sub">${esc(vm.reason)}</span>` : ''}`,
    esc(targetsByStepText(vm)),
    ...(withFixes ? [vm.fixes.length === 0 ? `<span class="muted">${esc(NO_FIX)}</span>` : `<ol class="fixes">${vm.fixes.map(fixItem).join('')}</ol>`] : []),
  ]);
  return table(
    header,
    rows,
    'vms',
    vms.map((vm) => `data-vm="${esc(vmRef(vm))}" data-verdict="${vm.verdict}"`),
  );
}

/** A fix; a machine-type change carries a visible "restart required" tag whose title says why. */
function fixItem(fix: Fix): string {
  return isRestartFix(fix) ? `<li>${esc(fix.text)} <span class="tag" title="${esc(RESTART_NOTE)}">restart required</span></li>` : `<li>${esc(fix.text)}</li>`;
}

function capacityTable(c: ClusterPlan): string {
  const rows = c.capacity.pools.map((p) => [
    esc(stepLabel(c, p.step)),
    `<code>${esc(p.pool)}</code>`,
    String(p.vms),
    usage(p.requested.cpuMillis, p.usable.cpuMillis, `${cpuText(p.requested.cpuMillis)} / ${cpuText(p.usable.cpuMillis)} cores`),
    usage(p.requested.memoryBytes, p.usable.memoryBytes, `${memoryText(p.requested.memoryBytes)} / ${memoryText(p.usable.memoryBytes)}`),
    p.overcommitted ? '<span class="pill pill-stranded">overcommitted</span>' : '<span class="muted">fits</span>',
  ]);
  return table(
    ['Step', 'Pool', 'VMs', 'CPU requested / usable', 'Memory requested / usable', ''],
    rows,
    'capacity',
    c.capacity.pools.map((p) => `data-step="${esc(p.step)}" data-pool="${esc(p.pool)}"${p.overcommitted ? ' data-overcommitted' : ''}`),
  );
}

/** Text with a bar under it; the bar is decoration (the text carries the figures), capped at the cell width. */
function usage(requested: number | null, usable: number | null, text: string): string {
  if (requested === null || usable === null) return esc(text);
  const ratio = usable > 0 ? requested / usable : requested > 0 ? Infinity : 0;
  const width = Math.min(100, Math.round(ratio * 100));
  return `${esc(text)}<span class="bar${ratio > 1 ? ' over' : ''}" aria-hidden="true"><span style="width:${width}%"></span></span>`;
}

function countBadges(counts: Readonly<Record<Verdict, number>>): string {
  return `<span class="counts" title="${esc(countsText(counts))}">${VERDICTS.map(
    (v) => `<span class="count count-${v}${counts[v] === 0 ? ' zero' : ''}" data-count="${v}"><b>${counts[v]}</b> ${v}</span>`,
  ).join(' ')}</span>`;
}

function pill(v: Verdict): string {
  return `<span class="pill pill-${v}">${v}</span>`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[], kind: string, rowAttrs?: readonly string[]): string {
  return `<table class="list" data-table="${kind}"><thead><tr>${header.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>
${rows.map((r, i) => `<tr${rowAttrs?.[i] ? ` ${rowAttrs[i]}` : ''}>${r.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('\n')}
</tbody></table>`;
}

/** A stable element id for a cluster: its name is a DNS label in practice, but anything else is encoded. */
function id(c: ClusterPlan, part: string): string {
  return `c-${encodeURIComponent(c.cluster).replace(/%/g, '_')}-${part}`;
}

/** HTML-escapes text for element content and double- or single-quoted attributes alike. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

// System fonts only (no web font may load). Widths fit 1280 px; print keeps the cell colours.
const STYLE = `
:root{--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--bg:#fff;--panel:#f6f8fa;
--ok:#1a7f37;--ok-bg:#dafbe1;--dep:#7d4e00;--dep-bg:#fff8c5;--risk:#9a4800;--risk-bg:#ffe7cc;--bad:#b3261e;--bad-bg:#ffebe9;--add:#0b5cad;--add-bg:#ddf4ff;--abs:#8c959f;--abs-bg:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header.page,main,footer{max-width:1200px;margin:0 auto;padding:0 24px}
header.page{padding-top:24px;padding-bottom:8px;border-bottom:1px solid var(--line)}
h1{font-size:24px;margin:0 0 6px}
h2{font-size:20px;margin:0 0 4px}
h3{font-size:15px;margin:22px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
pre{margin:0;white-space:pre-wrap}
.lead{margin:0 0 8px;color:var(--muted)}
.muted,.none{color:var(--muted)}
.sub{display:block;font-size:12px;color:var(--muted);font-weight:normal}
section.cluster{margin:24px 0;padding:20px 24px;border:1px solid var(--line);border-radius:8px}
.meta{margin:0 0 10px;color:var(--muted)}
.summary{margin:0 0 8px}
.counts{display:inline-flex;gap:6px;flex-wrap:wrap;vertical-align:middle}
.count{display:inline-block;padding:2px 10px;border-radius:999px;border:1px solid currentColor;font-size:13px}
.count b{font-size:15px}
.count.zero{color:var(--muted);border-color:var(--line);background:var(--bg)}
.count-stranded:not(.zero){color:var(--bad);background:var(--bad-bg)}
.count-at-risk:not(.zero){color:var(--risk);background:var(--risk-bg)}
.count-deprecated:not(.zero){color:var(--dep);background:var(--dep-bg)}
.count-ok:not(.zero){color:var(--ok);background:var(--ok-bg)}
.steps{margin:0;color:var(--muted)}
.step{color:var(--fg)}
.arrow{margin:0 8px}
table{border-collapse:collapse}
table.list{width:100%}
table.list th,table.list td{text-align:left;vertical-align:top;padding:6px 10px;border-bottom:1px solid var(--line)}
table.list th{font-size:12px;text-transform:uppercase;letter-spacing:.03em;color:var(--muted);background:var(--panel)}
.grid-wrap{display:flex;gap:28px;align-items:flex-start;flex-wrap:wrap}
table.grid caption{text-align:left;color:var(--muted);font-size:12px;padding-bottom:6px}
table.grid th,table.grid td{padding:4px 12px;border:1px solid var(--line);text-align:left}
table.grid thead th{background:var(--panel);vertical-align:bottom}
table.grid tbody th{font-weight:normal;background:var(--panel)}
table.grid td.vms{text-align:right;white-space:nowrap}
.cell{min-width:130px;white-space:nowrap;font-size:13px}
.cell .sym{display:inline-block;width:1.1em;text-align:center;font-weight:bold}
.cell-supported{background:var(--ok-bg);color:var(--ok)}
.cell-deprecated{background:var(--dep-bg);color:var(--dep)}
.cell-dropped{background:repeating-linear-gradient(135deg,var(--bad-bg) 0 6px,#ffd7d3 6px 9px);color:var(--bad);font-weight:600}
.cell-added{background:var(--add-bg);color:var(--add);font-weight:600}
.cell-absent{background:var(--abs-bg);color:var(--abs)}
.legend{list-style:none;margin:26px 0 0;padding:0;font-size:12.5px;color:var(--muted);max-width:420px}
.legend li{display:grid;grid-template-columns:128px 1fr;gap:8px;align-items:start;margin:0 0 6px}
.swatch{display:block;padding:1px 8px;border:1px solid var(--line);border-radius:4px}
.pill{display:inline-block;padding:0 8px;border-radius:999px;font-size:12px;font-weight:600;white-space:nowrap;border:1px solid currentColor}
.pill-stranded{color:var(--bad);background:var(--bad-bg)}
.pill-at-risk{color:var(--risk);background:var(--risk-bg)}
.pill-deprecated{color:var(--dep);background:var(--dep-bg)}
.pill-ok{color:var(--ok);background:var(--ok-bg)}
table[data-table=vms] td:nth-child(1){width:1%}
table[data-table=vms] td:nth-child(2){min-width:200px}
table[data-table=vms] td:nth-child(4){min-width:150px}
table[data-table=vms] td:nth-child(5){width:46%}
table.list code{white-space:nowrap}
table.list code.wrap{white-space:normal;word-break:break-all}
ol.fixes{margin:0;padding-left:18px}
ol.fixes li{margin-bottom:2px}
.tag{display:inline-block;padding:0 6px;border-radius:4px;font-size:11.5px;font-weight:600;background:#eef1f4;border:1px solid var(--line);color:var(--fg);white-space:nowrap}
.ok-summary{color:var(--ok)}
.rule{margin:0 0 8px;color:var(--muted);max-width:900px}
.bar{display:block;height:4px;width:160px;background:var(--panel);border-radius:2px;margin-top:3px;overflow:hidden}
.bar>span{display:block;height:100%;background:#8c959f}
.bar.over>span{background:var(--bad)}
ul.warnings{margin:0;padding-left:20px;color:var(--risk)}
footer{margin:24px auto 32px;color:var(--muted);font-size:12px}
@media print{body{font-size:11px}section.cluster{border:none;padding:0;break-before:page}section.cluster:first-of-type{break-before:auto}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}table.list tr{break-inside:avoid}}
`
  .trim()
  .replace(/\n/g, '');
