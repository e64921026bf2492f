/**
 * kvfleet in a simulated cluster, as a real install puts it there: the objects the real generators
 * synthesise for the scenario's cluster definition (`ClusterChart`), of which the Kyverno policies go
 * through the REAL Kyverno admission controller (testbed/harness/kyvernoAdmission.ts: its chart's RBAC,
 * kvfleet's lookup ClusterRole aggregated into it), and the REAL migration controller process from
 * the bundle the image ships (build/migration-controller/main.mjs), with its generated RBAC and the
 * Deployment's environment. Only the durations the controller measures on its own clock are scaled
 * to the simulation's clock; everything it writes into objects stays in simulated seconds.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { ClusterChart } from '../../generators/clusterChart.js';
import { MigrationController } from '../../generators/migrationController.js';
import { type ClusterDefinition, migrationSettings } from '../../fleet/clusterDefinition.js';
import { matrixDocument, renderMatrixDocument } from '../../compatibility/matrixDocument.js';
import { type ControlPlane, type ControlPlaneUser } from '../../testbed/harness/controlPlane.js';
import { UNSCHEDULABLE_TIMEOUT_ANNOTATION } from '../../compatibility/kubevirtNames.js';
import { schedulingContractOf } from '../../compatibility/kubevirtVersions.js';
import { HOSTNAME_LABEL, TARGET_NODE_ANNOTATION } from '../../compatibility/labelKeys.js';
import { freePort } from '../../testbed/harness/freePort.js';
import { rawRequest } from '../../testbed/harness/rawRequest.js';
import {
  AGGREGATE_TO_ADMISSION_CONTROLLER,
  type KubeObject,
  type KyvernoAdmission,
  type KyvernoPolicyLike,
  type PolicyReadiness,
  startKyvernoAdmission,
} from '../../testbed/harness/kyvernoAdmission.js';
import { type ManagedProcess, startProcess } from '../../testbed/harness/managedProcess.js';
import { projectDir } from '../../testbed/harness/toolPaths.js';
import { until } from '../../testbed/harness/until.js';
import { applyControllerRbac } from '../../testbed/support/controllerRbac.js';

export const CONTROLLER_NAMESPACE = 'kvfleet-system';
export const CONTROLLER_USER: ControlPlaneUser = {
  name: `system:serviceaccount:${CONTROLLER_NAMESPACE}:kvfleet-migration-controller`,
  groups: ['system:serviceaccounts', `system:serviceaccounts:${CONTROLLER_NAMESPACE}`],
};
export const CONTROLLER_BUNDLE = join(projectDir, 'build', 'migration-controller', 'main.mjs');

/** `npm run bundle`: the controller the image ships. */
export function buildControllerBundle(): void {
  const built = spawnSync(process.execPath, ['--import', 'tsx', join(projectDir, 'scripts', 'bundle.ts')], { cwd: projectDir, encoding: 'utf8' });
  if (built.status !== 0 || !existsSync(CONTROLLER_BUNDLE)) throw new Error(`npm run bundle failed: ${built.stderr}${built.stdout}`);
}

/** Everything the real generators synthesise for the cluster (what `dist/<cluster>/` would hold). */
export function generatedObjects(cluster: ClusterDefinition): KubeObject[] {
  const chart = new ClusterChart(Testing.app(), cluster.name, { cluster });
  return chart.toJson() as KubeObject[];
}

export const isKyvernoPolicy = (o: KubeObject) => o.apiVersion.startsWith('policies.kyverno.io/');
export const isLookupRole = (o: KubeObject) => o.kind === 'ClusterRole' && o.metadata.labels?.[AGGREGATE_TO_ADMISSION_CONTROLLER] === 'true';

/**
 * The controller's environment: the Deployment's (settings from the cluster definition, heap cap),
 * with the three durations it measures on the wall clock scaled to the simulation.
 * `fallbackUnschedulableTimeoutSeconds` is not scaled: the controller writes it into the fallback
 * VMIM's annotation, which the simulated KubeVirt reads in simulated seconds.
 */
export function controllerEnv(cluster: ClusterDefinition, wallMsPerSimSecond: number): Record<string, string> {
  const deployed = new MigrationController(Testing.chart(), 'mc', { cluster });
  const m = migrationSettings(cluster);
  const wall = (simSeconds: number) => String(Math.round(simSeconds * wallMsPerSimSecond) / 1000);
  return {
    ...deployed.env,
    KVFLEET_ATTEMPT_WINDOW_SECONDS: wall(m.attemptWindowSeconds),
    KVFLEET_BACKOFF_BASE_SECONDS: wall(m.backoffBaseSeconds),
    KVFLEET_FINISHED_MIGRATION_TTL_SECONDS: wall(m.finishedMigrationTtlSeconds),
  };
}

/** A dry-run create through the real admission chain, and whether the policy did what it should. */
export interface AdmissionProbe {
  readonly policy: string;
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * Server-side dry runs (`dryRun=All`: admission runs, nothing is stored, so the KubeVirt stand-in
 * never sees them) showing the policies act: the VMIM timeout is defaulted, a pinned VMIM gets its
 * hostname selector (KubeVirt ≥ 1.6), a VMI pinned to a type no pool runs is denied. The target-Pod
 * policy (KubeVirt < 1.6) looks up a stored VMIM and VMI, so it is shown by the run's own target pods.
 */
export async function probeAdmission(plane: ControlPlane, cluster: ClusterDefinition): Promise<AdmissionProbe[]> {
  const kc = plane.kubeConfig();
  const ns = 'kvfleet-admission-probe';
  await rawRequest(kc, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const post = async (plural: string, body: object) => {
    const r = await rawRequest(kc, 'POST', `/apis/kubevirt.io/v1/namespaces/${ns}/${plural}?dryRun=All`, body);
    return {
      status: r.status,
      body: JSON.parse(r.body) as { metadata?: { annotations?: Record<string, string> }; spec?: { addedNodeSelector?: Record<string, string> }; message?: string },
    };
  };
  const vmim = await post('virtualmachineinstancemigrations', {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstanceMigration',
    metadata: { name: 'probe', annotations: { [TARGET_NODE_ANNOTATION]: 'probe-node' } },
    spec: { vmiName: 'probe' },
  });
  const timeout = vmim.body.metadata?.annotations?.[UNSCHEDULABLE_TIMEOUT_ANNOTATION];
  const probes: AdmissionProbe[] = [
    {
      policy: 'kvfleet-vmim-unschedulable-timeout',
      ok: vmim.status === 201 && timeout === String(migrationSettings(cluster).unschedulableTimeoutSeconds),
      detail: `VMIM create → HTTP ${vmim.status}, ${UNSCHEDULABLE_TIMEOUT_ANNOTATION}=${timeout}`,
    },
  ];
  if (schedulingContractOf(cluster.kubevirtVersion).pinMode === 'addedNodeSelector') {
    const pinned = vmim.body.spec?.addedNodeSelector?.[HOSTNAME_LABEL];
    probes.push({ policy: 'kvfleet-vmim-target-affinity', ok: pinned === 'probe-node', detail: `pinned VMIM → addedNodeSelector ${HOSTNAME_LABEL}=${pinned}` });
  }
  const denied = await post('virtualmachineinstances', {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { name: 'probe' },
    spec: { domain: { devices: {}, machine: { type: UNOFFERED_MACHINE_TYPE }, memory: { guest: '128Mi' } } },
  });
  probes.push({
    policy: 'kvfleet-vm-machine-type',
    ok: denied.status >= 400 && denied.status < 500 && /kvfleet-vm-machine-type/.test(denied.body.message ?? ''),
    detail: `VMI pinned to ${UNOFFERED_MACHINE_TYPE} → HTTP ${denied.status}: ${(denied.body.message ?? '').slice(0, 160)}`,
  });
  return probes;
}

/** A RHEL 7 type no pool of the scenario runs. */
const UNOFFERED_MACHINE_TYPE = 'pc-q35-rhel7.3.0';

export interface KvfleetInstall {
  readonly kyverno: KyvernoAdmission;
  readonly probes: readonly AdmissionProbe[];
  readonly readiness: readonly PolicyReadiness[];
  readonly policies: readonly KyvernoPolicyLike[];
  readonly controller: ManagedProcess;
  readonly metricsUrl: string;
  /** The controller's /metrics text. */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Installs kvfleet into a control plane started with `users: [KYVERNO_ADMISSION_USER, CONTROLLER_USER]`
 * and waits until every policy is Ready and the controller leads with synced caches.
 */
export async function installKvfleet(plane: ControlPlane, cluster: ClusterDefinition, wallMsPerSimSecond: number): Promise<KvfleetInstall> {
  const objects = generatedObjects(cluster);
  const policies = objects.filter(isKyvernoPolicy) as KyvernoPolicyLike[];
  const kyverno = await startKyvernoAdmission(plane);
  let controller: ManagedProcess | undefined;
  try {
    // kvfleet's lookup role first, so the policies' resource.get works from their first admission.
    await kyverno.applyClusterRoles(objects.filter(isLookupRole));
    const readiness = await kyverno.applyPolicies(policies, { timeoutMs: 120_000 });
    const notReady = readiness.filter((r) => r.conditions.some((c) => c.status !== 'True'));
    if (notReady.length) throw new Error(`policies not Ready: ${JSON.stringify(notReady)}`);
    const probes = await probeAdmission(plane, cluster);
    const failed = probes.filter((p) => !p.ok);
    if (failed.length) throw new Error(`policies Ready but not acting: ${failed.map((p) => `${p.policy}: ${p.detail}`).join('; ')}`);

    const admin = plane.kubeConfig();
    await applyControllerRbac(admin, cluster, CONTROLLER_NAMESPACE);
    const kubeconfig = join(plane.dir, 'kvfleet-controller.kubeconfig.yaml');
    const matrix = join(plane.dir, 'kvfleet-matrix.yaml');
    writeFileSync(kubeconfig, plane.kubeconfigFor(CONTROLLER_USER.name));
    writeFileSync(matrix, renderMatrixDocument(matrixDocument(cluster)));
    const port = await freePort();
    const metricsUrl = `http://127.0.0.1:${port}`;
    controller = startProcess('kvfleet-migration-controller', process.execPath, [CONTROLLER_BUNDLE], join(plane.dir, 'kvfleet-controller.log'), {
      ...controllerEnv(cluster, wallMsPerSimSecond),
      KUBECONFIG: kubeconfig,
      KVFLEET_MATRIX_FILE: matrix,
      KVFLEET_METRICS_PORT: String(port),
      KVFLEET_METRICS_HOST: '127.0.0.1',
      POD_NAME: 'kvfleet-migration-controller-sim',
      POD_NAMESPACE: CONTROLLER_NAMESPACE,
      LOG_LEVEL: 'info',
    });
    const proc = controller;
    const metrics = async () => (await fetch(`${metricsUrl}/metrics`)).text();
    await until(
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`controller exited: ${proc.tail()}`);
        return (await fetch(`${metricsUrl}/readyz`)).status === 200 && /^kvfleet_leader 1$/m.test(await metrics());
      },
      { timeoutMs: 120_000, intervalMs: 200, what: `the migration controller synced and leading (log: ${proc.logFile})` },
    );
    return {
      kyverno,
      probes,
      readiness,
      policies,
      controller: proc,
      metricsUrl,
      metrics,
      async stop() {
        await proc.stop();
        await kyverno.stop();
      },
    };
  } catch (e) {
    await controller?.stop();
    await kyverno.stop();
    throw e;
  }
}

/** Sum of a Prometheus counter's samples whose labels include `match` (e.g. `reason="TargetUnschedulable"`). */
export function counterSum(metricsText: string, name: string, match = ''): number {
  let sum = 0;
  for (const m of metricsText.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm'))) {
    if (!match || (m[1] ?? '').includes(match)) sum += Number(m[2]);
  }
  return sum;
}
