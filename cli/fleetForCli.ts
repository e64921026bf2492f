import { type ClusterDefinition } from '../fleet/clusterDefinition.js';
import { FleetDefinitionErrors } from '../fleet/definitionError.js';
import { loadFleet } from '../fleet/loadFleet.js';

/** The validated fleet, optionally one cluster of it; throws with every problem when invalid. */
export async function validatedFleet(clustersDir: string, projectDir: string, only?: string): Promise<ClusterDefinition[]> {
  const { clusters, problems } = await loadFleet(clustersDir, projectDir);
  const errors = problems.filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new FleetDefinitionErrors(errors);
  const defs = clusters.map((c) => c.definition).sort((a, b) => (a.name < b.name ? -1 : 1));
  if (only === undefined) return defs;
  const found = defs.filter((d) => d.name === only);
  if (found.length === 0) throw new Error(`no cluster named "${only}" (have: ${defs.map((d) => d.name).join(', ')})`);
  return found;
}
