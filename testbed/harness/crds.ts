import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ApiextensionsV1Api, type KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { rawRequest } from './rawRequest.js';
import { until } from './until.js';

/** Every CustomResourceDefinition in the given YAML files or folders (other documents skipped). */
export function readCrds(paths: readonly string[]): V1CustomResourceDefinition[] {
  const files = paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => join(p, f))
      : [p],
  );
  return files.flatMap((f) =>
    parseAllDocuments(readFileSync(f, 'utf8'))
      .map((d) => d.toJS() as V1CustomResourceDefinition | null)
      .filter((d): d is V1CustomResourceDefinition => d?.kind === 'CustomResourceDefinition'),
  );
}

/**
 * Creates the CRDs (create, not client-side apply: Kyverno's and Argo CD's exceed the 256 KiB
 * last-applied annotation) and waits until each is Established, as envtest's InstallCRDs does.
 */
export async function installCrds(kc: KubeConfig, paths: readonly string[]): Promise<string[]> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const crds = readCrds(paths);
  for (const body of crds) {
    // Raw: client-node's CRD model drops `x-kubernetes-int-or-string`, which the server then rejects.
    const res = await rawRequest(kc, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', body);
    if (res.status >= 300 && res.status !== 409) throw new Error(`creating CRD ${body.metadata?.name}: HTTP ${res.status}: ${res.body.slice(0, 2000)}`);
  }
  const names = crds.map((c) => c.metadata!.name!);
  for (const name of names) {
    await until(
      async () => {
        const crd = await api.readCustomResourceDefinition({ name });
        return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      },
      { timeoutMs: 60_000, what: `CRD ${name} Established` },
    );
  }
  return names;
}
