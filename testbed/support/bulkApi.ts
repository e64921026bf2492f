/**
 * Many API requests, fast: raw JSON over a few keep-alive HTTPS connections with bounded
 * concurrency (client-node's typed models cost more CPU per object than the API server does on
 * this 2-core machine), and a raw watch stream. Bench support only.
 */
import { Agent, request, type RequestOptions } from 'node:https';
import { type KubeConfig } from '@kubernetes/client-node';

export interface BulkResponse {
  readonly status: number;
  readonly body: Buffer;
}

export class BulkApi {
  private readonly agent: Agent;
  private readonly server: URL;
  private readonly base: RequestOptions;

  private constructor(server: URL, base: RequestOptions, sockets: number) {
    this.server = server;
    this.base = base;
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, ca: base.ca, cert: base.cert, key: base.key });
  }

  /** `sockets`: the most connections it opens; requests beyond them queue on the agent. */
  static async of(kc: KubeConfig, sockets: number): Promise<BulkApi> {
    const server = new URL(kc.getCurrentCluster()!.server);
    const base: RequestOptions = { hostname: server.hostname, port: server.port, headers: {} };
    await kc.applyToHTTPSOptions(base);
    return new BulkApi(server, base, sockets);
  }

  request(method: string, path: string, body?: unknown, opts: { contentType?: string; accept?: string } = {}): Promise<BulkResponse> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string | number> = {
      ...(this.base.headers as Record<string, string>),
      Accept: opts.accept ?? 'application/json',
      ...(payload ? { 'Content-Type': opts.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}),
    };
    return new Promise((resolve, reject) => {
      const req = request({ ...this.base, agent: this.agent, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  /** As `request`, failing on any status but 2xx (and `okStatuses`). */
  async must(method: string, path: string, body?: unknown, opts: { contentType?: string; okStatuses?: readonly number[] } = {}): Promise<BulkResponse> {
    const r = await this.request(method, path, body, opts);
    if ((r.status < 200 || r.status > 299) && !opts.okStatuses?.includes(r.status)) {
      throw new Error(`${method} ${path}: HTTP ${r.status}: ${r.body.toString().slice(0, 400)}`);
    }
    return r;
  }

  async json<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    return JSON.parse((await this.must(method, path, body, contentType ? { contentType } : {})).body.toString()) as T;
  }

  /**
   * A watch (`path` with `watch=1` and the resourceVersion to start from); `onEvent` gets each event
   * as it arrives. The stream has its own connection. `stop()` ends it.
   */
  watch(path: string, onEvent: (type: string, object: Record<string, unknown>) => void, onEnd: (err?: Error) => void = () => undefined): { stop(): void } {
    let stopped = false;
    const req = request(
      { ...this.base, agent: false, method: 'GET', path, headers: { ...(this.base.headers as Record<string, string>), Accept: 'application/json' } },
      (res) => {
        if (res.statusCode !== 200) {
          onEnd(new Error(`watch ${path}: HTTP ${res.statusCode}`));
          res.resume();
          return;
        }
        let pending = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          pending += chunk;
          let nl = pending.indexOf('\n');
          while (nl >= 0) {
            const line = pending.slice(0, nl);
            pending = pending.slice(nl + 1);
            if (line.trim()) {
              const e = JSON.parse(line) as { type: string; object: Record<string, unknown> };
              onEvent(e.type, e.object);
            }
            nl = pending.indexOf('\n');
          }
        });
        res.on('end', () => {
          if (!stopped) onEnd(new Error(`watch ${path} ended by the server`));
        });
      },
    );
    req.on('error', (e) => {
      if (!stopped) onEnd(e);
    });
    req.end();
    return {
      stop() {
        stopped = true;
        req.destroy();
      },
    };
  }

  close(): void {
    this.agent.destroy();
  }

  get origin(): string {
    return this.server.origin;
  }
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}
