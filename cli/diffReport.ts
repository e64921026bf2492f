import { type MatrixDiff } from '../policies/matrixDiff.js';
import { type DistFileChange } from './distDiff.js';

const list = (xs: readonly string[]) => xs.join(', ');

/** Markdown, so the output can be pasted into (or posted to) the PR as it is. */
export function formatDiff(diffs: readonly MatrixDiff[], files: readonly DistFileChange[], base: string): string {
  const out: string[] = [`## kvfleet diff against ${base}`];
  const clusters = [...new Set([...diffs.map((d) => d.cluster), ...files.map((f) => f.path.split('/')[0]!)])].sort();
  if (clusters.length === 0) return `${out[0]}\n\nNo change to any cluster.`;
  for (const cluster of clusters) {
    out.push('', `### ${cluster}`);
    const d = diffs.find((x) => x.cluster === cluster);
    if (d?.nowDenied.length) out.push(`- **newly denied** pinned machine types: ${list(d.nowDenied)}`);
    if (d?.nowAllowed.length) out.push(`- newly admitted machine types: ${list(d.nowAllowed)}`);
    for (const p of d?.pools ?? []) {
      const parts = [`pool \`${p.pool}\` ${p.change}`];
      if (p.release) parts.push(`release ${p.release.before ?? '–'} → ${p.release.after ?? '–'}`);
      if (p.upgrade) parts.push(`planned upgrade ${p.upgrade.before ?? 'none'} → ${p.upgrade.after ?? 'none'}`);
      if (p.typesAdded.length) parts.push(`offers ${list(p.typesAdded)}`);
      if (p.typesRemoved.length) parts.push(`no longer offers ${list(p.typesRemoved)}`);
      if (p.newlyDeprecated.length) parts.push(`now deprecates ${list(p.newlyDeprecated)}`);
      out.push(`- ${parts.join('; ')}`);
    }
    const changed = files.filter((f) => f.path.startsWith(`${cluster}/`));
    if (changed.length) {
      out.push(`- objects: ${changed.map((f) => `${f.status} \`${f.path.slice(cluster.length + 1)}\``).join(', ')}`);
    }
  }
  return out.join('\n');
}
