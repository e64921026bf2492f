/**
 * The launcher a cluster runs and the steps planned for it (KubeVirt upgrades, launcher build
 * switches, node OS upgrades), with the rules that tie them to the launcher catalogue
 * (compatibility/launcherCatalogue.ts): every step must land on a catalogue entry, in order.
 */
import semver from 'semver';
import * as z from 'zod';
import { buildsFor, catalogueMinors, DEFAULT_LAUNCHER_BUILD, launcherEntry } from '../compatibility/launcherCatalogue.js';
import { architectureOf } from '../compatibility/machineTypeNames.js';
import { DEFAULT_ARCHITECTURE, type MachineTypeOverrides } from '../compatibility/poolMachineTypes.js';
import { type LauncherChoice, type PlannedStepInput } from '../compatibility/launcherSteps.js';
import * as field from './clusterSchemaFields.js';
import { fieldInfo, report } from './clusterSchemaFields.js';
import { formatValue } from './definitionValue.js';

type Ctx = z.core.$RefinementCtx;

export const launcherSchema = z
  .strictObject({
    /**
     * What the launcher image is built from: `centos-stream-9` (what upstream publishes), or
     * `centos-stream-10` (KubeVirt ≥ 1.8, built by you).
     * @default 'centos-stream-9'
     */
    build: field.launcherBuild.optional(),
    /**
     * The virt-launcher image virt-controller runs (and kvfleet's labeller reads capabilities with).
     * @default `quay.io/kubevirt/virt-launcher:v<kubevirtVersion>` for upstream-published builds; required otherwise
     */
    image: field.imageReference.optional(),
  })
  .readonly()
  .register(fieldInfo, { expected: 'a launcher', fix: "write launcher: { build: 'centos-stream-9' } (and image: '…' for a build you publish yourself)" });

const stepKinds = "'kubevirt-upgrade', 'launcher-switch' or 'node-os-upgrade'";

export const plannedStepSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      /** virt-operator upgrades KubeVirt; the launcher follows (same build unless `build` says otherwise). */
      kind: z.literal('kubevirt-upgrade'),
      /** The KubeVirt release upgraded to, "X.Y.Z". */
      to: field.kubevirtVersion,
      /** @default the build before the step */
      build: field.launcherBuild.optional(),
      /** @default the upstream image of the new version (required for builds upstream does not publish) */
      image: field.imageReference.optional(),
    }),
    z.strictObject({
      /** The same KubeVirt, launcher built from another stream (or a distributor's build). */
      kind: z.literal('launcher-switch'),
      build: field.launcherBuild,
      image: field.imageReference.optional(),
    }),
    z.strictObject({
      /** Nodes of one pool drain and reboot into another OS release; machine types stay as they are. */
      kind: z.literal('node-os-upgrade'),
      pool: field.poolName,
      to: field.osRelease,
    }),
  ])
  .readonly()
  .register(fieldInfo, {
    expected: 'a planned step',
    fix: `write { kind: 'kubevirt-upgrade', to: '1.8.0' }, { kind: 'launcher-switch', build: 'centos-stream-10', image: '…' } or { kind: 'node-os-upgrade', pool: '…', to: 'rhel-10.0' } (kind is ${stepKinds})`,
  });

/** What the launcher rules read: the cluster's fields, each valid on its own. */
export interface LauncherFields {
  readonly kubevirtVersion: string;
  readonly launcher?: LauncherChoice;
  readonly plannedSteps?: readonly PlannedStepInput[];
  readonly nodePools: readonly { readonly name: string; readonly os?: string; readonly architecture?: string; readonly machineTypes?: MachineTypeOverrides }[];
}

const known = () => `the catalogue (compatibility/launcherCatalogue.ts) covers KubeVirt ${catalogueMinors().join(', ')}`;

/** The catalogue entry of a version and build, or a report at `at`; `false` when refused. */
function entryOrReport(version: string, build: string, image: string | undefined, at: readonly PropertyKey[], ctx: Ctx): boolean {
  const entry = launcherEntry(version, build as never);
  if (!entry) {
    const builds = buildsFor(version);
    report(
      ctx,
      {
        problem: `no virt-launcher of KubeVirt ${version} built from ${build} is catalogued`,
        fix: builds.length > 0 ? `KubeVirt ${version} has ${builds.join(', ')}; use one of them` : `${known()}: use one of them, or add an entry with its sources`,
      },
      at,
    );
    return false;
  }
  if (!image && !entry.upstreamImage) {
    report(ctx, { problem: `upstream publishes no image of ${entry.id}`, fix: `${entry.caveat ?? ''}; set image to the launcher you build and run` }, [
      ...at.slice(0, -1),
      'image',
    ]);
    return false;
  }
  return true;
}

/** The launcher now and every planned step land on catalogue entries, in order, on pools that exist. */
export function launcherRules(cluster: LauncherFields, ctx: Ctx): void {
  let version = cluster.kubevirtVersion;
  let build: string = cluster.launcher?.build ?? DEFAULT_LAUNCHER_BUILD;
  // Once one point is refused, later points are judged from a launcher that does not exist: report causes only.
  let refused = !entryOrReport(version, build, cluster.launcher?.image, cluster.launcher?.build ? ['launcher', 'build'] : ['kubevirtVersion'], ctx);
  const os = new Map(cluster.nodePools.map((p) => [p.name, p.os]));
  for (const [i, step] of (cluster.plannedSteps ?? []).entries()) {
    const at = ['plannedSteps', i] as const;
    if (step.kind === 'kubevirt-upgrade') {
      if (!semver.gt(step.to, version)) {
        report(
          ctx,
          {
            problem: `KubeVirt ${step.to} is not newer than ${version}, the version before this step`,
            fix: 'list planned steps in the order they happen, each upgrade to a newer release',
          },
          [...at, 'to'],
        );
        continue;
      }
      version = step.to;
      build = step.build ?? build;
      if (!refused) refused = !entryOrReport(version, build, step.image, [...at, step.build ? 'build' : 'to'], ctx);
    } else if (step.kind === 'launcher-switch') {
      if (step.build === build) {
        report(ctx, { problem: `the launcher is already built from ${build} at this step`, fix: 'remove the step, or name the build the launcher switches to' }, [
          ...at,
          'build',
        ]);
        continue;
      }
      build = step.build;
      if (!refused) refused = !entryOrReport(version, build, step.image, [...at, 'build'], ctx);
    } else {
      if (!os.has(step.pool)) {
        report(ctx, { problem: `no node pool is named ${formatValue(step.pool)}`, fix: `name one of ${[...os.keys()].join(', ')}` }, [...at, 'pool']);
        continue;
      }
      const from = os.get(step.pool);
      if (from === undefined) {
        report(ctx, { problem: `pool "${step.pool}" states no os, so the upgrade has no starting release`, fix: `set os on pool "${step.pool}" (e.g. 'rhel-9.6')` }, [
          ...at,
          'pool',
        ]);
      } else if (from === step.to) {
        report(ctx, { problem: `pool "${step.pool}" already runs ${step.to} at this step`, fix: 'remove the step, or name the release the pool moves to' }, [
          ...at,
          'to',
        ]);
      }
      os.set(step.pool, step.to);
    }
  }
  for (const [i, pool] of cluster.nodePools.entries()) overridesRules(pool, ['nodePools', i, 'machineTypes'], ctx);
}

/** Overrides name types of the pool's own architecture, each once, never both removed and deprecated. */
function overridesRules(pool: LauncherFields['nodePools'][number], at: readonly PropertyKey[], ctx: Ctx): void {
  const overrides = pool.machineTypes;
  if (overrides === undefined) return;
  const arch = pool.architecture ?? DEFAULT_ARCHITECTURE;
  for (const kind of ['add', 'remove', 'deprecate'] as const) {
    const seen = new Set<string>();
    (overrides[kind] ?? []).forEach((type, i) => {
      const path = [...at, kind, i];
      const typeArch = architectureOf(type);
      if (seen.has(type)) report(ctx, { problem: `${formatValue(type)} is listed twice in ${kind}`, fix: 'list each type once' }, path);
      else if (typeArch !== arch)
        report(
          ctx,
          {
            problem: `"${type}" is an ${typeArch} machine type but pool "${pool.name}" is ${arch}`,
            fix: `name a type of the pool's architecture, or set its architecture to ${typeArch}`,
          },
          path,
        );
      seen.add(type);
    });
  }
  const removed = new Set(overrides.remove ?? []);
  (overrides.deprecate ?? []).forEach((type, i) => {
    if (removed.has(type)) report(ctx, { problem: `"${type}" is both removed and deprecated`, fix: 'keep it in one list' }, [...at, 'deprecate', i]);
  });
}

/** A field an older kvfleet took, with the rewrite its value needs today. */
export type RetiredField = (value: unknown, owner: Readonly<Record<string, unknown>>) => { readonly problem: string; readonly fix: string };

/** Object schema → its retired keys; read by definitionIssues.ts for an unknown key before "did you mean". */
export const retiredFields = z.registry<Readonly<Record<string, RetiredField>>>();

const WHY_LAUNCHER =
  "machine types come from the cluster's virt-launcher image (its QEMU), not from the node's OS: virt-handler's labeller and every launcher pod run that one image";

export const RETIRED_POOL_FIELDS: Readonly<Record<string, RetiredField>> = {
  hypervisor: (v) => ({
    problem: `hypervisor (${formatValue(v)}) is retired: ${WHY_LAUNCHER}`,
    fix: `remove it; if the OS release matters (a node-OS step starts from it) write os: ${formatValue(String(v))}, and set architecture when the pool is not amd64`,
  }),
  upgradeTo: (v, pool) => ({
    problem: `upgradeTo (${formatValue(v)}) is retired: planned steps are the cluster's, in order`,
    fix: `remove it and add to the cluster: plannedSteps: [{ kind: 'node-os-upgrade', pool: ${formatValue(pool.name)}, to: ${formatValue(v)} }] (a KubeVirt upgrade is { kind: 'kubevirt-upgrade', to: 'X.Y.Z' })`,
  }),
  upgradeMachineTypes: (v) => ({
    problem: `upgradeMachineTypes (${formatValue(v)}) is retired: a node-OS step changes no machine type`,
    fix: 'remove it; machineTypes corrections apply to the pool at every step',
  }),
  virtLauncherImage: (v) => ({
    problem: `virtLauncherImage (${formatValue(v)}) is retired: upstream KubeVirt renders every launcher pod with virt-controller's one --launcher-image (pkg/virt-controller/services/template.go), so a pool cannot run another`,
    fix: `remove it and set the cluster's launcher: { image: ${formatValue(v)} } if that is the launcher the cluster runs`,
  }),
  launcher: (v) => ({
    problem: `a pool cannot name its own launcher (${formatValue(v)}): upstream KubeVirt runs one virt-launcher image per cluster (per architecture through one multi-arch tag)`,
    fix: "remove it and set the cluster's launcher; a platform that really runs another launcher on some nodes needs a catalogue build of its own first",
  }),
};

export const RETIRED_CLUSTER_FIELDS: Readonly<Record<string, RetiredField>> = {
  kubevirtUpgradeTo: (v) => ({
    problem: `kubevirtUpgradeTo (${formatValue(v)}) is retired: planned steps are listed in order`,
    fix: `remove it and write plannedSteps: [{ kind: 'kubevirt-upgrade', to: ${formatValue(v)} }]`,
  }),
};

export const RETIRED_IMAGE_FIELDS: Readonly<Record<string, RetiredField>> = {
  virtLauncher: (v) => ({
    problem: `images.virtLauncher (${formatValue(v)}) is retired: the launcher is the cluster's, with its build`,
    fix: `remove it and write launcher: { image: ${formatValue(v)} } (and build: 'centos-stream-10' if it is such a build)`,
  }),
};
