import { describe, expect, test } from 'vitest';
import { NATIVE_MACHINE_TYPE_SELECTOR_SINCE, schedulingContractOf } from '../../compatibility/kubevirtVersions.js';
import { POLICY_NAME_PREFIX } from '../../policies/kyverno-cel/policyObject.js';
import { LAUNCHER_TARGET_AFFINITY_NAME } from '../../policies/launcher-target-affinity/launcherTargetAffinity.js';
import { generatedObjects } from '../upgrade/kvfleetPart.js';
import {
  BROKEN_NODE,
  buildPreNativeScenario,
  clusterLauncher,
  KUBEVIRT,
  launcherById,
  offers,
  preNativeCluster,
  SCENARIO_NAME,
  staleLauncher,
  startedType,
  vmisLackingOnBrokenNode,
} from './scenario.js';

const key = (v: { namespace: string; name: string }) => `${v.namespace}/${v.name}`;

describe('the pre-1.5.1 scenario', () => {
  test('its KubeVirt is older than the native machine-type selector, so kvfleet supplies the labels and the selector', () => {
    expect(schedulingContractOf(KUBEVIRT.version).machineTypeLabeller).toBe('kvfleet');
    expect(schedulingContractOf(NATIVE_MACHINE_TYPE_SELECTOR_SINCE).machineTypeLabeller).toBe('kubevirt');
  });

  test('one seed and size give one scenario, byte for byte; another seed another', () => {
    expect(JSON.stringify(buildPreNativeScenario(3, 'small'))).toBe(JSON.stringify(buildPreNativeScenario(3, 'small')));
    expect(JSON.stringify(buildPreNativeScenario(3, 'small'))).not.toBe(JSON.stringify(buildPreNativeScenario(4, 'small')));
    expect(buildPreNativeScenario(3, 'small').name).toBe(SCENARIO_NAME);
  });

  test.each(['small', '6x60', 'full'])('%s: the broken node is one more node of the pool, never drained, with the stale launcher', (size) => {
    const s = buildPreNativeScenario(1, size);
    expect(s.base.nodes.map((n) => n.name)).not.toContain(BROKEN_NODE);
    expect(s.base.drainOrder).not.toContain(BROKEN_NODE);
    expect([...s.base.drainOrder].sort()).toEqual(s.base.nodes.map((n) => n.name).sort());
    expect(s.brokenNode).toMatchObject({ name: BROKEN_NODE, pool: s.base.nodes[0]!.pool, capacity: s.base.nodes[0]!.capacity });
    expect(Object.keys(s.nodeLaunchers).sort()).toEqual([...s.base.nodes.map((n) => n.name), BROKEN_NODE].sort());
    expect(s.nodeLaunchers[BROKEN_NODE]).toBe(staleLauncher().id);
    for (const n of s.base.nodes) expect(s.nodeLaunchers[n.name]).toBe(clusterLauncher().id);
  });

  test('every VMI starts on a type the cluster’s launcher offers', () => {
    for (const v of buildPreNativeScenario(1, 'full').base.vmis) expect(offers(clusterLauncher(), v.architecture, startedType(v)), key(v)).toBe(true);
  });

  test('the broken node lacks the type q35 resolves to, and only that: exactly the q35 VMIs would fail a migration there', () => {
    const s = buildPreNativeScenario(1, 'full');
    const q35Type = clusterLauncher().architectures.amd64!.aliases.q35!;
    expect(offers(staleLauncher(), 'amd64', q35Type)).toBe(false);
    const lacking = vmisLackingOnBrokenNode(s);
    expect(lacking.sort()).toEqual(
      s.base.vmis
        .filter((v) => startedType(v) === q35Type)
        .map(key)
        .sort(),
    );
    expect(lacking.length).toBeGreaterThan(s.base.vmis.length / 2);
    expect(lacking.length).toBeLessThan(s.base.vmis.length);
  });

  test('launcherById finds each node’s entry and names an unknown id', () => {
    expect(launcherById(staleLauncher().id)).toBe(staleLauncher());
    expect(() => launcherById('kubevirt-0.1/nowhere')).toThrow('no launcher catalogue entry kubevirt-0.1/nowhere');
  });

  test('the cluster definition counts the broken node in its pool and gets the target-pod policy that selects kvfleet’s machine-type label', () => {
    const s = buildPreNativeScenario(1, 'small');
    const cluster = preNativeCluster(s);
    expect(cluster.kubevirtVersion).toBe(KUBEVIRT.version);
    expect(cluster.nodePools.map((p) => p.nodeCount)).toEqual([s.base.nodes.length + 1]);
    const policy = generatedObjects(cluster).find((o) => o.metadata.name === POLICY_NAME_PREFIX + LAUNCHER_TARGET_AFFINITY_NAME) as
      | { spec: { variables: { name: string }[] } }
      | undefined;
    expect(policy?.spec.variables.map((v) => v.name)).toContain('machineType');
  });
});
