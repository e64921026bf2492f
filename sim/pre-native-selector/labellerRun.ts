/**
 * kvfleet's node labeller on the simulated nodes: the REAL program from the bundle its image ships
 * (build/node-labeller/main.mjs, `npm run bundle`), once per node, as the ServiceAccount the generated
 * DaemonSet runs as, with the generated ClusterRole and binding and the cluster's matrix ConfigMap
 * content. What it reads is played: the `virsh capabilities` of the launcher the node runs
 * (labellerInput.ts), since no libvirt runs here. Each process runs until `/readyz` says it has labelled
 * its node, then stops: nothing in the scenario changes a node's launcher afterwards, and seven resident
 * labellers would cost ~110 MiB each on a shared 2-core machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { DEFAULT_NAMESPACE } from '../../fleet/clusterDefinition.js';
import { type ClusterDefinition } from '../../fleet/clusterDefinition.js';
import { NODE_LABELLER_NAME } from '../../generators/nodeLabeller.js';
import { matrixDocument, renderMatrixDocument } from '../../compatibility/matrixDocument.js';
import { type LauncherEntry } from '../../compatibility/launcherCatalogue.js';
import { type Architecture } from '../../compatibility/machineTypeNames.js';
import { ENV } from '../../programs/node-labeller/settings.js';
import { type ControlPlane, type ControlPlaneUser } from '../../testbed/harness/controlPlane.js';
import { freePort } from '../../testbed/harness/freePort.js';
import { startProcess } from '../../testbed/harness/managedProcess.js';
import { projectDir } from '../../testbed/harness/toolPaths.js';
import { until } from '../../testbed/harness/until.js';
import { generatedObjects } from '../upgrade/kvfleetPart.js';
import { capabilitiesOf } from './labellerInput.js';

export const LABELLER_BUNDLE = join(projectDir, 'build', 'node-labeller', 'main.mjs');
const namespaceOf = (cluster: ClusterDefinition) => cluster.namespace ?? DEFAULT_NAMESPACE;

/** The labeller's ServiceAccount as a token user of the control plane (start the plane with it). */
export function labellerUser(cluster: ClusterDefinition): ControlPlaneUser {
  const ns = namespaceOf(cluster);
  return { name: `system:serviceaccount:${ns}:${NODE_LABELLER_NAME}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`] };
}

/** The generated ServiceAccount, ClusterRole and ClusterRoleBinding of the labeller, server-side applied (its namespace exists). */
export async function applyLabellerRbac(plane: ControlPlane, cluster: ClusterDefinition): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(plane.kubeConfig());
  const mine = generatedObjects(cluster).filter(
    (o) => ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind) && o.metadata.name === NODE_LABELLER_NAME,
  );
  if (mine.length !== 3) throw new Error(`expected the labeller's ServiceAccount, ClusterRole and binding in the generated objects, found ${mine.length}`);
  for (const o of mine) await objects.patch(o, undefined, undefined, 'kvfleet-sim', true, PatchStrategy.ServerSideApply);
}

export interface LabelledNode {
  readonly node: string;
  /** Spawn → `/readyz` 200 (the node carries the labels of this capabilities document). */
  readonly readyMs: number;
}

/** Runs the labeller for one node until it has labelled it; its log stays in the plane's folder. */
export async function labelNode(
  plane: ControlPlane,
  cluster: ClusterDefinition,
  node: { readonly name: string; readonly architecture: Architecture; readonly launcher: LauncherEntry },
): Promise<LabelledNode> {
  const dir = join(plane.dir, 'kvfleet-labeller', node.name);
  mkdirSync(dir, { recursive: true });
  const files = { capabilities: join(dir, 'capabilities.xml'), matrix: join(dir, 'matrix.yaml'), kubeconfig: join(dir, 'kubeconfig.yaml') };
  writeFileSync(files.capabilities, capabilitiesOf(node.launcher, node.architecture));
  writeFileSync(files.matrix, renderMatrixDocument(matrixDocument(cluster)));
  writeFileSync(files.kubeconfig, plane.kubeconfigFor(labellerUser(cluster).name));
  const port = await freePort();
  const t0 = Date.now();
  const proc = startProcess(`kvfleet-node-labeller-${node.name}`, process.execPath, [LABELLER_BUNDLE], join(dir, 'labeller.log'), {
    [ENV.nodeName]: node.name,
    [ENV.capabilitiesPath]: files.capabilities,
    [ENV.matrixPath]: files.matrix,
    [ENV.metricsPort]: String(port),
    [ENV.metricsHost]: '127.0.0.1',
    KUBECONFIG: files.kubeconfig,
    LOG_LEVEL: 'info',
  });
  try {
    await until(
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`the labeller exited: ${proc.tail()}`);
        return (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: `the labeller of ${node.name} ready (log: ${proc.logFile})` },
    );
    return { node: node.name, readyMs: Date.now() - t0 };
  } finally {
    await proc.stop();
  }
}
