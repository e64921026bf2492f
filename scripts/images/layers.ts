/**
 * The three layers of each image, as uncompressed tar files umoci adds verbatim:
 *   base   the Debian packages unpacked (docs dropped but copyright files), a CA bundle, /etc/passwd and
 *          /etc/group with `nonroot` 65532, nsswitch.conf, /home/nonroot, /tmp — shared by both programs
 *   node   /usr/local/bin/node — shared by both programs
 *   app    /app/main.mjs and /app/main.mjs.map — the program
 * Tar files are reproducible: GNU tar with names sorted, numeric owners 0:0 (65532 for /home/nonroot only),
 * no atime/ctime, explicit modes (never the umask's), and fixed modification times. Only the app layer's
 * are SOURCE_DATE_EPOCH: the shared layers' times come from their own inputs, so a change to a program
 * gives new app layers only and a node pulls 2 MB, not 56 MB —
 *   base   each file's time in its .deb; what the build adds or changes, the newest of those (DEB_EPOCH)
 *   node   npm's fixed time for every file of a package tarball (NPM_TARBALL_MTIME)
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { debControl, type LockedDeb, unpackDeb } from './debianPackages.js';
import { APP_DIR, NODE_PATH, NONROOT_UID } from './imageSpec.js';

const TAR_REPRODUCIBLE = ['--sort=name', '--format=posix', '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime', '--numeric-owner'];

/** The time npm gives every file of a package tarball (1985-10-26T08:15:00Z), and so the Node binary's. */
export const NPM_TARBALL_MTIME = 499_162_500;

/**
 * Writes `out`, a tar of `root`'s top-level entries (names without `./`, the root folder itself left out),
 * all owned by 0:0, then `ownedByNonroot` (paths relative to `root`, excluded from the first pass) owned by 65532.
 * Every entry's time is `mtime`; with `clampOnly`, only entries newer than `mtime` are set to it.
 */
export function tarLayer(root: string, out: string, mtime: number, options: { ownedByNonroot?: readonly string[]; clampOnly?: boolean } = {}): void {
  const { ownedByNonroot = [], clampOnly = false } = options;
  const top = readdirSync(root).sort();
  const common = [...TAR_REPRODUCIBLE, `--mtime=@${mtime}`, ...(clampOnly ? ['--clamp-mtime'] : []), '-C', root];
  execFileSync('tar', ['-c', '-f', out, ...common, '--owner=0', '--group=0', ...ownedByNonroot.map((p) => `--exclude=${p}`), '--', ...top]);
  if (ownedByNonroot.length > 0) {
    execFileSync('tar', ['-r', '-f', out, ...common, `--owner=${NONROOT_UID}`, `--group=${NONROOT_UID}`, '--no-recursion', '--', ...ownedByNonroot]);
  }
}

function writeFile(path: string, contents: string | Uint8Array, mode: number): void {
  writeFileSync(path, contents);
  chmodSync(path, mode);
}

/** Creates `path` under `root`: its parents 0755, the folder itself `mode`. */
function mkdirs(root: string, path: string, mode = 0o755): string {
  const parts = path.split('/').filter(Boolean);
  let dir = root;
  parts.forEach((part, i) => {
    dir = join(dir, part);
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, i === parts.length - 1 ? mode : 0o755);
  });
  return dir;
}

/** Removes what a container never reads (docs but copyright, manual pages, lintian overrides). */
function dropDocs(root: string): void {
  for (const dir of ['usr/share/man', 'usr/share/info', 'usr/share/lintian', 'usr/share/doc-base', 'usr/share/bug']) {
    rmSync(join(root, dir), { recursive: true, force: true });
  }
  const docRoot = join(root, 'usr/share/doc');
  for (const pkg of safeReaddir(docRoot)) {
    const dir = join(docRoot, pkg);
    if (!statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir)) if (f !== 'copyright') rmSync(join(dir, f), { recursive: true, force: true });
  }
}

const safeReaddir = (dir: string) => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

const PASSWD = `root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:${NONROOT_UID}:${NONROOT_UID}:nonroot:/home/nonroot:/sbin/nologin\n`;
const GROUP = `root:x:0:\nnogroup:x:65534:\nnonroot:x:${NONROOT_UID}:\n`;
// glibc's lookups without nscd or other modules: files, then DNS for hosts (as distroless's base image).
const NSSWITCH = 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\nethers: files\nrpc: files\n';

/**
 * The base root filesystem of one architecture in `root`: the packages unpacked, each one's control
 * paragraph in /var/lib/dpkg/status.d/ (what image scanners read), a CA bundle from ca-certificates'
 * certificates in name order (update-ca-certificates is a maintainer script, which is not run), users.
 */
export function baseRootfs(root: string, debs: ReadonlyMap<LockedDeb, string>): { debEpoch: number } {
  mkdirSync(root, { recursive: true });
  chmodSync(root, 0o755);
  const sorted = [...debs].sort(([a], [b]) => a.name.localeCompare(b.name));
  for (const [, path] of sorted) unpackDeb(path, root);
  // Before the build touches anything: the newest file of the packages (folders shared by several
  // packages carry the time of the last unpack, so only files count).
  const debEpoch = newestFileTime(root);
  const statusDir = mkdirs(root, 'var/lib/dpkg/status.d');
  for (const [deb, path] of sorted) writeFile(join(statusDir, deb.name), debControl(path), 0o644);
  dropDocs(root);

  const mozilla = join(root, 'usr/share/ca-certificates/mozilla');
  const certs = safeReaddir(mozilla)
    .filter((f) => f.endsWith('.crt'))
    .sort()
    .map((f) => readFileSync(join(mozilla, f), 'utf8'))
    .map((pem) => (pem.endsWith('\n') ? pem : `${pem}\n`));
  if (certs.length === 0) throw new Error('ca-certificates brought no certificates (usr/share/ca-certificates/mozilla/*.crt)');
  writeFile(join(mkdirs(root, 'etc/ssl/certs'), 'ca-certificates.crt'), certs.join(''), 0o644);

  const etc = mkdirs(root, 'etc');
  writeFile(join(etc, 'passwd'), PASSWD, 0o644);
  writeFile(join(etc, 'group'), GROUP, 0o644);
  writeFile(join(etc, 'nsswitch.conf'), NSSWITCH, 0o644);
  mkdirs(root, 'home');
  mkdirs(root, 'home/nonroot', 0o700);
  mkdirs(root, 'root', 0o700);
  // The programs write nothing; /tmp is there (sticky, world-writable) for anything Node itself might.
  mkdirs(root, 'tmp', 0o1777);
  return { debEpoch };
}

/** The newest modification time (whole seconds) of the files and symlinks under `dir`. */
function newestFileTime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isDirectory()) continue;
    newest = Math.max(newest, Math.floor(lstatSync(join(entry.parentPath, entry.name)).mtimeMs / 1000));
  }
  return newest;
}

/** Paths of the base layer owned by `nonroot` rather than root. */
export const BASE_NONROOT_PATHS = ['home/nonroot'] as const;

/** The node layer's tree in `root`: only the binary, at NODE_PATH. */
export function nodeRootfs(root: string, binary: string): void {
  const bin = mkdirs(root, NODE_PATH.split('/').slice(0, -1).join('/'));
  chmodSync(root, 0o755);
  const target = join(bin, 'node');
  copyFileSync(binary, target);
  chmodSync(target, 0o755);
}

/** The app layer's tree in `root`: the bundle's files in APP_DIR, readable by everyone, owned by root. */
export function appRootfs(root: string, files: ReadonlyMap<string, Uint8Array>): void {
  const app = mkdirs(root, APP_DIR);
  chmodSync(root, 0o755);
  for (const [name, contents] of files) writeFile(join(app, name), contents, 0o644);
}
