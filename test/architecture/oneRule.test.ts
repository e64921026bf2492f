/**
 * Issue 18: one rule for "does node n run type t" and one for "which type should this VM move to",
 * each used everywhere. These tests ask every consumer the same question on the same cases and
 * require the same answer: the plan, `explain --workloads`, the migration controller and the
 * target-pod policies for the node rule; admission warnings and plan fixes for the move-to rule.
 */
import { describe, expect, test } from 'vitest';
import edgeOvn from '../../clusters/edge-ovn.js';
import legacyApps from '../../clusters/legacy-apps.js';
import prodEast from '../../clusters/prod-east.js';
import { schedulingContractOf } from '../../compatibility/kubevirtVersions.js';
import { MACHINE_TYPE_LABEL_PREFIX } from '../../compatibility/labelKeys.js';
import { moveToMachineType } from '../../compatibility/moveTo.js';
import { nodeOffersMachineType, schedulerMachineTypeLabelKey } from '../../compatibility/nodeRule.js';
import { placeMachineType } from '../../compatibility/placement.js';
import { resolveCluster } from '../../compatibility/poolMachineTypes.js';
import { type ClusterDefinition } from '../../fleet/clusterDefinition.js';
import { inventoryFromObjects } from '../../plan/inventoryFromObjects.js';
import { machineTypeNodes } from '../../plan/machineTypeNodes.js';
import { planCluster } from '../../plan/planCluster.js';
import { selectorAdditionsCel } from '../../policies/kyverno-cel/nodeSelectorPatch.js';
import { machineTypeAdmission } from '../../policies/vm-machine-type/machineTypeAdmission.js';
import { exclusionOf } from '../../programs/migration-controller/migrationTargets.js';
import { testCluster, testPool, upgradingTestCluster } from '../../testbed/support/clusterFixtures.js';
import { kubevirtMachineTypeLabels, kvfleetMachineTypeLabels, launcherStepInventoryObjects, nodeObject } from '../../testbed/support/planInventories.js';

const CLUSTERS: readonly ClusterDefinition[] = [prodEast, legacyApps, edgeOvn, upgradingTestCluster()];

describe('the node rule: plan, explain, the controller and the policies count the same hosts', () => {
  // KubeVirt 1.5.0 (kvfleet labels the nodes) and 1.6.2 (KubeVirt does), each with nodes labelled by
  // kvfleet only, by KubeVirt only, by both, and by neither.
  const cases = ['1.5.0', '1.6.2'].map((kubevirtVersion) => testCluster({ kubevirtVersion, nodePools: [testPool('east')] }));

  test.each(cases.map((c) => [c.kubevirtVersion, c] as const))('KubeVirt %s', (_v, cluster) => {
    const set = resolveCluster(cluster).pools[0]!.current;
    const pool = { 'node.example.com/pool': 'east' };
    const nodes = [
      nodeObject('kvfleet-only', { labels: { ...pool, ...kvfleetMachineTypeLabels(set) } }),
      nodeObject('kubevirt-only', { labels: { ...pool, ...kubevirtMachineTypeLabels(set) } }),
      nodeObject('both', { labels: { ...pool, ...kvfleetMachineTypeLabels(set), ...kubevirtMachineTypeLabels(set) } }),
      nodeObject('neither', { labels: pool }),
    ];
    const labeller = schedulingContractOf(cluster.kubevirtVersion).machineTypeLabeller;
    const inventory = inventoryFromObjects(nodes, 'test');
    for (const type of set.supported) {
      const byRule = nodes
        .filter((n) => nodeOffersMachineType((n.metadata as { labels: Record<string, string> }).labels, type, labeller))
        .map((n) => (n.metadata as { name: string }).name)
        .sort();
      const byExplain = machineTypeNodes(cluster, inventory, type)!.steps[0]!.nodes;
      const byController = nodes
        .map((n) => ({
          name: (n.metadata as { name: string }).name,
          hostname: '',
          ready: true,
          cordoned: false,
          draining: false,
          labels: (n.metadata as { labels: Record<string, string> }).labels,
        }))
        .filter((n) => exclusionOf(n, { machineType: type, labeller, excluded: new Set(), nodes: [], tieBreakSeed: '' }) !== 'lacks-machine-type')
        .map((n) => n.name)
        .sort();
      expect(byRule).toEqual(labeller === 'kubevirt' ? ['both', 'kubevirt-only'] : ['both', 'kvfleet-only']);
      expect(byExplain).toEqual(byRule);
      expect(byController).toEqual(byRule);
    }
    // Where kvfleet selects (before 1.5.1), the policies add exactly the label the rule checks; after, none.
    if (labeller === 'kvfleet') {
      expect(schedulerMachineTypeLabelKey('pc-q35-rhel9.6.0', labeller)).toBe(`${MACHINE_TYPE_LABEL_PREFIX}pc-q35-rhel9.6.0`);
      expect(selectorAdditionsCel('variables.machineType', 'variables.target', 'variables.existing')).toContain(JSON.stringify(MACHINE_TYPE_LABEL_PREFIX).slice(1, -1));
    }
  });
});

describe('the move-to rule: admission warnings and plan fixes advise the same type', () => {
  test.each(CLUSTERS.map((c) => [c.name, c] as const))('%s', (_name, cluster) => {
    const resolved = resolveCluster(cluster);
    const admission = machineTypeAdmission(cluster.name, resolved);
    const plan = planCluster(cluster, inventoryFromObjects(launcherStepInventoryObjects(cluster), 'test'));
    let compared = 0;
    for (const warning of admission.warnings) {
      const move = moveToMachineType(resolved.pools, warning.machineType);
      if (!move || move.machineType === warning.machineType) continue;
      expect(warning.message).toContain(`restart the VM onto ${move.machineType}`);
      const vm = plan.vms.find((v) => v.machineType === warning.machineType);
      const fix = vm?.fixes.find((f) => f.kind === 'restart-onto-newer-type');
      // Plan offers a restart only to VMs a step strands or puts at risk; where it does, it names the same type.
      if (fix && fix.kind === 'restart-onto-newer-type') {
        expect(fix.machineType).toBe(move.machineType);
        compared += 1;
      }
    }
    // Every cluster whose steps drop a type running VMs use must have been compared at least once.
    const drops = resolved.pools.some((p) => p.current.supported.some((t) => placeMachineType(resolved.pools, t).firstStepWithoutHost !== undefined));
    if (drops) expect(compared).toBeGreaterThan(0);
  });
});
