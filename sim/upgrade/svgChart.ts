/**
 * The chart of an upgrade-simulator run (docs/development.md): small bar charts (VMs left on the outdated
 * launcher, update migrations, drains stalled, drain time per node, time to a fully updated cluster, and
 * where the migration target pods went, the migrations failed unschedulable and the slot time their
 * pods held when the results have them), one bar group per mode. Hand-written SVG: a few rectangles and texts need no
 * library, and the output is deterministic for the same results. Pure.
 */
import { type ModeResult } from './metrics.js';

export interface ChartContext {
  readonly title: string;
  /** Lines printed under the title (scenario, scale). */
  readonly subtitle: readonly string[];
  /** The command that reproduces the figures. */
  readonly command: string;
}

interface Series {
  readonly name: string;
  readonly color: string;
  readonly values: readonly number[];
}

interface PanelSpec {
  readonly title: string;
  readonly series: readonly Series[];
  readonly stacked: boolean;
  readonly format: (v: number) => string;
}

const FONT = "font-family='DejaVu Sans, Helvetica, Arial, sans-serif'";

export const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** The smallest of 1, 2, 2.5, 5 × 10^k at or above `v` (at least 1): the axis top. */
export function niceCeiling(v: number): number {
  if (v <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function panel(spec: PanelSpec, modes: readonly string[], x: number, y: number, w: number, h: number): string {
  const out: string[] = [];
  const top = y + 30;
  const bottom = y + h - 38;
  const left = x + 44;
  const right = x + w - 8;
  const totals = modes.map((_, i) => (spec.stacked ? spec.series.reduce((s, se) => s + se.values[i]!, 0) : Math.max(...spec.series.map((se) => se.values[i]!))));
  const max = niceCeiling(Math.max(...totals, 0));
  const yOf = (v: number) => bottom - ((bottom - top) * v) / max;
  out.push(`<text x='${x + 4}' y='${y + 16}' font-size='13' font-weight='bold' ${FONT}>${escapeXml(spec.title)}</text>`);
  for (const f of [0, 0.5, 1]) {
    const gy = yOf(max * f).toFixed(1);
    out.push(`<line x1='${left}' y1='${gy}' x2='${right}' y2='${gy}' stroke='#ddd' stroke-width='1'/>`);
    out.push(`<text x='${left - 4}' y='${(Number(gy) + 4).toFixed(1)}' font-size='10' text-anchor='end' fill='#555' ${FONT}>${escapeXml(num(max * f))}</text>`);
  }
  const group = (right - left) / modes.length;
  const barW = spec.stacked ? group * 0.55 : (group * 0.7) / spec.series.length;
  modes.forEach((mode, i) => {
    const gx = left + group * i;
    let base = 0;
    spec.series.forEach((se, si) => {
      const v = se.values[i]!;
      const bx = spec.stacked ? gx + (group - barW) / 2 : gx + group * 0.15 + barW * si;
      const y0 = spec.stacked ? yOf(base) : bottom;
      const y1 = spec.stacked ? yOf(base + v) : yOf(v);
      if (v > 0) out.push(`<rect x='${bx.toFixed(1)}' y='${y1.toFixed(1)}' width='${barW.toFixed(1)}' height='${(y0 - y1).toFixed(1)}' fill='${se.color}'/>`);
      if (!spec.stacked)
        out.push(`<text x='${(bx + barW / 2).toFixed(1)}' y='${(y1 - 3).toFixed(1)}' font-size='10' text-anchor='middle' ${FONT}>${escapeXml(spec.format(v))}</text>`);
      base += v;
    });
    if (spec.stacked)
      out.push(
        `<text x='${(gx + group / 2).toFixed(1)}' y='${(yOf(base) - 3).toFixed(1)}' font-size='10' text-anchor='middle' ${FONT}>${escapeXml(spec.format(base))}</text>`,
      );
    out.push(`<text x='${(gx + group / 2).toFixed(1)}' y='${bottom + 14}' font-size='10' text-anchor='middle' ${FONT}>${escapeXml(mode)}</text>`);
  });
  out.push(`<line x1='${left}' y1='${bottom}' x2='${right}' y2='${bottom}' stroke='#333' stroke-width='1'/>`);
  // Legend under the axis labels.
  let lx = left;
  for (const se of spec.series.length > 1 ? spec.series : []) {
    out.push(`<rect x='${lx}' y='${bottom + 22}' width='9' height='9' fill='${se.color}'/>`);
    out.push(`<text x='${lx + 12}' y='${bottom + 30}' font-size='10' ${FONT}>${escapeXml(se.name)}</text>`);
    lx += 16 + se.name.length * 5.6;
  }
  return out.join('\n');
}

export function renderChart(results: readonly ModeResult[], ctx: ChartContext): string {
  return chartSvg(
    chartPanels(results),
    results.map((r) => r.mode),
    ctx,
  );
}

/** One value per mode, in the order of the results. */
type Pick = (f: (r: ModeResult) => number) => number[];

const minutes = (v: number) => num(Math.round(v * 10) / 10);
const count = (v: number) => num(Math.round(v));

/** Every run's panels, then those of the figures only some results carry. */
function chartPanels(results: readonly ModeResult[]): PanelSpec[] {
  const pick: Pick = (f) => results.map(f);
  return [
    ...countPanels(pick),
    ...durationPanels(pick),
    ...(results.some((r) => r.targetPods) ? targetPodPanels(pick) : []),
    ...(results.some((r) => r.unschedulableFailed !== undefined) ? unschedulablePanels(pick) : []),
  ];
}

/** VMs left behind, update migrations and stalled drains. */
function countPanels(pick: Pick): PanelSpec[] {
  return [
    {
      title: 'VMs left on the outdated launcher',
      stacked: false,
      format: count,
      series: [
        { name: 'left', color: '#d62728', values: pick((r) => r.outdatedAtEnd) },
        { name: 'of them named by kvfleet plan before', color: '#2ca02c', values: pick((r) => r.outdatedNamedByPlan) },
      ],
    },
    {
      title: 'Update migrations',
      stacked: false,
      format: count,
      series: [
        { name: 'created', color: '#8c564b', values: pick((r) => r.updateMigrations) },
        { name: 'failed', color: '#ff7f0e', values: pick((r) => r.updateFailed) },
        { name: 'retried', color: '#e377c2', values: pick((r) => r.updateRetries) },
      ],
    },
    {
      title: 'Drains stalled',
      stacked: false,
      format: count,
      series: [{ name: 'stalled', color: '#d62728', values: pick((r) => r.drainsStalled) }],
    },
  ];
}

/** Drain time per node, time to a fully updated cluster, and the step's length, in minutes. */
function durationPanels(pick: Pick): PanelSpec[] {
  return [
    {
      title: 'Drain time per node (min)',
      stacked: false,
      format: minutes,
      series: [
        { name: 'p50', color: '#1f77b4', values: pick((r) => r.drainP50Seconds / 60) },
        { name: 'max', color: '#aec7e8', values: pick((r) => r.drainMaxSeconds / 60) },
      ],
    },
    {
      title: 'Fully updated after (min; 0 = never)',
      stacked: false,
      format: minutes,
      series: [{ name: 'fully updated', color: '#17becf', values: pick((r) => (r.fullyUpdatedSeconds ?? 0) / 60) }],
    },
    {
      title: 'Step, start to last drain (min)',
      stacked: false,
      format: minutes,
      series: [{ name: 'step', color: '#9467bd', values: pick((r) => r.stepSeconds / 60) }],
    },
  ];
}

/** Where the migration target pods went. */
function targetPodPanels(pick: Pick): PanelSpec[] {
  return [
    {
      title: 'Migration target pods',
      stacked: false,
      format: count,
      series: [
        { name: 'never bound', color: '#ff7f0e', values: pick((r) => r.targetPods?.neverBound ?? 0) },
        {
          name: 'wrong arch or lacking type',
          color: '#d62728',
          values: pick((r) => (r.targetPods ? r.targetPods.wrongArchitecture + r.targetPods.lackingType : 0)),
        },
      ],
    },
  ];
}

/** The migrations failed unschedulable, and the slot time their never-bound pods held. */
function unschedulablePanels(pick: Pick): PanelSpec[] {
  return [
    {
      title: 'Migrations failed unschedulable',
      stacked: false,
      format: count,
      series: [
        { name: 'VMIMs', color: '#ff7f0e', values: pick((r) => r.unschedulableFailed ?? 0) },
        { name: 'their VMs', color: '#8c564b', values: pick((r) => r.unschedulableFailedVmis ?? 0) },
      ],
    },
    {
      title: 'Slot time, never-bound pods (min)',
      stacked: false,
      format: minutes,
      series: [{ name: 'held', color: '#d62728', values: pick((r) => (r.neverBoundTargetPodSeconds ?? 0) / 60) }],
    },
  ];
}

/** The document: title and subtitle, the panels three to a row, and the command that reproduces them. */
function chartSvg(panels: readonly PanelSpec[], modes: readonly string[], ctx: ChartContext): string {
  const cols = 3;
  const pw = 320;
  const ph = 230;
  const head = 22 + 16 * (ctx.subtitle.length + 1);
  const width = cols * pw;
  const height = head + Math.ceil(panels.length / cols) * ph + 24;
  const parts = [
    `<svg xmlns='http://www.w3.org/2000/svg' width='${width}' height='${height}' viewBox='0 0 ${width} ${height}'>`,
    `<rect width='${width}' height='${height}' fill='#fff'/>`,
    `<text x='8' y='22' font-size='16' font-weight='bold' ${FONT}>${escapeXml(ctx.title)}</text>`,
    ...ctx.subtitle.map((s, i) => `<text x='8' y='${40 + 16 * i}' font-size='11' fill='#333' ${FONT}>${escapeXml(s)}</text>`),
    ...panels.map((p, i) => panel(p, modes, (i % cols) * pw, head + Math.floor(i / cols) * ph, pw, ph)),
    `<text x='8' y='${height - 8}' font-size='11' fill='#333' ${FONT}>${escapeXml(`Reproduce: ${ctx.command}`)}</text>`,
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}
