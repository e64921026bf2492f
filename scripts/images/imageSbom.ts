/**
 * One CycloneDX 1.6 SBOM per image: the image (an OCI image index) as the main component, and what it is
 * made of —
 * - the npm packages in the bundle, as `@cyclonedx/cyclonedx-esbuild` found them in esbuild's metafile
 *   (only what tree-shaking kept), each given the SHA-512 its package-lock.json entry records;
 * - the Debian packages of both architectures, by the version and .deb SHA-256 in images/debian-packages.lock;
 * - the Node binary of both architectures (images/node-binaries.lock).
 * The esbuild plugin writes the npm part; its document is extended here (no generator knows an image made
 * without a package manager's database) and validated against the CycloneDX schema with
 * `@cyclonedx/cyclonedx-library`. No timestamp but SOURCE_DATE_EPOCH, no random serial number: rebuilding
 * gives the same bytes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Version } from '@cyclonedx/cyclonedx-library/Spec';
import { JsonStrictValidator } from '@cyclonedx/cyclonedx-library/Validation';
import { type LockedDeb } from './debianPackages.js';
import { DEBIAN_SUITE, type ImageArch, REPO_ROOT } from './imageSpec.js';
import { lockKeyOf } from './inputHash.js';
import { type LockedNode } from './nodeBinary.js';

interface CdxHash {
  alg: string;
  content: string;
}
interface CdxComponent {
  type: string;
  name: string;
  version?: string;
  'bom-ref'?: string;
  purl?: string;
  hashes?: CdxHash[];
  properties?: { name: string; value: string }[];
  [key: string]: unknown;
}
interface CdxBom {
  metadata: { timestamp?: string; component?: CdxComponent; tools?: { components?: CdxComponent[] }; [key: string]: unknown };
  components?: CdxComponent[];
  dependencies?: { ref: string; dependsOn?: string[] }[];
  [key: string]: unknown;
}

export interface ImageSbomInput {
  /** The esbuild plugin's SBOM of the program's bundle (JSON text). */
  readonly bundleSbom: string;
  /** `ghcr.io/kvfleet/node-labeller`. */
  readonly repository: string;
  readonly version: string;
  /** The image index digest. */
  readonly digest: string;
  /** Per architecture: its manifest digest, Debian packages and Node binary. */
  readonly arches: readonly { arch: ImageArch; manifest: string; debs: readonly LockedDeb[]; node: LockedNode }[];
  readonly sourceDateEpoch: number;
  readonly umociVersion: string;
}

const hexOfIntegrity = (integrity: string) => Buffer.from(integrity.replace(/^sha512-/, ''), 'base64').toString('hex');

/** purl of a Debian binary package (purl-spec's `deb` type). */
export const debPurl = (d: LockedDeb, arch: string) =>
  `pkg:deb/debian/${d.name}@${encodeURIComponent(d.version)}?arch=${d.arch === 'all' ? 'all' : arch}&distro=debian-${DEBIAN_SUITE}`;

/** The image's SBOM as formatted JSON; throws if it does not validate against CycloneDX 1.6. */
export async function imageSbom(input: ImageSbomInput): Promise<string> {
  const bom = JSON.parse(input.bundleSbom) as CdxBom;
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; integrity?: string }> };
  const integrityOf = new Map<string, string>();
  for (const [key, entry] of Object.entries(lock.packages)) {
    const name = lockKeyOf(key)?.replace(/^.*node_modules\//, '');
    if (name && entry.version && entry.integrity?.startsWith('sha512-')) integrityOf.set(`${name}@${entry.version}`, entry.integrity);
  }
  const npmComponents = (bom.components ?? []).map((c) => {
    const integrity = integrityOf.get(`${c.group ? `${c.group}/` : ''}${c.name}@${c.version}`);
    return integrity ? { ...c, hashes: [...(c.hashes ?? []), { alg: 'SHA-512', content: hexOfIntegrity(integrity) }] } : c;
  });

  const debComponents = new Map<string, CdxComponent>();
  const nodeComponents: CdxComponent[] = [];
  for (const { arch, debs, node } of input.arches) {
    for (const d of debs) {
      const ref = `deb:${d.name}@${d.version}:${d.arch}`;
      debComponents.set(ref, {
        type: 'library',
        'bom-ref': ref,
        name: d.name,
        version: d.version,
        purl: debPurl(d, arch.name),
        hashes: [{ alg: 'SHA-256', content: d.sha256 }],
      });
    }
    nodeComponents.push({
      type: 'application',
      'bom-ref': `node-binary:${node.npmPackage}@${node.version}`,
      name: 'node',
      version: node.version,
      description: `the Node.js binary (bin/node of the npm package ${node.npmPackage}), at /usr/local/bin/node in the linux/${arch.name} image`,
      purl: `pkg:npm/${node.npmPackage}@${node.version}`,
      hashes: [{ alg: 'SHA-256', content: node.sha256 }],
    });
  }
  const bundleRoot = bom.metadata.component;
  const image: CdxComponent = {
    type: 'container',
    'bom-ref': 'image',
    name: input.repository,
    version: input.version,
    purl: `pkg:oci/${input.repository.split('/').pop()}@${encodeURIComponent(input.digest)}?repository_url=${encodeURIComponent(input.repository)}&tag=${input.version}`,
    hashes: [{ alg: 'SHA-256', content: input.digest.replace(/^sha256:/, '') }],
    properties: input.arches.map(({ arch, manifest }) => ({ name: `kvfleet:image:manifest:linux/${arch.name}`, value: manifest })),
  };
  const out: CdxBom = {
    ...bom,
    metadata: {
      ...bom.metadata,
      timestamp: new Date(input.sourceDateEpoch * 1000).toISOString().replace('.000Z', 'Z'),
      tools: { components: [...(bom.metadata.tools?.components ?? []), { type: 'application', name: 'umoci', version: input.umociVersion }] },
      component: image,
    },
    components: [...(bundleRoot ? [bundleRoot] : []), ...npmComponents, ...[...debComponents.values()], ...nodeComponents],
    dependencies: [
      { ref: 'image', dependsOn: [...(bundleRoot?.['bom-ref'] ? [bundleRoot['bom-ref']] : []), ...debComponents.keys(), ...nodeComponents.map((c) => c['bom-ref']!)] },
      ...(bom.dependencies ?? []),
    ],
  };
  const text = `${JSON.stringify(out, null, 2)}\n`;
  const errors = await new JsonStrictValidator(Version.v1dot6).validate(text);
  if (errors !== null) throw new Error(`the SBOM of ${input.repository} does not validate against CycloneDX 1.6: ${JSON.stringify(errors).slice(0, 2000)}`);
  return text;
}
