/**
 * Runs the programs' images as a cluster would: podman (Debian's, `testbed/tools.d/podman.sh`) with runc,
 * each container made from the pod spec that dist/ ships (a DaemonSet's or Deployment's template, read from
 * the YAML): its env (the downward API filled in), its volumes (configMap from the ConfigMap in the same
 * dist/ folder, emptyDir as an empty folder), its securityContext (uid/gid, read-only root, capabilities,
 * no_new_privs) and its resource limits, plus what the kubelet adds: the ServiceAccount's token, CA and
 * namespace at /var/run/secrets/kubernetes.io/serviceaccount and KUBERNETES_SERVICE_HOST/PORT, here for the
 * loopback API server of testbed/harness/controlPlane.ts. So the programs load their configuration in-cluster,
 * as in a pod, and authenticate as their ServiceAccount with the RBAC dist/ grants.
 *
 * What differs from a pod, on purpose: the host network (the API server listens on 127.0.0.1 only), so each
 * program's metrics port is moved to a free loopback port by env overrides the caller names; explicit
 * `--ulimit nofile/nproc` (podman's defaults exceed this machine's hard limits); no init container (the
 * caller writes what it would into the emptyDir); no probes (the caller polls the readiness path).
 *
 * Podman's storage, run state and configuration live in folders of our own (`$KVFLEET_CACHE/podman`, and
 * a folder in the temp dir for run state), never the machine's /var/lib/containers.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  type V1Container,
  type V1PodSecurityContext,
  type V1PodSpec,
  type V1SecurityContext,
} from '@kubernetes/client-node';
import { parse } from 'yaml';
import { type ImageName, readImageDigests } from '../../generators/imageDigests.js';
import { distObjects } from '../support/distObjects.js';
import { type ControlPlane } from './controlPlane.js';
import { type ManagedProcess, startProcess } from './managedProcess.js';
import { projectDir, toolPaths } from './toolPaths.js';
import { until } from './until.js';
import { listeningPid } from './virtController.js';

const CACHE = process.env.KVFLEET_CACHE || join(homedir(), '.cache', 'kvfleet');
/** Image storage, kept between runs so a second run loads nothing. */
const STORAGE_DIR = join(CACHE, 'podman');
/** Run state (locks, container state): per boot in spirit, so in the temp dir. */
const RUN_DIR = join(tmpdir(), `kvfleet-podman-${process.getuid?.() ?? 0}`);
const IMAGES_DIR = join(projectDir, 'build', 'images');
/** Containers are named `kvfleet-test-<pid of the test process>-…`, so a run can clean up after a killed one. */
const CONTAINER_PREFIX = 'kvfleet-test-';
/** Where the kubelet mounts the ServiceAccount token, CA and namespace. */
export const SERVICE_ACCOUNT_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

// ---------------------------------------------------------------------------------------------------------
// Can podman run here?

let availability: string | null | undefined;

/** stderr of a failed command, its last lines on one line. */
const lastLines = (e: unknown) =>
  String((e as { stderr?: unknown }).stderr || (e as Error).message)
    .trim()
    .split('\n')
    .slice(-3)
    .join(' ');

/**
 * Why podman cannot run containers on this machine, or `undefined` when it can: podman or runc not
 * installed (`testbed/tools.sh ensure` as root installs both), `podman info` failing with our storage, or
 * no new mount and pid namespaces for a container (an unprivileged Docker container, as GitHub's jobs run in).
 */
export function podmanUnavailable(): string | undefined {
  if (availability === undefined) {
    const tools = toolPaths();
    const run = (file: string, args: string[], env?: NodeJS.ProcessEnv) =>
      execFileSync(file, args, { ...(env ? { env } : {}), stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    if (!tools.podman || !tools.runc) {
      availability = `${!tools.podman ? 'podman' : 'runc'} is not installed (as root, \`bash testbed/tools.sh ensure\` installs Debian's podman and runc)`;
    } else {
      availability = null;
      try {
        run(tools.podman, [...globalFlags(), 'info', '--format', '{{.Host.OCIRuntime.Name}}'], podmanEnv());
      } catch (e) {
        availability = `podman cannot run here: \`podman info\` failed: ${lastLines(e)}`;
      }
      // What runc needs first for a rootful container (rootless podman makes a user namespace for it).
      const probe = process.getuid?.() === 0 ? ['--mount', '--pid', '--fork', 'true'] : ['--user', '--map-root-user', '--mount', '--pid', '--fork', 'true'];
      if (availability === null) {
        try {
          run('unshare', probe);
        } catch (e) {
          availability = `podman cannot run containers here: \`unshare ${probe.join(' ')}\` failed (${lastLines(e)}); no new namespaces, as in an unprivileged container`;
        }
      }
    }
  }
  return availability ?? undefined;
}

/**
 * True where the image tests must run, so a machine without podman fails them instead of skipping:
 * `KVFLEET_REQUIRE_PODMAN=1`, or CI other than GitHub Actions (`.ci/run` on these machines, `CI=true`).
 * GitHub's jobs run in an unprivileged container (`node:24-bookworm`), where no container can start.
 */
export const podmanRequired = () => process.env.KVFLEET_REQUIRE_PODMAN === '1' || (process.env.CI === 'true' && process.env.GITHUB_ACTIONS !== 'true');

function podmanBinary(): string {
  const path = toolPaths().podman;
  if (!path) throw new Error('podman is not installed; as root, `bash testbed/tools.sh ensure` installs it');
  return path;
}

/** Our containers.conf: cgroupfs (no systemd here), events to a file, networks of our own, runc. */
function podmanEnv(): NodeJS.ProcessEnv {
  mkdirSync(RUN_DIR, { recursive: true, mode: 0o700 });
  const conf = join(RUN_DIR, 'containers.conf');
  const text = [
    '# Written by testbed/harness/podman.ts: the test containers never touch the machine-wide podman setup.',
    '[engine]',
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    `events_logfile_path = "${join(RUN_DIR, 'events.log')}"`,
    '[network]',
    `network_config_dir = "${join(RUN_DIR, 'networks')}"`,
    '',
  ].join('\n');
  if (!existsSync(conf) || readFileSync(conf, 'utf8') !== text) writeFileSync(conf, text);
  // CONTAINERS_CONF replaces /etc/containers/containers.conf; the storage is set by flags.
  return { ...process.env, CONTAINERS_CONF: conf };
}

/** Storage and run state of our own, and runc: crun fails on this machine's hybrid cgroup layout. */
function globalFlags(): string[] {
  const runc = toolPaths().runc;
  return [
    '--root',
    join(STORAGE_DIR, 'storage'),
    '--runroot',
    join(RUN_DIR, 'runroot'),
    '--tmpdir',
    join(RUN_DIR, 'tmp'),
    '--storage-driver',
    'overlay',
    ...(runc ? ['--runtime', runc] : []),
  ];
}

/** Runs one podman command to completion; rejects with its stderr. */
export function podman(args: readonly string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(podmanBinary(), [...globalFlags(), ...args], { env: podmanEnv(), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`podman ${args.join(' ')} failed: ${String(stderr).trim() || err.message}`));
      else resolve(String(stdout));
    });
  });
}

function podmanSync(args: readonly string[]): string {
  return execFileSync(podmanBinary(), [...globalFlags(), ...args], { env: podmanEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

// ---------------------------------------------------------------------------------------------------------
// The images

/** One program's entry in build/images/images.json, as far as these tests read it. */
export interface BuiltImage {
  readonly program: ImageName;
  /** `ghcr.io/kvfleet/<program>:<version>@sha256:<index digest>`. */
  readonly reference: string;
  /** Relative to build/images. */
  readonly archive: string;
  readonly archiveBytes: number;
  readonly platforms: Readonly<Record<string, { readonly manifest: string; readonly layers: readonly { layer: string; digest: string; bytes: number }[] }>>;
}

interface ImagesJson {
  readonly images: readonly BuiltImage[];
}

const digestOf = (reference: string) => reference.slice(reference.indexOf('@') + 1);

/** Why build/images does not hold the images dist/ pins, or `undefined` when it does. */
function staleReason(): string | undefined {
  const file = join(IMAGES_DIR, 'images.json');
  if (!existsSync(file)) return 'build/images/images.json is missing';
  const built = JSON.parse(readFileSync(file, 'utf8')) as ImagesJson;
  const recorded = readImageDigests();
  for (const [name, entry] of Object.entries(recorded.images)) {
    const image = built.images.find((i) => i.program === name);
    if (!image) return `build/images has no ${name}`;
    if (digestOf(image.reference) !== entry.digest)
      return `build/images/${name} is ${digestOf(image.reference)}, generators/imageDigests.generated.json records ${entry.digest}`;
    if (!existsSync(join(IMAGES_DIR, image.archive))) return `${image.archive} is missing`;
  }
  return undefined;
}

/** A lock folder: mkdir is atomic, and the pid inside lets a later run take over a dead holder's lock. */
async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const owner = join(dir, 'pid');
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  await until(
    () => {
      try {
        mkdirSync(dir);
        writeFileSync(owner, String(process.pid));
        return true;
      } catch {
        let holder = Number.NaN;
        try {
          holder = Number(readFileSync(owner, 'utf8'));
          // A holder between mkdir and writing its pid is alive; only a dead one's lock is taken over.
        } catch {}
        if (Number.isInteger(holder) && !alive(holder)) rmSync(dir, { recursive: true, force: true });
        return false;
      }
    },
    { timeoutMs: 300_000, intervalMs: 500, what: `the lock ${dir} (another image build)` },
  );
  try {
    return await fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * build/images with the images dist/ pins: when it is missing, or its digests are not the ones
 * generators/imageDigests.generated.json records, `npm run images -- --no-record` rebuilds it (15–40 s;
 * a test never rewrites the committed digest file). One build at a time across test files.
 * Returns the built images and, when even a fresh build gives other digests (the programs changed and
 * `npm run images` was not run), why, so a test can say so.
 */
export async function ensureImages(log: (line: string) => void = () => {}): Promise<{ images: readonly BuiltImage[]; mismatch?: string }> {
  mkdirSync(join(projectDir, 'build'), { recursive: true });
  return withLock(join(projectDir, 'build', '.images.lock'), async () => {
    const before = staleReason();
    if (before) {
      log(`${before}: running npm run images -- --no-record`);
      const logFile = join(projectDir, 'build', 'images-for-tests.log');
      const build = startProcess('npm run images', process.execPath, ['--import', 'tsx', join(projectDir, 'scripts', 'images', 'main.ts'), '--no-record'], logFile);
      const code = await build.exited;
      if (code !== 0) throw new Error(`npm run images -- --no-record failed (exit ${code}; ${logFile}):\n${build.tail()}`);
    }
    const images = (JSON.parse(readFileSync(join(IMAGES_DIR, 'images.json'), 'utf8')) as ImagesJson).images;
    const mismatch = staleReason();
    return { images, ...(mismatch ? { mismatch: `${mismatch}: run \`npm run images\`, then \`npm run synth\`` } : {}) };
  });
}

/** An image in our podman storage. */
export interface LoadedImage {
  readonly program: ImageName;
  /** The image ID (config digest), what containers are created from. */
  readonly id: string;
  /** The index digest podman recorded on import: the digest dist/ pins when build/images is current. */
  readonly digest: string;
  /** `ghcr.io/kvfleet/<program>:<version>`, tagged for people looking at the storage. */
  readonly name: string;
  /** Unpacked size on disk, as podman reports it. */
  readonly unpackedBytes: number;
  /** Milliseconds the import took (0 when the storage had it already). */
  readonly loadMs: number;
}

/**
 * Imports `build/images/<program>/<program>.oci.tar` (this machine's architecture of the index) into our
 * storage, unless an image of that index digest is there already, and drops older imports. One import at a
 * time: the archives of both programs name their image alike (`localhost/<version>:latest`), so one import
 * leaves the other's untagged until it is tagged with its own name.
 */
export async function loadImage(image: BuiltImage): Promise<LoadedImage> {
  mkdirSync(STORAGE_DIR, { recursive: true });
  return withLock(join(STORAGE_DIR, '.import.lock'), async () => {
    const digest = digestOf(image.reference);
    const name = image.reference.slice(0, image.reference.indexOf('@'));
    const version = name.slice(name.lastIndexOf(':') + 1);
    const listed = async () =>
      (await podman(['images', '--no-trunc', '--format', '{{.ID}} {{.Digest}} {{.Repository}}:{{.Tag}}']))
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ') as [string, string, string]);
    const t0 = Date.now();
    let id = (await listed()).find(([, d]) => d === digest)?.[0];
    let loadMs = 0;
    if (!id) {
      id = (await podman(['pull', '--quiet', `oci-archive:${join(IMAGES_DIR, image.archive)}`], 300_000)).trim().split('\n').pop()!;
      loadMs = Date.now() - t0;
    }
    id = id.replace(/^sha256:/, '');
    await podman(['tag', id, name]);
    await podman(['untag', id, `localhost/${version}:latest`]).catch(() => undefined);
    // Older builds of this program, and images left without a name (a build's predecessor), unless a container uses them.
    for (const [otherId, otherDigest, repoTag] of await listed()) {
      if (repoTag.startsWith(`${name.slice(0, name.lastIndexOf(':'))}:`) && otherDigest !== digest)
        await podman(['rmi', otherId.replace(/^sha256:/, '')]).catch(() => undefined);
    }
    await podman(['image', 'prune', '--force']).catch(() => undefined);
    const [inspected] = JSON.parse(await podman(['image', 'inspect', id])) as { Digest: string; Size: number }[];
    return { program: image.program, id, digest: inspected!.Digest, name, unpackedBytes: inspected!.Size, loadMs };
  });
}

// ---------------------------------------------------------------------------------------------------------
// The pod spec from dist/

/** A workload's pod template as dist/ ships it. */
export interface DistWorkload {
  readonly cluster: string;
  readonly kind: 'DaemonSet' | 'Deployment';
  readonly name: string;
  readonly namespace: string;
  readonly podSpec: V1PodSpec;
}

export function distWorkload(cluster: string, kind: DistWorkload['kind'], name: string): DistWorkload {
  const object = distObjects(cluster).find((o) => o.kind === kind && o.metadata.name === name) as
    | { metadata: { namespace?: string }; spec: { template: { spec: V1PodSpec } } }
    | undefined;
  if (!object) throw new Error(`dist/${cluster}/ has no ${kind} ${name}`);
  return { cluster, kind, name, namespace: object.metadata.namespace ?? 'default', podSpec: object.spec.template.spec };
}

/** Kinds applied by `applyDistAccess`: what a program's identity and permissions are made of. */
const ACCESS_KINDS = ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];

/**
 * Creates the cluster's namespaces, ServiceAccounts and RBAC exactly as dist/ ships them, so each program
 * runs with the permissions its manifests grant and nothing else.
 */
export async function applyDistAccess(admin: KubeConfig, cluster: string): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(admin);
  const ordered = distObjects(cluster)
    .filter((o) => ACCESS_KINDS.includes(o.kind))
    .sort((a, b) => ACCESS_KINDS.indexOf(a.kind) - ACCESS_KINDS.indexOf(b.kind));
  for (const o of ordered) await objects.create(o as KubernetesObject);
}

/** The RBAC user the API server sees for the pod's ServiceAccount. */
export const serviceAccountUser = (w: DistWorkload) => `system:serviceaccount:${w.namespace}:${w.podSpec.serviceAccountName ?? 'default'}`;
export const serviceAccountGroups = (w: DistWorkload) => ['system:serviceaccounts', `system:serviceaccounts:${w.namespace}`];

export function containerOf(w: DistWorkload, name: string): V1Container {
  const c = w.podSpec.containers.find((x) => x.name === name);
  if (!c) throw new Error(`${w.kind} ${w.name} has no container ${name} (has ${w.podSpec.containers.map((x) => x.name).join(', ')})`);
  return c;
}

/** The literal value the container's spec gives an env var (not a downward-API one). */
export function specEnv(container: V1Container, name: string): string {
  const value = container.env?.find((e) => e.name === name)?.value;
  if (value === undefined) throw new Error(`container ${container.name} sets no literal ${name}`);
  return value;
}

/** The path of the container's readiness probe (an httpGet), which the tests poll as the kubelet would. */
export function readinessPath(container: V1Container): string {
  const path = container.readinessProbe?.httpGet?.path;
  if (!path) throw new Error(`container ${container.name} has no httpGet readiness probe`);
  return path;
}

/** `192Mi` → bytes; `200m` → 0.2 CPUs. Only the suffixes dist/ uses. */
export function quantityBytes(q: string): number {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(q);
  if (!m) throw new Error(`memory quantity ${q} is not <n>[Ki|Mi|Gi]`);
  return Number(m[1]) * { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[m[2] ?? '']!;
}
export function quantityCpus(q: string): number {
  const m = /^(\d+)(m)?$/.exec(q);
  if (!m) throw new Error(`cpu quantity ${q} is not <n>[m]`);
  return m[2] ? Number(m[1]) / 1000 : Number(m[1]);
}

/** What the pod spec cannot say: where each volume lives on this machine, the downward API's values. */
export interface ContainerBinding {
  /** Values of the fields `valueFrom.fieldRef` names: `metadata.name`, `metadata.namespace`, `spec.nodeName`. */
  readonly fieldRefs: Readonly<Record<string, string>>;
  /** Host folder of each volume the container mounts, by volume name. */
  readonly volumeDirs: Readonly<Record<string, string>>;
  /** Host folder with `token`, `ca.crt`, `namespace`; mounted when the pod automounts its token. */
  readonly serviceAccountDir: string;
  /** What the kubelet adds to every container: KUBERNETES_SERVICE_HOST and _PORT. */
  readonly kubeletEnv: Readonly<Record<string, string>>;
  /** Set over the spec's env, each a stated difference from a pod (the host network's ports). */
  readonly envOverrides?: Readonly<Record<string, string>>;
}

const HANDLED_SECURITY = new Set(['allowPrivilegeEscalation', 'capabilities', 'readOnlyRootFilesystem', 'runAsGroup', 'runAsNonRoot', 'runAsUser', 'seccompProfile']);

/**
 * `podman create` flags for one container of a pod spec: security context (pod-level merged under the
 * container's, as the kubelet does), limits, env and mounts. Throws on any field it cannot translate, so a
 * manifest that gains one is not run half-faithfully.
 */
export function podmanCreateArgs(spec: V1PodSpec, container: V1Container, binding: ContainerBinding): string[] {
  const pod: V1PodSecurityContext = spec.securityContext ?? {};
  const own: V1SecurityContext = container.securityContext ?? {};
  for (const key of [...Object.keys(pod), ...Object.keys(own)])
    if (!HANDLED_SECURITY.has(key)) throw new Error(`securityContext.${key} of container ${container.name}: testbed/harness/podman.ts cannot translate it`);
  const sc = { ...pod, ...own } as V1SecurityContext;
  const args: string[] = [];
  if (sc.runAsUser === undefined) throw new Error(`container ${container.name}: no runAsUser in the pod spec; the harness runs only explicit users`);
  if (sc.runAsNonRoot && sc.runAsUser === 0) throw new Error(`container ${container.name}: runAsNonRoot with runAsUser 0; the kubelet would refuse to start it`);
  args.push('--user', `${sc.runAsUser}:${sc.runAsGroup ?? sc.runAsUser}`);
  // No tmpfs on /tmp, /run, /var/tmp as podman adds by default: a pod's read-only root has none.
  if (sc.readOnlyRootFilesystem) args.push('--read-only', '--read-only-tmpfs=false');
  for (const cap of sc.capabilities?.drop ?? []) args.push(`--cap-drop=${cap}`);
  for (const cap of sc.capabilities?.add ?? []) args.push(`--cap-add=${cap}`);
  if (sc.allowPrivilegeEscalation === false) args.push('--security-opt', 'no-new-privileges');
  // RuntimeDefault is podman's default seccomp profile; anything else would need a profile file.
  if (sc.seccompProfile && sc.seccompProfile.type !== 'RuntimeDefault') throw new Error(`seccompProfile ${sc.seccompProfile.type}: only RuntimeDefault is translated`);
  const limits = container.resources?.limits ?? {};
  for (const key of Object.keys(limits)) if (key !== 'cpu' && key !== 'memory') throw new Error(`limits.${key} of container ${container.name} cannot be translated`);
  if (limits.memory) args.push('--memory', String(quantityBytes(limits.memory)));
  if (limits.cpu) args.push('--cpus', String(quantityCpus(limits.cpu)));

  const env: Record<string, string> = { ...binding.kubeletEnv };
  for (const e of container.env ?? []) {
    if (e.value !== undefined) {
      if (e.value.includes('$(')) throw new Error(`env ${e.name}: $(VAR) expansion is not translated`);
      env[e.name] = e.value;
    } else if (e.valueFrom?.fieldRef) {
      const value = binding.fieldRefs[e.valueFrom.fieldRef.fieldPath];
      if (value === undefined) throw new Error(`env ${e.name}: no value for fieldRef ${e.valueFrom.fieldRef.fieldPath} in the binding`);
      env[e.name] = value;
    } else {
      throw new Error(`env ${e.name}: only value and valueFrom.fieldRef are translated`);
    }
  }
  Object.assign(env, binding.envOverrides ?? {});
  for (const [k, v] of Object.entries(env).sort(([a], [b]) => (a < b ? -1 : 1))) args.push('--env', `${k}=${v}`);
  if (container.envFrom?.length) throw new Error(`container ${container.name}: envFrom is not translated`);

  for (const m of container.volumeMounts ?? []) {
    if (m.subPath || m.subPathExpr) throw new Error(`volumeMount ${m.name}: subPath is not translated`);
    const volume = spec.volumes?.find((v) => v.name === m.name);
    if (!volume) throw new Error(`volumeMount ${m.name} names no volume of the pod`);
    const dir = binding.volumeDirs[m.name];
    if (!dir) throw new Error(`volume ${m.name}: no host folder in the binding`);
    // configMap, secret and projected volumes are read-only whatever the mount says.
    const readOnly = m.readOnly === true || volume.configMap !== undefined;
    args.push('--mount', `type=bind,source=${dir},destination=${m.mountPath}${readOnly ? ',ro=true' : ''}`);
  }
  if (spec.automountServiceAccountToken !== false) {
    args.push('--mount', `type=bind,source=${binding.serviceAccountDir},destination=${SERVICE_ACCOUNT_MOUNT},ro=true`);
  }
  return args;
}

/**
 * Host folders for the container's volumes: a configMap's items written from the ConfigMap of the same
 * name in the workload's dist/ folder; an emptyDir empty (world-writable, as the kubelet makes it) unless
 * `emptyDirFiles` fills it, as an init container would.
 */
function volumeDirs(w: DistWorkload, container: V1Container, root: string, emptyDirFiles: Readonly<Record<string, Readonly<Record<string, string>>>>) {
  const dirs: Record<string, string> = {};
  const objects = distObjects(w.cluster);
  for (const m of container.volumeMounts ?? []) {
    const volume = w.podSpec.volumes?.find((v) => v.name === m.name);
    const dir = join(root, 'volumes', m.name);
    mkdirSync(dir, { recursive: true });
    if (volume?.configMap) {
      const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap!.name && (o.metadata.namespace ?? 'default') === w.namespace) as
        | { data?: Record<string, string> }
        | undefined;
      if (!cm) throw new Error(`volume ${m.name}: dist/${w.cluster}/ has no ConfigMap ${w.namespace}/${volume.configMap.name}`);
      const items = volume.configMap.items ?? Object.keys(cm.data ?? {}).map((key) => ({ key, path: key }));
      for (const item of items) {
        const value = cm.data?.[item.key];
        if (value === undefined) throw new Error(`volume ${m.name}: ConfigMap ${volume.configMap.name} has no key ${item.key}`);
        writeFileSync(join(dir, item.path), value, { mode: 0o644 });
      }
      chmodSync(dir, 0o755);
    } else if (volume?.emptyDir) {
      for (const [file, text] of Object.entries(emptyDirFiles[m.name] ?? {})) writeFileSync(join(dir, file), text, { mode: 0o644 });
      chmodSync(dir, 0o777);
    } else {
      throw new Error(`volume ${m.name}: only configMap and emptyDir volumes are translated`);
    }
    dirs[m.name] = dir;
  }
  return dirs;
}

/** token, ca.crt and namespace, as the kubelet projects them, from the control plane's kubeconfig of that user. */
function serviceAccountFiles(plane: ControlPlane, w: DistWorkload, dir: string): void {
  const kc = parse(plane.kubeconfigFor(serviceAccountUser(w))) as {
    clusters: { cluster: { 'certificate-authority-data': string } }[];
    users: { user: { token: string } }[];
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'token'), kc.users[0]!.user.token, { mode: 0o644 });
  writeFileSync(join(dir, 'ca.crt'), Buffer.from(kc.clusters[0]!.cluster['certificate-authority-data'], 'base64'), { mode: 0o644 });
  writeFileSync(join(dir, 'namespace'), w.namespace, { mode: 0o644 });
  chmodSync(dir, 0o755);
}

// ---------------------------------------------------------------------------------------------------------
// Containers

export interface StopResult {
  /** The container's exit code (137 when SIGKILL ended it). */
  readonly exitCode: number;
  /** From sending SIGTERM to the container having exited (podman's own overhead included). */
  readonly stopMs: number;
  /** True when it outlived the grace period and got SIGKILL, as the kubelet would send. */
  readonly killed: boolean;
}

export interface PodContainer {
  readonly name: string;
  /** The program's pid on this machine (the image's entrypoint runs as the container's first process). */
  readonly pid: number;
  /** Date.now() when `podman start` was run: the origin of start-to-ready figures. */
  readonly startedAtMs: number;
  /** How long `podman create` took. */
  readonly createMs: number;
  /** The flags it was created with (for messages). */
  readonly args: readonly string[];
  readonly logFile: string;
  tail(lines?: number): string;
  /** Whether 127.0.0.1:`port` is served by this container's process (/proc/net/tcp and its fds). */
  serves(port: number): boolean;
  /** Polls `check` until it gives a value; fails at once, with the container's log, if the container exits. */
  waitFor<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs?: number): Promise<T>;
  /** SIGTERM, then SIGKILL after `graceSeconds` (the pod's terminationGracePeriodSeconds), as the kubelet stops it. */
  stop(graceSeconds: number): Promise<StopResult>;
  /** Removes the container and its folders (SIGKILL if it still runs). */
  remove(): Promise<void>;
}

export interface StartContainerOptions {
  readonly image: LoadedImage;
  readonly workload: DistWorkload;
  readonly container: string;
  readonly plane: ControlPlane;
  /** Values for the downward API; `metadata.namespace` defaults to the workload's. */
  readonly fieldRefs: Readonly<Record<string, string>>;
  /** Env set over the spec's, each a stated difference from a pod (the host network's ports). */
  readonly envOverrides?: Readonly<Record<string, string>>;
  /** Files to put in an emptyDir before start, by volume name (what an init container would write). */
  readonly emptyDirFiles?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

const created = new Set<string>();
// A crashed test run must not leave containers behind (managedProcess kills only the attached podman).
process.once('exit', () => {
  for (const name of created) {
    try {
      podmanSync(['rm', '--force', '--time', '0', name]);
    } catch {
      // already gone
    }
  }
});

let counter = 0;
let sweptDead = false;

/** Removes containers a killed test process left behind (its pid is in the name and no longer runs). */
async function removeOrphans(): Promise<void> {
  if (sweptDead) return;
  sweptDead = true;
  const names = (await podman(['ps', '--all', '--format', '{{.Names}}'])).trim().split('\n').filter(Boolean);
  for (const name of names) {
    const pid = Number(new RegExp(`^${CONTAINER_PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) await podman(['rm', '--force', '--time', '0', name]).catch(() => undefined);
  }
}

/** Creates and starts one container of a dist/ pod spec from `image`; resolves once its process runs. */
export async function startPodContainer(opts: StartContainerOptions): Promise<PodContainer> {
  await removeOrphans();
  const container = containerOf(opts.workload, opts.container);
  const name = `${CONTAINER_PREFIX}${process.pid}-${++counter}-${opts.container}`;
  const root = mkdtempSync(join(tmpdir(), 'kvfleet-pod-'));
  chmodSync(root, 0o755);
  const args = containerArgs(opts, container, root);
  const grace = opts.workload.podSpec.terminationGracePeriodSeconds ?? 30;
  const logFile = join(root, 'container.log');
  let attached: ManagedProcess | undefined;
  const remove = async () => {
    await podman(['rm', '--force', '--time', '0', name]).catch(() => undefined);
    created.delete(name);
    await attached?.stop(2_000);
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const t0 = Date.now();
    created.add(name);
    await createContainer(name, grace, args, opts.image.id);
    const createMs = Date.now() - t0;
    const startedAtMs = Date.now();
    const running = startProcess(name, podmanBinary(), [...globalFlags(), 'start', '--attach', name], logFile, podmanEnv());
    attached = running;
    const waitFor = <T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 60_000) =>
      waitWhileRunning(running, name, logFile, check, what, timeoutMs);
    const pid = await waitFor(async () => {
      const s = await containerState(name);
      return s.Status === 'running' && s.Pid > 0 ? s.Pid : undefined;
    }, 'the container running');
    return {
      name,
      pid,
      startedAtMs,
      createMs,
      args,
      logFile,
      tail: (lines = 30) => readTail(logFile, lines),
      serves: (port) => listeningPid(port, pid) === pid,
      waitFor,
      stop: (graceSeconds) => stopContainer(name, running, graceSeconds),
      remove,
    };
  } catch (e) {
    await remove();
    throw e;
  }
}

/**
 * The `podman create` flags for `container` of `opts.workload`, with its ServiceAccount files and volume folders
 * written under `root` and the API server reached as the kubelet tells a pod to.
 */
function containerArgs(opts: StartContainerOptions, container: V1Container, root: string): string[] {
  const { workload: w, plane } = opts;
  const saDir = join(root, 'serviceaccount');
  serviceAccountFiles(plane, w, saDir);
  const api = new URL(plane.server);
  // client-node's in-cluster config uses plain http for ports 80, 8080 and 8001 (config.js, loadFromCluster).
  if (['80', '8080', '8001'].includes(api.port)) throw new Error(`the API server's port ${api.port} would make client-node use http in-cluster`);
  return podmanCreateArgs(w.podSpec, container, {
    fieldRefs: { 'metadata.namespace': w.namespace, ...opts.fieldRefs },
    volumeDirs: volumeDirs(w, container, root, opts.emptyDirFiles ?? {}),
    serviceAccountDir: saDir,
    kubeletEnv: { KUBERNETES_SERVICE_HOST: api.hostname, KUBERNETES_SERVICE_PORT: api.port },
    ...(opts.envOverrides ? { envOverrides: opts.envOverrides } : {}),
  });
}

/** `podman create` on the host network, with the pod's grace period as stop timeout. */
async function createContainer(name: string, graceSeconds: number, args: readonly string[], imageId: string): Promise<void> {
  await podman([
    'create',
    '--name',
    name,
    '--pull=never',
    '--network=host',
    // This machine's hard limits are below podman's defaults (testbed/tools.d/podman.sh).
    '--ulimit=nofile=20000:20000',
    '--ulimit=nproc=4096:4096',
    `--stop-timeout=${graceSeconds}`,
    ...args,
    imageId,
  ]);
}

type ContainerState = { Pid: number; Status: string; ExitCode: number };

async function containerState(name: string): Promise<ContainerState> {
  const [s] = JSON.parse(await podman(['inspect', '--type', 'container', name])) as { State: ContainerState }[];
  return s!.State;
}

/** Polls `check` while the container runs: fails at once, with its log, if it exits. */
async function waitWhileRunning<T>(
  running: ManagedProcess,
  name: string,
  logFile: string,
  check: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs: number,
): Promise<T> {
  const hasExited = () => running.child.exitCode !== null || running.child.signalCode !== null;
  let result: T | undefined;
  try {
    await until(
      async () => {
        if (hasExited()) return true;
        const v = await check();
        if (v === undefined || v === false) return false;
        result = v;
        return true;
      },
      { timeoutMs, intervalMs: 50, what: `${what} (${name})` },
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${name}'s log:\n${readTail(logFile)}`);
  }
  if (result === undefined) throw new Error(`${name} exited while waiting for ${what}; its log:\n${readTail(logFile)}`);
  return result;
}

/** SIGTERM, then SIGKILL after `graceSeconds`, as the kubelet stops a container; `running` is the attached `podman start`. */
async function stopContainer(name: string, running: ManagedProcess, graceSeconds: number): Promise<StopResult> {
  const sent = Date.now();
  // Fails only when the container has exited already; its exit code is read below either way.
  await podman(['kill', '--signal', 'SIGTERM', name]).catch(() => undefined);
  const exitedInTime = await Promise.race([
    running.exited.then(() => true),
    new Promise<false>((r) => setTimeout(() => r(false), graceSeconds * 1000 - (Date.now() - sent)).unref()),
  ]);
  if (!exitedInTime) await podman(['kill', '--signal', 'SIGKILL', name]).catch(() => undefined);
  await running.exited;
  const stopMs = Date.now() - sent;
  const s = await until(
    async () => {
      const st = await containerState(name);
      return st.Status === 'exited' || st.Status === 'stopped' ? st : undefined;
    },
    { timeoutMs: 10_000, what: `${name} exited` },
  );
  return { exitCode: s.ExitCode, stopMs, killed: !exitedInTime };
}

function readTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------------------
// What the kernel says about a container's process

export interface ProcessFacts {
  readonly uid: number;
  readonly gid: number;
  readonly groups: readonly number[];
  /** CapEff, CapPrm, CapBnd as hex masks. */
  readonly capEff: string;
  readonly capBnd: string;
  readonly noNewPrivs: boolean;
  /** The mount options of the container's `/`. */
  readonly rootMountOptions: readonly string[];
  /** The memory limit of its cgroup (v1 memory.limit_in_bytes, v2 memory.max), when readable and set. */
  readonly memoryLimitBytes?: number;
}

/** Reads /proc/<pid>/{status,mountinfo,cgroup}: what the runtime really applied. */
export function processFacts(pid: number): ProcessFacts {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim() ?? '';
  const rootLine = readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
    .split('\n')
    .find((l) => l.split(' ')[4] === '/');
  const cgroups = readFileSync(`/proc/${pid}/cgroup`, 'utf8')
    .split('\n')
    .map((l) => l.split(':'));
  // cgroup v1 (these machines: a memory hierarchy of its own) or v2 (one unified hierarchy).
  const v1 = cgroups.find((f) => f[1]?.split(',').includes('memory'))?.[2];
  const v2 = cgroups.find((f) => f[0] === '0' && f[1] === '')?.[2];
  const limitFile = v1 !== undefined ? `/sys/fs/cgroup/memory${v1}/memory.limit_in_bytes` : v2 !== undefined ? `/sys/fs/cgroup${v2}/memory.max` : undefined;
  let memoryLimitBytes: number | undefined;
  if (limitFile && existsSync(limitFile) && statSync(limitFile).isFile()) {
    const text = readFileSync(limitFile, 'utf8').trim();
    if (text !== 'max') memoryLimitBytes = Number(text);
  }
  return {
    uid: Number(field('Uid').split(/\s+/)[0]),
    gid: Number(field('Gid').split(/\s+/)[0]),
    groups: field('Groups').split(/\s+/).filter(Boolean).map(Number),
    capEff: field('CapEff'),
    capBnd: field('CapBnd'),
    noNewPrivs: field('NoNewPrivs') === '1',
    rootMountOptions: rootLine?.split(' ')[5]?.split(',') ?? [],
    ...(memoryLimitBytes !== undefined ? { memoryLimitBytes } : {}),
  };
}
