/**
 * The one place the upgrade simulator meets the KubeVirt stand-in (sim/kubevirt/, `KubevirtSim`):
 * everything else in sim/upgrade talks to the small interface below.
 */
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { memoryBytes } from '../../plan/quantities.js';
import { KubevirtSim, type MigrationAttempt, SimClock, type SimVmiInfo } from '../kubevirt/index.js';
import { type FailureCause } from './metrics.js';
import { type ScenarioTiming, type ScenarioVmi } from './scenario.js';

export { SimClock };

/** The simulation clock the stand-in, the run loop and the observer share: `realMsPerSimSecond` real ms per simulated second. */
export function newSimClock(realMsPerSimSecond: number): SimClock {
  return new SimClock({ realMsPerSimSecond });
}

export interface KubevirtPartOptions {
  readonly kubeConfig: KubeConfig;
  readonly clock: SimClock;
  readonly kubevirtVersion: string;
  readonly timing: ScenarioTiming;
  /** The truth: can `node`'s QEMU run `machineType` now? */
  readonly canRun: (node: string, machineType: string) => boolean;
  readonly logDir: string;
}

export interface KubevirtPart {
  /** Creates the VMIs, each Running on its node with its source launcher pod. */
  createVmis(vmis: readonly ScenarioVmi[]): Promise<void>;
  /** Stops a VM for good (the re-image of its node): its VMI goes; KubeVirt's part removes its pods and fails its VMIMs. */
  deleteVmi(namespace: string, name: string): Promise<void>;
  /** How the stand-in ended a VMIM: `succeeded`, `failed` (with the cause), `duplicate` (refused as a second in-flight VMIM). */
  attempt(namespace: string, name: string): { readonly result: string; readonly cause?: FailureCause } | undefined;
  stats(): Record<string, unknown>;
  stop(): Promise<void>;
}

/**
 * Time a live migration spends in Running: a few seconds of setup plus the guest memory at about
 * 1 GiB/s (KubeVirt's default is unlimited bandwidth; a 10 Gb/s link moves ~1.1 GiB/s before
 * dirty-page rounds).
 */
export function migrationSeconds(vmi: Pick<SimVmiInfo, 'memory'>): number {
  const bytes = memoryBytes(vmi.memory);
  const gib = bytes !== undefined ? bytes / 1024 ** 3 : 1;
  return Math.round(4 + gib * 1.2);
}

export async function startKubevirtPart(opts: KubevirtPartOptions): Promise<KubevirtPart> {
  const attempts = new Map<string, MigrationAttempt>();
  const sim = new KubevirtSim({
    kubeConfig: opts.kubeConfig,
    kubevirtVersion: opts.kubevirtVersion,
    clock: opts.clock,
    limits: {
      parallelMigrationsPerCluster: opts.timing.parallelMigrationsPerCluster,
      parallelOutboundMigrationsPerNode: opts.timing.parallelOutboundMigrationsPerNode,
    },
    canRun: opts.canRun,
    migrationSeconds,
    // Every VMI is evicted by live migration, as the KubeVirt CR's default of most installs says.
    clusterEvictionStrategy: 'LiveMigrate',
    onAttemptFinished: (a) => attempts.set(`${a.vmi.split('/')[0]}/${a.vmim}`, a),
  });
  await sim.start();
  const custom = opts.kubeConfig.makeApiClient(CustomObjectsApi);
  return {
    async createVmis(vmis) {
      await sim.createVmis(
        vmis.map((v) => ({
          namespace: v.namespace,
          name: v.name,
          node: v.node,
          machineType: v.machineType,
          specMachineType: v.specMachineType,
          memory: `${v.memoryMiB}Mi`,
          cpu: `${v.cpuMillis}m`,
        })),
      );
    },
    async deleteVmi(namespace, name) {
      await custom.deleteNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', plural: 'virtualmachineinstances', namespace, name });
    },
    attempt(namespace, name) {
      const a = attempts.get(`${namespace}/${name}`);
      return a ? { result: a.result, ...(a.cause ? { cause: a.cause } : {}) } : undefined;
    },
    stats() {
      const { history: _history, ...rest } = sim.stats();
      return rest;
    },
    stop: () => sim.stop(),
  };
}
