/**
 * Reads Kubernetes objects as `kubectl get nodes,vm,vmi -A -o yaml` prints them into an Inventory.
 * Pure: the CLI parses the files and passes the objects.
 *
 * What is read:
 * - `Node` (core `v1`): name, labels, `status.allocatable.{cpu,memory}`, `spec.unschedulable`.
 * - `VirtualMachine` and `VirtualMachineInstance` (`kubevirt.io`): a VM and the VMI of the same
 *   namespace/name are one InventoryVm of kind VirtualMachine; a VMI without a VM is its own entry
 *   (with the VirtualMachine its ownerReferences name, if any, when the VM itself is not listed).
 * - `List` / `*List`: their `items`, recursively.
 *
 * What is reported in `problems` (sorted, one line each: kind, namespace/name, reason):
 * - an object that cannot be placed at all (not an object, no name, labels or machine type of the
 *   wrong type): skipped;
 * - a field that cannot be read (an unparsable quantity, a malformed Argo CD tracking id, a
 *   non-boolean `spec.unschedulable`): the object is kept, that field counts as unknown;
 * - a second copy of the same object (two files listing it): the first is kept;
 * - any other kind of a `*kubevirt.io` group (`VirtualMachineInstanceMigration`, `MigrationPolicy`…):
 *   "ignored", so a reader sees the file held something the planner does not use.
 * Every other kind (Pods, Services… in a wider dump) is ignored without a word: it is not ours.
 */
import { type Inventory, type InventoryNode, type InventoryVm, type Resources } from './inventory.js';
import { cpuMillis, memoryBytes } from './quantities.js';
import { isRecord } from '../compatibility/guards.js';

/** The annotation Argo CD's annotation-based resource tracking writes (the default since Argo CD 3.0). */
export const ARGOCD_TRACKING_ID_ANNOTATION = 'argocd.argoproj.io/tracking-id';

type Obj = Record<string, unknown>;

const at = (v: unknown, ...path: string[]): unknown => path.reduce<unknown>((o, k) => (isRecord(o) ? o[k] : undefined), v);

/** `<Kind> <namespace>/<name>`, or `<Kind> <name>` for a cluster-scoped object, as every problem starts. */
function describe(kind: string, name: string | undefined, namespace: string | undefined, index: number): string {
  if (name === undefined) return `${kind} (object ${index + 1}, metadata.name missing or not a string)`;
  return namespace === undefined ? `${kind} ${name}` : `${kind} ${namespace}/${name}`;
}

/** The group of `apiVersion` (`kubevirt.io/v1` → `kubevirt.io`, `v1` → ``). */
function groupOf(apiVersion: unknown): string | undefined {
  if (typeof apiVersion !== 'string') return undefined;
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/** Flattens `List` and `*List` objects (kubectl prints `kind: List`; API lists are `NodeList`…). */
export function flattenLists(objects: readonly unknown[]): unknown[] {
  return objects.flatMap((o) => {
    if (isRecord(o) && typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) return flattenLists(o.items);
    return [o];
  });
}

/**
 * The Argo CD Application in a tracking id `<app>:<group>/<kind>:<namespace>/<name>`, as written:
 * with apps-in-any-namespace the app part is `<namespace>_<app>`, and it stays so (it is what
 * `argocd app get` takes). `undefined` when the value is not in that format.
 */
export function argoCdApplicationOf(trackingId: string): string | undefined {
  const m = /^([^:/\s]+):([^:/\s]*)\/([^:/\s]+):([^:/\s]*)\/([^:/\s]+)$/.exec(trackingId);
  return m ? m[1] : undefined;
}

interface Collected {
  nodes: Map<string, InventoryNode>;
  vms: Map<string, { vm?: VmFields; vmi?: VmiFields }>;
  problems: string[];
}

interface VmFields {
  readonly requestedMachineType: string;
  readonly requests?: Resources;
  readonly argoCdApplication?: string;
}

interface VmiFields {
  readonly requestedMachineType: string;
  readonly runningMachineType?: string;
  readonly nodeName?: string;
  readonly running: boolean;
  readonly requests?: Resources;
  readonly ownerVirtualMachine?: string;
}

/**
 * Turns Kubernetes objects into an Inventory; never throws. Output is sorted (nodes by name, VMs by
 * namespace/name, problems as text), so the order of files and objects does not change the plan.
 */
export function inventoryFromObjects(objects: readonly unknown[], source: string): Inventory {
  const c: Collected = { nodes: new Map(), vms: new Map(), problems: [] };
  for (const [i, o] of flattenLists(objects).entries()) readObject(o, i, c);
  const vms: InventoryVm[] = [];
  for (const [key, { vm, vmi }] of c.vms) {
    const [namespace, name] = key.split('/') as [string, string];
    vms.push(mergeVm(namespace, name, vm, vmi));
  }
  return {
    source,
    nodes: [...c.nodes.values()].sort((a, b) => compareText(a.name, b.name)),
    vms: vms.sort((a, b) => compareText(a.namespace, b.namespace) || compareText(a.name, b.name)),
    problems: [...c.problems].sort(),
  };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function readObject(o: unknown, index: number, c: Collected): void {
  if (!isRecord(o)) {
    c.problems.push(`object ${index + 1}: not a Kubernetes object (${o === null ? 'null' : Array.isArray(o) ? 'a list' : typeof o})`);
    return;
  }
  const kind = typeof o.kind === 'string' ? o.kind : undefined;
  const group = groupOf(o.apiVersion);
  const rawName = at(o, 'metadata', 'name');
  const rawNamespace = at(o, 'metadata', 'namespace');
  const name = typeof rawName === 'string' && rawName !== '' ? rawName : undefined;
  const isKubevirtKind = (k: string) => kind === k && (group === undefined || group === 'kubevirt.io');
  if (kind === 'Node' && (group === undefined || group === '')) {
    const what = describe('Node', name, undefined, index);
    if (name === undefined) return void c.problems.push(`${what}: skipped`);
    readNode(o, name, what, c);
    return;
  }
  if (isKubevirtKind('VirtualMachine') || isKubevirtKind('VirtualMachineInstance')) {
    // kubectl always prints the namespace; a hand-written file without one means the default namespace, as kubectl apply would.
    const namespace = typeof rawNamespace === 'string' && rawNamespace !== '' ? rawNamespace : 'default';
    const what = describe(kind!, name, namespace, index);
    if (name === undefined) return void c.problems.push(`${what}: skipped`);
    if (kind === 'VirtualMachine') readVm(o, namespace, name, what, c);
    else readVmi(o, namespace, name, what, c);
    return;
  }
  if (kind !== undefined && group?.endsWith('kubevirt.io')) {
    const namespace = typeof rawNamespace === 'string' ? rawNamespace : undefined;
    c.problems.push(`${describe(kind, name, namespace, index)}: ignored (the planner reads Nodes, VirtualMachines and VirtualMachineInstances)`);
  }
}

function stringMap(v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return {};
  if (!isRecord(v)) return undefined;
  const entries = Object.entries(v);
  return entries.every(([, x]) => typeof x === 'string') ? (Object.fromEntries(entries) as Record<string, string>) : undefined;
}

function readNode(o: Obj, name: string, what: string, c: Collected): void {
  const labels = stringMap(at(o, 'metadata', 'labels'));
  if (!labels) return void c.problems.push(`${what}: metadata.labels is not a map of strings; skipped (its pool cannot be told)`);
  if (c.nodes.has(name)) return void c.problems.push(`${what}: listed twice; the first copy is used`);
  const unschedulableRaw = at(o, 'spec', 'unschedulable');
  let unschedulable = unschedulableRaw === true;
  if (unschedulableRaw !== undefined && unschedulableRaw !== null && typeof unschedulableRaw !== 'boolean') {
    // Counting a node we cannot read as a migration target could hide an at-risk VM; cordoned is the safe reading.
    unschedulable = true;
    c.problems.push(`${what}: spec.unschedulable ${JSON.stringify(unschedulableRaw)} is not a boolean; counted as cordoned`);
  }
  const allocatable = readResources(at(o, 'status', 'allocatable'), 'status.allocatable', what, c.problems);
  c.nodes.set(name, { name, labels, unschedulable, ...(allocatable ? { allocatable } : {}) });
}

/** cpu and memory of a `{ cpu, memory }` map; an unparsable value is a problem and stays unknown. */
function readResources(v: unknown, path: string, what: string, problems: string[]): Resources | undefined {
  if (!isRecord(v)) return undefined;
  const out: { cpuMillis?: number; memoryBytes?: number } = {};
  if (v.cpu !== undefined) {
    const millis = cpuMillis(v.cpu);
    if (millis === undefined) problems.push(`${what}: ${path}.cpu ${JSON.stringify(v.cpu)} is not a Kubernetes quantity; its CPU counts as unknown`);
    else out.cpuMillis = millis;
  }
  if (v.memory !== undefined) {
    const bytes = memoryBytes(v.memory);
    if (bytes === undefined) problems.push(`${what}: ${path}.memory ${JSON.stringify(v.memory)} is not a Kubernetes quantity; its memory counts as unknown`);
    else out.memoryBytes = bytes;
  }
  return out.cpuMillis === undefined && out.memoryBytes === undefined ? undefined : out;
}

/**
 * The guest's requests from a VMI spec (a VM's `spec.template.spec`): `domain.resources.requests`,
 * else `domain.memory.guest` for memory and the vCPU count (`domain.cpu` cores × sockets × threads,
 * each defaulting to 1 as KubeVirt does) × 1000 millicores for CPU. The vCPU figure is the guest's
 * size, an upper bound of what virt-launcher requests (KubeVirt divides it by `cpuAllocationRatio`,
 * 10 by default, unless dedicated CPUs are asked for). Unknown fields stay absent: no guessing.
 */
function guestRequests(spec: unknown, what: string, path: string, problems: string[]): Resources | undefined {
  const domain = at(spec, 'domain');
  const requested = readResources(at(domain, 'resources', 'requests'), `${path}.domain.resources.requests`, what, problems) ?? {};
  let cpu = requested.cpuMillis;
  let memory = requested.memoryBytes;
  const guestMemory = at(domain, 'memory', 'guest');
  if (memory === undefined && guestMemory !== undefined) {
    memory = memoryBytes(guestMemory);
    if (memory === undefined)
      problems.push(`${what}: ${path}.domain.memory.guest ${JSON.stringify(guestMemory)} is not a Kubernetes quantity; its memory counts as unknown`);
  }
  const topology = at(domain, 'cpu');
  if (cpu === undefined && isRecord(topology)) {
    const part = (k: string) => (topology[k] === undefined ? 1 : topology[k]);
    const parts = ['cores', 'sockets', 'threads'].map(part);
    if (parts.every((p) => typeof p === 'number' && Number.isInteger(p) && p > 0)) cpu = (parts as number[]).reduce((a, b) => a * b, 1000);
    else problems.push(`${what}: ${path}.domain.cpu cores/sockets/threads ${JSON.stringify(parts)} are not positive integers; its CPU counts as unknown`);
  }
  const out = { ...(cpu !== undefined ? { cpuMillis: cpu } : {}), ...(memory !== undefined ? { memoryBytes: memory } : {}) };
  return Object.keys(out).length ? out : undefined;
}

/** A machine type field: absent means q35 (KubeVirt's amd64 default), a non-string is an error. */
function machineTypeField(v: unknown): string | null {
  if (v === undefined || v === null || v === '') return 'q35';
  return typeof v === 'string' ? v : null;
}

function entryFor(c: Collected, namespace: string, name: string) {
  const key = `${namespace}/${name}`;
  const entry = c.vms.get(key) ?? {};
  c.vms.set(key, entry);
  return entry;
}

function readVm(o: Obj, namespace: string, name: string, what: string, c: Collected): void {
  const template = at(o, 'spec', 'template', 'spec');
  const machineType = machineTypeField(at(template, 'domain', 'machine', 'type'));
  if (machineType === null) return void c.problems.push(`${what}: spec.template.spec.domain.machine.type is not a string; skipped`);
  const entry = entryFor(c, namespace, name);
  if (entry.vm) return void c.problems.push(`${what}: listed twice; the first copy is used`);
  // An instancetype sets the guest's CPU and memory; the template's own values may be overridden,
  // and the instancetype object is not in the inventory. Say nothing rather than guess.
  const requests = at(o, 'spec', 'instancetype') === undefined ? guestRequests(template, what, 'spec.template.spec', c.problems) : undefined;
  const annotations = stringMap(at(o, 'metadata', 'annotations')) ?? {};
  const trackingId = annotations[ARGOCD_TRACKING_ID_ANNOTATION];
  const argoCdApplication = trackingId === undefined ? undefined : argoCdApplicationOf(trackingId);
  if (trackingId !== undefined && argoCdApplication === undefined) {
    c.problems.push(
      `${what}: annotation ${ARGOCD_TRACKING_ID_ANNOTATION} ${JSON.stringify(trackingId)} is not <app>:<group>/<kind>:<namespace>/<name>; treated as not Argo CD-owned`,
    );
  }
  entry.vm = { requestedMachineType: machineType, ...(requests ? { requests } : {}), ...(argoCdApplication ? { argoCdApplication } : {}) };
}

function readVmi(o: Obj, namespace: string, name: string, what: string, c: Collected): void {
  const machineType = machineTypeField(at(o, 'spec', 'domain', 'machine', 'type'));
  if (machineType === null) return void c.problems.push(`${what}: spec.domain.machine.type is not a string; skipped`);
  const entry = entryFor(c, namespace, name);
  if (entry.vmi) return void c.problems.push(`${what}: listed twice; the first copy is used`);
  const phase = at(o, 'status', 'phase');
  const rawNode = at(o, 'status', 'nodeName');
  const nodeName = typeof rawNode === 'string' && rawNode !== '' ? rawNode : undefined;
  // status.machine.type, not spec: spec often holds the alias "q35", which every node matches.
  const rawRunning = at(o, 'status', 'machine', 'type');
  // virt-handler reports the machine type once the domain has booted, so a VMI whose dump lost its
  // phase but kept a node or a booted type is running.
  const booted = typeof rawRunning === 'string' && rawRunning !== '';
  const running = phase === 'Running' || ((phase === undefined || phase === '') && (nodeName !== undefined || booted));
  const runningMachineType = running && typeof rawRunning === 'string' && rawRunning !== '' ? rawRunning : undefined;
  // The VMI spec is what runs: an instancetype's CPU and memory are already expanded into it.
  const requests = guestRequests(at(o, 'spec'), what, 'spec', c.problems);
  const ownerVirtualMachine = virtualMachineOwnerOf(at(o, 'metadata', 'ownerReferences'));
  entry.vmi = {
    requestedMachineType: machineType,
    running,
    ...(runningMachineType ? { runningMachineType } : {}),
    ...(running && nodeName ? { nodeName } : {}),
    ...(requests ? { requests } : {}),
    ...(ownerVirtualMachine ? { ownerVirtualMachine } : {}),
  };
}

/** The name of a `kubevirt.io/*` VirtualMachine in ownerReferences, as Kube-OVN's `isOwnsByTheVM` tells a VM's VMI. */
function virtualMachineOwnerOf(refs: unknown): string | undefined {
  if (!Array.isArray(refs)) return undefined;
  const owner = refs.find((r) => at(r, 'kind') === 'VirtualMachine' && String(at(r, 'apiVersion') ?? '').startsWith('kubevirt.io/'));
  const name = at(owner, 'name');
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function mergeVm(namespace: string, name: string, vm: VmFields | undefined, vmi: VmiFields | undefined): InventoryVm {
  const running = vmi?.running ?? false;
  // A running VMI's spec holds what it was started with (instancetype expanded); the VM's template may have changed since.
  const requests = (running ? vmi?.requests : undefined) ?? vm?.requests ?? vmi?.requests;
  return {
    kind: vm ? 'VirtualMachine' : 'VirtualMachineInstance',
    namespace,
    name,
    requestedMachineType: vm?.requestedMachineType ?? vmi!.requestedMachineType,
    ...(vmi?.runningMachineType ? { runningMachineType: vmi.runningMachineType } : {}),
    ...(vmi?.nodeName ? { nodeName: vmi.nodeName } : {}),
    running,
    ...(requests ? { requests } : {}),
    ...(vm?.argoCdApplication ? { argoCdApplication: vm.argoCdApplication } : {}),
    ...(!vm && vmi?.ownerVirtualMachine ? { ownerVirtualMachine: vmi.ownerVirtualMachine } : {}),
  };
}
