/**
 * Whether the `dist/` a PR carries is what its definitions synthesise to. Compared byte for byte:
 * synth promises byte-identical output, and Argo CD applies these bytes, not our reading of them. Pure.
 */
import { type DistFreshness } from './fleetDiffModel.js';

const MAX_FILES = 20;

export function distFreshness(committed: ReadonlyMap<string, string> | undefined, fresh: ReadonlyMap<string, string>): DistFreshness {
  const c = committed ?? new Map<string, string>();
  const paths = [...new Set([...c.keys(), ...fresh.keys()])].sort();
  const files = paths
    .filter((p) => c.get(p) !== fresh.get(p))
    .map((path) => ({ path, change: !c.has(path) ? ('added' as const) : !fresh.has(path) ? ('removed' as const) : ('modified' as const) }));
  return { stale: files.length > 0, files: files.slice(0, MAX_FILES), filesDiffering: files.length };
}
