import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { sharedDir } from '../testbed/harness/toolPaths.js';
import { nodeObject, runningVm, vmiObject, vmObject } from '../testbed/support/planInventories.js';
import { argoCdApplicationOf, inventoryFromObjects } from './inventoryFromObjects.js';
import { memoryBytes } from './quantities.js';

/** An upstream KubeVirt example (../shared/samples/kubevirt), read by reference. */
function sample(file: string): Record<string, any> {
  const [doc] = parseAllDocuments(readFileSync(join(sharedDir, 'samples/kubevirt', file), 'utf8'));
  return doc!.toJS();
}

const GiB = 1024 ** 3;

describe('the upstream KubeVirt examples', () => {
  test('vm-cirros: a stopped VM without a machine type asks for q35, sized by its guest memory', () => {
    const vm = sample('vm-cirros.yaml');
    const inv = inventoryFromObjects([vm], 'samples');
    expect(inv.problems).toEqual([]);
    expect(inv.vms).toEqual([
      {
        kind: 'VirtualMachine',
        namespace: 'default',
        name: vm.metadata.name,
        requestedMachineType: 'q35',
        running: false,
        requests: { memoryBytes: memoryBytes(vm.spec.template.spec.domain.memory.guest) },
      },
    ]);
  });

  test('vmi-masquerade: a VMI without a VM keeps its kind; guest memory in decimal units (1024M) is bytes', () => {
    const vmi = sample('vmi-masquerade.yaml');
    const [entry] = inventoryFromObjects([vmi], 'samples').vms;
    expect(entry).toMatchObject({ kind: 'VirtualMachineInstance', name: vmi.metadata.name, running: false, requests: { memoryBytes: 1024 * 1e6 } });
    expect(entry!.requests!.cpuMillis).toBeUndefined();
  });

  test('vm-windows-clarge-windows: an instancetype-sized VM states no requests, though its template has guest memory', () => {
    const vm = sample('vm-windows-clarge-windows.yaml');
    expect(vm.spec.template.spec.domain.memory.guest).toBeDefined();
    const [entry] = inventoryFromObjects([vm], 'samples').vms;
    expect(entry!.requests).toBeUndefined();
  });

  test('the migration job and the MigrationPolicy are reported as ignored; the VMs still read', () => {
    const objects = ['migration-job.yaml', 'example-migration-policy.yaml', 'vm-alpine-datavolume.yaml', 'vmi-migratable.yaml'].map(sample);
    const inv = inventoryFromObjects(objects, 'samples');
    expect(inv.vms.map((v) => v.name)).toEqual(['vm-alpine-datavolume', 'vmi-migratable']);
    expect(inv.problems).toHaveLength(2);
    expect(inv.problems.find((p) => p.startsWith('VirtualMachineInstanceMigration'))).toMatch(/migration-job: ignored/);
    expect(inv.problems.find((p) => p.startsWith('MigrationPolicy'))).toMatch(/example-migration-policy: ignored/);
  });
});

describe('VM and VMI', () => {
  test('a VM and its VMI merge: requested type from the VM, running type and node from the VMI status', () => {
    const inv = inventoryFromObjects(runningVm('ns', 'db', 'w-1', 'pc-q35-rhel9.6.0', { memory: '8Gi', cores: 2 }), 'test');
    expect(inv.vms).toEqual([
      {
        kind: 'VirtualMachine',
        namespace: 'ns',
        name: 'db',
        requestedMachineType: 'q35',
        runningMachineType: 'pc-q35-rhel9.6.0',
        nodeName: 'w-1',
        running: true,
        requests: { cpuMillis: 2000, memoryBytes: 8 * GiB },
      },
    ]);
  });

  test('the order of VM and VMI does not matter', () => {
    const [vm, vmi] = runningVm('ns', 'db', 'w-1', 'pc-q35-rhel9.6.0');
    expect(inventoryFromObjects([vmi, vm], 'a')).toEqual(inventoryFromObjects([vm, vmi], 'a'));
  });

  test.each([
    ['Running', 'w-1', true],
    [undefined, 'w-1', true],
    ['Scheduling', undefined, false],
    ['Succeeded', 'w-1', false],
    ['Failed', 'w-1', false],
    // No phase and no node, but a booted machine type: virt-handler reports it only after boot.
    [undefined, undefined, true],
  ])('a VMI in phase %s on node %s is running: %s', (phase, nodeName, running) => {
    const vmi = vmiObject('ns', 'x', { ...(nodeName ? { nodeName } : {}), runningMachineType: 'pc-q35-rhel9.6.0' });
    const status = vmi.status as Record<string, unknown>;
    if (phase === undefined) delete status.phase;
    else status.phase = phase;
    const [entry] = inventoryFromObjects([vmi], 't').vms;
    expect(entry!.running).toBe(running);
    // The running type and node belong to a running VMI only.
    expect(entry!.runningMachineType).toBe(running ? 'pc-q35-rhel9.6.0' : undefined);
    expect(entry!.nodeName).toBe(running ? nodeName : undefined);
  });

  test('a VMI with no phase, node or booted machine type is not running', () => {
    const vmi = vmiObject('ns', 'x');
    delete (vmi.status as Record<string, unknown>).phase;
    expect(inventoryFromObjects([vmi], 't').vms[0]!.running).toBe(false);
  });

  test('resources.requests win over guest memory and CPU topology', () => {
    const vm = vmObject('ns', 'x', { memory: '8Gi', cores: 4, requests: { cpu: '1500m', memory: '10Gi' } });
    expect(inventoryFromObjects([vm], 't').vms[0]!.requests).toEqual({ cpuMillis: 1500, memoryBytes: 10 * GiB });
  });

  test('CPU from the topology multiplies cores, sockets and threads', () => {
    const vm = vmObject('ns', 'x');
    (vm.spec as any).template.spec.domain.cpu = { cores: 2, sockets: 2, threads: 2 };
    expect(inventoryFromObjects([vm], 't').vms[0]!.requests).toEqual({ cpuMillis: 2 * 2 * 2 * 1000 });
  });

  test("a running VMI's spec gives the requests of an instancetype-sized VM", () => {
    const objects = [vmObject('ns', 'x', { instancetype: 'u1.medium' }), vmiObject('ns', 'x', { memory: '4Gi', cores: 1, nodeName: 'w-1' })];
    expect(inventoryFromObjects(objects, 't').vms[0]!.requests).toEqual({ cpuMillis: 1000, memoryBytes: 4 * GiB });
  });

  test('the Argo CD application comes from the VM, never the VMI', () => {
    const vmi = vmiObject('ns', 'x', { nodeName: 'w-1' });
    (vmi.metadata as any).annotations = { 'argocd.argoproj.io/tracking-id': 'other:kubevirt.io/VirtualMachineInstance:ns/x' };
    expect(inventoryFromObjects([vmi], 't').vms[0]!.argoCdApplication).toBeUndefined();
    expect(inventoryFromObjects([vmObject('ns', 'x', { argoCdApplication: 'apps' }), vmi], 't').vms[0]!.argoCdApplication).toBe('apps');
  });
});

describe('argoCdApplicationOf', () => {
  test.each([
    ['vms:kubevirt.io/VirtualMachine:prod/db', 'vms'],
    ['argocd-apps_vms:kubevirt.io/VirtualMachine:prod/db', 'argocd-apps_vms'],
    ['core:/ConfigMap:prod/cm', 'core'],
    ['vms', undefined],
    ['vms:kubevirt.io/VirtualMachine', undefined],
    [':kubevirt.io/VirtualMachine:prod/db', undefined],
  ])('%s → %s', (id, app) => {
    expect(argoCdApplicationOf(id)).toBe(app);
  });
});

describe('lists', () => {
  test('a kubectl List and an API *List are read item by item, nested or not', () => {
    const inner = { apiVersion: 'v1', kind: 'NodeList', items: [nodeObject('w-2')] };
    const inv = inventoryFromObjects([{ apiVersion: 'v1', kind: 'List', items: [nodeObject('w-1'), inner, vmObject('ns', 'x')] }], 't');
    expect(inv.nodes.map((n) => n.name)).toEqual(['w-1', 'w-2']);
    expect(inv.vms.map((v) => v.name)).toEqual(['x']);
  });
});

describe('nodes', () => {
  test('a node reads its labels, allocatable and cordon', () => {
    const node = nodeObject('w-1', { labels: { a: 'b' }, cpu: '3500m', memory: '16384Mi', unschedulable: true });
    const [n] = inventoryFromObjects([node], 't').nodes;
    expect(n).toEqual({ name: 'w-1', labels: (node.metadata as any).labels, allocatable: { cpuMillis: 3500, memoryBytes: 16 * GiB }, unschedulable: true });
  });
});

describe('malformed objects are reported, never thrown, never dropped silently', () => {
  const cases: [string, unknown, RegExp, { nodes: number; vms: number }][] = [
    ['a string', 'hello', /^object 1: not a Kubernetes object \(string\)/, { nodes: 0, vms: 0 }],
    ['null', null, /^object 1: not a Kubernetes object \(null\)/, { nodes: 0, vms: 0 }],
    [
      'a node without a name',
      { apiVersion: 'v1', kind: 'Node', metadata: {} },
      /^Node \(object 1, metadata.name missing or not a string\): skipped/,
      { nodes: 0, vms: 0 },
    ],
    [
      'a VM whose name is a number',
      { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 7 } },
      /^VirtualMachine \(object 1, /,
      { nodes: 0, vms: 0 },
    ],
    [
      'node labels that are not strings',
      { ...nodeObject('w-1'), metadata: { name: 'w-1', labels: { ready: true } } },
      /^Node w-1: metadata.labels is not a map of strings; skipped/,
      { nodes: 0, vms: 0 },
    ],
    [
      'an unparsable allocatable memory',
      nodeObject('w-1', { memory: '16GB' }),
      /^Node w-1: status.allocatable.memory "16GB" is not a Kubernetes quantity/,
      { nodes: 1, vms: 0 },
    ],
    ['an unparsable allocatable cpu', nodeObject('w-1', { cpu: 'four' }), /^Node w-1: status.allocatable.cpu "four" is not a Kubernetes quantity/, { nodes: 1, vms: 0 }],
    [
      'spec.unschedulable as a string',
      { ...nodeObject('w-1'), spec: { unschedulable: 'yes' } },
      /^Node w-1: spec.unschedulable "yes" is not a boolean; counted as cordoned/,
      { nodes: 1, vms: 0 },
    ],
    [
      'a machine type that is not a string',
      vmObject('ns', 'x', { machineType: 7 as unknown as string }),
      /^VirtualMachine ns\/x: spec.template.spec.domain.machine.type is not a string; skipped/,
      { nodes: 0, vms: 0 },
    ],
    [
      'guest memory that is no quantity',
      vmObject('ns', 'x', { memory: 'lots' }),
      /^VirtualMachine ns\/x: spec.template.spec.domain.memory.guest "lots"/,
      { nodes: 0, vms: 1 },
    ],
    [
      'a CPU topology with a string',
      (() => {
        const vm = vmObject('ns', 'x');
        (vm.spec as any).template.spec.domain.cpu = { cores: '4' };
        return vm;
      })(),
      /^VirtualMachine ns\/x: spec.template.spec.domain.cpu cores\/sockets\/threads/,
      { nodes: 0, vms: 1 },
    ],
    [
      'a malformed tracking id',
      { ...vmObject('ns', 'x'), metadata: { name: 'x', namespace: 'ns', annotations: { 'argocd.argoproj.io/tracking-id': 'just-an-app' } } },
      /^VirtualMachine ns\/x: annotation argocd.argoproj.io\/tracking-id "just-an-app" is not/,
      { nodes: 0, vms: 1 },
    ],
  ];
  test.each(cases)('%s', (_what, object, problem, kept) => {
    const inv = inventoryFromObjects([object], 't');
    expect(inv.problems).toHaveLength(1);
    expect(inv.problems[0]).toMatch(problem);
    expect({ nodes: inv.nodes.length, vms: inv.vms.length }).toEqual(kept);
  });

  test('a field that cannot be read leaves the rest of the object in use', () => {
    const inv = inventoryFromObjects([nodeObject('w-1', { memory: '16GB', cpu: '4' })], 't');
    expect(inv.nodes[0]!.allocatable).toEqual({ cpuMillis: 4000 });
  });

  test('an object listed twice is reported and read once', () => {
    const inv = inventoryFromObjects([nodeObject('w-1', { cpu: '1' }), nodeObject('w-1', { cpu: '2' })], 't');
    expect(inv.nodes).toHaveLength(1);
    expect(inv.nodes[0]!.allocatable!.cpuMillis).toBe(1000);
    expect(inv.problems).toEqual(['Node w-1: listed twice; the first copy is used']);
  });

  test('kinds that are neither ours nor KubeVirt’s pass without a word', () => {
    const inv = inventoryFromObjects([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'n' } }], 't');
    expect(inv).toEqual({ source: 't', nodes: [], vms: [], problems: [] });
  });
});
