/** `kvfleet plan` for a fleet: one ClusterPlan per cluster and the sums the exit code reads. */
import { type ClusterDefinition } from '../fleet/clusterDefinition.js';
import { type Inventory } from './inventory.js';
import { countVerdicts, planCluster } from './planCluster.js';
import { type FleetPlan, PLAN_SCHEMA_VERSION, type Verdict, VERDICTS } from './planModel.js';

/**
 * Plans every cluster, sorted by name, each with the inventory keyed by its name when there is one.
 * `counts` sums the clusters' counts.
 */
export function planFleet(clusters: readonly ClusterDefinition[], inventories: ReadonlyMap<string, Inventory>): FleetPlan {
  const plans = [...clusters].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((c) => planCluster(c, inventories.get(c.name)));
  const counts = countVerdicts([]);
  for (const plan of plans) for (const v of VERDICTS) counts[v as Verdict] += plan.counts[v];
  return { schemaVersion: PLAN_SCHEMA_VERSION, clusters: plans, counts };
}
