/**
 * A simulator scenario's cluster as a normal definition, validated like a `clusters/*.ts` file, so the
 * real generators produce its policies and settings and `kvfleet plan` judges it. Known bugs of the
 * releases it names that would stop synthesis are accepted with `reason`, as a cluster file must give one.
 */
import { type ClusterDefinition, defineCluster } from '../../fleet/clusterDefinition.js';
import { validateCluster } from '../../fleet/fleetValidation.js';
import { knownIssuesOf } from '../../fleet/versionLint.js';

export function simulatorCluster(base: ClusterDefinition, reason: string): ClusterDefinition {
  const blocking = knownIssuesOf(base).filter((f) => f.issue.severity === 'error');
  const input = blocking.length ? defineCluster({ ...base, acceptedKnownIssues: Object.fromEntries(blocking.map((f) => [f.issue.id, reason])) }) : base;
  const validated = validateCluster(`clusters/${base.name}.ts`, input);
  if (!validated.definition) throw new Error(`the ${base.name} scenario's cluster definition is invalid:\n${validated.problems.map(String).join('\n')}`);
  return validated.definition;
}
