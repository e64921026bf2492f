/**
 * `kvfleet plan --kubeconfig` against a real kube-apiserver: prod-east's Nodes, VMs and VMIs (the
 * shared example inventory, plus KubeVirt's own upstream examples given machine types) created there
 * and read by an identity that may only list. The live plan must equal the plan of the same objects
 * read from a file, and name the upstream examples' verdicts and fixes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, type KubeConfig, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { type FleetPlan, type VmPlan } from '../../plan/planModel.js';
import { type ControlPlane, startControlPlane } from '../../testbed/harness/controlPlane.js';
import { sharedDir } from '../../testbed/harness/toolPaths.js';
import { PROD_EAST_NODES, prodEastInventoryObjects } from '../../testbed/support/planInventories.js';
import { EXIT } from '../cliContext.js';
import { main } from '../main.js';

const PLAN_READER = { name: 'kvfleet-plan-reader' };
const NO_RIGHTS = { name: 'kvfleet-nobody' };
const clustersDir = join(import.meta.dirname, '..', '..', 'clusters');
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

type Obj = Record<string, any>;

/** KubeVirt's upstream examples (none sets a machine type; KubeVirt's webhook would default q35), given one. */
function upstreamExamples(): Obj[] {
  const read = (file: string) => parse(readFileSync(join(sharedDir, 'samples', 'kubevirt', file), 'utf8')) as Obj;
  const cirros = read('vm-cirros.yaml'); // Halted VM pinned to a RHEL 8 type: deprecated by the el9 launcher, kept by every planned step
  cirros.spec.template.spec.domain.machine = { type: 'pc-q35-rhel8.6.0' };
  const windows = read('vm-windows-clarge-windows.yaml'); // instancetype-sized, pinned to RHEL 9.6's type
  windows.spec.template.spec.domain.machine = { type: 'pc-q35-rhel9.6.0' };
  const migratable = read('vmi-migratable.yaml'); // a VMI on the alias, running on a RHEL 9 node
  migratable.spec.domain.machine = { type: 'q35' };
  migratable.status = { phase: 'Running', nodeName: PROD_EAST_NODES.rhel9[10], machine: { type: 'pc-q35-rhel9.6.0' } };
  for (const o of [cirros, windows, migratable]) o.metadata.namespace = 'upstream';
  return [cirros, windows, migratable];
}

const objects = [...prodEastInventoryObjects(), ...upstreamExamples()] as Obj[];
let plane: ControlPlane;
let work: string;

/** Creates the objects as a cluster would hold them: Node status through its subresource, VMI status in the object (its CRD has no status subresource). */
async function createObjects(kc: KubeConfig): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  for (const ns of new Set(objects.map((o) => o.metadata.namespace).filter(Boolean))) await core.createNamespace({ body: { metadata: { name: ns } } });
  for (const o of objects) {
    const { status, ...body } = o;
    if (o.kind === 'Node') {
      await core.createNode({ body: body as never });
      await core.patchNodeStatus({ name: o.metadata.name, body: { status } }, merge);
    } else {
      const plural = o.kind === 'VirtualMachine' ? 'virtualmachines' : 'virtualmachineinstances';
      await custom.createNamespacedCustomObject({
        group: 'kubevirt.io',
        version: 'v1',
        plural,
        namespace: o.metadata.namespace,
        body: o.kind === 'VirtualMachine' ? body : o,
      });
    }
  }
}

beforeAll(async () => {
  plane = await startControlPlane({ crds: [join(sharedDir, 'crds', 'kubevirt')], users: [PLAN_READER, NO_RIGHTS] });
  work = plane.dir;
  const kc = plane.kubeConfig();
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  // Only `list`, only these three: were plan to read or write anything else, it would fail here.
  await rbac.createClusterRole({
    body: {
      metadata: { name: 'kvfleet-plan-reader' },
      rules: [
        { apiGroups: [''], resources: ['nodes'], verbs: ['list'] },
        { apiGroups: ['kubevirt.io'], resources: ['virtualmachines', 'virtualmachineinstances'], verbs: ['list'] },
      ],
    },
  });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: 'kvfleet-plan-reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kvfleet-plan-reader' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: PLAN_READER.name }],
    },
  });
  await createObjects(kc);
  writeFileSync(join(work, 'reader.kubeconfig'), plane.kubeconfigFor(PLAN_READER.name));
  writeFileSync(join(work, 'nobody.kubeconfig'), plane.kubeconfigFor(NO_RIGHTS.name));
  writeFileSync(join(work, 'inventory.yaml'), stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
}, 180_000);
afterAll(async () => plane?.stop());

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    const code = await main(args, { cwd: work });
    return { code, out: log.mock.calls.map((c) => String(c[0])).join('\n'), err: error.mock.calls.map((c) => String(c[0])).join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

const planArgs = ['plan', '--clusters', clustersDir, '--cluster', 'prod-east', '--output', 'json'];
const vm = (plan: FleetPlan, ns: string, name: string): VmPlan => {
  const found = plan.clusters[0]!.vms.find((v) => v.namespace === ns && v.name === name);
  if (!found) throw new Error(`no VM ${ns}/${name} in the plan`);
  return found;
};

describe('kvfleet plan against a live API server', () => {
  let live: FleetPlan;
  beforeAll(async () => {
    const r = await run([...planArgs, '--kubeconfig', 'reader.kubeconfig']);
    expect(r.err).toBe('');
    expect(r.code).toBe(EXIT.ok); // prod-east's steps (node OS, KubeVirt 1.6.2 on the same QEMU) strand nobody
    live = JSON.parse(r.out) as FleetPlan;
  });

  test('reads every node and VM with list rights only, and names the context it read', () => {
    const inventory = live.clusters[0]!.inventory!;
    expect(inventory.source).toMatch(/^context \S+ \(https:\/\/127\.0\.0\.1:\d+\)$/);
    expect(inventory.nodes).toBe(objects.filter((o) => o.kind === 'Node').length);
    expect(inventory.problems).toEqual([]);
    const rhel9 = live.clusters[0]!.pools.find((p) => p.name === 'rhel9-compute')!;
    expect(rhel9).toMatchObject({ nodes: PROD_EAST_NODES.rhel9.length, nodeSource: 'inventory' });
  });

  test('is the plan the same objects give from a file', async () => {
    const r = await run([...planArgs, '--workloads', 'inventory.yaml']);
    const fromFile = JSON.parse(r.out) as FleetPlan;
    const withoutSource = (p: FleetPlan) => ({ ...p, clusters: p.clusters.map((c) => ({ ...c, inventory: { ...c.inventory!, source: '' } })) });
    expect(withoutSource(live)).toEqual(withoutSource(fromFile));
  });

  test('upstream vm-cirros pinned to a RHEL 8 type is deprecated, not stranded: the node OS upgrade changes no machine type', () => {
    const cirros = vm(live, 'upstream', 'vm-cirros');
    expect(cirros).toMatchObject({ verdict: 'deprecated', verdictStep: 'now', machineType: 'pc-q35-rhel8.6.0', fixes: [] });
    expect(cirros.steps.map((s) => s.verdict)).toEqual(live.clusters[0]!.steps.map(() => 'deprecated'));
  });

  test('upstream vmi-migratable on the q35 alias keeps hosts at every step', () => {
    const vmi = vm(live, 'upstream', 'vmi-migratable');
    expect(vmi.kind).toBe('VirtualMachineInstance');
    expect(vmi.steps.every((s) => s.verdict !== 'stranded')).toBe(true);
  });

  test('an identity without list rights is refused with the missing right named, exit 1', async () => {
    const r = await run([...planArgs, '--kubeconfig', 'nobody.kubeconfig']);
    expect(r.code).toBe(EXIT.invalid);
    expect(r.err).toMatch(/not allowed to list (nodes|virtualmachines\.kubevirt\.io|virtualmachineinstances\.kubevirt\.io)/);
  });

  test('an unknown context is refused with the contexts that exist', async () => {
    const r = await run([...planArgs, '--kubeconfig', 'reader.kubeconfig', '--context', 'nope']);
    expect(r.code).toBe(EXIT.invalid);
    expect(r.err).toMatch(/no context "nope" in the kubeconfig \(have: \S+/);
  });
});
