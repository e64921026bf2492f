/**
 * The result of `kvfleet plan`: pure data that every output (table, JSON, Markdown, HTML) renders.
 * The JSON output is this object as it is; `PLAN_SCHEMA_VERSION` changes whenever a field's meaning
 * changes or a field is removed (adding a field does not), and docs/plan-json.md documents it.
 */

export const PLAN_SCHEMA_VERSION = 'kvfleet.io/plan/v2';

/** Worst first: the order used to sort and to pick a VM's overall verdict. */
export const VERDICTS = ['stranded', 'at-risk', 'deprecated', 'ok'] as const;
/**
 * - `stranded`: no schedulable node can run its machine type (live migration impossible; a restart onto another type is the way out).
 * - `at-risk`: exactly one node can: a drain or failure of that node strands it.
 * - `deprecated`: runs, but only on nodes where its type is deprecated.
 * - `ok`: two or more nodes run it without deprecation.
 */
export type Verdict = (typeof VERDICTS)[number];

/**
 * A point in the cluster's planned sequence: `now`, then after each planned step in turn (cumulative),
 * as compatibility/launcherSteps.ts resolves them. v2 replaced v1's per-pool OS upgrades (and their
 * `upgradedPools`): machine types come from the cluster's virt-launcher, not from a node's OS.
 */
export interface PlanStep {
  /** `now`, `step-1`, `step-2`… */
  readonly id: string;
  /** Human text: `now`, `KubeVirt 1.7.0 → 1.8.0`, `pool east OS rhel-9.6 → rhel-10.0 (machine types unchanged)`. */
  readonly label: string;
  readonly kind: 'now' | 'kubevirt-upgrade' | 'launcher-switch' | 'node-os-upgrade';
  /** The cluster's launcher once the step is done: `virt-launcher 1.8 centos-stream-9 (QEMU 10.1.0-10.el9)`. */
  readonly launcher: string;
  /** The launcher image virt-controller renders launcher pods with once the step is done. */
  readonly launcherImage: string;
  /** False when no pool's machine-type set differs from the step before (always false for `now` and node-OS steps). */
  readonly machineTypesChanged: boolean;
}

/** Where a pool's node count comes from. */
export type NodeCountSource = 'inventory' | 'definition' | 'unknown';

export interface PoolPlan {
  readonly name: string;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly architecture: 'amd64' | 'arm64' | 's390x';
  /** The OS release the definition states now (informational: it changes no machine type). */
  readonly os?: string;
  /** Nodes in the pool (inventory: matched nodes; definition: `nodeCount`). */
  readonly nodes: number | null;
  readonly nodeSource: NodeCountSource;
  /** Names of the inventory nodes matched to this pool, sorted. */
  readonly nodeNames: readonly string[];
  /** Sum of the schedulable nodes' allocatable, when the inventory had it. */
  readonly allocatable?: { readonly cpuMillis: number; readonly memoryBytes: number };
}

/** One cell of the pools × machine types grid. */
export type GridCell = 'supported' | 'deprecated' | 'dropped' | 'added' | 'absent';

export interface MachineTypeGrid {
  /** Every canonical type some pool offers now or after the last planned step, sorted newest-last as compareMachineTypes orders them. */
  readonly machineTypes: readonly string[];
  /** rows[pool][machineType]: now → after the last planned step ('dropped' when a step removes it, 'added' when one brings it). */
  readonly rows: readonly { readonly pool: string; readonly cells: Readonly<Record<string, GridCell>> }[];
}

export interface VmStepPlacement {
  readonly step: string;
  /** Pools with at least one schedulable node that runs the VM's type at this step. */
  readonly pools: readonly string[];
  /** Schedulable nodes that run it (null when node counts are unknown). */
  readonly nodes: number | null;
  readonly verdict: Verdict;
}

export type Fix =
  | {
      readonly kind: 'restart-onto-newer-type';
      /** The move-to type (compatibility/moveTo.ts): the newest of the VM's family every pool of its architecture runs now and after every step. */
      readonly machineType: string;
      /** Always true: a machine type changes only at the next boot of the VM. */
      readonly restartRequired: true;
      readonly text: string;
    }
  | {
      /** Do not carry out the step (and so every later one) until the VM has moved. */
      readonly kind: 'hold-step';
      /** The step id (`step-3`). */
      readonly step: string;
      readonly stepLabel: string;
      /** The launcher that step brings, which lacks the VM's type. */
      readonly launcher: string;
      readonly text: string;
    };

export interface VmPlan {
  readonly kind: 'VirtualMachine' | 'VirtualMachineInstance';
  readonly namespace: string;
  readonly name: string;
  readonly requestedMachineType: string;
  /** Canonical type: the running type, else the alias resolved on the pool it would start on, else the requested name. */
  readonly machineType: string;
  readonly nodeName?: string;
  readonly argoCdApplication?: string;
  readonly steps: readonly VmStepPlacement[];
  /** Worst verdict over the steps. */
  readonly verdict: Verdict;
  /** First step with that worst verdict. */
  readonly verdictStep: string;
  /**
   * Why, for a VM a launcher step strands or puts at risk: the step, the launcher that lacks its type,
   * and what follows (the workload update's migration never schedules, node drains stall).
   */
  readonly reason?: string;
  /** For stranded and at-risk VMs: the ways out, best first. */
  readonly fixes: readonly Fix[];
}

export interface PoolCapacity {
  readonly step: string;
  readonly pool: string;
  readonly vms: number;
  /** Requests counted against the pool by the rule; null where the inventory had none. */
  readonly requested: { readonly cpuMillis: number | null; readonly memoryBytes: number | null };
  /** Allocatable of the pool's schedulable nodes less its largest node (one node drained at a time). */
  readonly usable: { readonly cpuMillis: number | null; readonly memoryBytes: number | null };
  readonly overcommitted: boolean;
}

export interface CapacityPlan {
  /** The rule in words, printed with every output. */
  readonly rule: string;
  readonly pools: readonly PoolCapacity[];
}

/** A VM to move to a newer machine type before an upgrade step. */
export interface Transition {
  readonly namespace: string;
  readonly name: string;
  readonly kind: 'VirtualMachine' | 'VirtualMachineInstance';
  readonly from: string;
  readonly to: string;
  /** The step it must be done before. */
  readonly before: string;
  readonly restartRequired: true;
  readonly argoCdApplication?: string;
}

/** For a VM Argo CD owns: the change to make in Git (a JSON merge patch of the VirtualMachine). */
export interface GitPatch {
  readonly argoCdApplication: string;
  readonly namespace: string;
  readonly name: string;
  readonly mergePatch: { readonly spec: { readonly template: { readonly spec: { readonly domain: { readonly machine: { readonly type: string } } } } } };
}

export interface ClusterPlan {
  readonly cluster: string;
  readonly kubevirtVersion: string;
  readonly inventory?: { readonly source: string; readonly nodes: number; readonly vms: number; readonly problems: readonly string[] };
  readonly steps: readonly PlanStep[];
  readonly pools: readonly PoolPlan[];
  readonly grid: MachineTypeGrid;
  /** Sorted worst verdict first, then namespace/name. */
  readonly vms: readonly VmPlan[];
  readonly capacity: CapacityPlan;
  readonly transitions: readonly Transition[];
  readonly patches: readonly GitPatch[];
  /** Inventory nodes no pool's selector matches (they host nothing in the plan). */
  readonly unmatchedNodes: readonly string[];
  /** Nodes whose real machine-type labels disagree with their pool's definition: `node: text`. */
  readonly labelMismatches: readonly string[];
  /**
   * Warnings about single VMs that are not about machine types, `Kind namespace/name …: text`; absent
   * when there are none. Today: on a Kube-OVN cluster, each running VMI without a VirtualMachine
   * (plan/bareVmiWarnings.ts).
   */
  readonly vmWarnings?: readonly string[];
  readonly counts: Readonly<Record<Verdict, number>>;
}

export interface FleetPlan {
  readonly schemaVersion: typeof PLAN_SCHEMA_VERSION;
  readonly clusters: readonly ClusterPlan[];
  /** Sum over clusters: `kvfleet plan` exits 2 when `stranded > 0`. */
  readonly counts: Readonly<Record<Verdict, number>>;
}
