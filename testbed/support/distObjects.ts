/**
 * The committed dist/ of one cluster as objects, for tests and benches that apply what kvfleet ships
 * (never a re-synthesis: what Argo CD would apply is what is tested).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { projectDir } from '../harness/toolPaths.js';
import { MATRIX_CONFIGMAP_KEY, MATRIX_CONFIGMAP_NAME } from '../../compatibility/matrixDocument.js';
import { AGGREGATE_TO_ADMISSION_CONTROLLER, type KubeObject } from '../harness/kyvernoAdmission.js';

export function distObjects(cluster: string): KubeObject[] {
  const dir = join(projectDir, 'dist', cluster);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as KubeObject));
}

/** The cluster's Kyverno CEL policies. */
export const kyvernoPoliciesOf = (cluster: string) => distObjects(cluster).filter((o) => o.apiVersion.startsWith('policies.kyverno.io/'));

/** The cluster's ClusterRoles that aggregate into Kyverno's admission controller role. */
export const kyvernoLookupRolesOf = (cluster: string) =>
  distObjects(cluster).filter((o) => o.kind === 'ClusterRole' && o.metadata.labels?.[AGGREGATE_TO_ADMISSION_CONTROLLER] === 'true');

/** The text of the cluster's machine-type matrix, as its ConfigMap in dist/ carries it to both programs. */
export function distMatrixText(cluster: string): string {
  const configMap = distObjects(cluster).find((o) => o.kind === 'ConfigMap' && o.metadata.name === MATRIX_CONFIGMAP_NAME) as unknown as
    | { data?: Record<string, string> }
    | undefined;
  const text = configMap?.data?.[MATRIX_CONFIGMAP_KEY];
  if (text === undefined) throw new Error(`dist/${cluster} has no ConfigMap ${MATRIX_CONFIGMAP_NAME} with ${MATRIX_CONFIGMAP_KEY}: run npm run synth`);
  return text;
}
