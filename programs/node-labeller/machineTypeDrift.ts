/**
 * Drift: the machine types a node really offers against the catalogue entry of the cluster's
 * current launcher for the node's architecture (its pool's `sets[0]`). Pure.
 *
 * Why the launcher and not the node: the QEMU that runs a VM is the one in the cluster's
 * virt-launcher image, and so is the QEMU both labellers ask (compatibility/launcherCatalogue.ts).
 * A node therefore differs from its entry only when it runs another launcher (the virt-handler
 * canary window of an upgrade, or a wrong image) or is broken; its OS plays no part.
 */
import { type MachineTypeLabeller } from '../../compatibility/kubevirtVersions.js';
import { type Architecture, architectureOf, parseMachineType, sortMachineTypes } from '../../compatibility/machineTypeNames.js';
import { type MatrixStep } from '../../compatibility/matrixDocument.js';
import { type MachineTypeSet, type ResolvedPool } from '../../compatibility/poolMachineTypes.js';

export interface MachineTypeDrift {
  /** Offered by the node, not in its launcher's entry. Sorted. */
  readonly extra: readonly string[];
  /** In its launcher's entry, not offered by the node. Sorted. */
  readonly missing: readonly string[];
}

/** `none`: the node measures its launcher's entry; `canary`: a later planned step's; `unknown-launcher`: no step's. */
export type DriftReason = 'none' | 'canary' | 'unknown-launcher';

/** One labeller's reading of a node: kvfleet's parsed capabilities, or KubeVirt's node labels. */
export interface Measurement {
  readonly by: MachineTypeLabeller;
  readonly types: readonly string[];
}

export interface LauncherDrift extends MachineTypeDrift {
  readonly pool: string;
  /** The launcher the node should run now (matrix `steps[0]`). */
  readonly launcher: string;
  readonly reason: DriftReason;
  /** Whose reading differs; absent without drift. */
  readonly measuredBy?: MachineTypeLabeller;
  /** With `canary`: the planned step whose launcher's set the node measures. */
  readonly step?: MatrixStep & { readonly index: number };
  /** One sentence for Events, logs and the annotation; absent without drift. */
  readonly explanation?: string;
}

/**
 * Only versioned names of a family of the node's architecture take part: the catalogue speaks no
 * other vocabulary, so `microvm`, `isapc`, `xenfv-*`, RHEL 6's `rhel6.x.0` or the aliases can be
 * neither in an entry nor missing, and the i686 guest's list cannot flag an amd64 node.
 */
export function isDriftRelevant(machineType: string, architecture: Architecture): boolean {
  return parseMachineType(machineType) !== undefined && architectureOf(machineType) === architecture;
}

const relevant = (types: readonly string[], architecture: Architecture) => sortMachineTypes(types.filter((t) => isDriftRelevant(t, architecture)));

export function machineTypeDrift(offered: readonly string[], declared: MachineTypeSet): MachineTypeDrift {
  const got = relevant(offered, declared.architecture);
  const want = relevant(declared.supported, declared.architecture);
  const gotSet = new Set(got);
  const wantSet = new Set(want);
  return { extra: got.filter((t) => !wantSet.has(t)), missing: want.filter((t) => !gotSet.has(t)) };
}

export const hasDrift = (d: MachineTypeDrift): boolean => d.extra.length > 0 || d.missing.length > 0;

/** The first planned step (index ≥ 1) whose set the reading equals exactly; node-OS steps reuse their predecessor's set, so the launcher step comes first. */
function matchingStep(pool: ResolvedPool, offered: readonly string[]): number | undefined {
  for (let k = 1; k < pool.sets.length; k++) if (!hasDrift(machineTypeDrift(offered, pool.sets[k]!))) return k;
  return undefined;
}

/**
 * The drift decision for a node of `pool`. Each reading is compared with the current launcher's
 * entry; the first that differs decides. If it equals a later planned step's set, the node's
 * virt-handler already runs that step's launcher: virt-operator rolls a new virt-handler out to a
 * canary first, then 10 % of nodes at a time (kubevirt pkg/virt-operator/resource/apply/apps.go),
 * so during an upgrade some nodes label the next launcher's types. Otherwise the node runs a
 * launcher the definition does not know, or is broken.
 */
export function launcherDrift(pool: ResolvedPool, steps: readonly MatrixStep[], readings: readonly Measurement[]): LauncherDrift {
  const base = { pool: pool.name, launcher: pool.current.launcher };
  for (const reading of readings) {
    const drift = machineTypeDrift(reading.types, pool.current);
    if (!hasDrift(drift)) continue;
    const k = matchingStep(pool, reading.types);
    const step = k !== undefined ? steps[k] : undefined;
    // Only virt-handler's labels can be in a canary window: kvfleet's own reading uses the launcher
    // image of dist/, so a kvfleet reading of a later step means that image is not the cluster's.
    if (k !== undefined && step && reading.by === 'kvfleet') {
      return {
        ...base,
        ...drift,
        reason: 'unknown-launcher',
        measuredBy: reading.by,
        step: { ...step, index: k },
        explanation: `the labeller's capabilities equal the launcher of planned step ${k} (${step.label}, ${step.launcher}), not the current one: its launcher image is not the cluster's`,
      };
    }
    if (k !== undefined && step) {
      return {
        ...base,
        ...drift,
        reason: 'canary',
        measuredBy: reading.by,
        step: { ...step, index: k },
        explanation: `virt-handler on this node already runs the launcher of planned step ${k} (${step.label}, ${step.launcher}): the canary window of that upgrade`,
      };
    }
    return { ...base, ...drift, reason: 'unknown-launcher', measuredBy: reading.by, explanation: 'wrong launcher image or a broken node' };
  }
  return { ...base, extra: [], missing: [], reason: 'none' };
}
