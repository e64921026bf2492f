import { type SynthResult } from './synthFleet.js';

/** One line per cluster, then its warnings indented under it. */
export function formatSummary(result: SynthResult): string {
  const lines: string[] = [];
  for (const c of result.clusters) {
    const w = c.warnings.length;
    lines.push(`${c.cluster}: ${c.objects} objects written to dist/${c.cluster}/, ${w} warning${w === 1 ? '' : 's'}`);
    for (const warning of c.warnings) lines.push(`  warning: ${warning.toString().replace(/\n/g, '\n  ')}`);
  }
  return lines.join('\n');
}
