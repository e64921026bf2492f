import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KubeConfig, type KubernetesObject, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { rawRequest } from './rawRequest.js';

export interface DryRunRejection {
  readonly object: string;
  readonly file?: string;
  readonly message: string;
}

const FIELD_MANAGER = 'kvfleet-test';

/** `Kind namespace/name` for messages. */
export function describeObject(o: KubernetesObject): string {
  const ns = o.metadata?.namespace ? `${o.metadata.namespace}/` : '';
  return `${o.kind} ${ns}${o.metadata?.name}`;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}
const discovery = new WeakMap<KubeConfig, Map<string, Promise<ApiResource[]>>>();

/** Resources of one group/version, from discovery (cached per KubeConfig). */
function resourcesOf(kc: KubeConfig, apiVersion: string): Promise<ApiResource[]> {
  let cache = discovery.get(kc);
  if (!cache) {
    cache = new Map();
    discovery.set(kc, cache);
  }
  let entry = cache.get(apiVersion);
  if (!entry) {
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    entry = rawRequest(kc, 'GET', path).then((r) => {
      if (r.status !== 200) throw new Error(`discovery of ${apiVersion}: HTTP ${r.status}`);
      return (JSON.parse(r.body) as { resources: ApiResource[] }).resources;
    });
    entry.catch(() => cache.delete(apiVersion));
    cache.set(apiVersion, entry);
  }
  return entry;
}

/**
 * Server-side apply with dryRun=All and strict field validation: the API server runs schema (CRD
 * structural schemas and CEL rules), defaulting and admission, rejects unknown fields, and
 * persists nothing. Sent raw: client-node's typed models would silently drop a misspelt field of
 * a built-in kind before the server could reject it. Returns the rejection, if any.
 */
export async function dryRunApply(kc: KubeConfig, object: KubernetesObject): Promise<DryRunRejection | undefined> {
  const what = describeObject(object);
  let resources: ApiResource[];
  try {
    resources = await resourcesOf(kc, object.apiVersion ?? '');
  } catch (e) {
    return { object: what, message: (e as Error).message };
  }
  const resource = resources.find((r) => r.kind === object.kind && !r.name.includes('/'));
  if (!resource) return { object: what, message: `the server has no kind ${object.kind} in ${object.apiVersion}` };
  const base = object.apiVersion!.includes('/') ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
  const ns = resource.namespaced ? `/namespaces/${object.metadata?.namespace ?? 'default'}` : '';
  const query = `dryRun=All&fieldManager=${FIELD_MANAGER}&force=true&fieldValidation=Strict`;
  const res = await rawRequest(kc, 'PATCH', `${base}${ns}/${resource.name}/${object.metadata?.name}?${query}`, object, PatchStrategy.ServerSideApply);
  if (res.status < 300) return undefined;
  let message = res.body;
  try {
    message = (JSON.parse(res.body) as { message?: string }).message ?? res.body;
  } catch {
    // not JSON: keep the body as it is
  }
  return { object: what, message };
}

/**
 * Every object in every YAML file of a folder, in file-name order. Files directly in it only, as
 * Argo CD's (non-recursive) directory source reads it: `values/` holds chart values, not manifests.
 */
export function readManifests(dir: string): { file: string; object: KubernetesObject }[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => e.name)
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(dir, file), 'utf8'))
        .map((d) => d.toJS() as KubernetesObject | null)
        .filter((o): o is KubernetesObject => o !== null)
        .map((object) => ({ file, object })),
    );
}

/**
 * Dry-run-applies a folder. Namespaces are created for real first (NamespaceLifecycle admission
 * rejects objects in a namespace that does not exist, even in a dry run).
 */
export async function dryRunApplyDir(kc: KubeConfig, dir: string): Promise<DryRunRejection[]> {
  const manifests = readManifests(dir);
  const client = KubernetesObjectApi.makeApiClient(kc);
  const namespaces = new Set<string>();
  for (const { object } of manifests) {
    if (object.kind === 'Namespace') namespaces.add(object.metadata!.name!);
    else if (object.metadata?.namespace) namespaces.add(object.metadata.namespace);
  }
  for (const name of namespaces) {
    await client
      .patch({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply)
      .catch((e: Error) => {
        throw new Error(`creating namespace ${name}: ${e.message}`);
      });
  }
  const rejections: DryRunRejection[] = [];
  for (const { file, object } of manifests) {
    const rejection = await dryRunApply(kc, object);
    if (rejection) rejections.push({ ...rejection, file });
  }
  return rejections;
}
