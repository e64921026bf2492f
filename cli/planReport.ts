import { type UpgradeImpact, type WorkloadVerdict } from '../policies/upgradePlan.js';

const OUTCOME_TEXT: Record<WorkloadVerdict['outcome'], string> = {
  unsupported: 'runs on no pool now',
  stranded: 'runs now, on no pool after the upgrades',
  narrowed: 'loses pools in the upgrade: migrate it off them first',
  ok: 'unaffected',
};

/** Human-readable plan for one cluster; the figures come from policies/upgradePlan.ts. */
export function formatPlan(cluster: string, impacts: readonly UpgradeImpact[], verdicts?: readonly WorkloadVerdict[]): string {
  const lines = [`${cluster}:`];
  if (impacts.length === 0) lines.push('  no planned upgrades');
  for (const i of impacts) {
    lines.push(`  pool ${i.pool}: ${i.from} -> ${i.to}, ${i.lost.length} machine type${i.lost.length === 1 ? '' : 's'} dropped`);
    for (const l of i.lost) {
      lines.push(`    ${l.machineType}: ${l.stillHostedBy.length ? `still on ${l.stillHostedBy.join(', ')}` : 'on no pool afterwards'}`);
    }
  }
  if (verdicts) {
    const affected = verdicts.filter((v) => v.outcome !== 'ok');
    lines.push(`  workloads: ${verdicts.length} checked, ${affected.length} affected`);
    for (const v of affected) {
      lines.push(
        `    ${v.outcome.toUpperCase()} ${v.kind} ${v.namespace}/${v.name} (${v.machineType}): ${OUTCOME_TEXT[v.outcome]}` +
          (v.hostsNow.length ? `; now on ${v.hostsNow.join(', ')}` : '') +
          (v.outcome === 'narrowed' ? `; afterwards on ${v.hostsAfterUpgrades.join(', ')}` : ''),
      );
    }
  }
  return lines.join('\n');
}
