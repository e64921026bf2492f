/**
 * `FleetPlan`s for the renderer tests (plan/render/): the engine's real plan of the example cluster
 * (`prodEastEnginePlan`), and SYNTHETIC ones written by hand, which test the renderers on cases the
 * example lacks and independently of the engine's wording: the shapes
 * follow plan/planModel.ts, the figures are invented. `prod-east` borrows clusters/prod-east.ts's two
 * pools but plans an invented launcher switch that drops the RHEL 7/8 types; `lab-synthetic`
 * exists only here and carries the rarer cases: an at-risk VM, unknown counts, warnings, hostile names.
 */
import legacyApps from '../../clusters/legacy-apps.js';
import prodEast from '../../clusters/prod-east.js';
import { inventoryFromObjects } from '../../plan/inventoryFromObjects.js';
import { planFleet } from '../../plan/planFleet.js';
import { type ClusterPlan, type FleetPlan, type GridCell, PLAN_SCHEMA_VERSION, type Verdict, type VmPlan } from '../../plan/planModel.js';
import { launcherStepInventoryObjects, prodEastInventoryObjects } from './planInventories.js';

/** Where the shared example inventory comes from, as the plan's `inventory.source` shows it. */
export const PROD_EAST_INVENTORY_SOURCE = 'testbed/support/planInventories.ts (prodEastInventoryObjects)';

/** The engine's plan of clusters/prod-east.ts on the shared example inventory: what the goldens render. */
export function prodEastEnginePlan(): FleetPlan {
  return planFleet([prodEast], new Map([[prodEast.name, inventoryFromObjects(prodEastInventoryObjects(), PROD_EAST_INVENTORY_SOURCE)]]));
}

/** Where the legacy-apps inventory comes from, as the plan's `inventory.source` shows it. */
export const LEGACY_APPS_INVENTORY_SOURCE = 'testbed/support/planInventories.ts (launcherStepInventoryObjects(legacy-apps))';

/**
 * The engine's plan of clusters/legacy-apps.ts (KubeVirt 1.6.2 → 1.7.0 → 1.8.0 → a CS10 launcher) on
 * one running VM per type its launcher offers today: the CS10 step strands the RHEL 7/8 ones.
 */
export function legacyAppsEnginePlan(): FleetPlan {
  return planFleet([legacyApps], new Map([[legacyApps.name, inventoryFromObjects(launcherStepInventoryObjects(legacyApps), LEGACY_APPS_INVENTORY_SOURCE)]]));
}

const GiB = 1024 ** 3;
const NOW = 'now';
const AFTER = 'step-1';
const AFTER_LABEL = 'launcher centos-stream-9 → centos-stream-10';
const LAUNCHER_NOW = 'virt-launcher 1.5 centos-stream-9 (QEMU 9.1.0-12.el9)';
const LAUNCHER_AFTER = 'virt-launcher 1.5 centos-stream-10 (QEMU 9.1.0-1.el10)';
const CAPACITY_RULE =
  "A VM's requests count against the pool it would run on at that step (the first pool that can run it, in name order); " +
  "a pool's usable capacity is the allocatable of its schedulable nodes less its largest node, so one node can drain at a time.";

const q35 = (...versions: string[]) => versions.map((v) => `pc-q35-rhel${v}`);
const RHEL7_8 = [...q35('7.6.0', '8.0.0', '8.1.0', '8.2.0', '8.3.0', '8.4.0', '8.5.0', '8.6.0'), 'pc-i440fx-rhel7.6.0'];
const RHEL9 = q35('9.0.0', '9.2.0', '9.4.0', '9.6.0');
const RHEL10 = 'pc-q35-rhel10.0.0';

function cells(entries: readonly (readonly [readonly string[], GridCell])[]): Record<string, GridCell> {
  return Object.fromEntries(entries.flatMap(([types, cell]) => types.map((t) => [t, cell])));
}

/** One VM whose placement is `nodes` at `now` and `nodesAfter` after the upgrade. */
function vm(
  namespace: string,
  name: string,
  machineType: string,
  verdicts: readonly [Verdict, Verdict],
  placement: { now: [string[], number]; after: [string[], number] },
  more: Partial<VmPlan> = {},
): VmPlan {
  const worst = verdicts[0] === verdicts[1] || rank(verdicts[0]) < rank(verdicts[1]) ? verdicts[0] : verdicts[1];
  return {
    kind: 'VirtualMachine',
    namespace,
    name,
    requestedMachineType: machineType,
    machineType,
    steps: [
      { step: NOW, pools: placement.now[0], nodes: placement.now[1], verdict: verdicts[0] },
      { step: AFTER, pools: placement.after[0], nodes: placement.after[1], verdict: verdicts[1] },
    ],
    verdict: worst,
    verdictStep: verdicts[0] === worst ? NOW : AFTER,
    fixes: [],
    ...more,
  };
}

const rank = (v: Verdict) => ['stranded', 'at-risk', 'deprecated', 'ok'].indexOf(v);
const BOTH = ['rhel10-compute', 'rhel9-compute'];

/**
 * SYNTHETIC plan of clusters/prod-east.ts against an invented inventory of 16 nodes and 14 VMs.
 * Long function: one literal plan, VM by VM, read top to bottom as the report prints it.
 */
export function prodEastClusterPlan(): ClusterPlan {
  const strandedErp = vm(
    'legacy',
    'erp-db',
    'pc-q35-rhel8.6.0',
    ['deprecated', 'stranded'],
    { now: [['rhel9-compute'], 12], after: [[], 0] },
    {
      argoCdApplication: 'legacy-erp',
      nodeName: 'r9-node-03',
      reason: `after ${AFTER} (${AFTER_LABEL}), ${LAUNCHER_AFTER} lacks pc-q35-rhel8.6.0: its workload-update migration will never schedule and every drain of its node will stall.`,
      fixes: [
        {
          kind: 'restart-onto-newer-type',
          machineType: 'pc-q35-rhel9.6.0',
          restartRequired: true,
          text: 'set the machine type to pc-q35-rhel9.6.0 before the launcher switch',
        },
        { kind: 'hold-step', step: AFTER, stepLabel: AFTER_LABEL, launcher: LAUNCHER_AFTER, text: `hold ${AFTER} until the VM is moved` },
      ],
    },
  );
  const strandedFax = vm(
    'legacy',
    'fax-gateway',
    'pc-i440fx-rhel7.6.0',
    ['deprecated', 'stranded'],
    { now: [['rhel9-compute'], 12], after: [[], 0] },
    {
      kind: 'VirtualMachineInstance',
      requestedMachineType: 'pc',
      nodeName: 'r9-node-07',
      reason: `after ${AFTER} (${AFTER_LABEL}), ${LAUNCHER_AFTER} lacks pc-i440fx-rhel7.6.0: its workload-update migration will never schedule and every drain of its node will stall.`,
      fixes: [
        {
          kind: 'hold-step',
          step: AFTER,
          stepLabel: AFTER_LABEL,
          launcher: LAUNCHER_AFTER,
          text: `no type of the i440fx family runs now and after ${AFTER}: hold the launcher switch`,
        },
      ],
    },
  );
  const deprecated = ['billing-api', 'reports', 'search'].map((name, i) =>
    vm('apps', name, RHEL9[i + 1]!, ['ok', 'deprecated'], { now: [BOTH, 16], after: [BOTH, 16] }, i === 0 ? { argoCdApplication: 'apps' } : {}),
  );
  const ok = Array.from({ length: 8 }, (_, i) =>
    vm('apps', `web-${i + 1}`, RHEL10, ['ok', 'ok'], { now: [['rhel10-compute'], 4], after: [BOTH, 16] }, { requestedMachineType: 'q35', argoCdApplication: 'apps' }),
  );
  const vms = [strandedErp, strandedFax, ...deprecated, ...ok];
  return {
    cluster: 'prod-east',
    kubevirtVersion: '1.5.0',
    inventory: { source: 'test/fixtures/prod-east/nodes.yaml, test/fixtures/prod-east/vms.yaml', nodes: 17, vms: vms.length, problems: [] },
    steps: [
      { id: NOW, label: 'now', kind: 'now', launcher: LAUNCHER_NOW, launcherImage: 'quay.io/kubevirt/virt-launcher:v1.5.0', machineTypesChanged: false },
      {
        id: AFTER,
        label: AFTER_LABEL,
        kind: 'launcher-switch',
        launcher: LAUNCHER_AFTER,
        launcherImage: 'registry.example.com/virt-launcher:v1.5.0-cs10',
        machineTypesChanged: true,
      },
    ],
    pools: [
      {
        name: 'rhel10-compute',
        nodeSelector: { 'node.example.com/os-release': 'rhel-10.0' },
        architecture: 'amd64',
        os: 'rhel-10.0',
        nodes: 4,
        nodeSource: 'inventory',
        nodeNames: ['r10-node-01', 'r10-node-02', 'r10-node-03', 'r10-node-04'],
        allocatable: { cpuMillis: 4 * 64_000, memoryBytes: 4 * 512 * GiB },
      },
      {
        name: 'rhel9-compute',
        nodeSelector: { 'node.example.com/os-release': 'rhel-9.6' },
        architecture: 'amd64',
        os: 'rhel-9.6',
        nodes: 12,
        nodeSource: 'inventory',
        nodeNames: Array.from({ length: 12 }, (_, i) => `r9-node-${String(i + 1).padStart(2, '0')}`),
        allocatable: { cpuMillis: 12 * 48_000, memoryBytes: 12 * 384 * GiB },
      },
    ],
    grid: {
      machineTypes: [...q35('7.6.0', '8.0.0', '8.1.0', '8.2.0', '8.3.0', '8.4.0', '8.5.0', '8.6.0'), ...RHEL9, RHEL10, 'pc-i440fx-rhel7.6.0'],
      rows: [
        {
          pool: 'rhel10-compute',
          cells: cells([
            [RHEL7_8, 'absent'],
            [RHEL9, 'deprecated'],
            [[RHEL10], 'supported'],
          ]),
        },
        {
          pool: 'rhel9-compute',
          cells: cells([
            [RHEL7_8, 'dropped'],
            [RHEL9, 'deprecated'],
            [[RHEL10], 'added'],
          ]),
        },
      ],
    },
    vms,
    capacity: {
      rule: CAPACITY_RULE,
      pools: [
        {
          step: NOW,
          pool: 'rhel10-compute',
          vms: 8,
          requested: { cpuMillis: 8 * 8_000, memoryBytes: 8 * 32 * GiB },
          usable: { cpuMillis: 192_000, memoryBytes: 1536 * GiB },
          overcommitted: false,
        },
        {
          step: NOW,
          pool: 'rhel9-compute',
          vms: 5,
          requested: { cpuMillis: 5 * 16_000, memoryBytes: 5 * 128 * GiB },
          usable: { cpuMillis: 528_000, memoryBytes: 4224 * GiB },
          overcommitted: false,
        },
        {
          step: AFTER,
          pool: 'rhel10-compute',
          vms: 11,
          requested: { cpuMillis: 112_000, memoryBytes: 640 * GiB },
          usable: { cpuMillis: 192_000, memoryBytes: 1536 * GiB },
          overcommitted: false,
        },
        // Stranded VMs still count where they run now: the rule counts them on no pool after the step.
        {
          step: AFTER,
          pool: 'rhel9-compute',
          vms: 0,
          requested: { cpuMillis: 0, memoryBytes: 0 },
          usable: { cpuMillis: 528_000, memoryBytes: 4224 * GiB },
          overcommitted: false,
        },
      ],
    },
    transitions: [
      {
        namespace: 'legacy',
        name: 'erp-db',
        kind: 'VirtualMachine',
        from: 'pc-q35-rhel8.6.0',
        to: 'pc-q35-rhel9.6.0',
        before: AFTER,
        restartRequired: true,
        argoCdApplication: 'legacy-erp',
      },
    ],
    patches: [
      {
        argoCdApplication: 'legacy-erp',
        namespace: 'legacy',
        name: 'erp-db',
        mergePatch: { spec: { template: { spec: { domain: { machine: { type: 'pc-q35-rhel9.6.0' } } } } } },
      },
    ],
    unmatchedNodes: ['gpu-node-01'],
    labelMismatches: [],
    counts: { stranded: 2, 'at-risk': 0, deprecated: 3, ok: 8 },
  };
}

/**
 * SYNTHETIC one-pool cluster with the cases prod-east lacks: an at-risk VM, an overcommitted pool,
 * counts unknown, warnings, and names carrying markup (`<`, `&`, `|`, quotes) that every output must escape.
 */
export function labClusterPlan(): ClusterPlan {
  const atRisk: VmPlan = {
    kind: 'VirtualMachine',
    namespace: 'lab',
    name: 'build<cache>&"x"|y',
    requestedMachineType: 'pc-q35-10.1',
    machineType: 'pc-q35-10.1',
    nodeName: 'edge-01',
    steps: [{ step: NOW, pools: ['edge'], nodes: 1, verdict: 'at-risk' }],
    verdict: 'at-risk',
    verdictStep: NOW,
    fixes: [],
  };
  const unknown: VmPlan = {
    kind: 'VirtualMachineInstance',
    namespace: 'lab',
    name: 'scratch',
    requestedMachineType: 'q35',
    machineType: 'pc-q35-10.1',
    steps: [{ step: NOW, pools: ['edge'], nodes: null, verdict: 'ok' }],
    verdict: 'ok',
    verdictStep: NOW,
    fixes: [],
  };
  return {
    cluster: 'lab-synthetic',
    kubevirtVersion: '1.6.2',
    inventory: { source: 'context lab <script>', nodes: 2, vms: 2, problems: ['VirtualMachine lab/broken: spec.template missing'] },
    steps: [
      {
        id: NOW,
        label: 'now',
        kind: 'now',
        launcher: 'virt-launcher <custom> & "x"',
        launcherImage: 'registry.example.com/lab/virt-launcher:dev',
        machineTypesChanged: false,
      },
    ],
    pools: [
      { name: 'edge', nodeSelector: { 'node.example.com/pool': 'edge' }, architecture: 'amd64', nodes: 1, nodeSource: 'inventory', nodeNames: ['edge-01'] },
      { name: 'spare', nodeSelector: { 'node.example.com/pool': 'spare' }, architecture: 'amd64', nodes: null, nodeSource: 'unknown', nodeNames: [] },
    ],
    grid: {
      machineTypes: ['pc-q35-9.2', 'pc-q35-10.0', 'pc-q35-10.1'],
      rows: [
        { pool: 'edge', cells: { 'pc-q35-9.2': 'deprecated', 'pc-q35-10.0': 'supported', 'pc-q35-10.1': 'supported' } },
        { pool: 'spare', cells: { 'pc-q35-9.2': 'absent', 'pc-q35-10.0': 'supported', 'pc-q35-10.1': 'supported' } },
      ],
    },
    vms: [atRisk, unknown],
    capacity: {
      rule: CAPACITY_RULE,
      pools: [
        { step: NOW, pool: 'edge', vms: 2, requested: { cpuMillis: 6_500, memoryBytes: 24 * GiB }, usable: { cpuMillis: 0, memoryBytes: 0 }, overcommitted: true },
        { step: NOW, pool: 'spare', vms: 0, requested: { cpuMillis: null, memoryBytes: null }, usable: { cpuMillis: null, memoryBytes: null }, overcommitted: false },
      ],
    },
    transitions: [],
    patches: [],
    unmatchedNodes: [],
    labelMismatches: ['edge-01: machine-type.kvfleet.io/pc-q35-10.1 missing, the pool definition offers it'],
    counts: { stranded: 0, 'at-risk': 1, deprecated: 0, ok: 1 },
  };
}

export function fleetPlanOf(clusters: readonly ClusterPlan[]): FleetPlan {
  const counts = { stranded: 0, 'at-risk': 0, deprecated: 0, ok: 0 };
  for (const c of clusters) for (const v of Object.keys(counts) as Verdict[]) counts[v] += c.counts[v];
  return { schemaVersion: PLAN_SCHEMA_VERSION, clusters, counts };
}

/** SYNTHETIC two-cluster fleet: prod-east, then lab-synthetic. */
export function syntheticFleetPlan(): FleetPlan {
  return fleetPlanOf([prodEastClusterPlan(), labClusterPlan()]);
}
