/**
 * A create through the API server that keeps the response's `Warning` headers, which is where
 * admission warnings reach a client (`kubectl` prints them): each webhook warning becomes one
 * `Warning: 299 - "<text>"` header (RFC 7234 §5.5; k8s.io/apimachinery/pkg/util/net NewWarningHeader,
 * which backslash-escapes `"` and `\` and sends other text, `→` included, as raw UTF-8).
 * testbed/harness/rawRequest.ts returns the body only.
 */
import { request, type RequestOptions } from 'node:https';
import { type KubeConfig } from '@kubernetes/client-node';

export interface CreateResult {
  readonly status: number;
  readonly body: string;
  /** The text of each `Warning` header, unescaped, in order. */
  readonly warnings: readonly string[];
}

/** `299 - "text"` → `text`; `undefined` for any other shape. */
export function warningText(header: string): string | undefined {
  const m = /^299 \S+ "((?:[^"\\]|\\.)*)"/.exec(header);
  return m ? m[1]!.replace(/\\(.)/g, '$1') : undefined;
}

export async function createWithWarnings(kc: KubeConfig, path: string, body: unknown): Promise<CreateResult> {
  const server = new URL(kc.getCurrentCluster()!.server);
  const payload = JSON.stringify(body);
  const opts: RequestOptions = { method: 'POST', hostname: server.hostname, port: server.port, path, headers: {} };
  await kc.applyToHTTPSOptions(opts);
  opts.headers = { ...opts.headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) };
  return new Promise((resolve, reject) => {
    const req = request(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        // rawHeaders keeps repeated headers apart (res.headers would join them with ", ").
        const raw = res.rawHeaders;
        // Node reads header bytes as latin1; the API server wrote UTF-8.
        const utf8 = (v: string) => Buffer.from(v, 'latin1').toString('utf8');
        const warnings = raw.flatMap((v, i) => (i % 2 === 1 && raw[i - 1]!.toLowerCase() === 'warning' ? [warningText(utf8(v)) ?? utf8(v)] : []));
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), warnings });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}
