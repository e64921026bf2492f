/**
 * The cdk8s app (`npm run synth:cdk8s`, see cdk8s.yaml). `cdk8s synth` deletes its output folder
 * before it runs the app, which would lose `dist/` on a failed run; so cdk8s.yaml points cdk8s at a
 * scratch folder, this app writes `dist/` atomically itself, and leaves a link to it where cdk8s
 * looks. cdk8s's CLI prints its own stack trace after any failing app, so `npm run synth` is
 * `kvfleet synth` (cli/main.ts), which writes the same output and prints only the problems.
 */
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FleetDefinitionErrors } from '../fleet/definitionError.js';
import { synthFleet } from './synthFleet.js';
import { formatSummary } from './synthSummary.js';

const projectDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const distDir = join(projectDir, 'dist');

try {
  const result = await synthFleet({ clustersDir: join(projectDir, 'clusters'), distDir, projectDir });
  console.error(formatSummary(result));
  const cdk8sOut = process.env.CDK8S_OUTDIR;
  if (cdk8sOut && resolve(cdk8sOut) !== distDir) {
    rmSync(cdk8sOut, { recursive: true, force: true });
    mkdirSync(dirname(resolve(cdk8sOut)), { recursive: true });
    symlinkSync(relative(dirname(resolve(cdk8sOut)), distDir), cdk8sOut);
  }
} catch (e) {
  console.error(e instanceof FleetDefinitionErrors ? e.message : e);
  process.exit(1);
}
