import { type SynthResult } from './synthFleet.js';

/** One line for the Argo CD folder (first, as `_argocd` sorts in dist/), then one per cluster with its warnings indented under it. */
export function formatSummary(result: SynthResult): string {
  const { folder, objects } = result.argocd;
  const lines: string[] = [`${folder}: ${objects} Argo CD objects written to dist/${folder}/ (apply them to the Argo CD cluster when they change)`];
  for (const c of result.clusters) {
    const w = c.warnings.length;
    lines.push(`${c.cluster}: ${c.objects} objects written to dist/${c.cluster}/, ${w} warning${w === 1 ? '' : 's'}`);
    for (const warning of c.warnings) lines.push(`  warning: ${warning.toString().replace(/\n/g, '\n  ')}`);
  }
  return lines.join('\n');
}
