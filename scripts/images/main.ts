/**
 * `npm run images [-- --out DIR] [--no-record]`: builds both programs' images (buildImages.ts), prints their
 * sizes and digests, and records the digests in generators/imageDigests.generated.json (unless
 * --no-record), from which `npm run synth` pins them in dist/.
 *
 * `npm run images:lock`: pins the current Debian package versions (images/debian-packages.lock) and
 * the Node binaries of package.json's Node version (images/node-binaries.lock).
 */
import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type BuildResult, buildImages } from './buildImages.js';
import { refreshDebianLock } from './debianPackages.js';
import { DEFAULT_OUT_DIR, DIGESTS_FILE, REPO_ROOT } from './imageSpec.js';
import { refreshNodeLock } from './nodeBinary.js';

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** The table `npm run images` prints: per image and architecture, compressed layer sizes and digests. */
export function report(result: BuildResult): string {
  const lines = [`SOURCE_DATE_EPOCH ${result.sourceDateEpoch}, inputs ${result.inputHash}`];
  for (const image of result.images) {
    lines.push('', image.reference);
    for (const [arch, p] of Object.entries(image.platforms)) {
      const total = p.layers.reduce((sum, l) => sum + l.size, 0);
      const layers = p.layers.map((l, i) => `${['base', 'node', 'app'][i]} ${mb(l.size)} ${l.digest.slice(0, 19)}`).join(', ');
      lines.push(`  linux/${arch}  ${p.manifest.digest}  ${mb(total)} compressed (${layers})`);
    }
    lines.push(`  ${relative(REPO_ROOT, image.archive)}, ${relative(REPO_ROOT, image.sbom)}`);
  }
  return lines.join('\n');
}

const log = (line: string) => console.error(`[images] ${line}`);
const { values } = parseArgs({ options: { out: { type: 'string' }, 'no-record': { type: 'boolean' }, 'refresh-lock': { type: 'boolean' } } });

if (values['refresh-lock']) {
  const debs = refreshDebianLock(log);
  const nodes = refreshNodeLock(log);
  console.log(`images/debian-packages.lock: ${debs.length} packages; images/node-binaries.lock: ${nodes.map((n) => `${n.npmPackage}@${n.version}`).join(', ')}`);
  console.log('next: npm run images, then npm run synth, and commit the locks with generators/imageDigests.generated.json and dist/');
} else {
  const result = await buildImages({ outDir: resolve(values.out ?? DEFAULT_OUT_DIR), log });
  console.log(report(result));
  if (!values['no-record']) {
    writeFileSync(DIGESTS_FILE, `${JSON.stringify(result.digestsFile, null, 2)}\n`);
    console.log(`\nrecorded in ${relative(REPO_ROOT, DIGESTS_FILE)}; next: npm run synth (dist/ pins these digests)`);
  }
}
