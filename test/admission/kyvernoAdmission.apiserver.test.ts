import { join } from 'node:path';
import { type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import legacyApps from '../../clusters/legacy-apps.js';
import prodEast from '../../clusters/prod-east.js';
import { UNSCHEDULABLE_TIMEOUT_ANNOTATION } from '../../compatibility/kubevirtNames.js';
import { HOSTNAME_LABEL, machineTypeLabelKey, TARGET_NODE_ANNOTATION } from '../../compatibility/labelKeys.js';
import { launcherEntry, launcherLabel } from '../../compatibility/launcherCatalogue.js';
import { moveToMachineType } from '../../compatibility/moveTo.js';
import { resolveCluster } from '../../compatibility/poolMachineTypes.js';
import { type ClusterDefinition, migrationSettings } from '../../fleet/clusterDefinition.js';
import { kyvernoPoliciesFor } from '../../generators/kyvernoPolicies.js';
import { denialMessage, machineTypeAdmission } from '../../policies/vm-machine-type/machineTypeAdmission.js';
import { VM_MACHINE_TYPE_NAME } from '../../policies/vm-machine-type/vmMachineType.js';
import { VM_MACHINE_TYPE_WARNINGS_NAME } from '../../policies/vm-machine-type-warnings/vmMachineTypeWarnings.js';
import { type ControlPlane, startControlPlane } from '../../testbed/harness/controlPlane.js';
import { type KyvernoAdmission, type PolicyReadiness, KYVERNO_ADMISSION_USER, startKyvernoAdmission } from '../../testbed/harness/kyvernoAdmission.js';
import { createTestNamespace } from '../../testbed/harness/namespaces.js';
import { rawRequest } from '../../testbed/harness/rawRequest.js';
import { sharedDir } from '../../testbed/harness/toolPaths.js';
import { until } from '../../testbed/harness/until.js';
import { type AdmissionObjects, admissionObjects } from '../../testbed/support/admissionObjects.js';
import { TEST_CS10_LAUNCHER_IMAGE, testCluster } from '../../testbed/support/clusterFixtures.js';
import { kyvernoLookupRolesOf, kyvernoPoliciesOf } from '../../testbed/support/distObjects.js';
import { createWithWarnings } from './warningHeaders.js';

type Obj = Record<string, any>;

const ADMISSION_ROLE = 'kyverno:admission-controller';

const policiesOf = kyvernoPoliciesOf;
const lookupRolesOf = kyvernoLookupRolesOf;

let plane: ControlPlane;
let kyverno: KyvernoAdmission;
let kc: KubeConfig;
beforeAll(async () => {
  plane = await startControlPlane({ crds: [join(sharedDir, 'crds', 'kubevirt')], users: [KYVERNO_ADMISSION_USER] });
  kc = plane.kubeConfig();
  ({ createVmi, createVmim, createLauncherPod } = admissionObjects(kc));
  kyverno = await startKyvernoAdmission(plane);
}, 300_000);
afterAll(async () => {
  await kyverno?.stop();
  await plane?.stop();
});

// Bound once the control plane is up (beforeAll).
let createVmi: AdmissionObjects['createVmi'];
let createVmim: AdmissionObjects['createVmim'];
let createLauncherPod: AdmissionObjects['createLauncherPod'];

function expectAllReady(readiness: readonly PolicyReadiness[], cluster: string) {
  expect(readiness.map((r) => r.name).sort()).toEqual(
    policiesOf(cluster)
      .map((p) => p.metadata.name)
      .sort(),
  );
  for (const r of readiness) {
    expect(
      r.conditions.filter((c) => c.status !== 'True'),
      `${r.kind} ${r.name}`,
    ).toEqual([]);
    // Background evaluation is off in every generated policy, so Kyverno does not require the
    // reports controller to read the matched kinds (the "never Ready" pitfall).
    expect(r.conditions.find((c) => c.type === 'RBACPermissionsGranted')?.message, `${r.kind} ${r.name}`).toMatch(/Background scanning disabled/);
  }
}

async function admissionRoleResources(): Promise<string[]> {
  const role = JSON.parse((await rawRequest(kc, 'GET', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${encodeURIComponent(ADMISSION_ROLE)}`)).body) as Obj;
  return (role.rules as Obj[]).filter((r) => (r.apiGroups as string[]).includes('kubevirt.io')).flatMap((r) => r.resources as string[]);
}

function figures(cluster: string, readiness: readonly PolicyReadiness[]) {
  const mib = (kyverno.rssBytes() / 2 ** 20).toFixed(0);
  const slowest = Math.max(...readiness.map((r) => r.readyAfterMs));
  console.log(
    `[kyverno-admission] ${cluster}: install ${kyverno.figures.installMs} ms; serving ${kyverno.figures.servingAfterMs} ms and webhooks ${kyverno.figures.webhooksAfterMs} ms after start; ` +
      `${readiness.length} policies Ready ${slowest} ms after the first create; RSS ${mib} MiB`,
  );
}

describe('prod-east (KubeVirt 1.5.0: kvfleet selects on machine type through the target Pod)', () => {
  const cluster = 'prod-east';
  const machineType = 'pc-q35-rhel9.6.0';
  const targetNode = 'rhel9-compute-7';
  let readiness: PolicyReadiness[];
  beforeAll(async () => {
    readiness = await kyverno.applyPolicies(policiesOf(cluster));
  }, 120_000);
  afterAll(async () => {
    await kyverno?.deletePolicies(policiesOf(cluster));
    await kyverno?.deleteClusterRoles(lookupRolesOf(cluster).map((r) => r.metadata.name));
  });

  test('every generated policy becomes Ready', () => {
    expectAllReady(readiness, cluster);
    figures(cluster, readiness);
  });

  test("without kvfleet's lookup RBAC the target Pod is admitted unchanged: resource.get is forbidden, and only an Event says so", async () => {
    // The chart binds `view` to Kyverno, but `view` covers KubeVirt kinds only where KubeVirt's own
    // aggregated role exists (next tests); this control plane has the CRDs alone.
    expect(await admissionRoleResources()).toEqual([]);
    const ns = await createTestNamespace(kc, 'kyv-norbac');
    await createVmi(ns, 'vm1', machineType);
    const vmim = await createVmim(ns, 'mig1', 'vm1', { [TARGET_NODE_ANNOTATION]: targetNode });
    const pod = await createLauncherPod(ns, 'virt-launcher-vm1-target', 'vm1', vmim);
    expect(pod.spec.nodeSelector).toEqual({ 'kubevirt.io/schedulable': 'true' });
    // The policy still says Ready; the failure shows only as a Warning Event on the Pod.
    const policy = JSON.parse((await rawRequest(kc, 'GET', '/apis/policies.kyverno.io/v1/mutatingpolicies/kvfleet-launcher-target-affinity')).body) as Obj;
    expect(policy.status.conditionStatus.ready).toBe(true);
    const event = await until(
      async () => {
        const events = JSON.parse((await rawRequest(kc, 'GET', `/apis/events.k8s.io/v1/namespaces/${ns}/events`)).body) as { items: Obj[] };
        return events.items.find((e) => e.regarding?.kind === 'Pod' && e.regarding?.name === pod.metadata.name);
      },
      { timeoutMs: 15_000, what: "Kyverno's Event on the Pod" },
    );
    expect(event).toMatchObject({ type: 'Warning', reason: 'PolicyViolation' });
    expect(event.note).toMatch(/kvfleet-launcher-target-affinity.*permission denied.*virtualmachineinstances.*forbidden/);
  });

  test("with kvfleet's lookup ClusterRole aggregated into Kyverno's role, the target Pod gets the machine-type and hostname selectors", async () => {
    const roles = lookupRolesOf(cluster);
    expect(roles.map((r) => r.metadata.name)).toEqual(['kvfleet-kyverno-lookups']);
    expect(await kyverno.applyClusterRoles(roles)).toContain(ADMISSION_ROLE);
    expect((await admissionRoleResources()).sort()).toEqual(['virtualmachineinstancemigrations', 'virtualmachineinstances']);

    const ns = await createTestNamespace(kc, 'kyv-target');
    await createVmi(ns, 'vm1', machineType);
    const vmim = await createVmim(ns, 'mig1', 'vm1', { [TARGET_NODE_ANNOTATION]: targetNode });
    const pod = await createLauncherPod(ns, 'virt-launcher-vm1-target', 'vm1', vmim);
    expect(pod.spec.nodeSelector).toEqual({
      'kubevirt.io/schedulable': 'true',
      [machineTypeLabelKey(machineType)!]: 'true',
      [HOSTNAME_LABEL]: targetNode,
    });

    // Unpinned migration: the machine-type selector only.
    const unpinned = await createVmim(ns, 'mig2', 'vm1');
    const pod2 = await createLauncherPod(ns, 'virt-launcher-vm1-target2', 'vm1', unpinned);
    expect(pod2.spec.nodeSelector).toEqual({ 'kubevirt.io/schedulable': 'true', [machineTypeLabelKey(machineType)!]: 'true' });

    // A launcher Pod that is no migration target is left alone.
    const source = await createLauncherPod(ns, 'virt-launcher-vm1-source', 'vm1');
    expect(source.spec.nodeSelector).toEqual({ 'kubevirt.io/schedulable': 'true' });
  });

  test("on a default install KubeVirt's own view role, aggregated into `view`, grants the same lookups", async () => {
    await kyverno.deleteClusterRoles(lookupRolesOf(cluster).map((r) => r.metadata.name));
    expect(await admissionRoleResources()).toEqual([]);
    // What virt-operator installs (pkg/virt-operator/resource/generate/rbac/cluster.go, newViewClusterRole;
    // the kubevirt.io rule only), and the chart's `kyverno:admission-controller:view` binding picks up.
    await kyverno.applyClusterRoles([
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'kubevirt.io:view', labels: { 'kubevirt.io': '', 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
        rules: [
          {
            apiGroups: ['kubevirt.io'],
            resources: [
              'virtualmachines',
              'virtualmachineinstances',
              'virtualmachineinstancepresets',
              'virtualmachineinstancereplicasets',
              'virtualmachineinstancemigrations',
            ],
            verbs: ['get', 'list', 'watch'],
          },
        ],
      },
    ]);
    try {
      const ns = await createTestNamespace(kc, 'kyv-view');
      await createVmi(ns, 'vm1', machineType);
      const vmim = await createVmim(ns, 'mig1', 'vm1', { [TARGET_NODE_ANNOTATION]: targetNode });
      const pod = await createLauncherPod(ns, 'virt-launcher-vm1-target', 'vm1', vmim);
      expect(pod.spec.nodeSelector).toEqual({ 'kubevirt.io/schedulable': 'true', [machineTypeLabelKey(machineType)!]: 'true', [HOSTNAME_LABEL]: targetNode });
    } finally {
      await kyverno.deleteClusterRoles(['kubevirt.io:view']);
    }
  });

  test('the VMIM unschedulable timeout is defaulted from the cluster definition, and an explicit one is kept', async () => {
    const ns = await createTestNamespace(kc, 'kyv-timeout');
    const defaulted = await createVmim(ns, 'mig1', 'vm1');
    expect(defaulted.metadata.annotations?.[UNSCHEDULABLE_TIMEOUT_ANNOTATION]).toBe(String(migrationSettings(prodEast as ClusterDefinition).unschedulableTimeoutSeconds));
    const explicit = await createVmim(ns, 'mig2', 'vm1', { [UNSCHEDULABLE_TIMEOUT_ANNOTATION]: '600' });
    expect(explicit.metadata.annotations?.[UNSCHEDULABLE_TIMEOUT_ANNOTATION]).toBe('600');
  });
});

describe('legacy-apps (KubeVirt 1.6.2: pins through the VMIM, KubeVirt selects on machine type)', () => {
  const cluster = 'legacy-apps';
  let readiness: PolicyReadiness[];
  beforeAll(async () => {
    readiness = await kyverno.applyPolicies(policiesOf(cluster));
  }, 120_000);
  afterAll(async () => kyverno?.deletePolicies(policiesOf(cluster)));

  test('every generated policy becomes Ready, with no lookup RBAC to grant', () => {
    expect(lookupRolesOf(cluster)).toEqual([]);
    expectAllReady(readiness, cluster);
    figures(cluster, readiness);
  });

  test('a VMIM pinned with kvfleet.io/target-node gets the hostname in spec.addedNodeSelector, and no machine-type selector', async () => {
    const ns = await createTestNamespace(kc, 'kyv-pinned');
    const vmim = await createVmim(ns, 'mig1', 'vm1', { [TARGET_NODE_ANNOTATION]: 'rhel96-3' });
    expect(vmim.spec.addedNodeSelector).toEqual({ [HOSTNAME_LABEL]: 'rhel96-3' });
    expect(vmim.metadata.annotations[UNSCHEDULABLE_TIMEOUT_ANNOTATION]).toBe(String(migrationSettings(legacyApps as ClusterDefinition).unschedulableTimeoutSeconds));
  });

  test('an unpinned VMIM gets no node selector at all, only the defaulted timeout', async () => {
    const ns = await createTestNamespace(kc, 'kyv-unpinned');
    const vmim = await createVmim(ns, 'mig1', 'vm1');
    expect(vmim.spec.addedNodeSelector).toBeUndefined();
    expect(vmim.metadata.annotations[UNSCHEDULABLE_TIMEOUT_ANNOTATION]).toBe(String(migrationSettings(legacyApps as ClusterDefinition).unschedulableTimeoutSeconds));
  });
});

/**
 * The two machine-type policies of a definition, synthesised in memory as for dist/ (the synthetic
 * cluster has no dist/, and the example fleet has no cluster past a launcher switch).
 */
const machineTypePolicies = (cluster: ClusterDefinition) =>
  kyvernoPoliciesFor(cluster)
    .map((p) => p.object)
    .filter((o) => [`kvfleet-${VM_MACHINE_TYPE_NAME}`, `kvfleet-${VM_MACHINE_TYPE_WARNINGS_NAME}`].includes(o.metadata.name));

/** A halted VM pinned to a machine type, created through the API server (and so through Kyverno). */
const createPinnedVm = (ns: string, name: string, machineType: string) =>
  createWithWarnings(kc, `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`, {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name, namespace: ns },
    spec: { runStrategy: 'Halted', template: { spec: { domain: { machine: { type: machineType }, devices: {}, memory: { guest: '128Mi' } } } } },
  });

/** amd64 types of one catalogue entry. */
const amd64Types = (kubevirtVersion: string, build: 'centos-stream-9' | 'centos-stream-10') => launcherEntry(kubevirtVersion, build)!.architectures.amd64!.machineTypes;

describe('a cluster already on the CS10 launcher (KubeVirt 1.8.0): a type only the previous launcher had', () => {
  const cluster = testCluster({ name: 'synthetic-cs10', kubevirtVersion: '1.8.0', launcher: { build: 'centos-stream-10', image: TEST_CS10_LAUNCHER_IMAGE } });
  const policies = machineTypePolicies(cluster);
  // From the catalogue: what the CS9 build of 1.8 offers and the CS10 build lacks.
  const cs9Only = amd64Types('1.8.0', 'centos-stream-9').filter((t) => !amd64Types('1.8.0', 'centos-stream-10').includes(t));
  beforeAll(async () => {
    await kyverno.applyPolicies(policies);
  }, 120_000);
  afterAll(async () => kyverno?.deletePolicies(policies));

  test('is denied by the admission controller, the message naming the CS10 launcher', async () => {
    expect(cs9Only).toContain('pc-q35-rhel8.6.0');
    const ns = await createTestNamespace(kc, 'kyv-cs10');
    const admission = machineTypeAdmission(cluster.name, resolveCluster(cluster));
    const res = await createPinnedVm(ns, 'vm-rhel8', 'pc-q35-rhel8.6.0');
    expect(res.status, res.body).toBe(400);
    const status = JSON.parse(res.body) as Obj;
    expect(status.message).toContain(denialMessage(admission, 'pc-q35-rhel8.6.0'));
    expect(status.message).toContain(`is not offered by ${launcherLabel(launcherEntry('1.8.0', 'centos-stream-10')!)}`);
  });

  test('a type the CS10 launcher offers is admitted', async () => {
    const ns = await createTestNamespace(kc, 'kyv-cs10-ok');
    const newest = amd64Types('1.8.0', 'centos-stream-10')[0]!;
    const res = await createPinnedVm(ns, 'vm-newest', newest);
    expect(res.status, res.body).toBe(201);
    expect(res.warnings).toEqual([]);
  });
});

describe('legacy-apps, policies synthesised from its definition: a type its next launcher switch drops', () => {
  const resolved = resolveCluster(legacyApps);
  const admission = machineTypeAdmission(legacyApps.name, resolved);
  const switchStep = resolved.steps.find((s) => s.kind === 'launcher-switch')!;
  const policies = machineTypePolicies(legacyApps as ClusterDefinition);
  beforeAll(async () => {
    await kyverno.applyPolicies(policies);
  }, 120_000);
  afterAll(async () => kyverno?.deletePolicies(policies));

  test('is admitted with a warning header naming the step and its launcher, advising the move-to type', async () => {
    const machineType = 'pc-q35-rhel8.6.0';
    expect(amd64Types('1.8.0', 'centos-stream-10')).not.toContain(machineType);
    const ns = await createTestNamespace(kc, 'kyv-warn');
    const res = await createPinnedVm(ns, 'vm-rhel8', machineType);
    expect(res.status, res.body).toBe(201);
    const expected = admission.warnings.find((w) => w.machineType === machineType)!.message;
    expect(
      res.warnings.filter((w) => w.includes(expected)),
      JSON.stringify(res.warnings),
    ).toHaveLength(1);
    expect(expected).toContain(`planned step ${switchStep.index} (${switchStep.label}) moves the cluster to ${switchStep.launcher.label}`);
    expect(expected).toContain(`restart the VM onto ${moveToMachineType(resolved.pools, machineType)!.machineType},`);
  });

  test('a type current today and kept by every step is admitted without a warning', async () => {
    const ns = await createTestNamespace(kc, 'kyv-nowarn');
    const kept = moveToMachineType(resolved.pools, 'pc-q35-rhel8.6.0')!.machineType;
    expect(admission.warnings.map((w) => w.machineType)).not.toContain(kept);
    const res = await createPinnedVm(ns, 'vm-kept', kept);
    expect(res.status, res.body).toBe(201);
    expect(res.warnings).toEqual([]);
  });
});
