/**
 * Container image references as the container runtime parses them (the grammar of
 * github.com/distribution/reference, which containerd and CRI-O use). The API server accepts any
 * string without surrounding spaces as `image`; a malformed one fails only when a node pulls it,
 * as ErrImagePull/InvalidImageName on every node of a pool, so a definition is checked here instead.
 */

// distribution/reference regexp.go, term by term.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_AND_PORT = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*):([0-9a-fA-F]{32,})$/;
/** Hex digits of the digests registries use (opencontainers/go-digest). */
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
/** distribution/reference NameTotalLengthMax. */
const MAX_NAME_LENGTH = 255;

/**
 * Why `ref` is not a pinned image reference (`registry/repository:tag` or `…@sha256:<hex>`), or
 * `undefined` when it is. An untagged reference is refused too: it means `:latest`, which moves.
 */
export function imageReferenceProblem(ref: string): string | undefined {
  if (ref === '') return 'it is empty';
  if (/\s/.test(ref)) return 'it contains whitespace';
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  const nameAndTag = at >= 0 ? ref.slice(0, at) : ref;
  const colon = nameAndTag.lastIndexOf(':');
  const tag = colon > nameAndTag.lastIndexOf('/') ? nameAndTag.slice(colon + 1) : undefined;
  const name = tag !== undefined ? nameAndTag.slice(0, colon) : nameAndTag;

  if (digest !== undefined) {
    const m = DIGEST.exec(digest);
    if (!m) return `the digest "${digest}" is not <algorithm>:<hex>`;
    const want = DIGEST_HEX_LENGTH[m[1]!];
    if (want !== undefined && m[2]!.length !== want) return `a ${m[1]} digest has ${want} hex digits, this one ${m[2]!.length}`;
  }
  if (tag !== undefined && !TAG.test(tag)) return `the tag "${tag}" is not 1–128 characters of letters, digits, "_", "." and "-" (not starting with "." or "-")`;
  if (tag === undefined && digest === undefined) return 'it has neither a tag nor a digest, so it means ":latest", which changes under you';

  if (name === '') return 'the repository name is empty';
  if (name.length > MAX_NAME_LENGTH) return `the repository name is ${name.length} characters long (at most ${MAX_NAME_LENGTH})`;
  const parts = name.split('/');
  const first = parts[0]!;
  // As the runtime decides: a first component with "." or ":", or "localhost", names a registry.
  const hasDomain = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  if (hasDomain && !DOMAIN_AND_PORT.test(first)) return `the registry "${first}" is not a host name with an optional :port`;
  for (const part of hasDomain ? parts.slice(1) : parts) {
    if (!PATH_COMPONENT.test(part)) return `the repository path component "${part}" is not lower-case letters and digits joined by ".", "_", "__" or "-"`;
  }
  return undefined;
}
