/**
 * `kvfleet plan`: what a cluster's planned hypervisor upgrades take away, and which VMs that
 * strands. Pure: the CLI feeds it resolved pools and VM/VMI objects read from files.
 */
import { isMachineTypeAlias } from '../compatibility/machineTypeNames.js';
import { placeMachineType } from '../compatibility/placement.js';
import { type ResolvedPool } from '../compatibility/poolMachineTypes.js';

export interface LostMachineType {
  readonly machineType: string;
  /** Pools that still run it once every planned upgrade is done. */
  readonly stillHostedBy: readonly string[];
}

export interface UpgradeImpact {
  readonly pool: string;
  readonly from: string;
  readonly to: string;
  readonly lost: readonly LostMachineType[];
}

/** Per pool with a planned upgrade: the types it stops offering, and who still offers them after. */
export function upgradeImpacts(pools: readonly ResolvedPool[]): UpgradeImpact[] {
  return pools
    .filter((p) => p.upgrade)
    .map((p) => ({
      pool: p.name,
      from: p.current.release,
      to: p.upgrade!.release,
      lost: p.current.supported
        .filter((t) => !p.upgrade!.supported.includes(t))
        .map((t) => ({ machineType: t, stillHostedBy: placeMachineType(pools, t).hostsAfterUpgrades })),
    }));
}

/** What the plan needs to know of a VM or VMI. */
export interface WorkloadRef {
  readonly kind: 'VirtualMachine' | 'VirtualMachineInstance';
  readonly namespace: string;
  readonly name: string;
  /** Canonical type from VMI status when running, else the spec's type (maybe an alias), else q35. */
  readonly machineType: string;
}

export type WorkloadOutcome =
  /** Runs somewhere now and after every planned upgrade. */
  | 'ok'
  /** Runs now, and after the upgrades only on fewer pools: migrate it before its pool upgrades. */
  | 'narrowed'
  /** Runs now but on no pool once the upgrades are done. */
  | 'stranded'
  /** Runs on no pool even now. */
  | 'unsupported';

export interface WorkloadVerdict extends WorkloadRef {
  readonly outcome: WorkloadOutcome;
  readonly hostsNow: readonly string[];
  readonly hostsAfterUpgrades: readonly string[];
}

export function planWorkloads(pools: readonly ResolvedPool[], workloads: readonly WorkloadRef[]): WorkloadVerdict[] {
  return workloads.map((w) => {
    const p = placeMachineType(pools, w.machineType);
    // An alias is re-resolved at the next boot, so a stopped VM on `q35` only needs some pool.
    const outcome: WorkloadOutcome =
      p.hostsNow.length === 0
        ? 'unsupported'
        : p.hostsAfterUpgrades.length === 0
          ? 'stranded'
          : !isMachineTypeAlias(w.machineType) && p.lostByUpgrade.length > 0
            ? 'narrowed'
            : 'ok';
    return { ...w, outcome, hostsNow: p.hostsNow, hostsAfterUpgrades: p.hostsAfterUpgrades };
  });
}

/** Reads a VM or VMI object (as `kubectl get -o yaml` prints it) into a WorkloadRef; undefined for anything else. */
export function workloadRef(obj: unknown): WorkloadRef | undefined {
  if (typeof obj !== 'object' || obj === null) return undefined;
  const o = obj as {
    kind?: string;
    metadata?: { name?: string; namespace?: string };
    spec?: { domain?: { machine?: { type?: string } }; template?: { spec?: { domain?: { machine?: { type?: string } } } } };
    status?: { machine?: { type?: string } };
  };
  if (!o.metadata?.name) return undefined;
  const base = { namespace: o.metadata.namespace ?? 'default', name: o.metadata.name };
  // status.machine.type, not spec: spec often holds the alias "q35", which every node matches.
  if (o.kind === 'VirtualMachineInstance') {
    return { kind: o.kind, ...base, machineType: o.status?.machine?.type || o.spec?.domain?.machine?.type || 'q35' };
  }
  if (o.kind === 'VirtualMachine') {
    return { kind: o.kind, ...base, machineType: o.spec?.template?.spec?.domain?.machine?.type || 'q35' };
  }
  return undefined;
}
