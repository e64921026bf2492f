import { expect, test } from 'vitest';
import { DEFAULT_SETTINGS, ENV, resolveSettings } from './settings.js';

test('the node name from the downward API and defaults for the rest', () => {
  expect(resolveSettings({}, { NODE_NAME: 'worker-1' })).toEqual({ ok: true, settings: { nodeName: 'worker-1', ...DEFAULT_SETTINGS } });
});

test('every setting but the node name is a KVFLEET_ variable', () => {
  const { nodeName, ...settings } = ENV;
  expect(nodeName).toBe('NODE_NAME');
  for (const name of Object.values(settings)) expect(name).toMatch(/^KVFLEET_[A-Z_]+$/);
});

test('a flag wins over its environment variable', () => {
  const r = resolveSettings({ matrixPath: '/tmp/m.yaml' }, { NODE_NAME: 'n', KVFLEET_MATRIX_FILE: '/etc/other.yaml' });
  expect(r.ok && r.settings.matrixPath).toBe('/tmp/m.yaml');
});

test('every problem is reported at once, naming the variable, the value and the fix', () => {
  const r = resolveSettings({}, { KVFLEET_RESYNC_SECONDS: '5', KVFLEET_METRICS_PORT: 'http' });
  expect(r.ok).toBe(false);
  expect(!r.ok && [...r.problems].sort()).toEqual([
    'KVFLEET_METRICS_PORT="http" is not a port: set an integer from 1 to 65535, or leave it unset for 8080',
    'KVFLEET_RESYNC_SECONDS="5" is not a resync period: set an integer from 10 to 86400 seconds, or leave it unset for 300',
    'NODE_NAME is not set: the DaemonSet passes spec.nodeName through the downward API',
  ]);
});

test.each(['0', '65536', '80.5', '-1', ' '])('the metrics port %j is refused', (port) => {
  const r = resolveSettings({}, { NODE_NAME: 'n', KVFLEET_METRICS_PORT: port });
  expect(!r.ok && r.problems).toEqual([`KVFLEET_METRICS_PORT=${JSON.stringify(port)} is not a port: set an integer from 1 to 65535, or leave it unset for 8080`]);
});

test('a bad value from a flag names the flag', () => {
  const r = resolveSettings({ metricsPort: '99999' }, { NODE_NAME: 'n' });
  expect(!r.ok && r.problems).toEqual(['--metrics-port="99999" is not a port: set an integer from 1 to 65535, or leave it unset for 8080']);
});
