import { describe, expect, test } from 'vitest';
import { placeMachineType } from '../../compatibility/placement.js';
import { exportMachineTypeCapacity, machineTypeCapacity } from './machineTypeCapacity.js';
import { createMigrationMetrics } from './metrics.js';
import { type NodeView, parseNode, parseVmi, type VmiView } from './objectViews.js';
import { must, nodeObject, poolNamed, poolNodeLabels, UPGRADE_POOLS, vmiObject } from '../../testbed/support/syntheticMigrationObjects.js';

const node = (name: string, pool: string, extra: { ready?: boolean; cordoned?: boolean } = {}): NodeView =>
  must(parseNode(nodeObject({ name, labels: poolNodeLabels(poolNamed(pool)), ...extra })));
const vmi = (name: string, machineType: string, extra: { phase?: string; deleting?: boolean } = {}): VmiView =>
  must(parseVmi(vmiObject({ name, namespace: 'vms', uid: `uid-${name}`, machineType, createdMs: 0, ...extra })));
const capacityOf = (machineType: string, vmis: VmiView[], nodes: NodeView[], labeller: 'kvfleet' | 'kubevirt' = 'kvfleet') =>
  machineTypeCapacity(vmis, nodes, labeller).find((c) => c.machineType === machineType);

// The synthetic RHEL 9 → 10 cluster: RHEL 8 types run only on the RHEL 9.6 pools.
const rhel8Type = 'pc-q35-rhel8.6.0';

describe('schedulable nodes per machine type', () => {
  test('the fixture: only the RHEL 9.6 pools offer the RHEL 8 type', () => {
    expect([...placeMachineType(UPGRADE_POOLS, rhel8Type).hostsNow].sort()).toEqual(['rhel9-upgrading', 'rhel96-staying']);
  });

  test.each([
    ['every node Ready and schedulable', {}, 2],
    ['the nodes that offer it cordoned (a pool drained for its upgrade)', { cordoned: true }, 0],
    ['the nodes that offer it NotReady', { ready: false }, 0],
  ])('%s', (_, state, expected) => {
    const nodes = [node('r96-1', 'rhel96-staying', state), node('r96-2', 'rhel96-staying', state), node('r10-1', 'rhel10')];
    expect(capacityOf(rhel8Type, [vmi('a', rhel8Type)], nodes)).toEqual({ machineType: rhel8Type, runningVmis: 1, schedulableNodes: expected });
  });

  test('a type VMIs run that no node is labelled with is listed with 0 nodes', () => {
    expect(capacityOf('pc-q35-rhel7.6.0', [vmi('old', 'pc-q35-rhel7.6.0')], [node('r10-1', 'rhel10')])).toEqual({
      machineType: 'pc-q35-rhel7.6.0',
      runningVmis: 1,
      schedulableNodes: 0,
    });
  });

  test("nodes count by the label the scheduler checks: KubeVirt's from 1.5.1, kvfleet's before", () => {
    const kvfleetOnly = must(parseNode(nodeObject({ name: 'k', labels: { 'machine-type.kvfleet.io/pc-q35-rhel9.6.0': 'true' } })));
    const kubevirtOnly = must(parseNode(nodeObject({ name: 'v', labels: { 'machine-type.node.kubevirt.io/pc-q35-rhel9.6.0': 'true' } })));
    const vmis = [vmi('a', 'pc-q35-rhel9.6.0')];
    expect(capacityOf('pc-q35-rhel9.6.0', vmis, [kvfleetOnly, kubevirtOnly], 'kvfleet')?.schedulableNodes).toBe(1);
    expect(capacityOf('pc-q35-rhel9.6.0', vmis, [kvfleetOnly], 'kubevirt')?.schedulableNodes).toBe(0);
  });
});

describe('running VMIs per machine type', () => {
  test('only Running VMIs that are not being deleted count, by status.machine.type', () => {
    const vmis = [vmi('a', rhel8Type), vmi('b', rhel8Type), vmi('c', rhel8Type, { phase: 'Scheduling' }), vmi('d', rhel8Type, { deleting: true })];
    expect(capacityOf(rhel8Type, vmis, [])?.runningVmis).toBe(2);
  });

  test('aliases are never listed: a VMI reports its canonical type, and every node offers q35', () => {
    const types = machineTypeCapacity([], [node('r10-1', 'rhel10')], 'kvfleet').map((c) => c.machineType);
    expect(types).not.toContain('q35');
    expect(types).toContain('pc-q35-rhel10.0.0');
    expect(types).toEqual([...types].sort());
  });
});

describe('the capacity gauges', () => {
  test('are filled at scrape time, and empty while the caches have not listed', async () => {
    const metrics = createMigrationMetrics();
    let synced = false;
    const vmis = [vmi('a', rhel8Type)];
    const nodes = [node('r96-1', 'rhel96-staying', { cordoned: true })];
    exportMachineTypeCapacity(metrics, () => (synced ? machineTypeCapacity(vmis, nodes, 'kvfleet') : undefined));
    const values = async (name: string) =>
      (await metrics.registry.getSingleMetric(name)!.get()).values.filter((v) => v.labels.machine_type === rhel8Type).map((v) => v.value);

    expect(await values('kvfleet_machine_type_running_vmis')).toEqual([]);
    synced = true;
    expect(await values('kvfleet_machine_type_running_vmis')).toEqual([1]);
    expect(await values('kvfleet_machine_type_schedulable_nodes')).toEqual([0]);
  });
});
