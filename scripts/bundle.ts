/**
 * Bundles each runtime program into one ESM file (build/<program>/main.mjs) for its container
 * image; see programs/<program>/Dockerfile.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const programs = ['node-labeller', 'migration-controller'].filter((p) => existsSync(join(root, 'programs', p, 'main.ts')));

for (const program of programs) {
  const outfile = join(root, 'build', program, 'main.mjs');
  await build({
    entryPoints: [join(root, 'programs', program, 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minify: false,
    sourcemap: 'inline',
    // Some CommonJS dependencies call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __kvfleetRequire } from 'node:module'; const require = __kvfleetRequire(import.meta.url);" },
    legalComments: 'none',
  });
  console.log(`${program}: ${outfile}`);
}
