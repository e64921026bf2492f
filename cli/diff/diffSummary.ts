/**
 * The report `kvfleet diff` prints: the fleet diff, the base, whether dist/ is stale, and the one-line
 * summary a PR reader sees first ("2 clusters change — prod-east: pc-q35-rhel8.6.0 newly denied; …"). Pure.
 */
import { type PoolChange } from './matrixDiff.js';
import {
  type ClusterDiff,
  type DeliveryElementChange,
  DIFF_SCHEMA_VERSION,
  type DiffReport,
  type DistFreshness,
  type FleetDiff,
  isEmptyFleetDelivery,
  type VmVerdictDiff,
} from './fleetDiffModel.js';

/** `a, b and 3 more`: the first `n` items of a list a summary line names. */
export function shortList(xs: readonly string[], n = 3): string {
  return xs.length <= n ? xs.join(', ') : `${xs.slice(0, n).join(', ')} and ${xs.length - n} more`;
}

/** The stage an ApplicationSet element moves between, when that is what changed. */
export function stageMove(e: DeliveryElementChange): { before?: string; after?: string } | undefined {
  const f = e.fields.find((x) => x.path === 'stage');
  return f ? { before: f.before as string | undefined, after: f.after as string | undefined } : undefined;
}

export function poolText(p: PoolChange): string {
  const parts: string[] = [];
  if (p.change === 'added') parts.push(`new pool (${p.architecture?.after ?? '?'})`);
  else if (p.change === 'removed') parts.push('pool removed');
  else if (p.architecture) parts.push(`architecture ${p.architecture.before} → ${p.architecture.after}`);
  if (p.change === 'changed' && p.typesAdded.length) parts.push(`now offers ${shortList(p.typesAdded)}`);
  if (p.change === 'changed' && p.typesRemoved.length) parts.push(`no longer offers ${shortList(p.typesRemoved)}`);
  if (p.newlyDeprecated.length) parts.push(`newly deprecates ${shortList(p.newlyDeprecated)}`);
  if (p.afterSteps?.typesAdded.length) parts.push(`after the planned steps offers ${shortList(p.afterSteps.typesAdded)} too`);
  if (p.afterSteps?.typesRemoved.length) parts.push(`after the planned steps no longer offers ${shortList(p.afterSteps.typesRemoved)}`);
  return parts.join('; ');
}

/** `KubeVirt 1.7.0 → 1.8.0 ⇒ …`, or `none` for an empty list of planned steps. */
export function stepsText(steps: readonly string[]): string {
  return steps.length === 0 ? 'none' : steps.join(' ⇒ ');
}

/** At most two phrases that say what matters most for one cluster, worst first. */
function headlines(d: ClusterDiff | undefined, elements: readonly DeliveryElementChange[]): string[] {
  const out: string[] = [];
  const own = elements.find((e) => e.element === e.cluster && e.applicationSet === 'kvfleet') ?? elements.find((e) => e.element === e.cluster);
  if (d?.change === 'added') out.push(own?.fields.some((f) => f.path === 'stage') ? `new cluster (stage ${String(stageMove(own)?.after)})` : 'new cluster');
  if (d?.change === 'removed') out.push('removed from the fleet');
  if (d?.admission.newlyDenied.length) out.push(`${shortList(d.admission.newlyDenied, 2)} newly denied`);
  for (const e of d?.enforcement ?? []) {
    const actions = e.settings.find((s) => s.setting === 'validationActions' || s.setting === 'validationFailureAction');
    if (e.change === 'changed' && actions) out.push(`${e.policy.split('/')[1]} ${actions.before ?? 'unset'} → ${actions.after ?? 'unset'}`);
  }
  const move = own && d?.change !== 'added' ? stageMove(own) : undefined;
  if (move) out.push(move.before && move.after ? `stage ${move.before} → ${move.after}` : move.after ? `joins stage ${move.after}` : `leaves stage ${move.before}`);
  if (out.length === 0 && d) {
    const pool = d.pools[0];
    if (d.admission.newlyWarned.length)
      out.push(
        `${shortList(
          d.admission.newlyWarned.map((w) => w.machineType),
          2,
        )} newly warned`,
      );
    else if (d.launcher) out.push(`launcher ${d.launcher.before ?? '(none)'} → ${d.launcher.after ?? '(none)'}`);
    else if (d.steps) out.push(`planned steps change (${d.steps.before.length} → ${d.steps.after.length}, last: ${d.steps.after.at(-1) ?? 'none'})`);
    else if (pool) out.push(`pool ${pool.pool}: ${poolText(pool)}`);
    else if (d.settings[0]) out.push(`${d.settings[0].setting} ${d.settings[0].before ?? 'unset'} → ${d.settings[0].after ?? 'unset'}`);
    else out.push(`${d.objects.length} object${d.objects.length === 1 ? '' : 's'} change`);
  }
  if (out.length === 0 && elements.length > 0) out.push('delivery changes');
  return out.slice(0, 2);
}

export function summaryLine(diff: FleetDiff, baseRef: string): string {
  const lead = `kvfleet diff against ${baseRef}`;
  const names = [...new Set([...diff.clusters.map((c) => c.cluster), ...diff.fleet.elements.map((e) => e.cluster)])].sort();
  const fleetWide = [
    ...diff.fleet.rolloutSteps.map((s) => `rollout steps of ${s.applicationSet} change`),
    ...(diff.fleet.objects.length
      ? [
          `${shortList(
            diff.fleet.objects.map((o) => o.object),
            2,
          )} ${diff.fleet.objects.length === 1 ? 'changes' : 'change'}`,
        ]
      : []),
  ];
  if (names.length === 0 && fleetWide.length === 0) return `${lead}: No change to any cluster.`;
  const parts = names.map(
    (n) =>
      `${n}: ${headlines(
        diff.clusters.find((c) => c.cluster === n),
        diff.fleet.elements.filter((e) => e.cluster === n),
      ).join(', ')}`,
  );
  const count = names.length === 0 ? 'no cluster changes' : `${names.length} cluster${names.length === 1 ? '' : 's'} change`;
  const tail = [...parts, ...(fleetWide.length ? [`fleet: ${fleetWide.join(', ')}`] : [])];
  return `${lead}: ${count} — ${tail.join('; ')}`;
}

export function diffReport(diff: FleetDiff, base: { ref: string; commit: string }, dist: DistFreshness, workloads?: VmVerdictDiff): DiffReport {
  return {
    schemaVersion: DIFF_SCHEMA_VERSION,
    base,
    summary: summaryLine(diff, base.ref),
    unchanged: diff.clusters.length === 0 && isEmptyFleetDelivery(diff.fleet),
    dist,
    fleet: diff.fleet,
    clusters: diff.clusters,
    ...(workloads ? { workloads } : {}),
  };
}
