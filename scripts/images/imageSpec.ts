/**
 * What goes into the programs' images: the architectures, the Debian packages of the base layer, the user,
 * the paths. scripts/images/buildImages.ts builds from this; the lock files in images/ pin the versions.
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../bundle.js';

export { PROGRAMS, type Program, REPO_ROOT } from '../bundle.js';

/** One image architecture: its OCI/Debian name and the npm package that carries its Node binary. */
export interface ImageArch {
  /** OCI `architecture` and Debian architecture (the two agree for these). */
  readonly name: 'amd64' | 'arm64';
  /** `process.arch` of a Node built for it, and the suffix of the npm package `node-linux-<nodeArch>`. */
  readonly nodeArch: 'x64' | 'arm64';
}

/** Both, because a cluster definition may have arm64 pools; each program's image is an index of the two. */
export const IMAGE_ARCHES: readonly ImageArch[] = [
  { name: 'amd64', nodeArch: 'x64' },
  { name: 'arm64', nodeArch: 'arm64' },
];

/**
 * The Debian packages unpacked into the base layer (no dependency resolution, no maintainer scripts): the
 * C and C++ runtime the Node binary links (`ldd`: libc6, libstdc++6, libgcc-s1; gcc-12-base is their
 * copyright holder), CA certificates, time zones, /etc/services and /etc/protocols, /etc/os-release.
 * The same set distroless's `cc` image is made of.
 */
export const DEBIAN_PACKAGES = ['base-files', 'ca-certificates', 'gcc-12-base', 'libc6', 'libgcc-s1', 'libstdc++6', 'netbase', 'tzdata'] as const;

/** The Debian release the lock pins versions of; its packages come from the machine's apt sources. */
export const DEBIAN_SUITE = 'bookworm';

/** distroless's `nonroot`; generators/nodeLabeller.ts and migrationController.ts set the same runAsUser. */
export const NONROOT_UID = 65532;
export const NODE_PATH = '/usr/local/bin/node';
export const APP_DIR = '/app';

export const LOCK_DIR = join(REPO_ROOT, 'images');
export const DEBIAN_LOCK = join(LOCK_DIR, 'debian-packages.lock');
export const NODE_LOCK = join(LOCK_DIR, 'node-binaries.lock');
/** The generated, committed digests (generators/imageDigests.ts reads it). */
export const DIGESTS_FILE = join(REPO_ROOT, 'generators', 'imageDigests.generated.json');
/** Where `npm run images` writes, outside git (build/ is ignored). */
export const DEFAULT_OUT_DIR = join(REPO_ROOT, 'build', 'images');
/** Downloaded .deb files, npm tarballs and the build's own apt state, kept between builds like the test tools. */
export const CACHE_DIR = join(process.env.KVFLEET_CACHE ?? join(process.env.HOME ?? '/tmp', '.cache', 'kvfleet'), 'images');

/** The command a stale lock or stale digests ask for. */
export const REFRESH_LOCK_COMMAND = 'npm run images:lock';
export const BUILD_COMMAND = 'npm run images';
