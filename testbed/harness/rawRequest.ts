import { request, type RequestOptions } from 'node:https';
import { type KubeConfig } from '@kubernetes/client-node';

export interface RawResponse {
  readonly status: number;
  readonly body: string;
}

/**
 * A request with the body sent byte-for-byte. client-node's typed models drop keys they spell
 * differently (`x-kubernetes-int-or-string`), so upstream CRDs must not go through them.
 */
export async function rawRequest(kc: KubeConfig, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<RawResponse> {
  const server = new URL(kc.getCurrentCluster()!.server);
  const opts: RequestOptions = { method, hostname: server.hostname, port: server.port, path, headers: {} };
  await kc.applyToHTTPSOptions(opts);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  opts.headers = { ...opts.headers, 'Content-Type': contentType, ...(payload ? { 'Content-Length': Buffer.byteLength(payload) } : {}) };
  return new Promise((resolve, reject) => {
    const req = request(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}
