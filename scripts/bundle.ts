/**
 * Bundles each runtime program into one ESM file for its container image (scripts/images/, `npm run images`):
 * `main.mjs`, its source map `main.mjs.map` as a separate file (linked by a `sourceMappingURL` comment, so
 * `node --enable-source-maps` finds it; nothing loads it otherwise), and, when asked, a CycloneDX SBOM of
 * the npm packages that end up in the bundle (`@cyclonedx/cyclonedx-esbuild`, from esbuild's metafile).
 *
 * `npm run bundle` writes them to build/<program>/. The bundle is always computed for that path, whatever
 * folder it is then written to, so the source map's relative `sources` (and so the image digest) do not
 * depend on where a build puts its files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cyclonedxEsbuildPlugin } from '@cyclonedx/cyclonedx-esbuild';
import { build, type Metafile } from 'esbuild';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The programs that ship as images, each with its entry point programs/<program>/main.ts. */
export const PROGRAMS = ['node-labeller', 'migration-controller'] as const;
export type Program = (typeof PROGRAMS)[number];

export interface ProgramBundle {
  /** File name in the image's /app (`main.mjs`, `main.mjs.map`) → contents. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** esbuild's metafile: every input that went into the bundle. */
  readonly metafile: Metafile;
}

/**
 * Bundles one program in memory. `sbomFile` (an absolute path) also writes the CycloneDX SBOM of the
 * bundled npm packages there, reproducibly (no timestamp, no random serial number, sorted lists).
 */
export async function bundleProgram(program: Program, options: { sbomFile?: string } = {}): Promise<ProgramBundle> {
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: [join('programs', program, 'main.ts')],
    // Never written here (write: false): the path only fixes the names esbuild computes relative to it.
    outfile: join(REPO_ROOT, 'build', program, 'main.mjs'),
    write: false,
    metafile: true,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minify: false,
    sourcemap: 'linked',
    // Some CommonJS dependencies call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __kvfleetRequire } from 'node:module'; const require = __kvfleetRequire(import.meta.url);" },
    legalComments: 'none',
    logLevel: 'warning',
    plugins: options.sbomFile
      ? [cyclonedxEsbuildPlugin({ specVersion: '1.6', outputFile: options.sbomFile, outputReproducible: true, validate: true, logLevel: 'silent' })]
      : [],
  });
  const files = new Map(result.outputFiles.map((f) => [basename(f.path), f.contents] as const));
  return { files, metafile: result.metafile };
}

/** Writes a bundle's files into `dir`. */
export function writeBundle(bundle: ProgramBundle, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, contents] of bundle.files) writeFileSync(join(dir, name), contents);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const program of PROGRAMS) {
    const dir = join(REPO_ROOT, 'build', program);
    const bundle = await bundleProgram(program, { sbomFile: join(dir, 'bundle.cdx.json') });
    writeBundle(bundle, dir);
    console.log(`${program}: ${[...bundle.files.keys(), 'bundle.cdx.json'].map((f) => join('build', program, f)).join(', ')}`);
  }
}
