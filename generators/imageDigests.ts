/**
 * The default images of the two programs, pinned by digest: `ghcr.io/kvfleet/<program>:<version>@sha256:…`
 * (the tag is for people; the digest is what a node pulls). The digests come from
 * imageDigests.generated.json, which `npm run images` (scripts/images/) writes after building the images,
 * so `synth` needs no image build and a reviewer sees in the dist/ diff when an image changes.
 * test/images/imageDigests.test.ts fails when the programs changed and the file was not rebuilt.
 */
import { readFileSync } from 'node:fs';
// Imported, not read at run time, so the file is part of the synth sources' import graph (a bundle, the
// base worktree of `kvfleet diff`); readImageDigests() reads it afresh for the image build and its tests.
import generatedDigests from './imageDigests.generated.json' with { type: 'json' };

/** Where the images are published: the one place the registry is named (the build and the release read it here). */
export const IMAGE_REGISTRY = 'ghcr.io/kvfleet';

/** The programs that ship as images, by their image name. */
export type ImageName = 'node-labeller' | 'migration-controller';

/** One program's entry in imageDigests.generated.json. */
export interface ImageDigest {
  /** Digest of the image index (both architectures): what dist/ pins. */
  readonly digest: string;
  /** Digest of each architecture's image manifest, by OCI platform (`linux/amd64`). */
  readonly platforms: Readonly<Record<string, string>>;
}

/** imageDigests.generated.json. */
export interface ImageDigestsFile {
  readonly comment: string;
  /** package.json's version when built: the image tag. */
  readonly version: string;
  /** Hash of the images' inputs (scripts/images/inputHash.ts). */
  readonly inputHash: string;
  /** The SOURCE_DATE_EPOCH the images were built with; a rebuild of the same inputs reuses it. */
  readonly sourceDateEpoch: number;
  /** Versions of the tools whose output the digests depend on. */
  readonly tools: Readonly<Record<string, string>>;
  readonly images: Readonly<Record<ImageName, ImageDigest>>;
}

export const IMAGE_DIGESTS_FILE = new URL('./imageDigests.generated.json', import.meta.url);

export function readImageDigests(): ImageDigestsFile {
  return JSON.parse(readFileSync(IMAGE_DIGESTS_FILE, 'utf8')) as ImageDigestsFile;
}

/** `<registry>/<name>` without tag or digest. */
export const imageRepository = (name: ImageName) => `${IMAGE_REGISTRY}/${name}`;

/** The pinned reference dist/ deploys: `ghcr.io/kvfleet/<name>:<version>@sha256:…`. */
export function defaultImage(name: ImageName, digests: ImageDigestsFile = generatedDigests as ImageDigestsFile): string {
  const entry = digests.images[name];
  if (!entry) throw new Error(`generators/imageDigests.generated.json has no image ${name}; run \`npm run images\``);
  return `${imageRepository(name)}:${digests.version}@${entry.digest}`;
}
