/**
 * The JSON output of `kvfleet plan` as a zod schema, and from it the JSON Schema document published
 * as docs/schemas/plan-v2.schema.json (`npm run docs:schemas`). The type assertions at the bottom
 * keep it equal to plan/planModel.ts: a field added there without one here fails `tsc`.
 *
 * Objects are loose (extra keys pass): under the versioning rule a new field does not change
 * `schemaVersion`, so a consumer validating with this schema must not reject a newer plan's extra field.
 */
import * as z from 'zod';
import { type FleetPlan, PLAN_SCHEMA_VERSION, VERDICTS } from '../planModel.js';

/** A count of nodes, VMs or verdicts. */
const count = z.number().int().min(0);
const verdict = z.enum(VERDICTS).describe('stranded: no schedulable node runs its type; at-risk: exactly one does; deprecated: only deprecated; ok: two or more.');
const counts = z.looseObject({ stranded: count, 'at-risk': count, deprecated: count, ok: count });
const vmKind = z.enum(['VirtualMachine', 'VirtualMachineInstance']);
const nullableInt = count.nullable();

const planStep = z.looseObject({
  id: z.string().describe('`now`, `step-1`, `step-2`…'),
  label: z.string().describe('Human text: `now`, `KubeVirt 1.7.0 → 1.8.0`; a step that changes no set ends `(machine types unchanged)`.'),
  kind: z.enum(['now', 'kubevirt-upgrade', 'launcher-switch', 'node-os-upgrade']),
  launcher: z.string().describe('The cluster’s launcher once the step is done: `virt-launcher 1.8 centos-stream-9 (QEMU 10.1.0-10.el9)`.'),
  launcherImage: z.string().describe('The launcher image virt-controller renders launcher pods with once the step is done.'),
  machineTypesChanged: z.boolean().describe('False when no pool’s machine-type set differs from the step before (always false for `now` and node-OS steps).'),
});

const poolPlan = z.looseObject({
  name: z.string(),
  nodeSelector: z.record(z.string(), z.string()),
  architecture: z.enum(['amd64', 'arm64', 's390x']),
  os: z.string().optional().describe('The OS release the definition states now (informational: it changes no machine type).'),
  nodes: nullableInt.describe('Nodes in the pool (inventory: matched nodes; definition: `nodeCount`); null when unknown.'),
  nodeSource: z.enum(['inventory', 'definition', 'unknown']),
  nodeNames: z.array(z.string()),
  allocatable: z.looseObject({ cpuMillis: z.number(), memoryBytes: z.number() }).optional(),
});

const gridCell = z.enum(['supported', 'deprecated', 'dropped', 'added', 'absent']);
const grid = z.looseObject({
  machineTypes: z.array(z.string()).describe('Every canonical type some pool offers now or after the last planned step, oldest first.'),
  rows: z.array(z.looseObject({ pool: z.string(), cells: z.record(z.string(), gridCell) })),
});

const stepPlacement = z.looseObject({
  step: z.string(),
  pools: z.array(z.string()).describe('Pools with at least one schedulable node that runs the VM’s type at this step.'),
  nodes: nullableInt.describe('Schedulable nodes that run it; null when node counts are unknown.'),
  verdict,
});

const fix = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('restart-onto-newer-type'), machineType: z.string(), restartRequired: z.literal(true), text: z.string() }),
  z.looseObject({
    kind: z.literal('hold-step'),
    step: z.string().describe('The step id to hold (and every later one).'),
    stepLabel: z.string(),
    launcher: z.string().describe('The launcher that step brings, which lacks the VM’s type.'),
    text: z.string(),
  }),
]);

const vmPlan = z.looseObject({
  kind: vmKind,
  namespace: z.string(),
  name: z.string(),
  requestedMachineType: z.string(),
  machineType: z.string().describe('Canonical type: the running type, else the alias resolved where it would start, else the requested name.'),
  nodeName: z.string().optional(),
  argoCdApplication: z.string().optional(),
  steps: z.array(stepPlacement),
  verdict: verdict.describe('Worst verdict over the steps.'),
  verdictStep: z.string().describe('First step with that worst verdict.'),
  reason: z.string().optional().describe('For a VM a launcher step strands or puts at risk: the step, the launcher that lacks its type, and what follows.'),
  fixes: z.array(fix).describe('For stranded and at-risk VMs: the ways out, best first.'),
});

const resources = z.looseObject({ cpuMillis: z.number().nullable(), memoryBytes: z.number().nullable() });
const capacity = z.looseObject({
  rule: z.string().describe('The rule in words, printed with every output.'),
  pools: z.array(
    z.looseObject({
      step: z.string(),
      pool: z.string(),
      vms: count,
      requested: resources,
      usable: resources.describe('Allocatable of the pool’s schedulable nodes less its largest node.'),
      overcommitted: z.boolean(),
    }),
  ),
});

const transition = z.looseObject({
  namespace: z.string(),
  name: z.string(),
  kind: vmKind,
  from: z.string(),
  to: z.string(),
  before: z.string().describe('The step it must be done before.'),
  restartRequired: z.literal(true),
  argoCdApplication: z.string().optional(),
});

const gitPatch = z.looseObject({
  argoCdApplication: z.string(),
  namespace: z.string(),
  name: z.string(),
  mergePatch: z.looseObject({
    spec: z.looseObject({ template: z.looseObject({ spec: z.looseObject({ domain: z.looseObject({ machine: z.looseObject({ type: z.string() }) }) }) }) }),
  }),
});

const clusterPlan = z.looseObject({
  cluster: z.string(),
  kubevirtVersion: z.string(),
  inventory: z.looseObject({ source: z.string(), nodes: count, vms: count, problems: z.array(z.string()) }).optional(),
  steps: z.array(planStep),
  pools: z.array(poolPlan),
  grid,
  vms: z.array(vmPlan).describe('Worst verdict first, then namespace/name.'),
  capacity,
  transitions: z.array(transition),
  patches: z.array(gitPatch),
  unmatchedNodes: z.array(z.string()),
  labelMismatches: z.array(z.string()),
  vmWarnings: z
    .array(z.string())
    .optional()
    .describe('Warnings about single VMs that are not about machine types (a running VMI without a VirtualMachine on Kube-OVN); absent when none.'),
  counts,
});

/** The whole `kvfleet plan --format json` document. */
export const fleetPlanSchema = z
  .looseObject({
    schemaVersion: z.literal(PLAN_SCHEMA_VERSION),
    clusters: z.array(clusterPlan),
    counts: counts.describe('Sum over clusters: `kvfleet plan` exits 2 when `stranded > 0`.'),
  })
  .meta({
    title: 'kvfleet plan',
    description: 'Output of `kvfleet plan --format json`; see docs/plan-json.md. schemaVersion changes when a field’s meaning changes or a field is removed.',
  });

/** Where the JSON Schema document is committed, named after the schema version. */
export const PLAN_SCHEMA_FILE = `docs/schemas/plan-${PLAN_SCHEMA_VERSION.split('/').at(-1)}.schema.json`;

/** The JSON Schema document, as committed in PLAN_SCHEMA_FILE (newline-terminated). */
export function planJsonSchemaDocument(): string {
  const schema = z.toJSONSchema(fleetPlanSchema, { target: 'draft-2020-12' });
  return `${JSON.stringify({ $id: `https://kvfleet.io/schemas/${PLAN_SCHEMA_FILE.split('/').at(-1)}`, ...schema }, null, 2)}\n`;
}

// Compile-time equality of the schema and the model, readonly aside (zod infers mutable types).
type Mutable<T> = T extends readonly (infer U)[] ? Mutable<U>[] : T extends object ? { -readonly [K in keyof T]: Mutable<T[K]> } : T;
type Parsed = z.output<typeof fleetPlanSchema>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesModel: Same<Mutable<FleetPlan>, StripIndex<Parsed>> = true;
void schemaMatchesModel;

/** Loose objects add `[k: string]: unknown`; the comparison is about the named fields. */
type StripIndex<T> = T extends readonly (infer U)[] ? StripIndex<U>[] : T extends object ? { [K in keyof T as string extends K ? never : K]: StripIndex<T[K]> } : T;
