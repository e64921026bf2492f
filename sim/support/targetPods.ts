/**
 * Where migration target pods went. A target pod is the virt-launcher pod virt-controller renders for
 * a VMIM (label `kubevirt.io/migrationJobUID`); kube-scheduler binds it to a node, or never does. The
 * ledger keeps, per target pod, the VMI's architecture and `status.machine.type` and, once it is bound,
 * the node's `kubernetes.io/arch` and whether the node carried `machine-type.node.kubevirt.io/<type>`
 * at that moment. Pure: the observer (observer.ts) feeds it node and pod events with its clock's time.
 *
 * Why it is measured rather than assumed: virt-controller v1.7.0 renders the selectors itself
 * (`kubernetes.io/arch` from `spec.architecture` and the machine-type label from `status.machine.type`,
 * pkg/virt-controller/services/nodeselectorrenderer.go `NewNodeSelectorRenderer`/`WithMachineType`,
 * called from `newNodeSelectorRenderer` in template.go); this counts what the scheduler did with them.
 */
import { DOMAIN_ANNOTATION, KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX, MIGRATION_JOB_UID_LABEL } from '../../compatibility/kubevirtNames.js';

export const ARCH_LABEL = 'kubernetes.io/arch';

export interface TargetPodRecord {
  readonly namespace: string;
  readonly name: string;
  /** `namespace/name` of the VMI it would receive. */
  readonly vmi: string;
  readonly migrationUid: string;
  readonly createdAt: number;
  /** The VMI's `spec.architecture` and `status.machine.type` when the pod was first seen. */
  readonly vmiArchitecture?: string;
  readonly machineType?: string;
  /** `spec.nodeName` once bound, and what the node's labels said then. */
  readonly node?: string;
  readonly boundAt?: number;
  readonly nodeArchitecture?: string;
  readonly nodeOffersType?: boolean;
  /** When the pod was seen deleted (virt-controller deletes an unschedulable one at its timeout). */
  readonly deletedAt?: number;
}

export interface TargetPodPlacement {
  readonly pods: number;
  /** Never bound to a node while the run watched (Pending until deleted, or still at the end). */
  readonly neverBound: number;
  /** Bound to a node whose `kubernetes.io/arch` is not the VMI's `spec.architecture`. */
  readonly wrongArchitecture: number;
  /** Bound to a node without the machine-type label of the VMI's `status.machine.type`. */
  readonly lackingType: number;
}

/** Counts of where the target pods went; a pod on a wrong-arch node that also lacks the type counts in both. */
export function targetPodPlacement(records: readonly TargetPodRecord[]): TargetPodPlacement {
  const bound = records.filter((r) => r.node !== undefined);
  return {
    pods: records.length,
    neverBound: records.length - bound.length,
    wrongArchitecture: bound.filter((r) => r.vmiArchitecture !== undefined && r.nodeArchitecture !== r.vmiArchitecture).length,
    lackingType: bound.filter((r) => r.machineType !== undefined && r.nodeOffersType === false).length,
  };
}

/**
 * Seconds the never-bound target pods existed, summed (a pod still there counts until `end`). While
 * one exists its VMIM holds a migration slot: virt-controller v1.7.0 counts an unfinished VMIM with a
 * target pod as running (`findRunningMigrations` in pkg/virt-controller/watch/migration/migration.go)
 * against `parallelMigrationsPerCluster` and its source node's `parallelOutboundMigrationsPerNode`,
 * and the evacuation controller and workload updater count its `Scheduling` phase the same way.
 */
export function neverBoundSeconds(records: readonly TargetPodRecord[], end: number): number {
  return records.filter((r) => r.node === undefined).reduce((sum, r) => sum + Math.max(0, (r.deletedAt ?? end) - Math.max(0, r.createdAt)), 0);
}

/** Per VMIM UID with target pods: whether any of them was ever bound. */
export function boundByMigration(records: readonly TargetPodRecord[]): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const r of records) out.set(r.migrationUid, (out.get(r.migrationUid) ?? false) || r.node !== undefined);
  return out;
}

/** What the ledger reads of a pod. */
export interface PodView {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly nodeName?: string;
}

/** What the ledger reads of the VMI a pod belongs to. */
export interface VmiFacts {
  readonly architecture?: string;
  readonly machineType?: string;
}

export class TargetPodLedger {
  private readonly nodeLabels = new Map<string, Readonly<Record<string, string>>>();
  private readonly pods = new Map<string, TargetPodRecord>();

  /** A node seen (its labels) or deleted (`undefined`). */
  node(name: string, labels: Readonly<Record<string, string>> | undefined): void {
    if (labels) this.nodeLabels.set(name, labels);
    else this.nodeLabels.delete(name);
  }

  /** A launcher pod seen (`deleted`: its deletion); only target pods (with a migration job UID) are kept. Deletions keep the record. */
  pod(p: PodView, vmiOf: (key: string) => VmiFacts | undefined, now: number, deleted = false): void {
    const migrationUid = p.labels[MIGRATION_JOB_UID_LABEL];
    const vmiName = p.annotations[DOMAIN_ANNOTATION];
    if (!migrationUid || !vmiName) return;
    const key = `${p.namespace}/${p.name}`;
    let r = this.pods.get(key);
    if (!r) {
      const vmi = `${p.namespace}/${vmiName}`;
      const facts = vmiOf(vmi);
      r = {
        namespace: p.namespace,
        name: p.name,
        vmi,
        migrationUid,
        createdAt: now,
        ...(facts?.architecture ? { vmiArchitecture: facts.architecture } : {}),
        ...(facts?.machineType ? { machineType: facts.machineType } : {}),
      };
    }
    if (p.nodeName && r.node === undefined) {
      const labels = this.nodeLabels.get(p.nodeName) ?? {};
      r = {
        ...r,
        node: p.nodeName,
        boundAt: now,
        ...(labels[ARCH_LABEL] ? { nodeArchitecture: labels[ARCH_LABEL] } : {}),
        ...(r.machineType ? { nodeOffersType: labels[KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX + r.machineType] === 'true' } : {}),
      };
    }
    if (deleted && r.deletedAt === undefined) r = { ...r, deletedAt: now };
    this.pods.set(key, r);
  }

  /** Every target pod seen, in the order first seen. */
  records(): TargetPodRecord[] {
    return [...this.pods.values()];
  }
}
