/**
 * What one mode's run recorded, and the figures the table reports. Pure: the run (runMode.ts) records
 * facts through the API server (every VMIM with its target node and outcome, every target pod with its
 * node and selector, every drain), this module counts them against the launcher each node runs. Times
 * are seconds since the first drain started.
 */
import { KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX } from '../../compatibility/kubevirtNames.js';
import { MACHINE_TYPE_LABEL_PREFIX } from '../../compatibility/labelKeys.js';
import { type LauncherEntry } from '../../compatibility/launcherCatalogue.js';
import { type DrainRecord, type MigrationRecord, quantile } from '../upgrade/metrics.js';
import { type TargetPodRecord } from '../support/targetPods.js';
import { launcherById, offers } from './scenario.js';

export const PRE_NATIVE_MODES = ['baseline', 'kvfleet'] as const;
export type PreNativeModeName = (typeof PRE_NATIVE_MODES)[number];

/** A target pod's nodeSelector keys, and how many target pods had exactly those. */
export interface SelectorShape {
  readonly keys: readonly string[];
  readonly pods: number;
}

export interface PreNativeRecord {
  readonly mode: PreNativeModeName;
  readonly brokenNode: string;
  /** Catalogue entry id of each node's launcher. */
  readonly nodeLaunchers: Readonly<Record<string, string>>;
  /** `namespace/name` → `status.machine.type` when the drains started. */
  readonly vmiTypes: Readonly<Record<string, string>>;
  readonly migrations: readonly MigrationRecord[];
  readonly targetPods: readonly TargetPodRecord[];
  /** What the target pods selected, as virt-controller rendered them (plus kvfleet's policy in its mode). */
  readonly targetPodSelectors: readonly SelectorShape[];
  readonly drains: readonly DrainRecord[];
  /** `namespace/name` of the VMIs running on the broken node at the end. */
  readonly onBrokenNodeAtEnd: readonly string[];
  /** First drain start → last drain end. */
  readonly drainSeconds: number;
  readonly duplicateInFlight: number;
}

export interface PreNativeResult {
  readonly mode: PreNativeModeName;
  /** VMIMs created during the drains (evacuations, and kvfleet's fallbacks in its mode). */
  readonly migrations: number;
  readonly migrationsSucceeded: number;
  readonly migrationsFailed: number;
  /** Failed VMIMs whose target node's launcher lacks the VMI's type. */
  readonly failedOnNodeLackingType: number;
  /** Target pods bound to a node whose launcher lacks the VMI's type. */
  readonly targetPodsOnNodeLackingType: number;
  /** VMIMs created for a VMI right after its previous one failed. */
  readonly retries: number;
  readonly kvfleetFallbacks: number;
  readonly drains: number;
  readonly drainsStalled: number;
  readonly drainP50Seconds: number;
  readonly drainMaxSeconds: number;
  readonly drainSeconds: number;
  /** Distinct VMIs some drain left on its node (stalled drains). */
  readonly vmisLeftOnDrainedNodes: number;
  /** VMIs running on the broken node at the end (on types its launcher has). */
  readonly vmisOnBrokenNodeAtEnd: number;
  readonly duplicateInFlight: number;
}

/** Whether `node`'s launcher lacks `machineType` (unknown node or type: false, nothing to judge). */
export function lacksType(nodeLaunchers: Readonly<Record<string, string>>, node: string | undefined, machineType: string | undefined): boolean {
  const id = node === undefined ? undefined : nodeLaunchers[node];
  if (id === undefined || machineType === undefined) return false;
  const entry: LauncherEntry = launcherById(id);
  return !offers(entry, 'amd64', machineType);
}

/** VMIMs whose VMI's previous VMIM (by creation) failed: KubeVirt's evacuation controller trying again. */
export function retries(migrations: readonly MigrationRecord[]): number {
  const last = new Map<string, MigrationRecord['outcome']>();
  let n = 0;
  for (const m of [...migrations].sort((a, b) => a.createdAt - b.createdAt)) {
    if (last.get(m.vmi) === 'failed') n++;
    last.set(m.vmi, m.outcome);
  }
  return n;
}

export function preNativeResult(r: PreNativeRecord): PreNativeResult {
  const failed = r.migrations.filter((m) => m.outcome === 'failed');
  const durations = r.drains.map((d) => d.endedAt - d.startedAt);
  return {
    mode: r.mode,
    migrations: r.migrations.length,
    migrationsSucceeded: r.migrations.filter((m) => m.outcome === 'succeeded').length,
    migrationsFailed: failed.length,
    failedOnNodeLackingType: failed.filter((m) => lacksType(r.nodeLaunchers, m.targetNode, r.vmiTypes[m.vmi])).length,
    targetPodsOnNodeLackingType: r.targetPods.filter((p) => lacksType(r.nodeLaunchers, p.node, p.machineType ?? r.vmiTypes[p.vmi])).length,
    retries: retries(r.migrations),
    kvfleetFallbacks: r.migrations.filter((m) => m.origin === 'kvfleet').length,
    drains: r.drains.length,
    drainsStalled: r.drains.filter((d) => d.ended === 'stalled').length,
    drainP50Seconds: quantile(durations, 0.5),
    drainMaxSeconds: quantile(durations, 1),
    drainSeconds: r.drainSeconds,
    vmisLeftOnDrainedNodes: new Set(r.drains.flatMap((d) => d.left.map((l) => `${l.namespace}/${l.name}`))).size,
    vmisOnBrokenNodeAtEnd: r.onBrokenNodeAtEnd.length,
    duplicateInFlight: r.duplicateInFlight,
  };
}

/** A machine-type label key with its type replaced by `<type>`, so target pods of every type share one shape. */
const shapeKey = (key: string) => {
  const prefix = [MACHINE_TYPE_LABEL_PREFIX, KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX].find((p) => key.startsWith(p));
  return prefix ? `${prefix}<type>` : key;
};

/** Target pods grouped by the keys of their nodeSelector (machine types as `<type>`), most common first. */
export function selectorShapes(selectors: readonly Readonly<Record<string, string>>[]): SelectorShape[] {
  const counts = new Map<string, number>();
  for (const s of selectors) {
    const key = JSON.stringify([...new Set(Object.keys(s).map(shapeKey))].sort());
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, pods]) => ({ keys: JSON.parse(k) as string[], pods })).sort((a, b) => b.pods - a.pods || a.keys.join().localeCompare(b.keys.join()));
}
