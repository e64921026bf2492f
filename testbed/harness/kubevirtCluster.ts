/**
 * KubeVirt in the upgrade simulator: the REAL virt-controller (testbed/harness/virtController.ts, built
 * by testbed/tools.d/virt-controller.sh) with the smallest stand-ins for what runs beside it
 * (testbed/harness/kubevirtStandIns.ts: the kubelet, virt-handler with its node labeller, virt-api's
 * eviction webhook), and what virt-operator does during an upgrade, played in its order. See README.md.
 */
import { type KubeConfig } from '@kubernetes/client-node';
import { type LauncherEntry } from '../../compatibility/launcherCatalogue.js';
import { type Architecture } from '../../compatibility/machineTypeNames.js';
import { type ControlPlane } from './controlPlane.js';
import { type KubevirtStandInOptions, type KubevirtStandIns, startKubevirtStandIns } from './kubevirtStandIns.js';
import { installKubevirt, setKubevirtDeployed, setKubevirtDeploying, startVirtController, type VirtController } from './virtController.js';

export interface KubevirtNode {
  readonly name: string;
  /** What the kubelet reports (`kubernetes.io/arch`) and which list of the launcher the node labeller reads. @default 'amd64' */
  readonly architecture?: Architecture;
  readonly labels: Readonly<Record<string, string>>;
  readonly capacity: { readonly cpu: string; readonly memory: string; readonly pods: string };
}

export interface KubevirtClusterOptions {
  /** `v1.7.0`: the virt-controller binary (the only one built by default). */
  readonly version: string;
  /** The launcher the cluster runs: its image for `--launcher-image`, its catalogue entry for virt-handler's labeller. */
  readonly launcher: { readonly image: string; readonly entry: LauncherEntry };
  readonly nodes: readonly KubevirtNode[];
  readonly migrations: { readonly parallelMigrationsPerCluster: number; readonly parallelOutboundMigrationsPerNode: number };
  /** Seconds a migration stays in Running. */
  readonly migrationSeconds: (memoryBytes: number | undefined) => number;
  /**
   * The stand-ins' own options, passed through as they are (kubevirtStandIns.ts documents each: the
   * CNI's `networkReady` gate, `failMigrationWhenTargetLacksMachineType`, `concurrency`…).
   * @default concurrency 8, the rest as kubevirtStandIns.ts defaults them
   */
  readonly standIns?: Partial<Omit<KubevirtStandInOptions, 'migrationSeconds'>>;
}

export interface KubevirtCluster {
  readonly standIns: KubevirtStandIns;
  controller(): VirtController;
  /** The launcher image virt-controller renders pods with now. */
  launcherImage(): string;
  /** virt-operator starts rolling `to` out: the CR says Deploying, the workload updater waits. */
  beginUpgrade(from: string, to: string): Promise<void>;
  /** virt-handler of the new version on `nodes`: its labeller relabels them from the new launcher. */
  rolloutVirtHandler(nodes: readonly string[], entry: LauncherEntry): Promise<void>;
  /** virt-controller restarted with the new `--launcher-image`. */
  restartVirtController(image: string): Promise<void>;
  /** virt-operator done: the CR says `version` Deployed; the workload updater acts. */
  finishUpgrade(version: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startKubevirtCluster(plane: ControlPlane, opts: KubevirtClusterOptions): Promise<KubevirtCluster> {
  const kc: KubeConfig = plane.kubeConfig();
  await installKubevirt(kc, {
    version: opts.version,
    workloadUpdateMethods: ['LiveMigrate'],
    configuration: {
      // Most installs evict by live migration cluster-wide (what the drain relies on).
      evictionStrategy: 'LiveMigrate',
      migrations: {
        parallelMigrationsPerCluster: opts.migrations.parallelMigrationsPerCluster,
        parallelOutboundMigrationsPerNode: opts.migrations.parallelOutboundMigrationsPerNode,
      },
    },
  });
  const standIns = await startKubevirtStandIns(kc, {
    concurrency: 8,
    ...opts.standIns,
    migrationSeconds: (vmi) => opts.migrationSeconds(vmi.memoryBytes),
  });
  let controller: VirtController | undefined;
  try {
    for (const n of opts.nodes) {
      await standIns.addNode({
        name: n.name,
        launcher: opts.launcher.entry,
        labels: n.labels,
        capacity: n.capacity,
        ...(n.architecture ? { architecture: n.architecture } : {}),
      });
    }
    controller = await startVirtController(plane, { version: opts.version, launcherImage: opts.launcher.image });
  } catch (e) {
    await standIns.stop();
    throw e;
  }
  let current: VirtController = controller;
  return {
    standIns,
    controller: () => current,
    launcherImage: () => current.launcherImage,
    beginUpgrade: (from, to) => setKubevirtDeploying(kc, from, to),
    async rolloutVirtHandler(nodes, entry) {
      await Promise.all(nodes.map((n) => standIns.relabelNode(n, entry)));
    },
    async restartVirtController(image) {
      await current.stop();
      current = await startVirtController(plane, { version: opts.version, launcherImage: image });
    },
    finishUpgrade: (version) => setKubevirtDeployed(kc, version),
    async stop() {
      await current.stop().catch(() => undefined);
      await standIns.stop();
    },
  };
}
