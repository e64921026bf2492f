import { Testing } from 'cdk8s';
import { expect, test } from 'vitest';
import legacyApps from '../clusters/legacy-apps.js';
import { matrixDocument, parseMatrixDocument } from '../compatibility/matrixDocument.js';
import { ClusterChart } from './clusterChart.js';

const synth = () => Testing.synth(new ClusterChart(Testing.app(), 'legacy-apps', { cluster: legacyApps }));

test('the chart for the legacy-apps cluster', () => {
  expect(synth()).toMatchSnapshot();
});

test('the kvfleet namespace enforces the restricted Pod Security Standard', () => {
  const ns = synth().find((o) => o.kind === 'Namespace');
  expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  expect(ns.metadata.namespace).toBeUndefined();
});

test('the matrix ConfigMap reads back as the resolved matrix of the definition', () => {
  const cm = synth().find((o) => o.kind === 'ConfigMap');
  const parsed = parseMatrixDocument(cm.data['matrix.yaml']);
  expect(parsed).toEqual({ ok: true, matrix: JSON.parse(JSON.stringify(matrixDocument(legacyApps))) });
  expect(cm.metadata.namespace).toBe('kvfleet-system');
});
