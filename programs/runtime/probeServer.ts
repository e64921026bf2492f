/**
 * The HTTP endpoints every kvfleet program serves: `/metrics` (Prometheus text from prom-client),
 * `/healthz` (the process loop is alive) and `/readyz` (the program can do its job).
 */
import { createServer, type Server } from 'node:http';
import { type Registry } from 'prom-client';

export interface ProbeServerOptions {
  readonly registry: Registry;
  readonly port: number;
  /** @default '0.0.0.0' (in a pod); tests pass 127.0.0.1 */
  readonly host?: string;
  readonly healthy?: () => boolean;
  readonly ready?: () => boolean;
}

export function startProbeServer(opts: ProbeServerOptions): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const answer = (ok: boolean) => {
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' });
      res.end(ok ? 'ok' : 'not ok');
    };
    if (path === '/metrics') {
      opts.registry.metrics().then(
        (body) => {
          res.writeHead(200, { 'Content-Type': opts.registry.contentType });
          res.end(body);
        },
        (e: Error) => {
          res.writeHead(500);
          res.end(e.message);
        },
      );
    } else if (path === '/healthz') {
      answer(opts.healthy?.() ?? true);
    } else if (path === '/readyz') {
      answer(opts.ready?.() ?? true);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve(server));
  });
}
