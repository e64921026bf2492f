/**
 * The single values of a cluster definition, each checked for the form the Kubernetes API (or the
 * container runtime, or kvfleet's own derived names) will demand of it. Every field registers what it
 * must hold and how to fix it (`fieldInfo`), so a value zod rejects by type gets the same kind of
 * message as one a check below rejects: the value seen, what was expected, and the fix.
 */
import semver from 'semver';
import * as z from 'zod';
import { isDnsLabel, isDnsSubdomain, isValidLabelName } from '../compatibility/labelKeys.js';
import { isKubevirtOlderThanSupported, MAX_KUBERNETES_MINOR, MIN_KUBERNETES_MINOR, MIN_KUBEVIRT_VERSION } from '../compatibility/kubevirtVersions.js';
import { closestName } from './definitionSuggestion.js';
import { parseMachineType } from '../compatibility/machineTypeNames.js';
import { MAX_POOL_NAME_LENGTH, nodeLabellerInstanceName } from './definitionDerivedNames.js';
import { imageReferenceProblem } from './definitionImageReference.js';
import { formatValue } from './definitionValue.js';
import { LAUNCHER_BUILDS } from '../compatibility/launcherCatalogue.js';
import { ARCHITECTURES } from '../compatibility/machineTypeNames.js';

/** What a field holds: `expected` completes "<value> is not …"; `fix` tells the author what to write. */
export interface FieldInfo {
  readonly expected: string;
  readonly fix: string;
  /** Other names of a listed value (`x86_64` for `amd64`), suggested as "did you mean" where no spelling is near. */
  readonly synonyms?: Readonly<Record<string, string>>;
}

/** Field schema → its FieldInfo; read by definitionIssues.ts for issues zod raises itself. */
export const fieldInfo = z.registry<FieldInfo>();

/** A rejected value, when the fix differs from the field's own (`FieldInfo.fix`). */
export interface Finding {
  readonly problem: string;
  readonly fix: string;
}

/**
 * Adds an issue that carries its fix in `params` (definitionIssues.ts reads it back). `path` is
 * relative to the schema being refined.
 */
export function report(ctx: z.core.$RefinementCtx, finding: Finding, path: readonly PropertyKey[] = []): void {
  ctx.addIssue({ code: 'custom', message: finding.problem, params: { fix: finding.fix }, path: [...path] });
}

/**
 * Prefixed integers (`0o17`, `0X1F`, `0B101`) are numbers to YAML 1.2 and to Go's YAML (kubectl, Argo
 * CD parse with base-0 ParseInt), but not to YAML 1.1, which cdk8s writes `dist/` in: some go out
 * unquoted, and the API server then gets a number where a name belongs (found by
 * test/definitions/acceptedDefinitions.apiserver.test.ts).
 */
export function readsAsYamlNumber(s: string): boolean {
  return /^[-+]?0([oO][0-7_]+|[xX][0-9a-fA-F_]+|[bB][01_]+)$/.test(s);
}

/** The problem for a string kvfleet writes as a YAML scalar that YAML tools would read as a number. */
export function yamlNumberFinding(v: string): Finding {
  return {
    problem: `${formatValue(v)} would be read as a number by kubectl and Argo CD from the YAML in dist/`,
    fix: 'use a value that is not a 0o/0x/0b-prefixed number, e.g. start it with a letter',
  };
}

/**
 * A string field. `why` returns nothing for a good value, a reason (shown as "<value> is not
 * <expected>: <reason>", fixed by `info.fix`) or a whole Finding when the fix is another one.
 */
export function checkedString(info: FieldInfo, why: (v: string) => string | Finding | undefined) {
  return z
    .string()
    .superRefine((v, ctx) => {
      const found = why(v);
      if (found === undefined) return;
      report(ctx, typeof found === 'string' ? { problem: `${formatValue(v)} is not ${info.expected}: ${found}`, fix: info.fix } : found);
    })
    .register(fieldInfo, info);
}

/** A whole number from `min` to `max`; `defaultValue` only goes into the fix. */
export function wholeNumber(min: number, max: number, defaultValue?: number) {
  const info: FieldInfo = {
    expected: `a whole number from ${min} to ${max}`,
    fix: `use a whole number from ${min} to ${max}${defaultValue !== undefined ? ` (default ${defaultValue})` : ''}`,
  };
  return z
    .number()
    .superRefine((v, ctx) => {
      if (!Number.isInteger(v)) report(ctx, { problem: `${formatValue(v)} is not a whole number`, fix: info.fix });
      else if (v < min || v > max) report(ctx, { problem: `${formatValue(v)} is out of range`, fix: info.fix });
    })
    .register(fieldInfo, info);
}

const DNS_LABEL_WHY = 'lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters';

export function dnsLabelWhy(v: string): string | undefined {
  if (isDnsLabel(v)) return undefined;
  return v.length > 63 ? `it is ${v.length} characters long (at most 63)` : DNS_LABEL_WHY;
}

export const clusterName = checkedString(
  { expected: 'a DNS label', fix: 'use lower-case letters, digits and "-", at most 63 characters, e.g. "prod-east"; it names the file and dist/<name>/' },
  dnsLabelWhy,
);

/** Namespaces Kubernetes owns: kvfleet labels its namespace Pod Security `restricted`, which would break them. */
export function isSystemNamespace(name: string): boolean {
  return name === 'default' || name.startsWith('kube-');
}

export const namespaceName = checkedString(
  { expected: 'a namespace name for kvfleet', fix: 'leave namespace out for "kvfleet-system", or name a namespace of kvfleet\'s own (a DNS label)' },
  (v) => {
    if (isSystemNamespace(v)) {
      return {
        problem: `${formatValue(v)} is a Kubernetes system namespace`,
        fix: 'kvfleet enforces Pod Security "restricted" on its namespace, which would stop system pods there; leave namespace out for "kvfleet-system" or use a namespace of its own',
      };
    }
    return dnsLabelWhy(v) ?? (readsAsYamlNumber(v) ? yamlNumberFinding(v) : undefined);
  },
);

export const poolName = checkedString(
  {
    expected: `a pool name (a DNS label of at most ${MAX_POOL_NAME_LENGTH} characters)`,
    fix: `use lower-case letters, digits and "-", at most ${MAX_POOL_NAME_LENGTH} characters, e.g. "rhel9-compute"`,
  },
  (v) => {
    const why = dnsLabelWhy(v);
    if (why) return why;
    if (v.length <= MAX_POOL_NAME_LENGTH) return undefined;
    return {
      problem: `${formatValue(v)} is ${v.length} characters long: the pool's labeller "${nodeLabellerInstanceName(v)}" would be ${nodeLabellerInstanceName(v).length}, and Kubernetes takes at most 63 in the label that selects its pods`,
      fix: `shorten the pool name to at most ${MAX_POOL_NAME_LENGTH} characters`,
    };
  },
);

/**
 * Why `v` is not "X.Y.Z" with plain decimal parts, or `undefined`. Stricter than semver, which takes
 * "v1.6.2" and "=1.6.2", and throws on parts beyond 2^53 instead of answering.
 */
export function plainVersionProblem(v: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(v);
  if (!m) return /^v\d/.test(v) ? 'it starts with "v"' : 'it is not three numbers joined by "."';
  for (const part of m.slice(1)) {
    if (part.length > 1 && part.startsWith('0')) return `"${part}" has a leading zero`;
    if (part.length > 15 || !Number.isSafeInteger(Number(part))) return `"${part}" is too large to be a version number`;
  }
  return semver.valid(v) === v ? undefined : 'it is not a version';
}

export const kubevirtVersion = checkedString({ expected: 'a version', fix: 'write the KubeVirt release as "X.Y.Z" without a leading "v", e.g. "1.6.2"' }, (v) => {
  const why = plainVersionProblem(v);
  if (why) return why;
  if (!isKubevirtOlderThanSupported(v)) return undefined;
  return { problem: `KubeVirt ${v} is older than ${MIN_KUBEVIRT_VERSION}`, fix: `upgrade KubeVirt to ${MIN_KUBEVIRT_VERSION} or newer` };
});

export const kubeOvnVersion = checkedString(
  { expected: 'a version', fix: 'write the Kube-OVN release as "X.Y.Z" without a leading "v", e.g. "1.15.14"' },
  plainVersionProblem,
);

const KUBERNETES_RANGE = `1.${MIN_KUBERNETES_MINOR} to 1.${MAX_KUBERNETES_MINOR}`;

export const kubernetesVersion = checkedString({ expected: 'a Kubernetes minor', fix: `write it as "1.<minor>", from ${KUBERNETES_RANGE}, e.g. "1.33"` }, (v) => {
  const guess = kubernetesMinorGuess(v);
  const guessed = guess ? `did you mean "${guess}"? ` : '';
  const m = /^1\.(0|[1-9]\d*)$/.exec(v);
  if (!m) {
    const why = /^v?1\.\d+\.\d+$/.test(v) ? 'it is a patch release; give the minor only' : /^1\.0\d/.test(v) ? 'the minor has a leading zero' : 'it is not "1.<minor>"';
    return { problem: `${formatValue(v)} is not a Kubernetes minor: ${why}`, fix: `${guessed}write it as "1.<minor>", from ${KUBERNETES_RANGE}, e.g. "1.33"` };
  }
  const minor = Number(m[1]);
  if (minor < MIN_KUBERNETES_MINOR) {
    return {
      problem: `Kubernetes ${v} is older than 1.${MIN_KUBERNETES_MINOR}`,
      fix: `kvfleet's CEL policies need Kubernetes 1.${MIN_KUBERNETES_MINOR} or newer; upgrade the cluster first`,
    };
  }
  if (minor <= MAX_KUBERNETES_MINOR) return undefined;
  return {
    problem: `Kubernetes ${v} is not a release kvfleet knows (${KUBERNETES_RANGE})`,
    fix: `${guessed}write the minor the cluster runs (\`kubectl version\`), from ${KUBERNETES_RANGE}`,
  };
});

/**
 * The supported minor a malformed or unknown Kubernetes version most likely means: its minor with an
 * extra digit dropped (`1.320` → `1.32`), without the patch or the "v" (`v1.33.2` → `1.33`), or the
 * single nearest spelling; undefined when nothing is clearly it.
 */
export function kubernetesMinorGuess(v: string): string | undefined {
  const supported = Array.from({ length: MAX_KUBERNETES_MINOR - MIN_KUBERNETES_MINOR + 1 }, (_, i) => `1.${MIN_KUBERNETES_MINOR + i}`);
  const m = /^v?1\.(\d+)(?:\.\d+)?$/.exec(v.trim());
  if (m) {
    const digits = m[1]!.replace(/^0+(?=\d)/, '');
    const minor = `1.${digits}`;
    if (supported.includes(minor) && minor !== v) return minor;
    const shortened = `1.${digits.slice(0, 2)}`;
    if (digits.length > 2 && supported.includes(shortened)) return shortened;
  }
  return supported.includes(v) ? undefined : closestName(v, supported);
}

export const imageReference = checkedString(
  { expected: 'an image reference with a tag or digest', fix: 'write registry/repository:tag or registry/repository@sha256:<64 hex digits>' },
  imageReferenceProblem,
);

/** A launcher build (stream or distributor build); a literal union in the types, so the editor flags `centos-stream-8`. */
export const launcherBuild = z.enum(LAUNCHER_BUILDS).register(fieldInfo, {
  expected: 'a known launcher build',
  fix: `use one of ${LAUNCHER_BUILDS.join(', ')} (compatibility/launcherCatalogue.ts lists what each holds)`,
});

/** A CPU architecture as Kubernetes names it (`kubernetes.io/arch`). */
export const architecture = z.enum(ARCHITECTURES).register(fieldInfo, {
  expected: 'a CPU architecture KubeVirt builds a launcher for',
  fix: `use one of ${ARCHITECTURES.join(', ')} (the node label kubernetes.io/arch); amd64 is the default`,
  // The kernel's names (uname -m, RPM arches), which the catalogue's sources use: easy to copy by mistake.
  synonyms: { x86_64: 'amd64', aarch64: 'arm64', arm64e: 'arm64', s390: 's390x' },
});

/** An OS release as a node pool states it: a distribution id and a version, `rhel-9.6`, `rhcos-9.6`, `ubuntu-24.04`. */
export const osRelease = checkedString(
  { expected: 'an OS release', fix: 'write the distribution and its version joined by "-", e.g. "rhel-9.6" or "ubuntu-24.04"' },
  (v) => (/^[a-z][a-z0-9]*(-[a-z0-9]+)*-\d+(\.\d+)*$/.test(v) && v.length <= 63 ? undefined : 'it is not <distribution>-<version>'),
);

export const machineTypeName = checkedString(
  {
    expected: 'a versioned machine type',
    fix: 'write a canonical name such as pc-q35-rhel9.6.0, virt-rhel9.6.0 or s390-ccw-virtio-rhel9.6.0; aliases (q35, pc, virt) follow the launcher',
  },
  (v) =>
    !parseMachineType(v)
      ? 'it is not pc-q35-, pc-i440fx-, virt- or s390-ccw-virtio- with a version'
      : !isValidLabelName(v)
        ? 'it is longer than a label name may be (63)'
        : undefined,
);

export const argoCdServer = checkedString(
  { expected: 'an https URL', fix: "use the cluster's API server URL as Argo CD knows it, e.g. https://api.prod-east.example.com:6443" },
  argoCdServerProblem,
);

/** Why `v` is not an https URL Argo CD can match a cluster secret by, or `undefined`. */
function argoCdServerProblem(v: string): string | undefined {
  if (/\s/.test(v)) return 'it contains whitespace';
  if (!URL.canParse(v)) return 'it does not parse as a URL';
  const url = new URL(v);
  if (url.protocol !== 'https:') return `its scheme is ${url.protocol.slice(0, -1)}, not https`;
  if (url.username || url.password) return 'it carries credentials; Argo CD keeps those in its cluster secret';
  if (url.search || url.hash) return 'it has a query or fragment';
  const host = url.hostname;
  const isIp = /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith('[');
  if (!isIp && !isDnsSubdomain(host)) return `its host "${host}" is not a DNS name`;
  return undefined;
}

export const argoCdClusterName = checkedString(
  { expected: 'an Argo CD cluster name', fix: 'use the name of the cluster as registered in Argo CD (`argocd cluster list`)' },
  (v) => (v.trim() === '' ? 'it is empty' : v.trim() !== v ? 'it has spaces around it' : v.length > 253 ? 'it is longer than 253 characters' : undefined),
);

export const nodeCount = z
  .number()
  .superRefine((v, ctx) => {
    if (!Number.isSafeInteger(v) || v < 1) {
      report(ctx, { problem: `${formatValue(v)} is not a positive whole number`, fix: 'set the number of nodes in the pool (at least 1), or leave nodeCount out' });
    }
  })
  .register(fieldInfo, { expected: 'a positive whole number', fix: 'set the number of nodes in the pool (at least 1), or leave nodeCount out' });
