import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { testCluster } from '../../testbed/support/clusterFixtures.js';
import { ClusterChart } from '../clusterChart.js';
import { JOBS } from './alertRules.js';
import { JOB_LABEL, ScrapeMonitors } from './scrapeMonitors.js';

type Obj = Record<string, any>;
const cluster = testCluster({ alerts: { selectorLabels: { release: 'kube-prometheus-stack' } } });
const objects = Testing.synth(new ClusterChart(Testing.app(), cluster.name, { cluster })) as Obj[];
const find = (kind: string, name?: string) => objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) => Object.entries(selector).every(([k, v]) => labels[k] === v);

test('the monitors of a cluster', () => {
  const chart = Testing.chart();
  new ScrapeMonitors(chart, 'monitors', { cluster: testCluster() });
  expect(Testing.synth(chart)).toMatchSnapshot();
});

describe('the ServiceMonitor', () => {
  const [monitor] = find('ServiceMonitor');
  const services = find('Service').filter((s) => s.metadata.namespace === monitor!.metadata.namespace && matches(monitor!.spec.selector.matchLabels, s.metadata.labels));

  test("selects exactly the controller's metrics Service, in its namespace, by its port name", () => {
    expect(services.map((s) => s.metadata.name)).toEqual(['kvfleet-migration-controller-metrics']);
    expect(monitor!.spec.namespaceSelector.matchNames).toEqual([services[0]!.metadata.namespace]);
    const portNames = services[0]!.spec.ports.map((p: Obj) => p.name);
    expect(portNames).toContain(monitor!.spec.endpoints[0].port);
  });

  test("names the job after the Service's app.kubernetes.io/name, the job the alerts query", () => {
    expect(monitor!.spec.jobLabel).toBe(JOB_LABEL);
    expect(services[0]!.metadata.labels[JOB_LABEL]).toBe(JOBS.controller);
  });
});

describe('the PodMonitor', () => {
  const [monitor] = find('PodMonitor');
  const daemonSets = find('DaemonSet');

  test("selects every pool's labeller pods, and nothing else that runs", () => {
    expect(daemonSets.length).toBe(cluster.nodePools.length);
    for (const ds of daemonSets) expect(matches(monitor!.spec.selector.matchLabels, ds.spec.template.metadata.labels)).toBe(true);
    const deployment = find('Deployment')[0]!;
    expect(matches(monitor!.spec.selector.matchLabels, deployment.spec.template.metadata.labels)).toBe(false);
  });

  test("scrapes the labeller container's port named metrics, and names the job after the pods' app.kubernetes.io/name", () => {
    for (const ds of daemonSets) {
      const ports = ds.spec.template.spec.containers.flatMap((c: Obj) => (c.ports ?? []).map((p: Obj) => p.name));
      expect(ports).toContain(monitor!.spec.podMetricsEndpoints[0].port);
      expect(ds.spec.template.metadata.labels[monitor!.spec.jobLabel]).toBe(JOBS.labeller);
    }
  });

  test("sets instance to the node's name, without touching the drift gauges' own node label", () => {
    const relabelings = monitor!.spec.podMetricsEndpoints[0].relabelings;
    expect(relabelings).toEqual([{ action: 'replace', sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'instance' }]);
    expect(relabelings.map((r: Obj) => r.targetLabel)).not.toContain('node');
  });
});

test("alerts.selectorLabels go on both monitors, for the Prometheus's monitor selectors", () => {
  for (const m of [...find('ServiceMonitor'), ...find('PodMonitor')]) expect(m.metadata.labels.release).toBe('kube-prometheus-stack');
});

test('nothing kvfleet ships stands between Prometheus and the metrics port: no NetworkPolicy', () => {
  expect(find('NetworkPolicy')).toEqual([]);
});

test('a scrape interval Prometheus would not take is refused with the value', () => {
  expect(() => new ScrapeMonitors(Testing.chart(), 'm', { cluster: testCluster(), interval: '30' })).toThrow(
    "'interval' (30) must be a whole number of seconds or minutes, e.g. '30s'",
  );
});
