/**
 * Property: every cluster definition the validator accepts synthesises to objects a real
 * kube-apiserver accepts (server-side apply, dryRun=All, strict fields, the CRDs installed). The
 * definitions are generated near the edges of what is legal: names of the longest allowed length,
 * label keys with 253-character prefixes and dotted, mixed-case names, empty label values, images
 * with registry ports and digests. Whatever the validator lets through must never be a manifest the
 * API server refuses at apply time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KubeConfig } from '@kubernetes/client-node';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { synthManifests } from '../../generators/synthFleet.js';
import { type ClusterDefinitionInput } from '../../fleet/clusterDefinition.js';
import { MAX_POOL_NAME_LENGTH } from '../../fleet/definitionDerivedNames.js';
import { validateCluster } from '../../fleet/fleetValidation.js';
import {
  buildsFor,
  catalogueMinors,
  DEFAULT_LAUNCHER_BUILD,
  kubevirtMinor,
  LAUNCHER_CATALOGUE,
  type LauncherBuild,
  launcherEntry,
} from '../../compatibility/launcherCatalogue.js';
import { type Architecture, ARCHITECTURES } from '../../compatibility/machineTypeNames.js';
import { hasMigrationPolicyField, MIGRATION_POLICY_FIELDS_SINCE, type VersionedMigrationPolicyField } from '../../compatibility/kubevirtVersions.js';
import { KNOWN_VERSION_ISSUES } from '../../fleet/knownVersionIssues.js';
import { type ControlPlane, startControlPlane } from '../../testbed/harness/controlPlane.js';
import { dryRunApplyDir } from '../../testbed/harness/dryRun.js';
import { sharedDir } from '../../testbed/harness/toolPaths.js';

const crdDirs = ['kubevirt', 'kyverno', 'kube-ovn', 'argocd', 'prometheus-operator'].map((d) => join(sharedDir, 'crds', d));

let plane: ControlPlane;
let kc: KubeConfig;
let work: string;
beforeAll(async () => {
  plane = await startControlPlane({ crds: crdDirs });
  kc = plane.kubeConfig();
  work = mkdtempSync(join(tmpdir(), 'kvfleet-accepted-'));
});
afterAll(async () => {
  await plane?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

// --- names at and near their limits -------------------------------------------------------------

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const char = (alphabet: string) => fc.constantFrom(...alphabet.split(''));
/** A string of `length` from `inner`, with first and last characters from `ends`. */
const framed = (length: number, ends: string, inner: string) =>
  length === 1
    ? char(ends)
    : fc.tuple(char(ends), fc.array(char(inner), { minLength: length - 2, maxLength: length - 2 }), char(ends)).map(([a, mid, z]) => a + mid.join('') + z);
/** Lengths biased to the short end and to the very limit. */
const lengthUpTo = (max: number) => fc.oneof(fc.integer({ min: 1, max: Math.min(8, max) }), fc.integer({ min: Math.max(1, max - 3), max }));

/** RFC 1123 label (names of clusters, pools, namespaces). */
const dnsLabel = (max: number) => lengthUpTo(max).chain((n) => framed(n, LOWER + DIGITS, `${LOWER}${DIGITS}-`));
/** Label name / non-empty label value: mixed case, with ".", "_" and "-" inside. */
const labelName = lengthUpTo(63).chain((n) => framed(n, `${LOWER}ABCXYZ${DIGITS}`, `${LOWER}ABCXYZ${DIGITS}-_.`));
/** Legal names a YAML reader may take for something else (booleans, null, numbers); they must stay strings in dist/. */
const yamlLookalike = fc.constantFrom('true', 'Yes', 'off', 'null', 'NaN', '1e3', '1_000', '007', '0x1f', '0O17', '0o755', '2001-01-01', '12');
const labelValue = fc.oneof({ arbitrary: fc.constant(''), weight: 1 }, { arbitrary: yamlLookalike, weight: 1 }, { arbitrary: labelName, weight: 4 });
/** DNS subdomain up to 253 characters: dot-joined labels, the longest exactly 253. */
const dnsSubdomain = fc.oneof(
  fc.array(dnsLabel(20), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.')),
  fc.constant(`${'p'.repeat(63)}.${'q'.repeat(63)}.${'r'.repeat(63)}.${'s'.repeat(61)}`),
);
const labelKey = fc
  .tuple(fc.option(dnsSubdomain, { nil: undefined }), fc.oneof({ arbitrary: labelName, weight: 4 }, { arbitrary: yamlLookalike, weight: 1 }))
  .map(([prefix, name]) => (prefix ? `${prefix}/${name}` : name))
  // kvfleet's own labels and kubernetes.io/os are refused on purpose (tested in malformedDefinitions).
  .filter((k) => !k.includes('kvfleet.io/') && k !== 'kubernetes.io/os');

// --- values ----------------------------------------------------------------------------------

const version = (major: fc.Arbitrary<number>) => fc.tuple(major, fc.nat(99), fc.nat(999)).map((parts) => parts.join('.'));
const hex = (n: number) => fc.array(char('0123456789abcdef'), { minLength: n, maxLength: n }).map((a) => a.join(''));
const imageReference = fc
  .tuple(
    fc.constantFrom('quay.io', 'registry.example.com:5000', 'localhost:5000', '10.0.0.1:443', 'ghcr.io'),
    fc.array(
      dnsLabel(12).map((s) => s.replace(/-+/g, '-')),
      { minLength: 1, maxLength: 3 },
    ),
    fc.oneof(
      labelName.map((t) => `:${t.slice(0, 128).replace(/^[.-]/, 'v')}`),
      hex(64).map((h) => `@sha256:${h}`),
    ),
  )
  .map(([registry, path, pin]) => `${registry}/${path.join('/')}${pin}`);

/** Every type some catalogued launcher offers on `arch`, sorted: what a pool's corrections name. */
const catalogueTypes = (arch: Architecture) => [...new Set(LAUNCHER_CATALOGUE.flatMap((e) => e.architectures[arch]?.machineTypes ?? []))].sort();
/** A versioned name of the architecture's default family that no catalogued build offers (an `add`). */
const FAMILY_PREFIX: Readonly<Record<Architecture, string>> = { amd64: 'pc-q35-rhel', arm64: 'virt-rhel', s390x: 's390-ccw-virtio-rhel' };

/** Corrections of the pool's own architecture: remove some catalogued types, deprecate others, add unknown ones. */
function overridesFor(arch: Architecture) {
  const types = catalogueTypes(arch);
  const extra = fc.nat(20).map((n) => `${FAMILY_PREFIX[arch]}${50 + n}.0.0`);
  return fc.tuple(fc.subarray(types, { maxLength: types.length - 1 }), fc.uniqueArray(extra, { maxLength: 2 })).chain(([remove, add]) => {
    const kept = types.filter((t) => !remove.includes(t));
    return fc.subarray(kept).map((deprecate) => ({
      ...(add.length ? { add } : {}),
      ...(remove.length ? { remove } : {}),
      ...(deprecate.length ? { deprecate } : {}),
    }));
  });
}

const osRelease = fc.oneof(
  fc.tuple(fc.constantFrom('rhel', 'rhcos', 'centos'), fc.integer({ min: 8, max: 10 }), fc.nat(10)).map(([d, major, minor]) => `${d}-${major}.${minor}`),
  fc.constantFrom('ubuntu-24.04', 'debian-12', 'sles-15.6'),
);

const pool = (name: string, selector: Record<string, string>) =>
  fc.constantFrom<Architecture>(...ARCHITECTURES).chain((architecture) =>
    fc.record(
      {
        name: fc.constant(name),
        nodeSelector: fc.constant(selector),
        architecture: fc.constant(architecture),
        os: osRelease,
        machineTypes: overridesFor(architecture),
        nodeCount: fc.integer({ min: 1, max: 5000 }),
      },
      { requiredKeys: ['name', 'nodeSelector'] },
    ),
  );

/** Pools whose selectors share one key with distinct values, so no node matches two of them. */
const nodePools = fc
  .tuple(fc.uniqueArray(dnsLabel(MAX_POOL_NAME_LENGTH), { minLength: 1, maxLength: 3 }), labelKey, fc.dictionary(labelKey, labelValue, { maxKeys: 2 }))
  .chain(([names, key, shared]) =>
    fc
      .uniqueArray(labelValue, { minLength: names.length, maxLength: names.length })
      .chain((values) =>
        fc.tuple(...names.map((name, i) => pool(name, { ...Object.fromEntries(Object.entries(shared).filter(([k]) => k !== key)), [key]: values[i]! }))),
      ),
  );

/** A catalogued KubeVirt release: any patch of a minor the launcher catalogue covers. */
const kubevirtVersion = fc.tuple(fc.constantFrom(...catalogueMinors()), fc.nat(20)).map(([minor, patch]) => `${minor}.${patch}`);

/** A launcher's image: always where upstream publishes none (CentOS Stream 10), sometimes otherwise. */
const imageFor = (version: string, build: LauncherBuild): fc.Arbitrary<string | undefined> =>
  launcherEntry(version, build)?.upstreamImage ? fc.option(imageReference, { nil: undefined }) : imageReference;

/** The next major of an OS release: `rhel-9.6` → `rhel-10.0`. */
const nextRelease = (os: string) => os.replace(/-(\d+)(\.\d+)*$/, (_, major: string) => `-${Number(major) + 1}.0`);

/**
 * Steps the validator accepts, in order: KubeVirt upgrades to later catalogued minors (keeping the
 * build), then a switch to CentOS Stream 10 where the last release has one, then node-OS upgrades
 * of pools that state an OS.
 */
function plannedStepsFor(version: string, build: LauncherBuild, pools: readonly { name: string; os?: string }[]) {
  const minors = catalogueMinors();
  const later = minors.slice(minors.indexOf(kubevirtMinor(version)!) + 1).filter((m) => buildsFor(`${m}.0`).includes(build));
  return fc.tuple(fc.subarray(later), fc.boolean(), fc.subarray(pools.filter((p) => p.os !== undefined))).chain(([upgradeTo, switchBuild, upgraded]) => {
    const last = upgradeTo.length ? `${upgradeTo.at(-1)}.0` : version;
    const upgrades = upgradeTo.map((m) => imageFor(`${m}.0`, build).map((image) => ({ kind: 'kubevirt-upgrade' as const, to: `${m}.0`, ...(image ? { image } : {}) })));
    const switches =
      switchBuild && build !== 'centos-stream-10' && buildsFor(last).includes('centos-stream-10')
        ? [imageReference.map((image) => ({ kind: 'launcher-switch' as const, build: 'centos-stream-10' as const, image }))]
        : [];
    const osSteps = upgraded.map((p) => fc.constant({ kind: 'node-os-upgrade' as const, pool: p.name, to: nextRelease(p.os!) }));
    return fc.tuple(...upgrades, ...switches, ...osSteps);
  });
}

/** A definition's launcher and planned steps, fitted to its KubeVirt release and pools. */
function withLauncher(d: ClusterDefinitionInput): fc.Arbitrary<ClusterDefinitionInput> {
  return fc
    .constantFrom(...buildsFor(d.kubevirtVersion))
    .chain((build) => fc.tuple(fc.constant(build), imageFor(d.kubevirtVersion, build), fc.boolean(), plannedStepsFor(d.kubevirtVersion, build, d.nodePools)))
    .map(([build, image, stated, plannedSteps]) => ({
      ...d,
      ...(stated || image || build !== DEFAULT_LAUNCHER_BUILD ? { launcher: { build, ...(image ? { image } : {}) } } : {}),
      ...(plannedSteps.length ? { plannedSteps } : {}),
    }));
}

const migration = fc.integer({ min: 10, max: 3600 }).chain((unschedulable) =>
  fc.record(
    {
      fallbackAttempts: fc.integer({ min: 0, max: 10 }),
      attemptWindowSeconds: fc.integer({ min: 60, max: 7 * 24 * 3600 }),
      backoffBaseSeconds: fc.integer({ min: 1, max: 600 }),
      unschedulableTimeoutSeconds: fc.constant(unschedulable),
      fallbackUnschedulableTimeoutSeconds: fc.integer({ min: 10, max: unschedulable }),
      finishedMigrationTtlSeconds: fc.integer({ min: 60, max: 30 * 24 * 3600 }),
    },
    { requiredKeys: [] },
  ),
);

// --- migration settings -------------------------------------------------------------------------

const quantity = fc.tuple(fc.nat(4096), fc.constantFrom('', 'Ki', 'Mi', 'Gi', 'M', 'G')).map(([n, unit]) => `${n}${unit}`);
const migrationConfiguration = fc.record(
  {
    parallelMigrationsPerCluster: fc.integer({ min: 1, max: 1000 }),
    parallelOutboundMigrationsPerNode: fc.integer({ min: 1, max: 100 }),
    bandwidthPerMigration: quantity,
    completionTimeoutPerGiB: fc.integer({ min: 1, max: 100_000 }),
    progressTimeout: fc.integer({ min: 1, max: 100_000 }),
    allowAutoConverge: fc.boolean(),
    allowPostCopy: fc.boolean(),
    network: dnsLabel(63),
  },
  { requiredKeys: [] },
);
const migrationPolicy = (name: string) =>
  fc.record(
    {
      name: fc.constant(name),
      selectors: fc.oneof(
        fc.record({ namespaceSelector: fc.dictionary(labelKey, labelValue, { minKeys: 1, maxKeys: 2 }) }),
        fc.record({ virtualMachineInstanceSelector: fc.dictionary(labelKey, labelValue, { minKeys: 1, maxKeys: 2 }) }),
      ),
      allowAutoConverge: fc.boolean(),
      bandwidthPerMigration: quantity,
      completionTimeoutPerGiB: fc.integer({ min: 1, max: 100_000 }),
      allowPostCopy: fc.boolean(),
      allowWorkloadDisruption: fc.boolean(),
      maxDowntimeMs: fc.integer({ min: 1, max: 2_000_000 }),
      experimental: fc.constantFrom({}, { compression: 'none' as const }, { compression: 'zstd' as const }),
    },
    { requiredKeys: ['name', 'selectors', 'allowAutoConverge'] },
  );
const kubevirtSettings = fc.record(
  {
    configOwner: fc.constantFrom('kubevirt-cr' as const, 'hco' as const),
    migrations: migrationConfiguration,
    migrationPolicies: fc.uniqueArray(dnsLabel(55), { maxLength: 2 }).chain((names) => fc.tuple(...names.map(migrationPolicy))),
  },
  { requiredKeys: [] },
);

/** Subnets on distinct /16 blocks (dual stack sometimes), each binding its own namespaces. */
const subnets = fc
  .uniqueArray(fc.tuple(dnsLabel(63), fc.integer({ min: 1, max: 250 })), { maxLength: 3, selector: ([name, octet]) => `${name}|${octet}` })
  .chain((list) => {
    const names = new Set<string>();
    const octets = new Set<number>();
    const distinct = list.filter(([name, octet]) => !names.has(name) && !octets.has(octet) && names.add(name) && octets.add(octet));
    return fc.tuple(
      ...distinct.map(([name, octet]) =>
        fc.record(
          {
            name: fc.constant(name),
            cidrBlock: fc.constantFrom(`10.${octet}.0.0/16`, `10.${octet}.0.0/16,fd00:${octet.toString(16)}::/112`),
            excludeIps: fc.constant([`10.${octet}.0.2..10.${octet}.0.9`, `10.${octet}.255.254`]),
            namespaces: fc.constant([`ns-${octet}`]),
            provider: fc.constantFrom('ovn', `net-${octet}.kube-system.ovn`),
            natOutgoing: fc.boolean(),
          },
          { requiredKeys: ['name', 'cidrBlock'] },
        ),
      ),
    );
  });

/** Known version issues are the version lint's (versionLint.test.ts): accepted here, so the property is about objects. */
const ACCEPT_ALL = Object.fromEntries(KNOWN_VERSION_ISSUES.filter((i) => i.severity === 'error').map((i) => [i.id, 'SYNTHETIC: the property is about the objects']));

/** MigrationPolicy fields the generated KubeVirt lacks are refused by design (clusterSchemaKubevirt.test.ts); drop them. */
function withinVersion(d: ClusterDefinitionInput): ClusterDefinitionInput {
  const policies = d.kubevirt?.migrationPolicies?.map((p) => {
    const kept = { ...p };
    for (const key of Object.keys(MIGRATION_POLICY_FIELDS_SINCE) as VersionedMigrationPolicyField[])
      if (!hasMigrationPolicyField(d.kubevirtVersion, key)) delete kept[key];
    return kept;
  });
  return { ...d, ...(d.kubevirt ? { kubevirt: { ...d.kubevirt, ...(policies ? { migrationPolicies: policies } : {}) } } : {}), acceptedKnownIssues: ACCEPT_ALL };
}

const definition: fc.Arbitrary<ClusterDefinitionInput> = fc.record(
  {
    name: dnsLabel(63),
    kubernetesVersion: fc.integer({ min: 30, max: 40 }).map((minor) => `1.${minor}`),
    kubevirtVersion,
    kubeOvn: fc.oneof(
      fc.constant('none' as const),
      version(fc.integer({ min: 1, max: 2 })).chain((v) =>
        fc.record(
          {
            version: fc.constant(v),
            podNetworkMasquerade: fc.constantFrom('warn' as const, 'deny' as const),
            install: fc.constantFrom('external' as const, { chart: 'kube-ovn' as const, version: `v${v}` }, { chart: 'kube-ovn-v2' as const, version: v }),
            subnets,
          },
          { requiredKeys: ['version'] },
        ),
      ),
    ),
    kubevirt: kubevirtSettings,
    argocd: fc.oneof(
      fc.record(
        {
          server: fc.tuple(dnsSubdomain, fc.option(fc.integer({ min: 1, max: 65535 }))).map(([h, p]) => `https://${h.slice(0, 200)}${p ? `:${p}` : ''}`),
          project: dnsSubdomain,
        },
        { requiredKeys: ['server'] },
      ),
      fc.record({ name: labelName, project: dnsSubdomain }, { requiredKeys: ['name'] }),
    ),
    nodePools,
    migration,
    images: fc.record({ nodeLabeller: imageReference, migrationController: imageReference }, { requiredKeys: [] }),
    namespace: fc
      .oneof(
        dnsLabel(63),
        yamlLookalike.map((s) => s.toLowerCase().replace('_', '-')),
      )
      .filter((n) => n !== 'default' && !n.startsWith('kube-')),
  },
  { requiredKeys: ['name', 'kubernetesVersion', 'kubevirtVersion', 'kubeOvn', 'argocd', 'nodePools'] },
);

test('every accepted definition synthesises to objects the API server accepts', async () => {
  let accepted = 0;
  let run = 0;
  await fc.assert(
    fc.asyncProperty(definition.chain(withLauncher).map(withinVersion), async (d) => {
      const { definition: valid, problems } = validateCluster(`clusters/${d.name}.ts`, d);
      // Contradictions the generators do not steer clear of (e.g. a long backoff) are fine to skip.
      fc.pre(valid !== undefined && problems.every((p) => p.severity === 'warning'));
      accepted++;
      const outdir = join(work, `run-${++run}`);
      synthManifests([valid!], outdir);
      const rejections = await dryRunApplyDir(kc, join(outdir, valid!.name));
      expect(rejections.map((r) => `${r.file}: ${r.object}: ${r.message}`)).toEqual([]);
      rmSync(outdir, { recursive: true, force: true });
    }),
    { numRuns: 30, maxSkipsPerRun: 5, endOnFailure: true },
  );
  expect(accepted).toBe(30);
}, 180_000);
