/**
 * Builds both programs' images from pinned inputs with umoci (Debian's package), daemonless and rootless:
 *
 *   <outDir>/<program>/oci/                 OCI image layout, tag <version>: an image index of linux/amd64 and linux/arm64
 *   <outDir>/<program>/<program>.oci.tar    the same layout as one tar (podman's and skopeo's `oci-archive:`)
 *   <outDir>/<program>/sbom.cdx.json        CycloneDX SBOM (imageSbom.ts)
 *   <outDir>/images.json                    references, digests, sizes
 *
 * Each architecture's image has three layers: base (Debian packages), node, app (layers.ts); base and
 * node are the same blobs in both programs. umoci adds each layer (`raw add-layer`, which gzips it the
 * same way every time) and writes configs and manifests; only the two-platform image index is written
 * here, because umoci 0.4 makes single-platform manifests only. The shared layers' file times come from
 * their own inputs (layers.ts); every other timestamp (app layer, `created`, history) is SOURCE_DATE_EPOCH:
 * the epoch recorded in generators/imageDigests.generated.json while the inputs are the ones recorded
 * there (so a clean clone, and the release, rebuild exactly the digests dist/ pins), else the commit time
 * of HEAD; an explicit SOURCE_DATE_EPOCH in the environment wins.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type ImageDigestsFile, type ImageName, imageRepository, readImageDigests } from '../../generators/imageDigests.js';
import { debsFor, fetchDebs, type LockedDeb, readDebianLock } from './debianPackages.js';
import { imageSbom } from './imageSbom.js';
import { APP_DIR, IMAGE_ARCHES, type ImageArch, NODE_PATH, NONROOT_UID, PROGRAMS, type Program, REPO_ROOT } from './imageSpec.js';
import { type ImageInputs, imageInputs } from './inputHash.js';
import { appRootfs, BASE_NONROOT_PATHS, baseRootfs, NPM_TARBALL_MTIME, nodeRootfs, tarLayer } from './layers.js';
import { type LockedNode, lockedNodeFor, nodeBinaryFor, readNodeLock } from './nodeBinary.js';

const INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';
const MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';

export interface BuildOptions {
  /** Where the layouts, archives and SBOMs go. */
  readonly outDir: string;
  /** Overrides the epoch choice described at the top (tests). */
  readonly sourceDateEpoch?: number;
  readonly log?: (line: string) => void;
}

interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

export interface BuiltImage {
  readonly program: Program;
  /** `ghcr.io/kvfleet/<program>:<version>@sha256:…`. */
  readonly reference: string;
  /** The image index digest. */
  readonly digest: string;
  /** Per architecture: the manifest and its layers (base, node, app) as stored. */
  readonly platforms: Readonly<Record<string, { manifest: Descriptor; layers: readonly Descriptor[] }>>;
  readonly layout: string;
  readonly archive: string;
  readonly sbom: string;
}

export interface BuildResult {
  readonly version: string;
  readonly inputHash: string;
  readonly sourceDateEpoch: number;
  readonly umociVersion: string;
  readonly images: readonly BuiltImage[];
  /** The contents generators/imageDigests.generated.json gets from this build. */
  readonly digestsFile: ImageDigestsFile;
}

export const umociVersion = () =>
  execFileSync('umoci', ['--version'], { encoding: 'utf8' })
    .trim()
    .replace(/^umoci version /, '');

function requireUmoci(): string {
  try {
    return umociVersion();
  } catch {
    throw new Error("umoci is missing: install Debian's package 'umoci' (as root: apt-get install -y umoci, or `npm run tools`)");
  }
}

const umoci = (...args: string[]) => execFileSync('umoci', args, { stdio: ['ignore', 'ignore', 'pipe'] });

const headCommitTime = (): number => {
  try {
    return Number(execFileSync('git', ['-C', REPO_ROOT, 'log', '-1', '--format=%ct'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    throw new Error('not a git checkout: set SOURCE_DATE_EPOCH (seconds) for the image timestamps');
  }
};

/** The epoch the images are stamped with (see the top of this file). */
export function chooseSourceDateEpoch(inputHash: string, recorded: ImageDigestsFile | undefined, env = process.env): number {
  if (env.SOURCE_DATE_EPOCH) {
    const epoch = Number(env.SOURCE_DATE_EPOCH);
    if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`SOURCE_DATE_EPOCH must be whole seconds, got "${env.SOURCE_DATE_EPOCH}"`);
    return epoch;
  }
  return recorded?.inputHash === inputHash ? recorded.sourceDateEpoch : headCommitTime();
}

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');
const blobPath = (layout: string, digest: string) => join(layout, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
const readJson = <T>(path: string) => JSON.parse(readFileSync(path, 'utf8')) as T;
const isoTime = (epoch: number) => new Date(epoch * 1000).toISOString().replace('.000Z', 'Z');

function tagDescriptor(layout: string, tag: string): Descriptor {
  const index = readJson<{ manifests: (Descriptor & { annotations?: Record<string, string> })[] }>(join(layout, 'index.json'));
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!entry) throw new Error(`umoci layout ${layout} has no tag ${tag}`);
  return { mediaType: entry.mediaType, digest: entry.digest, size: entry.size };
}

function linkOrCopy(from: string, to: string): void {
  if (existsSync(to)) return;
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

/** Writes a JSON blob into a layout; returns its descriptor. */
function writeBlob(layout: string, mediaType: string, value: unknown): Descriptor {
  const bytes = Buffer.from(JSON.stringify(value));
  const digest = `sha256:${sha256(bytes)}`;
  writeFileSync(blobPath(layout, digest), bytes);
  return { mediaType, digest, size: bytes.length };
}

/** A reproducible tar of `dir`'s contents (the oci-archive). */
function tarDir(dir: string, out: string, epoch: number): void {
  execFileSync('tar', [
    '-c',
    '-f',
    out,
    '--sort=name',
    '--format=posix',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
    `--mtime=@${epoch}`,
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '-C',
    dir,
    'blobs',
    'index.json',
    'oci-layout',
  ]);
}

export async function buildImages(options: BuildOptions): Promise<BuildResult> {
  const log = options.log ?? ((line: string) => console.error(`[images] ${line}`));
  const started = Date.now();
  const umociVer = requireUmoci();
  const { outDir } = options;
  const work = join(outDir, `.work-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const previousUmask = process.umask(0o022);
  try {
    const inputs = await imageInputs({ sbomDir: work });
    const stamp = buildStamp(inputs.hash, umociVer, options.sourceDateEpoch, log);
    const debLock = readDebianLock();
    const nodeLock = readNodeLock();
    const layout = join(work, 'oci');
    umoci('init', '--layout', layout);
    const build: Build = { outDir, work, layout, inputs, ...stamp, umociVer, perArch: new Map(), log, started };
    for (const arch of IMAGE_ARCHES) addSharedLayers(build, arch, debsFor(debLock, arch.name), lockedNodeFor(nodeLock, arch));
    const images: BuiltImage[] = [];
    for (const program of PROGRAMS) images.push(await buildProgramImage(build, program));
    const digestsFile = digestsFileOf(build, images);
    const result: BuildResult = { version: build.version, inputHash: inputs.hash, sourceDateEpoch: build.epoch, umociVersion: umociVer, images, digestsFile };
    writeFileSync(join(outDir, 'images.json'), `${JSON.stringify(summary(result, outDir), null, 2)}\n`);
    log(`built in ${Math.round((Date.now() - started) / 1000)} s`);
    return result;
  } finally {
    process.umask(previousUmask);
    rmSync(work, { recursive: true, force: true });
  }
}

/** What every image is stamped with: the epoch, as an ISO time, and the package version. */
interface BuildStamp {
  readonly epoch: number;
  readonly created: string;
  readonly version: string;
}

/** One build's working state, passed to each of its steps. */
interface Build extends BuildStamp {
  readonly outDir: string;
  /** The scratch folder: rootfs trees, layer tars, the bundles' SBOMs; removed at the end. */
  readonly work: string;
  /** The umoci layout all images are built in, before each program's is copied out. */
  readonly layout: string;
  readonly inputs: ImageInputs;
  readonly umociVer: string;
  /** Per architecture: the Debian packages and Node binary its shared layers hold (filled by addSharedLayers). */
  readonly perArch: Map<string, { debs: LockedDeb[]; node: LockedNode }>;
  readonly log: (line: string) => void;
  /** Date.now() at the start, for the elapsed times logged. */
  readonly started: number;
}

function recordedDigests(): ImageDigestsFile | undefined {
  try {
    return readImageDigests();
  } catch {
    return undefined;
  }
}

/** Chooses the epoch (see the top of this file), and logs it with a warning when umoci differs from the recorded build's. */
function buildStamp(inputHash: string, umociVer: string, sourceDateEpoch: number | undefined, log: (line: string) => void): BuildStamp {
  const recorded = recordedDigests();
  const epoch = sourceDateEpoch ?? chooseSourceDateEpoch(inputHash, recorded);
  const created = isoTime(epoch);
  const { version } = readJson<{ version: string }>(join(REPO_ROOT, 'package.json'));
  log(`inputs ${inputHash}; SOURCE_DATE_EPOCH=${epoch} (${created}); umoci ${umociVer}`);
  if (recorded && recorded.inputHash === inputHash && recorded.tools.umoci && recorded.tools.umoci !== umociVer) {
    log(`warning: the recorded digests were built with umoci ${recorded.tools.umoci}; another umoci may compress layers differently`);
  }
  return { epoch, created, version };
}

/** umoci's `--history.*` flags for a layer. */
function historyArgs(created: string, createdBy: string): string[] {
  return ['--history.created', created, '--history.created_by', createdBy];
}

/** Builds `arch`'s base and node layers and adds them to the tag `base-<arch>`, shared by both programs. */
function addSharedLayers(build: Build, arch: ImageArch, debs: LockedDeb[], node: LockedNode): void {
  const { work, layout, created, log } = build;
  build.perArch.set(arch.name, { debs, node });
  const baseRoot = join(work, `base-${arch.name}`);
  const { debEpoch } = baseRootfs(baseRoot, fetchDebs(debs, log));
  const baseTar = join(work, `base-${arch.name}.tar`);
  tarLayer(baseRoot, baseTar, debEpoch, { ownedByNonroot: BASE_NONROOT_PATHS, clampOnly: true });
  rmSync(baseRoot, { recursive: true, force: true });
  const nodeRoot = join(work, `node-${arch.name}`);
  nodeRootfs(nodeRoot, nodeBinaryFor(arch, node, log));
  const nodeTar = join(work, `node-${arch.name}.tar`);
  tarLayer(nodeRoot, nodeTar, NPM_TARBALL_MTIME);
  rmSync(nodeRoot, { recursive: true, force: true });

  const base = `${layout}:base-${arch.name}`;
  umoci('new', '--image', base);
  umoci('raw', 'add-layer', '--image', base, ...historyArgs(created, `debian ${debs.map((d) => `${d.name}=${d.version}`).join(' ')}`), baseTar);
  umoci('raw', 'add-layer', '--image', base, ...historyArgs(created, `${node.npmPackage}@${node.version} bin/node -> ${NODE_PATH}`), nodeTar);
  log(`${arch.name}: base and node layers added (${Math.round((Date.now() - build.started) / 1000)} s)`);
}

type Platforms = Record<string, { manifest: Descriptor; layers: Descriptor[] }>;

/** One program's image: its app layer on each architecture's base, its own layout and archive, and its SBOM. */
async function buildProgramImage(build: Build, program: Program): Promise<BuiltImage> {
  const name = program satisfies ImageName;
  const appRoot = join(build.work, `app-${program}`);
  appRootfs(appRoot, build.inputs.bundles.get(program)!.files);
  const appTar = join(build.work, `app-${program}.tar`);
  tarLayer(appRoot, appTar, build.epoch);
  const repository = imageRepository(name);

  const platforms: Platforms = {};
  for (const arch of IMAGE_ARCHES) platforms[arch.name] = addAppLayer(build, program, arch, appTar);
  const { programDir, programLayout, index } = writeProgramLayout(build, program, platforms);
  const archive = join(programDir, `${program}.oci.tar`);
  tarDir(programLayout, archive, build.epoch);

  const sbom = join(programDir, 'sbom.cdx.json');
  writeFileSync(
    sbom,
    await imageSbom({
      bundleSbom: readFileSync(join(build.work, `${program}.bundle.cdx.json`), 'utf8'),
      repository,
      version: build.version,
      digest: index.digest,
      arches: IMAGE_ARCHES.map((arch: ImageArch) => ({ arch, manifest: platforms[arch.name]!.manifest.digest, ...build.perArch.get(arch.name)! })),
      sourceDateEpoch: build.epoch,
      umociVersion: build.umociVer,
    }),
  );
  return { program, reference: `${repository}:${build.version}@${index.digest}`, digest: index.digest, platforms, layout: programLayout, archive, sbom };
}

/** Adds the app layer on `arch`'s base as the tag `<program>-<arch>`, configures it, and returns its manifest and layers. */
function addAppLayer(build: Build, program: Program, arch: ImageArch, appTar: string): Platforms[string] {
  const { layout, created, version } = build;
  const tag = `${program}-${arch.name}`;
  const files = [...build.inputs.bundles.get(program)!.files.keys()]
    .sort()
    .map((f) => `${APP_DIR}/${f}`)
    .join(' ');
  umoci('raw', 'add-layer', '--image', `${layout}:base-${arch.name}`, '--tag', tag, ...historyArgs(created, `kvfleet ${program} ${version}: ${files}`), appTar);
  const baseFiles = build.perArch.get(arch.name)!.debs.find((d) => d.name === 'base-files')?.version ?? '';
  umoci('config', '--image', `${layout}:${tag}`, ...imageConfigArgs(program, arch, created, version, baseFiles));
  const manifest = tagDescriptor(layout, tag);
  const { layers } = readJson<{ layers: Descriptor[] }>(blobPath(layout, manifest.digest));
  return { manifest, layers };
}

/** `umoci config` flags after `--image`: the image's run settings and labels. `baseFiles`: the base-files version. */
function imageConfigArgs(program: Program, arch: ImageArch, created: string, version: string, baseFiles: string): string[] {
  return [
    '--no-history',
    '--created',
    created,
    '--os',
    'linux',
    '--architecture',
    arch.name,
    '--config.user',
    `${NONROOT_UID}:${NONROOT_UID}`,
    '--config.entrypoint',
    NODE_PATH,
    '--config.entrypoint',
    `${APP_DIR}/main.mjs`,
    '--config.workingdir',
    APP_DIR,
    '--config.env',
    'PATH=/usr/local/bin:/usr/bin:/bin',
    '--config.env',
    'HOME=/home/nonroot',
    '--config.label',
    `org.opencontainers.image.title=${program}`,
    '--config.label',
    `org.opencontainers.image.version=${version}`,
    '--config.label',
    'org.opencontainers.image.licenses=Apache-2.0',
    '--config.label',
    `org.opencontainers.image.base.name=debian:${baseFiles}`,
  ];
}

/** The program's own layout: the blobs of its two manifests, an image index, one tag. */
function writeProgramLayout(build: Build, program: Program, platforms: Platforms): { programDir: string; programLayout: string; index: Descriptor } {
  const { layout } = build;
  const programDir = join(build.outDir, program);
  const programLayout = join(programDir, 'oci');
  rmSync(programDir, { recursive: true, force: true });
  mkdirSync(join(programLayout, 'blobs', 'sha256'), { recursive: true });
  copyFileSync(join(layout, 'oci-layout'), join(programLayout, 'oci-layout'));
  for (const { manifest } of Object.values(platforms)) {
    const m = readJson<{ config: Descriptor; layers: Descriptor[] }>(blobPath(layout, manifest.digest));
    for (const d of [manifest, m.config, ...m.layers]) linkOrCopy(blobPath(layout, d.digest), blobPath(programLayout, d.digest));
  }
  const index = writeBlob(programLayout, INDEX_MEDIA_TYPE, {
    schemaVersion: 2,
    mediaType: INDEX_MEDIA_TYPE,
    manifests: IMAGE_ARCHES.map((arch) => ({
      ...platforms[arch.name]!.manifest,
      mediaType: MANIFEST_MEDIA_TYPE,
      platform: { architecture: arch.name, os: 'linux' },
    })),
  });
  writeFileSync(
    join(programLayout, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [{ ...index, annotations: { 'org.opencontainers.image.ref.name': build.version } }] }),
  );
  return { programDir, programLayout, index };
}

/** What generators/imageDigests.generated.json gets from this build. */
function digestsFileOf(build: Build, images: readonly BuiltImage[]): ImageDigestsFile {
  return {
    comment: 'Generated by `npm run images` (scripts/images/main.ts); do not edit. generators/imageDigests.ts reads it.',
    version: build.version,
    inputHash: build.inputs.hash,
    sourceDateEpoch: build.epoch,
    tools: { umoci: build.umociVer },
    images: Object.fromEntries(
      images.map((i) => [i.program, { digest: i.digest, platforms: Object.fromEntries(Object.entries(i.platforms).map(([a, p]) => [`linux/${a}`, p.manifest.digest])) }]),
    ) as unknown as ImageDigestsFile['images'],
  };
}

/** What images.json holds: per image its reference, files and per-architecture compressed sizes. */
export function summary(result: BuildResult, outDir: string) {
  return {
    version: result.version,
    sourceDateEpoch: result.sourceDateEpoch,
    images: result.images.map((i) => ({
      program: i.program,
      reference: i.reference,
      layout: relative(outDir, i.layout),
      archive: relative(outDir, i.archive),
      archiveBytes: statSync(i.archive).size,
      sbom: relative(outDir, i.sbom),
      platforms: Object.fromEntries(
        Object.entries(i.platforms).map(([arch, p]) => [
          `linux/${arch}`,
          { manifest: p.manifest.digest, layers: p.layers.map((l, n) => ({ layer: ['base', 'node', 'app'][n], digest: l.digest, bytes: l.size })) },
        ]),
      ),
    })),
  };
}
