import { describe, expect, test } from 'vitest';
import { launcherEntry } from '../compatibility/launcherCatalogue.js';
import { architectureOf } from '../compatibility/machineTypeNames.js';
import { moveToMachineType } from '../compatibility/moveTo.js';
import { resolveCluster } from '../compatibility/poolMachineTypes.js';
import { testCluster, testPool, upgradingTestCluster } from '../testbed/support/clusterFixtures.js';
import { launcherStepInventoryObjects } from '../testbed/support/planInventories.js';
import { inventoryFromObjects } from './inventoryFromObjects.js';
import { planCluster } from './planCluster.js';
import { MAX_NAMED_VMS, stepLint } from './stepLint.js';

const cluster = upgradingTestCluster();
const objects = launcherStepInventoryObjects(cluster);
const plan = planCluster(cluster, inventoryFromObjects(objects, 'test'));
const errors = stepLint('clusters/synthetic-upgrading.ts', plan);

/** Running VMIs and their types, as the inventory carries them. */
const running = objects
  .filter((o) => o.kind === 'VirtualMachineInstance')
  .map((o) => ({ name: (o.metadata as { name: string }).name, type: (o.status as { machine: { type: string } }).machine.type }));

describe('a planned step that drops types running VMs use is an error naming them', () => {
  test('exactly one error, on the CS10 switch (plannedSteps[2]); the 1.8.0 upgrade and the node-OS step drop nothing', () => {
    expect(errors.map((e) => [e.path, e.severity])).toEqual([['plannedSteps[2]', 'error']]);
  });

  test('it names every VM whose type the CS10 launcher lacks, read from the catalogue', () => {
    const cs10 = launcherEntry('1.8.0', 'centos-stream-10')!;
    const dropped = running.filter((r) => !cs10.architectures[architectureOf(r.type)!]!.machineTypes.includes(r.type));
    expect(dropped.length).toBeGreaterThan(0);
    const shown = dropped.slice(0, MAX_NAMED_VMS);
    for (const r of shown) expect(errors[0]!.problem).toContain(`/${r.name} (${r.type})`);
    expect(errors[0]!.problem).toContain(`${dropped.length} running VM(s)`);
    expect(errors[0]!.problem).toContain(cs10.qemu);
  });

  test('its fix names the move-to type of the one rule (compatibility/moveTo.ts)', () => {
    const move = moveToMachineType(resolveCluster(cluster).pools, 'pc-q35-rhel8.6.0')!;
    expect(errors[0]!.fix).toContain(`pc-q35-rhel8.6.0 → ${move.machineType}`);
  });

  test('no inventory VM on a dropped type, no error', () => {
    const kept = testCluster({ kubevirtVersion: '1.7.0', nodePools: [testPool('east')], plannedSteps: [{ kind: 'kubevirt-upgrade', to: '1.8.0' }] });
    expect(stepLint('clusters/x.ts', planCluster(kept, inventoryFromObjects(launcherStepInventoryObjects(kept), 'test')))).toEqual([]);
  });
});
