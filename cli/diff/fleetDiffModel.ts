/**
 * What `kvfleet diff` found, as plain data: the Markdown report renders it and `--output json` prints
 * it as it is. `DIFF_SCHEMA_VERSION` changes whenever a field's meaning changes or a field is removed
 * (adding a field does not). Every list is sorted, so the same two trees give the same bytes.
 */
import { type MatrixDiff, type PoolChange } from './matrixDiff.js';
import { type FieldChange } from './fieldChanges.js';

/** v2: pools lost `release`/`upgrade` (the launcher model: clusters gained `launcher` and `steps`). */
export const DIFF_SCHEMA_VERSION = 'kvfleet.io/diff/v2';

/** Machine types the admission policies decide on, before → after. */
export interface AdmissionChange {
  /** Pinned types the deny policy admitted before and denies now (no node pool runs them). */
  readonly newlyDenied: readonly string[];
  /** Types denied before and admitted now. */
  readonly newlyAdmitted: readonly string[];
  /** Types the warning policy now warns about, with the warning. */
  readonly newlyWarned: readonly { readonly machineType: string; readonly message: string }[];
  /** Types it warned about before and no longer does. */
  readonly noLongerWarned: readonly string[];
  /** Types warned about on both sides with another message now. */
  readonly warningChanged: readonly { readonly machineType: string; readonly before: string; readonly after: string }[];
}

/** How hard a policy acts: Kyverno CEL `validationActions`, `failurePolicy`, classic `validationFailureAction`. */
export interface EnforcementChange {
  /** `ValidatingPolicy/kvfleet-vm-machine-type`. */
  readonly policy: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** `validationActions`, `failurePolicy` or `validationFailureAction`, each `Deny`, `Warn, Audit`, … or absent. */
  readonly settings: readonly { readonly setting: string; readonly before?: string; readonly after?: string }[];
}

export type SettingArea = 'controller' | 'kubevirt' | 'kube-ovn';

/** One setting a platform engineer knows by name, before → after (absent: unset, object absent). */
export interface SettingChange {
  readonly area: SettingArea;
  /** What carries it: `migration controller`, `KubeVirt CR kubevirt`, `MigrationPolicy kvfleet-large-vms`. */
  readonly subject: string;
  readonly setting: string;
  readonly before?: string;
  readonly after?: string;
}

export interface ObjectChange {
  /** `Kind/name` or a values file path. */
  readonly object: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** For `changed`: the paths of the fields that differ, sorted. */
  readonly fields: readonly string[];
}

export interface ClusterDiff {
  readonly cluster: string;
  /** `added`: the cluster is new in this change; `removed`: it goes. */
  readonly change: 'added' | 'removed' | 'changed';
  /** The launcher the cluster runs now, when it changes (cli/diff/matrixDiff.ts). */
  readonly launcher?: MatrixDiff['launcher'];
  /** The planned steps by label, when the list changes. */
  readonly steps?: MatrixDiff['steps'];
  /** Per pool: architecture, types offered now and after the last step, newly deprecated. */
  readonly pools: readonly PoolChange[];
  readonly admission: AdmissionChange;
  readonly enforcement: readonly EnforcementChange[];
  readonly settings: readonly SettingChange[];
  readonly objects: readonly ObjectChange[];
}

/** One ApplicationSet list element (a cluster, or a cluster's chart) that changes. */
export interface DeliveryElementChange {
  readonly applicationSet: string;
  /** The element's cluster, and for chart elements `cluster/component`. */
  readonly element: string;
  readonly cluster: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** Element fields that differ (`stage`, `server`, `chartVersion`, …). */
  readonly fields: readonly FieldChange[];
}

export interface FleetDeliveryDiff {
  readonly elements: readonly DeliveryElementChange[];
  /** RollingSync steps per ApplicationSet, each rendered as `canary` or `production (maxUpdate 50%)`. */
  readonly rolloutSteps: readonly { readonly applicationSet: string; readonly before: readonly string[]; readonly after: readonly string[] }[];
  /** AppProjects and every other `_argocd/` object, field by field. */
  readonly objects: readonly (ObjectChange & { readonly changes: readonly FieldChange[] })[];
}

export interface FleetDiff {
  /** Only the clusters that change, by name. */
  readonly clusters: readonly ClusterDiff[];
  readonly fleet: FleetDeliveryDiff;
}

/** The committed `dist/` against a fresh synth of the working tree. */
export interface DistFreshness {
  readonly stale: boolean;
  /** Files that differ, `<cluster>/<file>`, sorted (at most the first 20). */
  readonly files: readonly { readonly path: string; readonly change: 'added' | 'removed' | 'modified' }[];
  readonly filesDiffering: number;
}

/** A VM whose plan verdict changes (needs --workloads and --cluster). */
export interface VmVerdictChange {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly machineType: string;
  readonly before: string;
  readonly after: string;
}

export interface VmVerdictDiff {
  readonly cluster: string;
  /** Set when the section could not be computed; the rest of the report stands. */
  readonly skipped?: string;
  readonly changes: readonly VmVerdictChange[];
  readonly checked: number;
}

export interface DiffReport {
  readonly schemaVersion: typeof DIFF_SCHEMA_VERSION;
  /** The ref as given (or the default) and the commit it resolved to. */
  readonly base: { readonly ref: string; readonly commit: string };
  /** The one-line summary the Markdown starts with. */
  readonly summary: string;
  /** True only when both synthesised sides mean the same. */
  readonly unchanged: boolean;
  readonly dist: DistFreshness;
  readonly fleet: FleetDeliveryDiff;
  readonly clusters: readonly ClusterDiff[];
  readonly workloads?: VmVerdictDiff;
}

export const isEmptyFleetDelivery = (f: FleetDeliveryDiff): boolean => f.elements.length === 0 && f.rolloutSteps.length === 0 && f.objects.length === 0;
