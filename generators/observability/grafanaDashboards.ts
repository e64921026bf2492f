/**
 * kvfleet's Grafana dashboards, generated: one per cluster (its own name preselected, its pools and
 * alert thresholds drawn in, the Kube-OVN row only where Kube-OVN runs) and one for the fleet, whose
 * panels split every series by cluster. Both select the Prometheus data source and the cluster with
 * variables, so one JSON works against a cluster's own Prometheus (no `cluster` label: the variable
 * falls back to All) and against a fleet-wide store (Thanos, Mimir) whose series carry `cluster`.
 * Pure and deterministic: same definitions, same bytes.
 */
import { createHash } from 'node:crypto';
import { type ClusterDefinition } from '../../fleet/clusterDefinition.js';
import { alertThresholds } from '../../fleet/clusterSchemaAlerts.js';
import { JOBS, RECORDED } from './alertRules.js';

/** The label a fleet-wide store puts on every series to name its cluster. */
export const CLUSTER_LABEL = 'cluster';
/** The label Grafana's dashboard sidecar (kube-prometheus-stack, the Grafana chart) loads ConfigMaps by. */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: '1' } as const;
/** Grafana refuses dashboard UIDs longer than this. */
export const MAX_DASHBOARD_UID_LENGTH = 40;
// Grafana's variable syntax, not a template literal: the data source the dashboard's variable selects.
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana expands ${datasource}, not JavaScript.
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

export type DashboardScope =
  | { readonly kind: 'cluster'; readonly cluster: ClusterDefinition }
  | { readonly kind: 'fleet'; readonly clusters: readonly ClusterDefinition[] };

/** Builds queries for one scope: every selector filtered by the cluster variable, fleet aggregations split by cluster. */
export interface QueryFlavor {
  readonly fleet: boolean;
  /** `metric{cluster=~"$cluster",<matchers>}`. */
  sel(metric: string, matchers?: string): string;
  /** `op by (<cluster,> labels) (inner)`; no `by` when there is nothing to group by. */
  agg(op: string, labels: readonly string[], inner: string): string;
  /** A legend: `{{cluster}} ` first on the fleet dashboard. */
  legend(text: string): string;
}

export function queryFlavor(fleet: boolean): QueryFlavor {
  return {
    fleet,
    sel: (metric, matchers) => `${metric}{${[`${CLUSTER_LABEL}=~"$cluster"`, ...(matchers ? [matchers] : [])].join(', ')}}`,
    agg: (op, labels, inner) => {
      const by = fleet ? [CLUSTER_LABEL, ...labels] : labels;
      return by.length > 0 ? `${op} by (${by.join(', ')}) (${inner})` : `${op}(${inner})`;
    },
    legend: (text) => (fleet ? `{{${CLUSTER_LABEL}}} ${text}`.trim() : text),
  };
}

interface Target {
  readonly expr: string;
  readonly legend: string;
  /** One value per series (tables, stats) instead of a range. */
  readonly instant?: boolean;
}

interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly type: 'timeseries' | 'stat' | 'table';
  readonly unit: string;
  readonly targets: readonly Target[];
  /** Grid columns of 24. */
  readonly width: number;
  readonly height?: number;
  /** A red threshold line or colour at this value. */
  readonly threshold?: number;
}

interface RowSpec {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

const quantiles = (q: QueryFlavor, buckets: string, labels: readonly string[], labelLegend: string): Target[] =>
  [0.5, 0.9].map((quantile) => ({
    expr: `histogram_quantile(${quantile}, ${q.agg('sum', ['le', ...labels], buckets)})`,
    legend: q.legend(`${labelLegend} p${quantile * 100}`.trim()),
  }));

function migrationRow(q: QueryFlavor, failurePercent: number | undefined): RowSpec {
  return {
    title: 'Migrations',
    panels: [
      {
        title: 'Migrations ending, by result and origin',
        description: `Per second, from the controller (origin="kvfleet" are fallbacks it created). Recorded as ${RECORDED.migrationsRate5m}.`,
        type: 'timeseries',
        unit: 'ops',
        width: 12,
        targets: [{ expr: q.agg('sum', ['result', 'origin'], q.sel(RECORDED.migrationsRate5m)), legend: q.legend('{{result}} ({{origin}})') }],
      },
      {
        title: 'Failed share of migrations (30 min)',
        description:
          "kvfleet's count and KubeVirt's (kubevirt_vmi_migration_failed). The alerts KvfleetMigrationFailureRate and KvfleetKubevirtMigrationFailureRate read these.",
        type: 'timeseries',
        unit: 'percentunit',
        width: 12,
        ...(failurePercent !== undefined ? { threshold: failurePercent / 100 } : {}),
        targets: [
          { expr: q.agg('max', [], q.sel(RECORDED.failureRatio30m)), legend: q.legend('kvfleet') },
          { expr: q.agg('max', [], q.sel(RECORDED.kubevirtFailureRatio30m)), legend: q.legend('KubeVirt') },
        ],
      },
      {
        title: 'Time in each migration phase',
        description: 'p50 and p90 of kvfleet_migration_phase_seconds, observed when a migration ends.',
        type: 'timeseries',
        unit: 's',
        width: 12,
        targets: quantiles(q, q.sel(RECORDED.phaseBucketsRate5m), ['phase'], '{{phase}}'),
      },
      {
        title: 'Failures by reason (per hour)',
        description: 'Every failed migration once, by the first reason the controller found; `fixable` ones get a fallback.',
        type: 'timeseries',
        unit: 'short',
        width: 12,
        targets: [
          {
            expr: q.agg('sum', ['reason', 'fixable'], `increase(${q.sel('kvfleet_migration_failures_total')}[1h])`),
            legend: q.legend('{{reason}} (fixable={{fixable}})'),
          },
        ],
      },
      {
        title: 'Fallbacks by reason (per hour)',
        description: 'Fallback VMIMs created, by the failure they retry.',
        type: 'timeseries',
        unit: 'short',
        width: 12,
        targets: [{ expr: q.agg('sum', ['reason'], `increase(${q.sel('kvfleet_migration_fallbacks_total')}[1h])`), legend: q.legend('{{reason}}') }],
      },
      {
        title: 'Failure → fallback latency',
        description: 'From the controller receiving a failure until its first fallback VMIM exists.',
        type: 'timeseries',
        unit: 's',
        width: 12,
        targets: quantiles(q, `rate(${q.sel('kvfleet_migration_fallback_latency_seconds_bucket')}[$__rate_interval])`, [], ''),
      },
    ],
  };
}

function machineTypeRow(q: QueryFlavor): RowSpec {
  return {
    title: 'Machine types',
    panels: [
      {
        title: 'No compatible target (per hour)',
        description: 'Fixable failures that found no Ready, schedulable node offering the VM machine type (KvfleetMigrationNoCompatibleTarget).',
        type: 'timeseries',
        unit: 'short',
        width: 8,
        targets: [{ expr: q.agg('sum', [], `increase(${q.sel('kvfleet_migration_no_compatible_target_total')}[1h])`), legend: q.legend('no target') }],
      },
      {
        title: 'Rejected targets by machine type (per hour)',
        description: 'Targets that could not run the VM machine type: unschedulable on the machine-type selector, incompatible, or no node at all.',
        type: 'timeseries',
        unit: 'short',
        width: 16,
        targets: [
          {
            expr: q.agg('sum', ['machine_type', 'reason'], `increase(${q.sel('kvfleet_machine_type_rejections_total')}[1h])`),
            legend: q.legend('{{machine_type}} {{reason}}'),
          },
        ],
      },
      {
        title: 'Running VMIs and schedulable nodes by machine type',
        description: 'A type with VMIs and 0 nodes cannot migrate anywhere (KvfleetMachineTypeWithoutSchedulableNode).',
        type: 'table',
        unit: 'short',
        width: 12,
        height: 10,
        targets: [
          { expr: q.sel(RECORDED.runningVmis), legend: 'VMIs', instant: true },
          { expr: q.sel(RECORDED.schedulableNodes), legend: 'nodes', instant: true },
        ],
      },
      {
        title: 'Drifting nodes per pool',
        description: "Nodes whose machine types differ from their pool's declaration, and nodes where KubeVirt's machine-type labels disagree with QEMU.",
        type: 'timeseries',
        unit: 'short',
        width: 12,
        height: 10,
        targets: [
          { expr: q.agg('sum', ['pool'], q.sel(RECORDED.driftingNodesByPool)), legend: q.legend('pool {{pool}}') },
          { expr: q.agg('sum', [], q.agg('max', ['node'], q.sel('kvfleet_node_kubevirt_machine_type_drift'))), legend: q.legend("KubeVirt's labels") },
        ],
      },
    ],
  };
}

function kubeOvnRow(q: QueryFlavor): RowSpec {
  return {
    title: 'Kube-OVN',
    panels: [
      {
        title: 'Target network ready after Scheduling',
        description: 'VMIM Scheduling → target pod ovn.kubernetes.io/routed=true: the window in which Kube-OVN must set up the second chassis.',
        type: 'timeseries',
        unit: 's',
        width: 12,
        targets: quantiles(q, `rate(${q.sel('kvfleet_migration_target_network_ready_seconds_bucket')}[$__rate_interval])`, [], ''),
      },
      {
        title: 'Running before the target network was ready (per hour)',
        description: 'Migrations that reached Running before Kube-OVN routed the target pod: network loss at the switch-over.',
        type: 'timeseries',
        unit: 'short',
        width: 12,
        targets: [{ expr: q.agg('sum', [], `increase(${q.sel('kvfleet_migration_running_before_network_ready_total')}[1h])`), legend: q.legend('too late') }],
      },
    ],
  };
}

function healthRow(q: QueryFlavor): RowSpec {
  const jobs = `job=~"${JOBS.labeller}|${JOBS.controller}"`;
  return {
    title: 'kvfleet',
    panels: [
      {
        title: 'Targets up',
        description: 'Scraped targets of the node labeller (one per node) and the migration controller (two replicas).',
        type: 'stat',
        unit: 'short',
        width: 8,
        targets: [{ expr: q.agg('sum', ['job'], q.sel('up', jobs)), legend: q.legend('{{job}}'), instant: true }],
      },
      {
        title: 'Acting controller replicas',
        description: 'Replicas holding the Lease: 1 is healthy, 0 and 2 alert.',
        type: 'stat',
        unit: 'short',
        width: 8,
        threshold: 2,
        targets: [{ expr: q.agg('sum', [], q.sel(RECORDED.leaders)), legend: q.legend('leaders'), instant: true }],
      },
      {
        title: 'Oldest labeller success',
        description: "Time since the stalest node's labeller last matched its labels to its capabilities.",
        type: 'stat',
        unit: 's',
        width: 8,
        threshold: 1200,
        targets: [{ expr: q.agg('max', [], `time() - ${q.sel('kvfleet_node_labeller_last_success_timestamp_seconds')}`), legend: q.legend('stalest'), instant: true }],
      },
      {
        title: 'Reconcile errors (per hour)',
        description: 'Failed attempts, each logged with the API server answer and retried with backoff.',
        type: 'timeseries',
        unit: 'short',
        width: 24,
        targets: [
          { expr: q.agg('sum', ['reason'], `increase(${q.sel('kvfleet_reconcile_errors_total')}[1h])`), legend: q.legend('controller {{reason}}') },
          { expr: q.agg('sum', ['reason'], `increase(${q.sel('kvfleet_node_labeller_errors_total')}[1h])`), legend: q.legend('labeller {{reason}}') },
        ],
      },
    ],
  };
}

function panelJson(p: PanelSpec, id: number, gridPos: { h: number; w: number; x: number; y: number }): Record<string, unknown> {
  const thresholds = {
    mode: 'absolute',
    steps: [{ color: 'green', value: null }, ...(p.threshold !== undefined ? [{ color: 'red', value: p.threshold }] : [])],
  };
  const targets = p.targets.map((t, i) => ({
    datasource: DATASOURCE,
    refId: String.fromCharCode(65 + i),
    expr: t.expr,
    legendFormat: t.legend,
    ...(t.instant ? { instant: true, range: false, format: 'table' } : { range: true }),
  }));
  const common = { id, type: p.type, title: p.title, description: p.description, datasource: DATASOURCE, gridPos, targets };
  switch (p.type) {
    case 'timeseries':
      return {
        ...common,
        fieldConfig: {
          defaults: {
            unit: p.unit,
            min: 0,
            thresholds,
            custom: { drawStyle: 'line', fillOpacity: 10, lineWidth: 1, ...(p.threshold !== undefined ? { thresholdsStyle: { mode: 'line' } } : {}) },
          },
          overrides: [],
        },
        options: { legend: { displayMode: 'table', placement: 'bottom', showLegend: true, calcs: ['lastNotNull', 'max'] }, tooltip: { mode: 'multi', sort: 'desc' } },
      };
    case 'stat':
      return {
        ...common,
        fieldConfig: { defaults: { unit: p.unit, thresholds }, overrides: [] },
        options: {
          colorMode: 'value',
          graphMode: 'none',
          justifyMode: 'auto',
          textMode: 'value_and_name',
          reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        },
      };
    case 'table':
      return {
        ...common,
        fieldConfig: { defaults: { unit: p.unit, thresholds }, overrides: [] },
        options: { showHeader: true, sortBy: [{ desc: true, displayName: 'VMIs' }] },
        // One row per machine type: the two instant queries joined on their labels.
        transformations: [
          { id: 'merge', options: {} },
          { id: 'organize', options: { excludeByName: { Time: true }, renameByName: { 'Value #A': 'VMIs', 'Value #B': 'nodes' } } },
        ],
      };
  }
}

/** Rows and their panels laid out top to bottom on Grafana's 24-column grid. */
function layout(rows: readonly RowSpec[]): Record<string, unknown>[] {
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  let y = 0;
  for (const row of rows) {
    panels.push({ id: id++, type: 'row', title: row.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const p of row.panels) {
      const h = p.height ?? 8;
      if (x + p.width > 24) {
        y += rowHeight;
        x = 0;
        rowHeight = 0;
      }
      panels.push(panelJson(p, id++, { h, w: p.width, x, y }));
      x += p.width;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return panels;
}

/** A UID Grafana accepts (at most 40 characters), stable for a name. */
export function dashboardUid(prefix: string, name: string): string {
  const uid = `${prefix}${name}`;
  if (uid.length <= MAX_DASHBOARD_UID_LENGTH) return uid;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${uid.slice(0, MAX_DASHBOARD_UID_LENGTH - hash.length - 1)}-${hash}`;
}

function variables(scope: DashboardScope): Record<string, unknown>[] {
  const query = `label_values(kvfleet_leader, ${CLUSTER_LABEL})`;
  const current =
    scope.kind === 'cluster' ? { selected: true, text: scope.cluster.name, value: scope.cluster.name } : { selected: true, text: ['All'], value: ['$__all'] };
  return [
    { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0, refresh: 1, regex: '', options: [] },
    {
      name: 'cluster',
      label: 'Cluster',
      type: 'query',
      datasource: DATASOURCE,
      definition: query,
      query: { query, refId: 'cluster' },
      // `.*` also matches series without the label: a cluster's own Prometheus has none.
      includeAll: true,
      allValue: '.*',
      multi: scope.kind === 'fleet',
      current,
      refresh: 2,
      sort: 1,
      hide: 0,
      regex: '',
      options: [],
    },
  ];
}

export interface DashboardOptions {
  /** The address of docs/runbooks.md, linked from the dashboard. */
  readonly runbooksUrl: string;
}

/** The Grafana dashboard model (JSON) of a cluster or of the fleet. */
export function dashboard(scope: DashboardScope, opts: DashboardOptions): Record<string, unknown> {
  const fleet = scope.kind === 'fleet';
  const q = queryFlavor(fleet);
  const kubeOvn = fleet ? scope.clusters.some((c) => c.kubeOvn !== 'none') : scope.cluster.kubeOvn !== 'none';
  const failurePercent = fleet ? undefined : alertThresholds(scope.cluster.alerts).migrationFailurePercent;
  const rows = [migrationRow(q, failurePercent), machineTypeRow(q), ...(kubeOvn ? [kubeOvnRow(q)] : []), healthRow(q)];
  const title = fleet ? 'kvfleet / fleet' : `kvfleet / ${scope.cluster.name}`;
  return {
    uid: fleet ? 'kvfleet-fleet-overview' : dashboardUid('kvfleet-cluster-', scope.cluster.name),
    title,
    description: fleet
      ? `Every cluster of the fleet (${[...scope.clusters.map((c) => c.name)].sort().join(', ')}), split by the ${CLUSTER_LABEL} label. Generated by kvfleet; edit generators/observability/grafanaDashboards.ts, not this JSON.`
      : `Cluster ${scope.cluster.name}. Generated by kvfleet; edit generators/observability/grafanaDashboards.ts, not this JSON.`,
    tags: ['kvfleet', 'kubevirt'],
    editable: false,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: '1m',
    time: { from: 'now-6h', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    annotations: { list: [] },
    links: [{ title: 'Runbooks', type: 'link', url: opts.runbooksUrl, targetBlank: true, icon: 'doc', tags: [], asDropdown: false, includeVars: false, keepTime: false }],
    templating: { list: variables(scope) },
    panels: layout(rows),
  };
}

/** Every PromQL query of a dashboard model, with the variable queries (`label_values(…)`) apart. */
export function dashboardQueries(model: Record<string, unknown>): { panels: string[]; variables: string[] } {
  const panels = (model.panels as { targets?: { expr: string }[] }[]).flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  const variables = ((model.templating as { list: { definition?: string }[] }).list ?? []).flatMap((v) => (v.definition ? [v.definition] : []));
  return { panels, variables };
}

/** The JSON text the ConfigMap carries: two-space indented, keys in the order built. */
export function renderDashboard(model: Record<string, unknown>): string {
  return `${JSON.stringify(model, null, 2)}\n`;
}
