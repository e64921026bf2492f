/**
 * The rows of the upgrade simulator's table: what each figure is, which direction is better, and,
 * where kvfleet does not beat KubeVirt alone on it, why — computed from the two modes' figures, so a
 * reason is only given where the figures support it. Pure.
 */
import { DEFAULT_MIGRATION_SETTINGS } from '../../fleet/clusterSchemaDefaults.js';
import { type ArchitectureResult, type ModeResult } from './metrics.js';

export interface Row {
  readonly label: string;
  /** `undefined`: not recorded (a results file from before the figure existed); a row no mode has is left out. */
  readonly value: (r: ModeResult) => number | undefined;
  readonly text?: (r: ModeResult) => string;
  /** Which direction is better for the cluster's operator. */
  readonly better: 'lower' | 'higher';
  /** The value is a duration in seconds (real time: two runs of one mode differ by some jitter). */
  readonly seconds?: boolean;
  /** Why kvfleet (`mine`) does not beat KubeVirt alone (`theirs`) here; `undefined` when the figures do not say. */
  readonly why?: (mine: ModeResult, theirs: ModeResult) => string | undefined;
}

/** `42 s`, `7m05s`, `5h12m`. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
}

const held = (r: ModeResult) => r.outdatedHeld ?? 0;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The hold-only VMs: on a type the step drops, with no type of their family on both launchers. */
const holdOnly = (r: ModeResult) => `${plural(held(r), 'VM')} kvfleet plan could only hold (no type of their family runs before and after the step)`;

/** A drain runs while VMs keep leaving its node (then the stall time): draining more takes longer. */
const drainingWhy = (mine: { drainsStalled: number }, theirs: { drainsStalled: number }) =>
  mine.drainsStalled < theirs.drainsStalled
    ? `a drain runs as long as VMs keep leaving its node; with kvfleet more of them can leave (${mine.drainsStalled} vs ${theirs.drainsStalled} drains stalled), while KubeVirt alone's stalled drains end once nothing leaves`
    : undefined;
const drainTimeWhy = (mine: ModeResult, theirs: ModeResult) => drainingWhy(mine, theirs);

const outdatedWhy = (mine: ModeResult) => {
  if (mine.outdatedHeld === undefined) return undefined;
  const rest = mine.outdatedAtEnd - held(mine);
  return `${held(mine) ? `the ${holdOnly(mine)}` : 'no VM plan could only hold'}${rest > 0 ? `; ${plural(rest, 'VM')} on kept types still waiting for a migration when the run stopped` : ''}`;
};

const updateWhy = (mine: ModeResult) =>
  held(mine) > 0
    ? `the workload updater keeps creating update VMIMs for the ${holdOnly(mine)}; none can schedule, and kvfleet's shorter unschedulable timeout fails them sooner, so more often within the run`
    : undefined;

/** KubeVirt v1.7.0's unschedulable timeout when a VMIM has no annotation (`defaultUnschedulablePendingTimeoutSeconds`). */
export const KUBEVIRT_UNSCHEDULABLE_TIMEOUT_SECONDS = 300;

/**
 * Why kvfleet fails as many or more migrations unschedulable, from KubeVirt v1.7.0's code:
 * - pkg/virt-controller/watch/migration/migration.go `handlePendingPodTimeout`: a target pod Pending
 *   with PodScheduled=False/Unschedulable is deleted once older than `getUnschedulablePendingTimeoutSeconds`
 *   (the VMIM's `kubevirt.io/migrationUnschedulablePodTimeoutSeconds`, else 300 s), and the VMIM then
 *   fails; a pod Pending for any other reason gets the catch-all 900 s (`kubevirt.io/migrationPendingPodTimeoutSeconds`),
 *   which kvfleet leaves alone.
 * - The next VMIM for the VMI comes from the workload updater (workload-updater.go `sync`, every 30 s,
 *   for outdated VMIs without an unfinished VMIM) or the evacuation controller (evacuation.go `sync`);
 *   `handleMigrationBackoff` holds its target pod back 20 s, doubling per earlier failed one
 *   (`garbageCollectFinalizedMigrations` keeps 5 finished VMIMs per VMI, so at most 320 s).
 * - While the target pod exists the VMIM counts as running (`findRunningMigrations`, and `IsRunning`
 *   for `Scheduling` in the evacuation controller and the workload updater) against
 *   `parallelMigrationsPerCluster` and its source node's `parallelOutboundMigrationsPerNode`.
 * kvfleet's VMIM policy puts the cluster's `unschedulableTimeoutSeconds` on every VMIM: such a VMI's
 * VMIMs fail sooner (more of them per hour), and hold those slots for less of the time.
 */
const unschedulableWhy = (mine: ModeResult, theirs: ModeResult): string | undefined => {
  const [m, t] = [mine.unschedulableFailed, theirs.unschedulableFailed];
  if (m === undefined || t === undefined || m === 0 || m < t) return undefined;
  const [mv, tv] = [mine.unschedulableFailedVmis ?? 0, theirs.unschedulableFailedVmis ?? 0];
  const every = (r: ModeResult, n: number, vms: number) => (n > 0 ? `one every ${formatDuration((r.stepSeconds * vms) / n)} per VM` : 'none');
  const reasons = [
    ...(mv > tv ? [`more VMs had a target pod no node could take (${mv} vs ${tv})`] : []),
    `kvfleet's VMIM policy sets ${DEFAULT_MIGRATION_SETTINGS.unschedulableTimeoutSeconds} s (unschedulableTimeoutSeconds' default) where KubeVirt waits ${KUBEVIRT_UNSCHEDULABLE_TIMEOUT_SECONDS} s, so such a VMIM fails sooner and the workload updater or evacuation controller makes the next (${every(mine, m, mv)} vs ${every(theirs, t, tv)})`,
  ];
  const [ms, ts] = [mine.neverBoundTargetPodSeconds, theirs.neverBoundTargetPodSeconds];
  if (ms !== undefined && ts !== undefined) {
    const held = `a Pending target pod holds one of the cluster's parallel-migration slots and one of its node's outbound ones: ${formatDuration(ms)} vs ${formatDuration(ts)} here`;
    reasons.push(
      ms < ts
        ? `${held}; a failure costs the VM nothing (it runs on at its source), a held slot holds up other migrations${mine.drainsStalled < theirs.drainsStalled ? ` (${mine.drainsStalled} vs ${theirs.drainsStalled} drains stalled)` : ''}, so the shorter timeout is the better trade`
        : `${held}, so here the shorter timeout did not free slots`,
    );
  }
  return reasons.join('; ');
};

/** A row of seconds, shown as `7m05s` (`never` for undefined); lower is better. */
function durationRow(label: string, seconds: (r: ModeResult) => number | undefined, why?: Row['why']): Row {
  return { label, value: seconds, text: (r) => formatDuration(seconds(r)!), better: 'lower', seconds: true, ...(why ? { why } : {}) };
}

export const ROWS: readonly Row[] = [
  {
    label: 'VMs left on the outdated launcher (named by plan before)',
    value: (r) => r.outdatedAtEnd,
    text: (r) => `${r.outdatedAtEnd} (${r.outdatedNamedByPlan})`,
    better: 'lower',
    why: outdatedWhy,
  },
  {
    label: 'VMs restarted onto the move-to type before the step',
    value: (r) => r.restartedBeforeStep,
    better: 'lower',
    why: (mine) => (mine.restartedBeforeStep > 0 ? "the restarts are kvfleet plan's fix for the stranded VMs: a reboot each, paid before the step" : undefined),
  },
  { label: 'update migrations created', value: (r) => r.updateMigrations, better: 'lower', why: updateWhy },
  { label: 'update migrations failed', value: (r) => r.updateFailed, better: 'lower', why: updateWhy },
  { label: 'update migrations retried', value: (r) => r.updateRetries, better: 'lower', why: updateWhy },
  {
    label: 'evacuation migrations (failed)',
    value: (r) => r.evacuations,
    text: (r) => `${r.evacuations} (${r.evacuationsFailed})`,
    better: 'lower',
    why: (mine, theirs) =>
      mine.evacuations === theirs.evacuations
        ? 'a drain evacuates the VMs of its node in either mode; kvfleet changes which of them can leave, not how many are tried'
        : mine.drainsStalled < theirs.drainsStalled
          ? `its drains empty more nodes (${mine.drainsStalled} vs ${theirs.drainsStalled} stalled), and a VM moved off one node can be moved again at a later drain`
          : undefined,
  },
  {
    label: 'migrations failed unschedulable: no target pod ever bound (VMs)',
    value: (r) => r.unschedulableFailed,
    text: (r) => `${r.unschedulableFailed} (${r.unschedulableFailedVmis ?? 0})`,
    better: 'lower',
    why: unschedulableWhy,
  },
  {
    label: 'drains stalled',
    value: (r) => r.drainsStalled,
    text: (r) => `${r.drainsStalled} of ${r.drains}`,
    better: 'lower',
    why: (mine) => (held(mine) > 0 && mine.drainsStalled > 0 ? `the nodes of the ${holdOnly(mine)}: no node offers their type after the step` : undefined),
  },
  durationRow('drain time per node, p50', (r) => r.drainP50Seconds, drainTimeWhy),
  durationRow('drain time per node, max', (r) => r.drainMaxSeconds, drainTimeWhy),
  {
    label: 'time to a fully updated cluster',
    value: (r) => r.fullyUpdatedSeconds ?? Number.POSITIVE_INFINITY,
    text: (r) => (r.fullyUpdatedSeconds !== undefined ? formatDuration(r.fullyUpdatedSeconds) : 'never'),
    better: 'lower',
    seconds: true,
    why: (mine) =>
      mine.fullyUpdatedSeconds === undefined && held(mine) > 0 ? `the ${holdOnly(mine)} ${held(mine) === 1 ? 'stays' : 'stay'} on the old launcher` : undefined,
  },
  durationRow('step, start to last drain', (r) => r.stepSeconds, drainTimeWhy),
  {
    label: 'target pods never bound (Pending)',
    value: (r) => r.targetPods?.neverBound,
    better: 'lower',
    why: (mine) =>
      held(mine) > 0 && (mine.targetPods?.neverBound ?? 0) > 0 ? `the target pods of the ${holdOnly(mine)}: no node carries their type's label` : undefined,
  },
  durationRow(
    'migration-slot time held by never-bound target pods',
    (r) => r.neverBoundTargetPodSeconds,
    (mine, theirs) => {
      const [mv, tv] = [mine.unschedulableFailedVmis ?? 0, theirs.unschedulableFailedVmis ?? 0];
      return mv > tv ? `more VMs had a target pod no node could take (${mv} vs ${tv}), each holding a slot until its timeout` : undefined;
    },
  ),
  {
    label: 'target pods on a node of another arch / lacking the type',
    value: (r) => r.targetPods && r.targetPods.wrongArchitecture + r.targetPods.lackingType,
    text: (r) => (r.targetPods ? `${r.targetPods.wrongArchitecture} / ${r.targetPods.lackingType}` : 'n/a'),
    better: 'lower',
    why: (mine, theirs) =>
      mine.targetPods && theirs.targetPods && mine.targetPods.wrongArchitecture + mine.targetPods.lackingType === 0
        ? "virt-controller v1.7.0 itself puts kubernetes.io/arch and the VMI's machine-type label on every target pod, so kube-scheduler binds none elsewhere; kvfleet has nothing to correct"
        : undefined,
  },
  {
    label: 'duplicate in-flight VMIMs',
    value: (r) => r.duplicateInFlight,
    better: 'lower',
    why: (mine) =>
      mine.duplicateInFlight > 0 && mine.kvfleetFallbacks === 0
        ? "KubeVirt's evacuation controller and workload updater racing (kvfleet's controller created no VMIM)"
        : undefined,
  },
];

/** Rows for one architecture's share, shown when the results span more than one architecture. */
function architectureRows(arch: string): Row[] {
  const of = (r: ModeResult): ArchitectureResult | undefined => r.byArchitecture?.[arch];
  return [
    {
      label: `${arch}: VMs left on the outdated launcher`,
      value: (r) => of(r)?.outdatedAtEnd,
      text: (r) => (of(r) ? `${of(r)!.outdatedAtEnd} of ${of(r)!.vmis}` : 'n/a'),
      better: 'lower',
    },
    {
      label: `${arch}: drains stalled`,
      value: (r) => of(r)?.drainsStalled,
      text: (r) => (of(r) ? `${of(r)!.drainsStalled} of ${of(r)!.drains}` : 'n/a'),
      better: 'lower',
    },
    {
      label: `${arch}: drain time per node, max`,
      value: (r) => of(r)?.drainMaxSeconds,
      text: (r) => (of(r) ? formatDuration(of(r)!.drainMaxSeconds) : 'n/a'),
      better: 'lower',
      seconds: true,
      why: (mine, theirs) => {
        const [m, t] = [of(mine), of(theirs)];
        return m && t ? drainingWhy(m, t) : undefined;
      },
    },
    {
      label: `${arch}: all its VMs on the new launcher after`,
      value: (r) => (of(r) ? (of(r)!.fullyUpdatedSeconds ?? Number.POSITIVE_INFINITY) : undefined),
      text: (r) => (of(r) ? (of(r)!.fullyUpdatedSeconds !== undefined ? formatDuration(of(r)!.fullyUpdatedSeconds!) : 'never') : 'n/a'),
      better: 'lower',
      seconds: true,
      why: (mine) => {
        const m = of(mine);
        const n = m?.outdatedHeld ?? 0;
        return m && m.fullyUpdatedSeconds === undefined && n > 0
          ? `the ${plural(n, `${arch} VM`)} kvfleet plan could only hold ${n === 1 ? 'stays' : 'stay'} on the old launcher`
          : undefined;
      },
    },
  ];
}

/** The rows for these results: the common ones, then one block per architecture when there are several. */
export function rowsFor(results: readonly ModeResult[]): Row[] {
  const archs = [...new Set(results.flatMap((r) => Object.keys(r.byArchitecture ?? {})))].sort();
  const rows = [...ROWS, ...(archs.length > 1 ? archs.flatMap(architectureRows) : [])];
  return rows.filter((row) => results.some((r) => row.value(r) !== undefined));
}

/**
 * Why kvfleet does not win a row: the row's own reason, else what holds for any row (neither had any;
 * a time within what one run per mode can tell apart), else a pointer to the record.
 */
export function notWonReason(row: Row, mine: ModeResult, theirs: ModeResult): string {
  const specific = row.why?.(mine, theirs);
  if (specific) return specific;
  const [a, b] = [row.value(mine), row.value(theirs)];
  if (a === 0 && b === 0) return 'neither mode had any';
  if (a === undefined || b === undefined) return 'not recorded for both modes';
  if (row.seconds && Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= 0.1 * Math.max(a, b)) {
    return `${Math.round(Math.abs(a - b))} s apart (${Math.round((100 * Math.abs(a - b)) / Math.max(a, b, 1))} %): one run per mode on a shared machine cannot tell that from jitter`;
  }
  return "the figures do not say why; the run's record (--logs) has every VMIM and drain";
}
