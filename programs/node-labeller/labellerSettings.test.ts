import { expect, test } from 'vitest';
import { DEFAULT_SETTINGS, resolveSettings } from './labellerSettings.js';

test('the node name from the downward API and defaults for the rest', () => {
  expect(resolveSettings({}, { NODE_NAME: 'worker-1' })).toEqual({ ok: true, settings: { nodeName: 'worker-1', ...DEFAULT_SETTINGS } });
});

test('a flag wins over its environment variable', () => {
  const r = resolveSettings({ matrixPath: '/tmp/m.yaml' }, { NODE_NAME: 'n', MATRIX_PATH: '/etc/other.yaml' });
  expect(r.ok && r.settings.matrixPath).toBe('/tmp/m.yaml');
});

test('every problem is reported at once, naming the setting, its variable and the value', () => {
  const r = resolveSettings({}, { RESYNC_SECONDS: '5', METRICS_PORT: 'http' });
  expect(r.ok).toBe(false);
  expect(!r.ok && [...r.problems].sort()).toEqual([
    'metricsPort (METRICS_PORT): "http" is not an integer from 1 to 65535',
    'nodeName (NODE_NAME): missing; set it from the downward API (spec.nodeName)',
    'resyncSeconds (RESYNC_SECONDS): "5" is not an integer from 10 to 86400',
  ]);
});
