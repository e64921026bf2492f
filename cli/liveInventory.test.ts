import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { defaultKubeconfigSource, loadKubeConfig } from './liveInventory.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'kvfleet-home-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

test.each([
  [{}, false, undefined],
  [{ KUBECONFIG: '/etc/k.yaml' }, false, '$KUBECONFIG (/etc/k.yaml)'],
  [{}, true, '~/.kube/config'],
  [{ KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }, false, 'the in-cluster service account'],
])('with env %j and ~/.kube/config present: %s, kubectl would read %s', (env, homeConfig, expected) => {
  if (homeConfig) {
    mkdirSync(join(home, '.kube'));
    writeFileSync(join(home, '.kube', 'config'), '');
  }
  expect(defaultKubeconfigSource(env, home)).toBe(expected);
});

test('a kubeconfig file that does not exist is named', () => {
  expect(() => loadKubeConfig({ kubeconfig: join(home, 'nope.yaml') })).toThrow(/kubeconfig .*nope\.yaml does not exist/);
});

test('a context the kubeconfig lacks is refused with the ones it has', () => {
  const file = join(home, 'kubeconfig.yaml');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]',
      'users: [{name: u, user: {token: t}}]',
      'contexts: [{name: prod-east, context: {cluster: c, user: u}}]',
      'current-context: prod-east',
    ].join('\n'),
  );
  expect(loadKubeConfig({ kubeconfig: file, context: 'prod-east' }).getCurrentContext()).toBe('prod-east');
  expect(() => loadKubeConfig({ kubeconfig: file, context: 'prod-west' })).toThrow('no context "prod-west" in the kubeconfig (have: prod-east)');
});
