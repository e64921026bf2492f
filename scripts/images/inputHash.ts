/**
 * The hash of everything an image is built from, recorded in generators/imageDigests.generated.json so a
 * test can tell, without building an image, that the programs changed and the digests did not:
 * - every repository file esbuild bundles into either program (its metafile), by content;
 * - every npm package bundled, by its package-lock.json entry (version and integrity): a lock change
 *   that touches no bundled package (a devDependency) leaves the images, and this hash, alone;
 * - the image recipe: scripts/bundle.ts, scripts/images/*.ts and the lock files in images/;
 * - package.json's version (the image tag and label), the Node version, the esbuild version.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { version as esbuildVersion, type Metafile } from 'esbuild';
import { bundleProgram, PROGRAMS, type Program, type ProgramBundle, REPO_ROOT } from '../bundle.js';
import { installedNodeVersion } from './nodeBinary.js';

export interface ImageInputs {
  readonly hash: string;
  /** The bundles the hash was computed from (reused by the build). */
  readonly bundles: ReadonlyMap<Program, ProgramBundle>;
}

interface LockEntry {
  readonly version?: string;
  readonly integrity?: string;
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** `node_modules/a/node_modules/@s/b/lib/x.js` → `node_modules/a/node_modules/@s/b` (the package-lock.json key). */
export function lockKeyOf(input: string): string | undefined {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return undefined;
  const rest = input.slice(at + 'node_modules/'.length).split('/');
  const nameParts = rest[0]?.startsWith('@') ? 2 : 1;
  return input.slice(0, at) + ['node_modules', ...rest.slice(0, nameParts)].join('/');
}

/** The recipe files: the bundler, the image build's own modules (not its tests), the lock files. */
function recipeFiles(): string[] {
  const images = readdirSync(join(REPO_ROOT, 'scripts', 'images'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => `scripts/images/${f}`);
  const locks = readdirSync(join(REPO_ROOT, 'images')).map((f) => `images/${f}`);
  return ['scripts/bundle.ts', ...images, ...locks];
}

/** The inputs of both programs' images, from their metafiles, as one canonical JSON document. */
export function inputsDocument(metafiles: readonly Metafile[]): string {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const files = new Set(recipeFiles());
  const npm = new Map<string, string>();
  for (const metafile of metafiles) {
    for (const input of Object.keys(metafile.inputs)) {
      const key = lockKeyOf(input);
      if (key) {
        const entry = lock.packages[key];
        if (!entry?.version) throw new Error(`package-lock.json has no entry ${key} for the bundled file ${input}; run npm ci`);
        npm.set(key, `${entry.version} ${entry.integrity ?? ''}`);
      } else if (!input.includes(':')) {
        files.add(input); // "<runtime>"-like virtual inputs carry a colon and no file
      }
    }
  }
  const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  return JSON.stringify({
    version,
    node: installedNodeVersion(),
    esbuild: esbuildVersion,
    files: [...files].sort().map((f) => [f, sha256(readFileSync(join(REPO_ROOT, f)))]),
    npm: [...npm].sort(([a], [b]) => (a < b ? -1 : 1)),
  });
}

/** Bundles both programs (in memory, about a second each) and hashes their inputs. */
export async function imageInputs(options: { sbomDir?: string } = {}): Promise<ImageInputs> {
  const bundles = new Map<Program, ProgramBundle>();
  for (const program of PROGRAMS) {
    bundles.set(program, await bundleProgram(program, options.sbomDir ? { sbomFile: join(options.sbomDir, `${program}.bundle.cdx.json`) } : {}));
  }
  const hash = `sha256:${sha256(inputsDocument([...bundles.values()].map((b) => b.metafile)))}`;
  return { hash, bundles };
}
