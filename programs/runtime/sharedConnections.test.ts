import { HttpMethod, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { expect, test } from 'vitest';
import { dispatcherKey, http1Only, shareConnections } from './sharedConnections.js';

// Synthetic: the bytes are never parsed, as no request is sent; only their identity matters.
const fakeCa = (text: string) => Buffer.from(`synthetic CA ${text}`).toString('base64');

function kubeConfigWithCa(caText: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', caData: fakeCa(caText) }],
    users: [{ name: 'u', token: 'synthetic-token' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return kc;
}

async function dispatcherOf(kc: KubeConfig) {
  const ctx = new RequestContext('https://127.0.0.1:6443/api/v1/nodes', HttpMethod.GET);
  await kc.applySecurityAuthentication(ctx);
  return ctx.getDispatcher();
}

test('client-node on its own gives every request a new dispatcher (why shareConnections exists)', async () => {
  const kc = kubeConfigWithCa('one');
  expect(await dispatcherOf(kc)).not.toBe(await dispatcherOf(kc));
});

test('after shareConnections, every request of a KubeConfig uses the same dispatcher', async () => {
  const kc = shareConnections(kubeConfigWithCa('one'));
  const first = await dispatcherOf(kc);
  expect(first).toBeDefined();
  expect(await dispatcherOf(kc)).toBe(first);
  expect(shareConnections(kc)).toBe(kc); // idempotent: wrapping twice changes nothing
  expect(await dispatcherOf(kc)).toBe(first);
});

test('a rotated CA gets a new dispatcher and the previous one is closed', async () => {
  const kc = shareConnections(kubeConfigWithCa('one'));
  const before = (await dispatcherOf(kc)) as unknown as { closed: boolean };
  const rotated = kubeConfigWithCa('two');
  // client-node rereads the CA for every request; changing the cluster entry stands in for a new file.
  Object.assign(kc.getCurrentCluster()!, { caData: rotated.getCurrentCluster()!.caData });
  const after = await dispatcherOf(kc);
  expect(after).not.toBe(before);
  await new Promise((r) => setImmediate(r));
  expect(before.closed).toBe(true);
});

const agent = (connect: Record<string, unknown>) => ({ type: 'agent', connect }) as const;

test.each([
  ['the same TLS material in any key order', agent({ ca: Buffer.from('a'), servername: 'x' }), agent({ servername: 'x', ca: Buffer.from('a') }), true],
  ['an absent and an undefined field', agent({ ca: Buffer.from('a') }), agent({ ca: Buffer.from('a'), cert: undefined }), true],
  ['another CA', agent({ ca: Buffer.from('a') }), agent({ ca: Buffer.from('b') }), false],
  ['a client certificate', agent({ ca: Buffer.from('a') }), agent({ ca: Buffer.from('a'), cert: Buffer.from('c') }), false],
  ['verification turned off', agent({ ca: Buffer.from('a') }), agent({ ca: Buffer.from('a'), rejectUnauthorized: false }), false],
  ['a proxy', agent({}), { type: 'proxy', uri: 'http://proxy:3128', requestTls: {}, connect: {} } as const, false],
])('dispatcherKey: %s → shared %s', (_what, a, b, shared) => {
  expect(dispatcherKey(a) === dispatcherKey(b)).toBe(shared);
});

test('direct connections offer HTTP/1.1 only; proxies and the default dispatcher are left as client-node makes them', () => {
  expect(http1Only(agent({ ca: Buffer.from('a'), keepAlive: true }))).toEqual(agent({ ca: Buffer.from('a'), keepAlive: true, allowH2: false }));
  const proxy = { type: 'proxy', uri: 'http://proxy:3128', requestTls: {}, connect: {} } as const;
  expect(http1Only(proxy)).toBe(proxy);
  expect(http1Only({ type: 'none' })).toEqual({ type: 'none' });
});

test('the dispatcher shareConnections builds reads the HTTP/1.1-only options', () => {
  const kc = shareConnections(kubeConfigWithCa('one'));
  const options = kc.createDispatcherOptions(kc.getCurrentCluster(), { ca: Buffer.from('x') });
  expect(options).toMatchObject({ type: 'agent', connect: { allowH2: false } });
});
