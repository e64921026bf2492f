import { join } from 'node:path';
import { type ControlPlane } from '../../testbed/harness/controlPlane.js';
import { freePort } from '../../testbed/harness/freePort.js';
import { type ManagedProcess, startProcess } from '../../testbed/harness/managedProcess.js';
import { toolPath } from '../../testbed/harness/toolPaths.js';
import { until } from '../../testbed/harness/until.js';
import { httpsGet } from '../../testbed/harness/httpsGet.js';

export interface BenchScheduler {
  readonly process: ManagedProcess;
  /** The scheduler's own Prometheus metrics text. */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

const get = (url: string) => httpsGet(url);

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
