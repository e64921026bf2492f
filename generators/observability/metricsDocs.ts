/**
 * docs/operations.md's metrics tables, rendered from the metric definitions: each program's own
 * (programs/node-labeller/metrics.ts, programs/migration-controller/metrics.ts) and KubeVirt's
 * (kubevirtMetrics.ts). Written by `npm run docs:metrics` (scripts/metricsDocs.ts) between marker
 * comments; metricsDocs.test.ts fails when docs/operations.md holds anything else there.
 */
import { CONTROLLER_METRICS } from '../../programs/migration-controller/metrics.js';
import { LABELLER_METRICS } from '../../programs/node-labeller/metrics.js';
import { type MetricContract, type MetricLabel } from '../../programs/runtime/metricsContract.js';
import { type ExternalMetricContract, KUBEVIRT_METRICS } from './kubevirtMetrics.js';

/** One README section per list of the contract, between `<!-- metrics:<id>:start … -->` and `<!-- metrics:<id>:end -->`. */
export interface MetricsSection {
  readonly id: 'labeller' | 'controller' | 'kubevirt';
  readonly table: string;
}

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

function labelCell(l: MetricLabel): string {
  if (l.values) return `\`${l.name}\` (${l.values.join(', ')})`;
  if (l.note) return `\`${l.name}\` (${l.note})`;
  return `\`${l.name}\``;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function programTable(metrics: Record<string, MetricContract>): string {
  return table(
    ['metric', 'type', 'labels', 'read it as'],
    Object.values(metrics).map((m) => [`\`${m.name}\``, m.type, m.labels.map(labelCell).join(', '), m.readAs]),
  );
}

function kubevirtTable(metrics: readonly ExternalMetricContract[]): string {
  return table(
    ['metric', 'type', 'labels', 'exported by', 'read it as'],
    metrics.map((m) => [`\`${m.name}\``, m.type, m.labels.map(labelCell).join(', '), `${m.exporter} (\`${m.source.replace(/^kubevirt\/kubevirt /, '')}\`)`, m.readAs]),
  );
}

export function metricsSections(): MetricsSection[] {
  return [
    { id: 'labeller', table: programTable(LABELLER_METRICS) },
    { id: 'controller', table: programTable(CONTROLLER_METRICS) },
    { id: 'kubevirt', table: kubevirtTable(KUBEVIRT_METRICS) },
  ];
}

/** Where each table's rows are defined, named in its start marker: the file to edit. */
const SOURCES: Record<MetricsSection['id'], string> = {
  labeller: 'programs/node-labeller/metrics.ts',
  controller: 'programs/migration-controller/metrics.ts',
  kubevirt: 'generators/observability/kubevirtMetrics.ts',
};

export const startMarker = (id: MetricsSection['id']) =>
  `<!-- metrics:${id}:start (generated from ${SOURCES[id]} by npm run docs:metrics; generators/observability/metricsDocs.test.ts checks) -->`;
export const endMarker = (id: MetricsSection['id']) => `<!-- metrics:${id}:end -->`;

/** What stands between the markers of `id` in `readme`, trimmed; undefined when a marker is missing. */
export function markedSection(readme: string, id: MetricsSection['id']): string | undefined {
  const start = readme.indexOf(startMarker(id));
  const end = readme.indexOf(endMarker(id));
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + startMarker(id).length, end).trim();
}

/** `readme` with every section's table written between its markers; throws when markers are missing. */
export function withMetricsTables(readme: string): string {
  let text = readme;
  for (const { id, table } of metricsSections()) {
    const start = text.indexOf(startMarker(id));
    const end = text.indexOf(endMarker(id));
    if (start < 0 || end < start) throw new Error(`docs/operations.md has no '${startMarker(id)}' … '${endMarker(id)}' pair; add both where the table belongs`);
    text = `${text.slice(0, start + startMarker(id).length)}\n${table}\n${text.slice(end)}`;
  }
  return text;
}
