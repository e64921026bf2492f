/**
 * What `kvfleet plan` knows of a live cluster: its Nodes and its VMs/VMIs, read either from the API
 * server (cli/liveInventory.ts) or from `kubectl get … -o yaml` files (plan/inventoryFromObjects.ts).
 * Both readers produce this shape; the planner (plan/planCluster.ts) never does I/O.
 */

/** CPU in millicores and memory in bytes, parsed from Kubernetes quantities. */
export interface Resources {
  readonly cpuMillis?: number;
  readonly memoryBytes?: number;
}

export interface InventoryNode {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** `status.allocatable` cpu and memory, when the source had them. */
  readonly allocatable?: Resources;
  /** `spec.unschedulable` (cordoned): counted in the pool, never as a migration target. */
  readonly unschedulable: boolean;
}

export interface InventoryVm {
  /** `VirtualMachine` when a VM object exists (with or without a running VMI); `VirtualMachineInstance` for a VMI without a VM. */
  readonly kind: 'VirtualMachine' | 'VirtualMachineInstance';
  readonly namespace: string;
  readonly name: string;
  /** What the spec asks for (maybe an alias such as `q35`); `q35` when the spec names none. */
  readonly requestedMachineType: string;
  /** The canonical type it runs, from the VMI's `status.machine.type`; absent when not running or not yet reported. */
  readonly runningMachineType?: string;
  /** `status.nodeName` of the running VMI. */
  readonly nodeName?: string;
  readonly running: boolean;
  /** Requested cpu/memory of the guest (resources.requests, else memory.guest / cpu topology), when known. */
  readonly requests?: Resources;
  /**
   * The Argo CD Application that owns the VM, from the `argocd.argoproj.io/tracking-id` annotation
   * (`<app>:<group>/<kind>:<ns>/<name>`); absent when Argo CD does not track it.
   */
  readonly argoCdApplication?: string;
  /**
   * For a VMI whose VirtualMachine is not in the inventory: the VirtualMachine its ownerReferences name
   * (the dump left the VM out). Absent for a VMI no VirtualMachine owns, and for entries with a VM.
   */
  readonly ownerVirtualMachine?: string;
}

export interface Inventory {
  /** Where it came from, for the report: `context prod-east (https://…)` or the file names, repository-relative. */
  readonly source: string;
  readonly nodes: readonly InventoryNode[];
  readonly vms: readonly InventoryVm[];
  /** Objects that could not be read (named, with the reason); reported, never silently dropped. */
  readonly problems: readonly string[];
}
