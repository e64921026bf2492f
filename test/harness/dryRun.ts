import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KubeConfig, type KubernetesObject, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

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

/**
 * Server-side apply with dryRun=All: the API server runs schema (CRD structural schemas and CEL
 * rules), defaulting and admission, and persists nothing. Returns the rejection, if any.
 */
export async function dryRunApply(kc: KubeConfig, object: KubernetesObject): Promise<DryRunRejection | undefined> {
  const client = KubernetesObjectApi.makeApiClient(kc);
  try {
    await client.patch(object, undefined, 'All', FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
    return undefined;
  } catch (e) {
    const err = e as { body?: unknown; message?: string };
    let message = err.message ?? String(e);
    if (typeof err.body === 'string') {
      try {
        message = (JSON.parse(err.body) as { message?: string }).message ?? err.body;
      } catch {
        message = err.body;
      }
    }
    return { object: describeObject(object), message };
  }
}

/** Every object in every YAML file of a folder, in file-name order. */
export function readManifests(dir: string): { file: string; object: KubernetesObject }[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
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
