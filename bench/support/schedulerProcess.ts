/**
 * A kube-scheduler of the test bed's build against a harness control plane, started and stopped by
 * the bench itself so each measured configuration gets a fresh scheduler (fresh cache and queue)
 * with its own flags. Same flags as test/harness/controlPlane.ts `scheduler: true`, plus `extraArgs`.
 */
import { request } from 'node:https';
import { join } from 'node:path';
import { type ControlPlane } from '../../test/harness/controlPlane.js';
import { freePort } from '../../test/harness/freePort.js';
import { type ManagedProcess, startProcess } from '../../test/harness/managedProcess.js';
import { toolPath } from '../../test/harness/toolPaths.js';
import { until } from '../../test/harness/until.js';

export interface BenchScheduler {
  readonly process: ManagedProcess;
  /** The scheduler's own Prometheus metrics text. */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** Starts kube-scheduler and waits for /readyz (its informers synced). */
export async function startBenchScheduler(plane: ControlPlane, name: string, extraArgs: readonly string[] = []): Promise<BenchScheduler> {
  const port = await freePort();
  const process = startProcess(
    'kube-scheduler',
    toolPath('kube-scheduler'),
    [
      `--kubeconfig=${plane.kubeconfigPath}`,
      `--authentication-kubeconfig=${plane.kubeconfigPath}`,
      `--authorization-kubeconfig=${plane.kubeconfigPath}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${port}`,
      '--leader-elect=false',
      '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
      ...extraArgs,
    ],
    join(plane.dir, `kube-scheduler-${name}.log`),
  );
  await until(
    async () => {
      if (process.child.exitCode !== null) throw new Error(`kube-scheduler exited: ${process.tail()}`);
      return (await get(`https://127.0.0.1:${port}/readyz`)).body === 'ok';
    },
    { timeoutMs: 120_000, intervalMs: 200, what: `kube-scheduler /readyz (log: ${process.logFile})` },
  );
  return {
    process,
    metrics: async () => (await get(`https://127.0.0.1:${port}/metrics`)).body,
    stop: () => process.stop(),
  };
}
