/**
 * Checks a whole fleet before anything is written. Collects every problem (not the first) and
 * names the file, the field path, the value seen and the fix. Runtime checks repeat what the
 * types say because a cluster file can cast its way past the compiler.
 */
import semver from 'semver';
import { type ClusterDefinition, DEFAULT_MIGRATION_SETTINGS, type MachineTypeOverrides, type MigrationSettings } from './clusterDefinition.js';
import { DefinitionError } from './definitionError.js';
import { hypervisorRelease, knownHypervisorReleaseIds } from './hypervisorReleases.js';
import { isValidLabelName } from '../compatibility/labelKeys.js';
import { machineTypeVendor, parseMachineType } from '../compatibility/machineTypeNames.js';
import { resolveMachineTypeSet } from '../compatibility/poolMachineTypes.js';

export interface LoadedCluster {
  /** `clusters/prod-east.ts` */
  readonly file: string;
  readonly definition: ClusterDefinition;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const K8S_MINOR = /^1\.(\d{1,2})$/;

/** Kubernetes minors kvfleet's manifests are written for (policies.kyverno.io needs ≥ 1.30's CEL). */
const MIN_KUBERNETES_MINOR = 30;
/** KubeVirt releases before this lack `status.machine` handling kvfleet relies on. */
const MIN_KUBEVIRT = '1.0.0';

const MIGRATION_LIMITS: Record<keyof MigrationSettings, [number, number]> = {
  fallbackAttempts: [0, 10],
  attemptWindowSeconds: [60, 7 * 24 * 3600],
  backoffBaseSeconds: [1, 3600],
  unschedulableTimeoutSeconds: [10, 3600],
  fallbackUnschedulableTimeoutSeconds: [10, 3600],
  finishedMigrationTtlSeconds: [60, 30 * 24 * 3600],
};

/** "X.Y.Z" exactly: semver.valid would also take "v1.6.2" and "=1.6.2". */
function isPlainVersion(v: unknown): v is string {
  return typeof v === 'string' && /^\d+\.\d+\.\d+$/.test(v);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Two equality selectors can match one node unless some key demands different values. */
export function selectorsOverlap(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  return Object.entries(a).every(([k, v]) => !(k in b) || b[k] === v);
}

export function validateFleet(clusters: readonly LoadedCluster[]): DefinitionError[] {
  const problems: DefinitionError[] = [];
  const firstFileByName = new Map<string, string>();
  for (const { file, definition } of clusters) {
    problems.push(...validateCluster(file, definition));
    const name = isRecord(definition) ? definition.name : undefined;
    if (typeof name !== 'string') continue;
    const first = firstFileByName.get(name);
    if (first) {
      problems.push(
        new DefinitionError(file, 'name', `cluster name "${name}" is already used by ${first}`, 'give every cluster its own name; it names its dist/ folder'),
      );
    } else {
      firstFileByName.set(name, file);
    }
  }
  return problems;
}

export function validateCluster(file: string, def: ClusterDefinition): DefinitionError[] {
  const out: DefinitionError[] = [];
  const err = (path: string, problem: string, fix: string) => out.push(new DefinitionError(file, path, problem, fix));
  const warn = (path: string, problem: string, fix: string) => out.push(new DefinitionError(file, path, problem, fix, 'warning'));

  if (!isRecord(def)) {
    err('', 'the file does not export a cluster definition as its default export', 'end the file with `export default defineCluster({ ... })`');
    return out;
  }

  const expectedName = file.replace(/^.*\//, '').replace(/\.[cm]?[tj]s$/, '');
  if (typeof def.name !== 'string' || !DNS_LABEL.test(def.name)) {
    err('name', `${JSON.stringify(def.name)} is not a DNS label`, 'use lower-case letters, digits and "-", at most 63 characters, e.g. "prod-east"');
  } else if (def.name !== expectedName) {
    err('name', `"${def.name}" differs from the file name "${expectedName}"`, `rename the file to clusters/${def.name}.ts or set name: "${expectedName}"`);
  }

  const minor = typeof def.kubernetesVersion === 'string' ? K8S_MINOR.exec(def.kubernetesVersion) : null;
  if (!minor) {
    err('kubernetesVersion', `${JSON.stringify(def.kubernetesVersion)} is not a Kubernetes minor`, 'write it as "1.<minor>", e.g. "1.33"');
  } else if (Number(minor[1]) < MIN_KUBERNETES_MINOR) {
    err('kubernetesVersion', `Kubernetes ${def.kubernetesVersion} is older than 1.${MIN_KUBERNETES_MINOR}`, `kvfleet's CEL policies need Kubernetes 1.${MIN_KUBERNETES_MINOR} or newer; upgrade the cluster first`);
  }

  if (!isPlainVersion(def.kubevirtVersion)) {
    err('kubevirtVersion', `${JSON.stringify(def.kubevirtVersion)} is not a version`, 'write the KubeVirt release as "X.Y.Z" without a leading "v", e.g. "1.6.2"');
  } else if (semver.lt(def.kubevirtVersion, MIN_KUBEVIRT)) {
    err('kubevirtVersion', `KubeVirt ${def.kubevirtVersion} is older than ${MIN_KUBEVIRT}`, `upgrade KubeVirt to ${MIN_KUBEVIRT} or newer`);
  }

  if (def.kubeOvn !== 'none') {
    if (!isRecord(def.kubeOvn)) {
      err('kubeOvn', `${JSON.stringify(def.kubeOvn)} is neither 'none' nor Kube-OVN settings`, "write kubeOvn: 'none' or kubeOvn: { version: '1.14.10' }");
    } else {
      if (!isPlainVersion(def.kubeOvn.version)) {
        err('kubeOvn.version', `${JSON.stringify(def.kubeOvn.version)} is not a version`, 'write the Kube-OVN release as "X.Y.Z", e.g. "1.14.10"');
      }
      lintKubeOvnVersion(def.kubeOvn.version, warn);
      const m = def.kubeOvn.podNetworkMasquerade;
      if (m !== undefined && m !== 'warn' && m !== 'deny') {
        err('kubeOvn.podNetworkMasquerade', `${JSON.stringify(m)} is not 'warn' or 'deny'`, "use 'warn' (default) or 'deny'");
      }
    }
  }

  validateArgo(def, err);
  validateMigration(def, err);
  validateImages(def, err);
  if (def.namespace !== undefined && (typeof def.namespace !== 'string' || !DNS_LABEL.test(def.namespace))) {
    err('namespace', `${JSON.stringify(def.namespace)} is not a DNS label`, 'leave it out for "kvfleet-system" or use a DNS label');
  }
  validatePools(def, err, warn);
  return out;
}

type Report = (path: string, problem: string, fix: string) => void;

/**
 * Kube-OVN sets the multi-chassis port options that make migration cut-over fast at phase
 * Scheduling only since v1.15.0 / v1.14.21 (PRs #5873, #6066; before, at Running: ~18 s of
 * downtime, issue #5343), and v1.15.14 fixes a Scheduling-phase deadlock (issue #6823, PR #6834).
 */
export function lintKubeOvnVersion(version: unknown, warn: Report): void {
  if (!isPlainVersion(version)) return;
  if (semver.lt(version, '1.14.21')) {
    warn('kubeOvn.version', `Kube-OVN ${version} configures the target port only when the migration is Running (seconds of network downtime)`, 'upgrade Kube-OVN to v1.15.14 or newer (v1.14.21 at least)');
  } else if (semver.lt(version, '1.15.14')) {
    warn('kubeOvn.version', `Kube-OVN ${version} can deadlock a migration in Scheduling when a node is not known yet (kube-ovn#6823)`, 'upgrade Kube-OVN to v1.15.14 or newer');
  }
}

function validateArgo(def: ClusterDefinition, err: Report): void {
  if (!isRecord(def.argocd)) {
    err('argocd', 'the Argo CD destination is missing', "add argocd: { server: 'https://…' } or argocd: { name: 'in-cluster' }");
    return;
  }
  const { server, name, project } = def.argocd;
  if ((server === undefined) === (name === undefined)) {
    err('argocd', 'exactly one of argocd.server and argocd.name must be set', 'name the destination cluster either by its API server URL or by its Argo CD cluster name');
  }
  if (server !== undefined && (typeof server !== 'string' || !/^https:\/\/[^\s/]+/.test(server))) {
    err('argocd.server', `${JSON.stringify(server)} is not an https URL`, "use the cluster's API server URL, e.g. https://api.prod-east.example.com:6443");
  }
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) {
    err('argocd.name', `${JSON.stringify(name)} is not a cluster name`, 'use the name of the cluster as registered in Argo CD');
  }
  if (project !== undefined && (typeof project !== 'string' || !DNS_SUBDOMAIN.test(project))) {
    err('argocd.project', `${JSON.stringify(project)} is not an Argo CD project name`, "use an existing AppProject's name, or leave it out for 'default'");
  }
}

function validateMigration(def: ClusterDefinition, err: Report): void {
  if (def.migration === undefined) return;
  if (!isRecord(def.migration)) {
    err('migration', 'migration settings must be an object', 'leave migration out for the defaults or set only the fields you change');
    return;
  }
  for (const [key, value] of Object.entries(def.migration)) {
    const limits = MIGRATION_LIMITS[key as keyof MigrationSettings];
    if (!limits) {
      err(`migration.${key}`, `unknown setting "${key}"`, `use one of ${Object.keys(DEFAULT_MIGRATION_SETTINGS).join(', ')}`);
      continue;
    }
    const [min, max] = limits;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      err(`migration.${key}`, `${JSON.stringify(value)} is out of range`, `use a whole number from ${min} to ${max} (default ${DEFAULT_MIGRATION_SETTINGS[key as keyof MigrationSettings]})`);
    }
  }
}

function validateImages(def: ClusterDefinition, err: Report): void {
  if (def.images === undefined) return;
  for (const [key, value] of Object.entries(def.images)) {
    if (typeof value !== 'string' || !/^[a-z0-9][^\s]*[:@][^\s]+$/.test(value)) {
      err(`images.${key}`, `${JSON.stringify(value)} is not an image reference with a tag or digest`, 'write registry/repository:tag or registry/repository@sha256:…');
    }
  }
}

function validatePools(def: ClusterDefinition, err: Report, warn: Report): void {
  if (!Array.isArray(def.nodePools) || def.nodePools.length === 0) {
    err('nodePools', 'the cluster has no node pools', 'add at least one pool with a nodeSelector and a hypervisor release');
    return;
  }
  const seen = new Map<string, number>();
  def.nodePools.forEach((pool, i) => {
    const at = `nodePools[${i}]`;
    if (typeof pool !== 'object' || pool === null) {
      err(at, 'a pool must be an object', 'write { name, nodeSelector, hypervisor, nodeCount }');
      return;
    }
    if (typeof pool.name !== 'string' || !DNS_LABEL.test(pool.name)) {
      err(`${at}.name`, `${JSON.stringify(pool.name)} is not a DNS label`, 'use lower-case letters, digits and "-", e.g. "rhel9-compute"');
    } else if (seen.has(pool.name)) {
      err(`${at}.name`, `pool name "${pool.name}" is already used by nodePools[${seen.get(pool.name)}]`, 'give every pool of a cluster its own name');
    } else {
      seen.set(pool.name, i);
    }

    if (!isRecord(pool.nodeSelector) || Object.keys(pool.nodeSelector).length === 0) {
      err(`${at}.nodeSelector`, 'the pool has no nodeSelector', 'add the labels that identify its nodes, e.g. { "node.example.com/os": "rhel-9.6" }');
    } else {
      for (const [k, v] of Object.entries(pool.nodeSelector)) {
        const [prefix, name] = k.includes('/') ? [k.slice(0, k.lastIndexOf('/')), k.slice(k.lastIndexOf('/') + 1)] : ['', k];
        if (!isValidLabelName(name) || (prefix !== '' && !DNS_SUBDOMAIN.test(prefix))) {
          err(`${at}.nodeSelector["${k}"]`, `"${k}" is not a valid label key`, 'use [prefix/]name with name ≤ 63 characters of [A-Za-z0-9._-]');
        }
        if (typeof v !== 'string' || (v !== '' && !isValidLabelName(v))) {
          err(`${at}.nodeSelector["${k}"]`, `${JSON.stringify(v)} is not a valid label value`, 'use at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric');
        }
      }
    }

    if (typeof pool.nodeCount !== 'number' || !Number.isInteger(pool.nodeCount) || pool.nodeCount < 1) {
      err(`${at}.nodeCount`, `${JSON.stringify(pool.nodeCount)} is not a positive whole number`, 'set the number of nodes in the pool (at least 1); remove the pool if it is empty');
    }

    const release = typeof pool.hypervisor === 'string' ? hypervisorRelease(pool.hypervisor) : undefined;
    if (!release) {
      err(`${at}.hypervisor`, `${JSON.stringify(pool.hypervisor)} is not a known hypervisor release`, `use one of ${knownHypervisorReleaseIds().join(', ')}, or add it to policies/hypervisorReleases.ts`);
    } else {
      validateOverrides(`${at}.machineTypes`, pool.machineTypes, pool.hypervisor, err);
      const set = resolveMachineTypeSet(pool.hypervisor, pool.machineTypes);
      if (set && set.supported.length === 0) {
        err(`${at}.machineTypes.remove`, `the overrides leave pool "${pool.name}" with no machine type`, 'remove fewer types; a pool must be able to run at least one');
      }
    }

    if (pool.upgradeTo !== undefined) {
      const target = typeof pool.upgradeTo === 'string' ? hypervisorRelease(pool.upgradeTo) : undefined;
      if (!target) {
        err(`${at}.upgradeTo`, `${JSON.stringify(pool.upgradeTo)} is not a known hypervisor release`, `use one of ${knownHypervisorReleaseIds().join(', ')}`);
      } else if (release && target.id === release.id) {
        err(`${at}.upgradeTo`, `the planned upgrade is to the pool's current release "${release.id}"`, 'remove upgradeTo, or name the release the pool moves to');
      } else {
        if (release && target.vendor !== release.vendor) {
          warn(`${at}.upgradeTo`, `moving from ${release.id} to ${target.id} changes machine-type vendor (${release.vendor} → ${target.vendor})`, 'RHEL and upstream QEMU machine types never migrate between each other: every running VM must be moved off or restarted');
        }
        validateOverrides(`${at}.upgradeMachineTypes`, pool.upgradeMachineTypes, pool.upgradeTo, err);
      }
    } else if (pool.upgradeMachineTypes !== undefined) {
      err(`${at}.upgradeMachineTypes`, 'overrides for an upgrade that is not planned', 'set upgradeTo, or remove upgradeMachineTypes');
    }

    if (pool.virtLauncherImage !== undefined && (typeof pool.virtLauncherImage !== 'string' || !/[:@]/.test(pool.virtLauncherImage))) {
      err(`${at}.virtLauncherImage`, `${JSON.stringify(pool.virtLauncherImage)} is not an image reference with a tag or digest`, 'write registry/repository:tag, or leave it out for the cluster image');
    }
  });

  const pools = def.nodePools.filter((p) => isRecord(p) && isRecord(p.nodeSelector) && Object.keys(p.nodeSelector).length > 0);
  for (let i = 0; i < pools.length; i++) {
    for (let j = i + 1; j < pools.length; j++) {
      const a = pools[i]!;
      const b = pools[j]!;
      if (selectorsOverlap(a.nodeSelector, b.nodeSelector)) {
        err(
          `nodePools[${def.nodePools.indexOf(b)}].nodeSelector`,
          `pool "${b.name}" selects ${JSON.stringify(b.nodeSelector)}, which can match the same nodes as pool "${a.name}" (${JSON.stringify(a.nodeSelector)})`,
          'give the pools a label key in common with different values, so every node belongs to one pool',
        );
      }
    }
  }
}

function validateOverrides(at: string, overrides: MachineTypeOverrides | undefined, releaseId: string, err: Report): void {
  if (overrides === undefined) return;
  if (!isRecord(overrides)) {
    err(at, 'machine-type overrides must be an object', 'write { add?: [...], remove?: [...], deprecate?: [...] }');
    return;
  }
  const release = hypervisorRelease(releaseId)!;
  const base = new Set(release.machineTypes);
  const added = new Set<string>();
  for (const key of Object.keys(overrides)) {
    if (!['add', 'remove', 'deprecate'].includes(key)) err(`${at}.${key}`, `unknown override "${key}"`, 'use add, remove or deprecate');
  }
  for (const kind of ['add', 'remove', 'deprecate'] as const) {
    const list = overrides[kind];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      err(`${at}.${kind}`, `${kind} must be a list of machine types`, `write ${kind}: ['pc-q35-…']`);
      continue;
    }
    list.forEach((type: unknown, i) => {
      const path = `${at}.${kind}[${i}]`;
      if (typeof type !== 'string' || !parseMachineType(type)) {
        err(path, `${JSON.stringify(type)} is not a versioned machine type`, 'write a canonical name such as pc-q35-rhel9.6.0 or pc-q35-10.1; aliases (q35, pc) follow the release');
        return;
      }
      if (machineTypeVendor(type) !== release.vendor) {
        err(path, `"${type}" is a ${machineTypeVendor(type)} machine type but ${release.id} is a ${release.vendor} release`, `RHEL and upstream QEMU types never mix: name a ${release.vendor === 'rhel' ? 'pc-q35-rhelX.Y.Z' : 'pc-q35-X.Y'} type`);
        return;
      }
      if (kind === 'add') {
        if (base.has(type)) err(path, `"${type}" is already in ${release.id}'s matrix`, 'remove it from add');
        added.add(type);
      } else if (!base.has(type) && !added.has(type)) {
        err(path, `"${type}" is not in ${release.id}'s matrix`, `${kind} only types the release offers: ${release.machineTypes.join(', ')}`);
      }
    });
  }
  const removed = new Set(Array.isArray(overrides.remove) ? overrides.remove : []);
  (Array.isArray(overrides.deprecate) ? overrides.deprecate : []).forEach((t, i) => {
    if (removed.has(t)) err(`${at}.deprecate[${i}]`, `"${t}" is both removed and deprecated`, 'keep it in one list');
  });
}
