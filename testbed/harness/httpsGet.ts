/**
 * One HTTPS GET with a 5 s timeout, for readiness probes of processes the tests start on loopback:
 * verified against `ca` when given, else unverified (a self-signed loopback server whose CA the
 * caller does not hold, such as kube-scheduler's health port).
 */
import { request } from 'node:https';

export function httpsGet(url: string, opts: { ca?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ...(opts.ca ? { ca: opts.ca } : { rejectUnauthorized: false }), timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}
