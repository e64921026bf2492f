/**
 * The Debian packages of the base layer, pinned by exact version and .deb checksum in
 * images/debian-packages.lock, fetched with apt-get from the machine's apt sources into a cache.
 *
 * apt runs with a state of its own (package lists, cache, an empty dpkg status, both architectures) under
 * the cache folder, so the build needs no root, leaves the machine's apt alone, and sees arm64 packages on
 * an amd64 machine. Debian replaces a version on the mirror when a security update lands; a cached .deb
 * of the pinned version keeps building, a cold cache then fails with the command that refreshes the lock.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BUILD_COMMAND, CACHE_DIR, DEBIAN_LOCK, DEBIAN_PACKAGES, DEBIAN_SUITE, IMAGE_ARCHES, REFRESH_LOCK_COMMAND, REPO_ROOT } from './imageSpec.js';

/** One line of images/debian-packages.lock. */
export interface LockedDeb {
  readonly name: string;
  /** A Debian architecture, or `all` for architecture-independent packages (used by every image). */
  readonly arch: string;
  readonly version: string;
  /** SHA-256 of the .deb file, as the archive's Packages index gives it. */
  readonly sha256: string;
}

const LOCK_HEADER = [
  `# The Debian ${DEBIAN_SUITE} packages of the images' base layer, by exact version, with the SHA-256 of each .deb.`,
  `# Written by \`${REFRESH_LOCK_COMMAND}\` (scripts/images/main.ts) from the machine's apt sources; \`${BUILD_COMMAND}\``,
  '# installs exactly these and fails, naming the package, when the mirror no longer has a version.',
  '# package architecture version sha256',
];

export function parseDebianLock(text: string, file = relative(REPO_ROOT, DEBIAN_LOCK)): LockedDeb[] {
  const debs: LockedDeb[] = [];
  text.split('\n').forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const [name, arch, version, sha256, ...rest] = trimmed.split(/\s+/);
    if (!name || !arch || !version || !sha256 || rest.length > 0 || !/^[0-9a-f]{64}$/.test(sha256)) {
      throw new Error(`${file}:${i + 1}: expected "package architecture version sha256", got "${trimmed}"; rewrite the lock with \`${REFRESH_LOCK_COMMAND}\``);
    }
    debs.push({ name, arch, version, sha256 });
  });
  return debs;
}

export function formatDebianLock(debs: readonly LockedDeb[]): string {
  const sorted = [...debs].sort((a, b) => a.name.localeCompare(b.name) || a.arch.localeCompare(b.arch));
  return `${[...LOCK_HEADER, ...sorted.map((d) => `${d.name} ${d.arch} ${d.version} ${d.sha256}`)].join('\n')}\n`;
}

export function readDebianLock(): LockedDeb[] {
  const debs = parseDebianLock(readFileSync(DEBIAN_LOCK, 'utf8'));
  for (const name of DEBIAN_PACKAGES) {
    for (const arch of IMAGE_ARCHES) {
      if (!debs.some((d) => d.name === name && (d.arch === arch.name || d.arch === 'all'))) {
        throw new Error(`${relative(REPO_ROOT, DEBIAN_LOCK)} pins no version of ${name} for ${arch.name}; run \`${REFRESH_LOCK_COMMAND}\``);
      }
    }
  }
  return debs;
}

/** The locked packages an image of `arch` is made of: its own architecture's and the `all` ones. */
export function debsFor(debs: readonly LockedDeb[], arch: string): LockedDeb[] {
  return debs.filter((d) => (d.arch === arch || d.arch === 'all') && (DEBIAN_PACKAGES as readonly string[]).includes(d.name));
}

const aptDir = join(CACHE_DIR, 'apt');
const debDir = join(CACHE_DIR, 'debs');

/** apt-get/apt-cache options giving them the private state described at the top. */
function aptOptions(): string[] {
  for (const d of ['lists/partial', 'cache/archives/partial']) mkdirSync(join(aptDir, d), { recursive: true });
  if (!existsSync(join(aptDir, 'status'))) writeFileSync(join(aptDir, 'status'), '');
  const opts: Record<string, string> = {
    'Dir::State::Lists': join(aptDir, 'lists'),
    'Dir::Cache': join(aptDir, 'cache'),
    'Dir::State::status': join(aptDir, 'status'),
    'APT::Architecture': IMAGE_ARCHES[0]!.name,
    // Run as root, apt would hand downloads to the _apt user, who cannot write into this folder.
    'APT::Sandbox::User': 'root',
    'Debug::NoLocking': '1',
    'Acquire::Languages': 'none',
  };
  return [
    ...Object.entries(opts).flatMap(([k, v]) => ['-o', `${k}=${v}`]),
    // Architecture-independent packages come with each architecture's Packages index (no binary-all needed).
    ...IMAGE_ARCHES.flatMap((a) => ['-o', `APT::Architectures::=${a.name}`]),
  ];
}

function run(cmd: string, args: string[], cwd?: string): { ok: boolean; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}${cmd.startsWith('apt') ? ' (the image build needs Debian’s apt-get and dpkg-deb)' : ''}`);
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr };
}

function aptUpdate(log: (line: string) => void): void {
  log(`apt-get update (own state in ${aptDir})`);
  const r = run('apt-get', [...aptOptions(), '-q', 'update']);
  if (!r.ok) throw new Error(`apt-get update failed:\n${r.stderr.trim()}`);
}

function hasLists(): boolean {
  const lists = join(aptDir, 'lists');
  return existsSync(lists) && readdirSync(lists).some((f) => f.includes('_Packages'));
}

const sha256File = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const debFile = (d: LockedDeb) => join(debDir, `${d.name}_${d.version.replace(/:/g, '%3a')}_${d.arch}.deb`);

/**
 * The .deb of each locked package, from the cache or downloaded with apt-get, each checked against the
 * lock's SHA-256. Fails naming the package when the mirror no longer has the version.
 */
export function fetchDebs(debs: readonly LockedDeb[], log: (line: string) => void): Map<LockedDeb, string> {
  mkdirSync(debDir, { recursive: true });
  const paths = new Map<LockedDeb, string>();
  const missing = debs.filter((d) => {
    const path = debFile(d);
    if (existsSync(path) && sha256File(path) === d.sha256) {
      paths.set(d, path);
      return false;
    }
    return true;
  });
  if (missing.length === 0) return paths;
  if (!hasLists()) aptUpdate(log);
  const work = join(CACHE_DIR, `download-${process.pid}`);
  mkdirSync(work, { recursive: true });
  try {
    const download = (d: LockedDeb) => run('apt-get', [...aptOptions(), '-q', 'download', `${d.name}:${d.arch}=${d.version}`], work);
    for (const d of missing) {
      let r = download(d);
      // Lists older than the lock: refresh them once before calling the version gone.
      if (!r.ok && /not found|Can't find a source/i.test(r.stderr)) {
        aptUpdate(log);
        r = download(d);
      }
      if (!r.ok) {
        throw new Error(
          `Debian package ${d.name} ${d.version} (${d.arch}), pinned in images/debian-packages.lock, cannot be downloaded: ` +
            `the mirror no longer has that version (Debian replaces versions with security updates) or apt's sources lack ${DEBIAN_SUITE}.\n` +
            `Pin the current versions with \`${REFRESH_LOCK_COMMAND}\`, then run \`${BUILD_COMMAND}\` and commit images/debian-packages.lock with ` +
            `generators/imageDigests.generated.json and dist/.\napt-get said: ${r.stderr.trim()}`,
        );
      }
      const got = readdirSync(work).find((f) => f.startsWith(`${d.name}_`) && f.endsWith('.deb'));
      if (!got) throw new Error(`apt-get download ${d.name}:${d.arch}=${d.version} wrote no .deb into ${work}`);
      const sha = sha256File(join(work, got));
      if (sha !== d.sha256) {
        throw new Error(
          `Debian package ${d.name} ${d.version} (${d.arch}): the downloaded .deb has SHA-256 ${sha}, images/debian-packages.lock says ${d.sha256}; ` +
            `the mirror serves different bytes for a pinned version. Check the apt sources; \`${REFRESH_LOCK_COMMAND}\` re-pins.`,
        );
      }
      renameSync(join(work, got), debFile(d));
      paths.set(d, debFile(d));
      log(`downloaded ${d.name} ${d.version} (${d.arch})`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return paths;
}

/** Unpacks a .deb's files into `root`, keeping the modes the package gives them (not the umask's). */
export function unpackDeb(deb: string, root: string): void {
  const tar = execFileSync('dpkg-deb', ['--fsys-tarfile', deb], { maxBuffer: 512 * 1024 * 1024 });
  execFileSync('tar', ['-x', '--same-permissions', '--no-same-owner', '-C', root], { input: tar, maxBuffer: 16 * 1024 * 1024 });
}

/** The package's control paragraph (`dpkg-deb -f`), for /var/lib/dpkg/status.d/ as in distroless images. */
export function debControl(deb: string): string {
  const text = execFileSync('dpkg-deb', ['-f', deb], { encoding: 'utf8' });
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** The candidate version of `name:arch` in the lists, if apt knows one. */
function candidate(spec: string): { arch: string; version: string; sha256: string } | undefined {
  const r = run('apt-cache', [...aptOptions(), 'show', '--no-all-versions', spec]);
  const field = (f: string) => new RegExp(`^${f}: (.+)$`, 'm').exec(r.stdout)?.[1]?.trim();
  const [version, arch, sha256] = [field('Version'), field('Architecture'), field('SHA256')];
  return r.ok && version && arch && sha256 ? { arch, version, sha256 } : undefined;
}

/** `npm run images:lock`: the candidate version of every package for every architecture, from fresh lists. */
export function refreshDebianLock(log: (line: string) => void): LockedDeb[] {
  aptUpdate(log);
  const debs = new Map<string, LockedDeb>();
  for (const name of DEBIAN_PACKAGES) {
    for (const arch of IMAGE_ARCHES) {
      // An architecture-independent package answers only as name:all (apt-cache shows nothing for name:arm64).
      const found = [arch.name, 'all'].map((a) => candidate(`${name}:${a}`)).find((c) => c !== undefined);
      if (!found) throw new Error(`apt-cache knows no ${name} for ${arch.name} (do the machine's apt sources carry Debian ${DEBIAN_SUITE}?)`);
      debs.set(`${name} ${found.arch}`, { name, ...found });
    }
  }
  writeFileSync(DEBIAN_LOCK, formatDebianLock([...debs.values()]));
  return [...debs.values()];
}
