/**
 * `npm run images` for real (umoci from testbed/tools.sh; Debian packages and the arm64 Node binary from the
 * cache, downloaded on a cold one): two builds into two temporary folders give the same digests and the
 * same bytes, base and node layers are shared between the programs, the images are what the Deployment and
 * DaemonSet expect (uid 65532, node /app/main.mjs, nothing to write outside /tmp, no shell), the SBOMs list
 * what the images hold, and the committed digest file is what a build gives.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { Console } from 'node:console';
import { readFileSync, mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readImageDigests } from '../../generators/imageDigests.js';
import { type BuildResult, buildImages } from '../../scripts/images/buildImages.js';
import { fetchDebs, readDebianLock } from '../../scripts/images/debianPackages.js';
import { IMAGE_ARCHES, PROGRAMS } from '../../scripts/images/imageSpec.js';
import { readNodeLock } from '../../scripts/images/nodeBinary.js';
import { projectDir } from '../../testbed/harness/toolPaths.js';

interface Descriptor {
  readonly digest: string;
  readonly size: number;
  readonly platform?: { architecture: string; os: string };
}

// Vitest's console has no `Console` class; @cyclonedx/cyclonedx-esbuild makes its logger with `new console.Console(…)`.
(console as { Console?: typeof Console }).Console ??= Console;

const work = mkdtempSync(join(tmpdir(), 'kvfleet-images-'));
const quiet = () => {};
let first: BuildResult;
let second: BuildResult;

beforeAll(async () => {
  first = await buildImages({ outDir: join(work, 'a'), log: quiet });
  second = await buildImages({ outDir: join(work, 'b'), log: quiet });
}, 170_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const blob = (layout: string, digest: string) => readFileSync(join(layout, 'blobs', 'sha256', digest.replace('sha256:', '')));
const json = <T>(layout: string, digest: string) => JSON.parse(blob(layout, digest).toString('utf8')) as T;
const sha256 = (path: string) => execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0];
const imageOf = (result: BuildResult, program: string) => result.images.find((i) => i.program === program)!;

/** The image's manifest and config for one architecture, read from its layout through the image index. */
function platformImage(result: BuildResult, program: string, arch: string) {
  const { layout } = imageOf(result, program);
  const top = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: (Descriptor & { annotations: Record<string, string> })[] };
  expect(top.manifests).toHaveLength(1);
  const index = json<{ manifests: Descriptor[] }>(layout, top.manifests[0]!.digest);
  const entry = index.manifests.find((m) => m.platform?.architecture === arch)!;
  const manifest = json<{ config: Descriptor; layers: Descriptor[] }>(layout, entry.digest);
  const config = json<{ architecture: string; os: string; config: { User: string; Entrypoint: string[]; Cmd?: string[]; Env: string[] } }>(
    layout,
    manifest.config.digest,
  );
  return { layout, tag: top.manifests[0]!.annotations['org.opencontainers.image.ref.name'], index, manifest, config };
}

/** `tar -tv` of a gzipped layer: mode, owner and name of every entry. */
function layerEntries(layout: string, digest: string): { mode: string; owner: string; name: string }[] {
  const listing = execFileSync('tar', ['-tvz', '--numeric-owner'], { input: blob(layout, digest), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return listing
    .trim()
    .split('\n')
    .map((line) => {
      const [mode, owner, , , , ...rest] = line.split(/\s+/);
      return {
        mode: mode!,
        owner: owner!,
        name: rest
          .join(' ')
          .replace(/ -> .*$/, '')
          .replace(/ link to .*$/, ''),
      };
    });
}

describe('two builds of the same inputs', () => {
  test('give the same image index and manifest digests', () => {
    expect(second.images.map((i) => i.reference)).toEqual(first.images.map((i) => i.reference));
    for (const program of PROGRAMS) expect(imageOf(second, program).platforms).toEqual(imageOf(first, program).platforms);
  });

  test('give byte-identical oci-archive files and SBOMs', () => {
    for (const program of PROGRAMS) {
      expect(sha256(imageOf(second, program).archive)).toBe(sha256(imageOf(first, program).archive));
      expect(readFileSync(imageOf(second, program).sbom, 'utf8')).toBe(readFileSync(imageOf(first, program).sbom, 'utf8'));
    }
  });
});

test('the committed generators/imageDigests.generated.json is what a build of the current inputs gives (else `npm run images`)', () => {
  const recorded = readImageDigests();
  expect(first.inputHash, 'the inputs changed since the digests were recorded: run `npm run images`, then `npm run synth`').toBe(recorded.inputHash);
  expect(first.digestsFile).toEqual(recorded);
});

test('per architecture, both programs share the base and node layer blobs and differ only in the app layer', () => {
  for (const arch of IMAGE_ARCHES) {
    const [labeller, controller] = PROGRAMS.map((p) => platformImage(first, p, arch.name).manifest.layers);
    expect(labeller).toHaveLength(3);
    expect(controller!.slice(0, 2)).toEqual(labeller!.slice(0, 2));
    expect(controller![2]!.digest).not.toBe(labeller![2]!.digest);
  }
});

describe.each(PROGRAMS)('the %s image', (program) => {
  test('is an index of linux/amd64 and linux/arm64 images, tagged with the version', () => {
    const { index, tag } = platformImage(first, program, 'amd64');
    expect(tag).toBe(first.version);
    expect(index.manifests.map((m) => `${m.platform!.os}/${m.platform!.architecture}`)).toEqual(IMAGE_ARCHES.map((a) => `linux/${a.name}`));
    for (const arch of IMAGE_ARCHES) expect(platformImage(first, program, arch.name).config.architecture).toBe(arch.name);
  });

  test('runs node /app/main.mjs as 65532, with no shell in it', () => {
    const { config, layout, manifest } = platformImage(first, program, 'amd64');
    expect(config.config.User).toBe('65532:65532');
    expect(config.config.Entrypoint).toEqual(['/usr/local/bin/node', '/app/main.mjs']);
    expect(config.config.Cmd).toBeUndefined();
    const names = manifest.layers.flatMap((l) => layerEntries(layout, l.digest).map((e) => e.name));
    expect(names).toEqual(expect.arrayContaining(['usr/local/bin/node', 'app/main.mjs', 'app/main.mjs.map', 'etc/passwd', 'etc/ssl/certs/ca-certificates.crt']));
    expect(names.filter((n) => /^(usr\/)?bin\/(ba|da)?sh$/.test(n))).toEqual([]);
    const passwd = execFileSync('tar', ['-xzO', 'etc/passwd'], { input: blob(layout, manifest.layers[0]!.digest), encoding: 'utf8' });
    expect(passwd).toContain('nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin');
  });

  test('needs no write outside /tmp: root owns everything but the home folder, /tmp is sticky and world-writable', () => {
    const { layout, manifest } = platformImage(first, program, 'amd64');
    const entries = manifest.layers.flatMap((l) => layerEntries(layout, l.digest));
    expect(entries.filter((e) => e.owner !== '0/0').map((e) => `${e.owner} ${e.name}`)).toEqual(['65532/65532 home/nonroot/']);
    expect(entries.find((e) => e.name === 'tmp/')?.mode).toBe('drwxrwxrwt');
    // World-writable only where Debian and the FHS want it: sticky folders (/tmp, /var/tmp, /var/lock).
    expect(entries.filter((e) => e.mode[8] === 'w' && e.mode[0] !== 'l' && !(e.mode[0] === 'd' && e.mode[9] === 't')).map((e) => e.name)).toEqual([]);
  });

  // What each program does when started with nothing to work on: the labeller prints its help; the controller,
  // configured only through the Deployment's environment, refuses the missing settings in its JSON log.
  const startsWith = {
    'node-labeller': { args: ['--help'], status: 0, output: /^Usage: node-labeller/ },
    'migration-controller': { args: [], status: 2, output: /"name":"migration-controller".*"msg":"invalid setting"/ },
  }[program];

  test('starts: the bundle loads and runs in the amd64 image as 65532 (root only: chroot)', (ctx) => {
    if (process.getuid?.() !== 0 || process.arch !== 'x64') ctx.skip();
    const { layout, manifest } = platformImage(first, program, 'amd64');
    const root = join(work, `rootfs-${program}`);
    mkdirSync(root, { recursive: true });
    for (const layer of manifest.layers) execFileSync('tar', ['-xz', '-C', root], { input: blob(layout, layer.digest), maxBuffer: 16 * 1024 * 1024 });
    const run = spawnSync('chroot', ['--userspec=65532:65532', root, '/usr/local/bin/node', '/app/main.mjs', ...startsWith.args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(run.stdout).toMatch(startsWith.output);
    expect(run.status).toBe(startsWith.status);
  });

  test('has an SBOM naming the image digest, the bundled npm packages with their package-lock.json hashes, the Debian packages and Node of both architectures', () => {
    const image = imageOf(first, program);
    const sbom = JSON.parse(readFileSync(image.sbom, 'utf8'));
    expect(sbom.bomFormat).toBe('CycloneDX');
    expect(sbom.metadata.component.purl).toContain(encodeURIComponent(image.digest));
    const purls = sbom.components.map((c: { purl: string }) => c.purl);
    const lock = JSON.parse(readFileSync(join(projectDir, 'package-lock.json'), 'utf8'));
    const clientNode = lock.packages['node_modules/@kubernetes/client-node'];
    const component = sbom.components.find((c: { purl: string }) => c.purl?.startsWith(`pkg:npm/%40kubernetes/client-node@${clientNode.version}`));
    expect(component.hashes).toContainEqual({ alg: 'SHA-512', content: Buffer.from(clientNode.integrity.replace('sha512-', ''), 'base64').toString('hex') });
    for (const deb of readDebianLock())
      expect(purls).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^pkg:deb/debian/${deb.name.replace(/\+/g, '\\+')}@`))]));
    for (const node of readNodeLock()) expect(purls).toContain(`pkg:npm/${node.npmPackage}@${node.version}`);
    // Only what the bundle holds: the generator's and the build's own packages are not in a program's image.
    expect(purls.filter((p: string) => /^pkg:npm\/(cdk8s|cdk8s-plus-28|constructs|esbuild)@/.test(p))).toEqual([]);
  });
});

test('a Debian version the mirror no longer has fails naming the package and the command that refreshes the lock', () => {
  const libc = readDebianLock().find((d) => d.name === 'libc6' && d.arch === 'amd64')!;
  const gone = { ...libc, version: '2.36-0+kvfleet.gone' };
  expect(() => fetchDebs([gone], quiet)).toThrow(
    /Debian package libc6 2\.36-0\+kvfleet\.gone \(amd64\), pinned in images\/debian-packages\.lock, cannot be downloaded[\s\S]*`npm run images:lock`/,
  );
});
