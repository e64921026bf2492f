/**
 * A synthesised output folder as data: every YAML document of every cluster folder and of
 * `_argocd/`, parsed, so the two sides of `kvfleet diff` are compared by meaning, not by text.
 * Pure: the files come in as a map of relative path to text (distFiles.ts reads them).
 */
import { parseAllDocuments } from 'yaml';
import { isRecord } from '../../compatibility/guards.js';

/** The fleet-level folder synth writes beside the clusters' (generators/delivery). */
export const FLEET_FOLDER = '_argocd';

export interface DistObject {
  /** `Kind/name`, `Kind/namespace/name`, or for a file that is no Kubernetes object its path (`values/kube-ovn.yaml`). */
  readonly key: string;
  /** The object's kind; `File` for values files and anything else that carries no kind. */
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** The object's `apiVersion`, empty for files. */
  readonly apiVersion: string;
  /** The parsed document (comments dropped: they carry no meaning for a cluster). */
  readonly body: unknown;
}

export interface DistTree {
  /** Objects per cluster folder, sorted by key. */
  readonly clusters: Readonly<Record<string, readonly DistObject[]>>;
  /** The objects of `_argocd/`, sorted by key. */
  readonly fleet: readonly DistObject[];
}

function objectsOfFile(path: string, text: string): DistObject[] {
  let docs: unknown[];
  try {
    docs = parseAllDocuments(text).map((d) => d.toJS() as unknown);
  } catch {
    // Not YAML (synth writes none such today): compared as text, still by path.
    return [{ key: path, kind: 'File', name: path, apiVersion: '', body: text }];
  }
  const objects = docs.filter((d) => d !== null && d !== undefined);
  const named = objects.filter((o) => isRecord(o) && typeof o.kind === 'string' && isRecord(o.metadata) && typeof o.metadata.name === 'string');
  if (named.length === 0 || named.length !== objects.length) {
    return [{ key: path, kind: 'File', name: path, apiVersion: '', body: objects.length === 1 ? objects[0] : objects }];
  }
  return named.map((o) => {
    const r = o as { kind: string; apiVersion?: unknown; metadata: { name: string; namespace?: unknown } };
    const namespace = typeof r.metadata.namespace === 'string' ? r.metadata.namespace : undefined;
    return {
      key: namespace ? `${r.kind}/${namespace}/${r.metadata.name}` : `${r.kind}/${r.metadata.name}`,
      kind: r.kind,
      name: r.metadata.name,
      ...(namespace ? { namespace } : {}),
      apiVersion: typeof r.apiVersion === 'string' ? r.apiVersion : '',
      body: o,
    };
  });
}

const byKey = (a: DistObject, b: DistObject) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Builds the tree from `<cluster>/<file>` paths (slash-separated, relative to the output folder). */
export function distTreeFromFiles(files: ReadonlyMap<string, string>): DistTree {
  const clusters: Record<string, DistObject[]> = {};
  const fleet: DistObject[] = [];
  for (const [path, text] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const slash = path.indexOf('/');
    if (slash < 0 || !/\.ya?ml$/.test(path)) continue; // dist/ holds folders of YAML; anything else is not delivered
    const folder = path.slice(0, slash);
    const objects = objectsOfFile(path.slice(slash + 1), text);
    if (folder === FLEET_FOLDER) fleet.push(...objects);
    else clusters[folder] = [...(clusters[folder] ?? []), ...objects];
  }
  for (const objects of Object.values(clusters)) objects.sort(byKey);
  return { clusters, fleet: fleet.sort(byKey) };
}
