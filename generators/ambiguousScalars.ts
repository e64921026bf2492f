/**
 * cdk8s writes YAML 1.1 and quotes what a YAML 1.1 reader would not read as a string (`yes`, `on`,
 * `0x1F`), but leaves plain what only other readers turn into numbers: `0o755` (YAML 1.2), and
 * `0X1F`, `0b101`, `1_000` (Go's `strconv.ParseInt(s, 0, 64)`, which sigs.k8s.io/yaml — kubectl,
 * Argo CD — falls back to). A label value like `0o755` then reaches the API server as the number
 * 493 and the object is rejected. This pass double-quotes every plain string scalar that any of
 * those readers would take for something else, and leaves files without one byte-identical.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isScalar, parseAllDocuments, parse as parseYaml, Scalar, visit } from 'yaml';

// Go's base-0 integer syntax (sign, 0x/0o/0b prefixes in either case, `_` separators).
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)$/;

function readsAsString(text: string, version: '1.1' | '1.2'): boolean {
  try {
    return typeof parseYaml(text, { version }) === 'string';
  } catch {
    return true; // not a scalar on its own: it would never have been written plain
  }
}

/** True when a plain scalar with this text is read as a non-string by YAML 1.1, YAML 1.2 or Go. */
export function isAmbiguousPlainString(text: string): boolean {
  return text === '' || GO_INT.test(text) || !readsAsString(text, '1.1') || !readsAsString(text, '1.2');
}

/** The YAML text with every ambiguous plain string double-quoted; the same string when none is. */
export function quoteAmbiguousScalars(text: string): string {
  const docs = parseAllDocuments(text, { version: '1.1' });
  let changed = false;
  for (const doc of docs) {
    visit(doc, {
      Scalar(_key, node) {
        if (isScalar(node) && typeof node.value === 'string' && node.type === Scalar.PLAIN && isAmbiguousPlainString(node.value)) {
          node.type = Scalar.QUOTE_DOUBLE;
          changed = true;
        }
      },
    });
  }
  if (!changed) return text;
  // The options cdk8s's Yaml.stringify uses, so only the quoted scalars differ.
  return docs.map((d) => d.toString({ lineWidth: 0 })).join('---\n');
}

/** Applies `quoteAmbiguousScalars` to every .yaml file under `dir`. */
export function quoteAmbiguousScalarsInTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.yaml')) continue;
    const path = join(entry.parentPath, entry.name);
    const text = readFileSync(path, 'utf8');
    const quoted = quoteAmbiguousScalars(text);
    if (quoted !== text) writeFileSync(path, quoted);
  }
}
