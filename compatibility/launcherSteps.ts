/**
 * A cluster's launcher now and after each planned step, in order. The structural input types live
 * here (the fleet schema's output satisfies them), so compatibility/ imports nothing from above.
 *
 * Step kinds and what each changes (../shared/notes/machine-types-source.md):
 * - `kubevirt-upgrade`: virt-operator rolls out the new virt-handler (canary, then 10 % at a time) and
 *   virt-controller's new `--launcher-image`; the workload updater then live-migrates every VMI whose
 *   launcher is outdated onto the new launcher (workload-updater.go). Machine types change with the
 *   launcher's QEMU.
 * - `launcher-switch`: the same KubeVirt built from another stream (CentOS Stream 9 → 10) or a
 *   distributor's build; changes machine types exactly like an upgrade (new launcher image).
 * - `node-os-upgrade`: nodes drain and reboot into another OS release; the launcher, and so every
 *   machine type, stays as it is. It matters for capacity while the pool drains, not for verdicts.
 */
import { DEFAULT_LAUNCHER_BUILD, type LauncherBuild, type LauncherEntry, launcherEntry, launcherLabel } from './launcherCatalogue.js';

export interface LauncherChoice {
  /** @default 'centos-stream-9' */
  readonly build?: LauncherBuild;
  /** @default the upstream image of the entry (`quay.io/kubevirt/virt-launcher:v<version>`) */
  readonly image?: string;
}

export type PlannedStepInput =
  | { readonly kind: 'kubevirt-upgrade'; readonly to: string; readonly build?: LauncherBuild; readonly image?: string }
  | { readonly kind: 'launcher-switch'; readonly build: LauncherBuild; readonly image?: string }
  | { readonly kind: 'node-os-upgrade'; readonly pool: string; readonly to: string };

export type StepKind = 'now' | PlannedStepInput['kind'];

/** What the step resolution reads of a cluster definition. */
export interface LauncherPlanInput {
  readonly kubevirtVersion: string;
  readonly launcher?: LauncherChoice;
  readonly plannedSteps?: readonly PlannedStepInput[];
  readonly nodePools: readonly { readonly name: string; readonly os?: string }[];
}

export interface ResolvedLauncher {
  readonly kubevirtVersion: string;
  readonly entry: LauncherEntry;
  /** `virt-launcher 1.8 centos-stream-9 (QEMU 10.1.0-10.el9)`. */
  readonly label: string;
  /** The image virt-controller renders launcher pods with (and the labeller reads capabilities with). */
  readonly image: string;
}

export interface ClusterStep {
  /** 0 for `now`, k after the k-th planned step. */
  readonly index: number;
  /** `now`, `step-1`, `step-2`… */
  readonly id: string;
  readonly kind: StepKind;
  /** `now`, `KubeVirt 1.6.2 → 1.8.0`, `launcher centos-stream-9 → centos-stream-10`, `pool rhel9-compute OS rhel-9.6 → rhel-10.0`. */
  readonly label: string;
  /** The cluster's launcher once the step is done. */
  readonly launcher: ResolvedLauncher;
  /** True when the step changes the launcher image (and so, possibly, machine types). */
  readonly launcherChanged: boolean;
  /** Pool → OS release once the step is done (pools that state none are absent). */
  readonly os: Readonly<Record<string, string>>;
}

/** The id of the point before any planned step. */
export const NOW_STEP = 'now';

/** The image a launcher runs when the definition names none; `undefined` where upstream publishes none. */
export function defaultLauncherImage(entry: LauncherEntry, kubevirtVersion: string): string | undefined {
  return entry.upstreamImage?.(kubevirtVersion);
}

function resolveLauncher(kubevirtVersion: string, build: LauncherBuild, image: string | undefined, where: string): ResolvedLauncher {
  const entry = launcherEntry(kubevirtVersion, build);
  if (!entry) throw new Error(`${where}: no catalogue entry for KubeVirt ${kubevirtVersion} built from ${build} (validate the fleet first)`);
  const img = image ?? defaultLauncherImage(entry, kubevirtVersion);
  if (!img) throw new Error(`${where}: ${entry.id} has no published image; name one (validate the fleet first)`);
  return { kubevirtVersion, entry, label: launcherLabel(entry), image: img };
}

/**
 * `now`, then one step per planned step, cumulative. Throws on what validation refuses (an unknown
 * catalogue pair, an image missing for an unpublished build), naming the step.
 */
export function clusterSteps(cluster: LauncherPlanInput): ClusterStep[] {
  let launcher = resolveLauncher(cluster.kubevirtVersion, cluster.launcher?.build ?? DEFAULT_LAUNCHER_BUILD, cluster.launcher?.image, 'launcher');
  let os: Record<string, string> = Object.fromEntries(cluster.nodePools.flatMap((p) => (p.os ? [[p.name, p.os]] : [])));
  const steps: ClusterStep[] = [{ index: 0, id: NOW_STEP, kind: 'now', label: 'now', launcher, launcherChanged: false, os }];
  for (const [i, step] of (cluster.plannedSteps ?? []).entries()) {
    const where = `plannedSteps[${i}]`;
    const before = launcher;
    let label: string;
    if (step.kind === 'kubevirt-upgrade') {
      const build = step.build ?? before.entry.build;
      launcher = resolveLauncher(step.to, build, step.image, where);
      label = `KubeVirt ${before.kubevirtVersion} → ${step.to}${build !== before.entry.build ? ` (${before.entry.build} → ${build})` : ''}`;
    } else if (step.kind === 'launcher-switch') {
      launcher = resolveLauncher(before.kubevirtVersion, step.build, step.image, where);
      label = `launcher ${before.entry.build} → ${step.build}`;
    } else {
      label = `pool ${step.pool} OS ${os[step.pool] ?? '(unstated)'} → ${step.to}`;
      os = { ...os, [step.pool]: step.to };
    }
    steps.push({ index: i + 1, id: `step-${i + 1}`, kind: step.kind, label, launcher, launcherChanged: launcher !== before, os });
  }
  return steps;
}
