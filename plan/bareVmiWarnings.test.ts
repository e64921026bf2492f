import { describe, expect, test } from 'vitest';
import edgeOvn from '../clusters/edge-ovn.js';
import prodEast from '../clusters/prod-east.js';
import { BARE_VMI_CONSEQUENCE } from '../policies/kube-ovn-bare-vmi/kubeOvnBareVmi.js';
import { runningVm, vmiObject } from '../testbed/support/planInventories.js';
import { bareVmiWarnings } from './bareVmiWarnings.js';
import { inventoryFromObjects } from './inventoryFromObjects.js';
import { planCluster } from './planCluster.js';
import { planFleet } from './planFleet.js';
import { fleetPlanSchema } from './render/planJsonSchema.js';
import { renderPlan } from './render/renderPlan.js';

const withOwner = (o: Record<string, any>, kind: string, name: string) => ({
  ...o,
  metadata: { ...o.metadata, ownerReferences: [{ apiVersion: 'kubevirt.io/v1', kind, name, uid: `uid-${name}`, controller: true }] },
});

/** edge-ovn's VMs as a dump shows them: one of each case. */
const objects = [
  vmiObject('edge', 'bare', { nodeName: 'edge-amd64-01' }),
  ...runningVm('edge', 'with-vm', 'edge-amd64-01', 'pc-q35-rhel9.6.0'),
  // The dump left its VirtualMachine out; its ownerReferences name one.
  withOwner(vmiObject('edge', 'vm-not-listed', { nodeName: 'edge-amd64-01' }), 'VirtualMachine', 'vm-not-listed'),
  // A replica set's VMI: Kube-OVN finds no VirtualMachine of its name either.
  withOwner(vmiObject('edge', 'replica-x1', { nodeName: 'edge-amd64-02' }), 'VirtualMachineInstanceReplicaSet', 'replica'),
  vmiObject('edge', 'bare-pending', { phase: 'Pending' }),
];
const inventory = inventoryFromObjects(objects, 'edge-ovn.yaml');
const warned = (lines: readonly string[]) => lines.map((l) => /^VirtualMachineInstance (\S+) /.exec(l)?.[1]);

describe('a running VMI without a VirtualMachine on a Kube-OVN cluster', () => {
  test('is warned about, with the reason and the fix; VMs, VMIs whose VM the dump left out and VMIs not running are not', () => {
    expect(inventory.vms.find((v) => v.name === 'vm-not-listed')).toMatchObject({ kind: 'VirtualMachineInstance', ownerVirtualMachine: 'vm-not-listed' });
    const lines = bareVmiWarnings(edgeOvn, inventory);
    expect(warned(lines)).toEqual(['edge/bare', 'edge/replica-x1']);
    for (const line of lines) expect(line).toContain(`runs on Kube-OVN without a VirtualMachine. ${BARE_VMI_CONSEQUENCE}`);
  });

  test('only on Kube-OVN clusters, and only with an inventory', () => {
    expect(prodEast.kubeOvn).toBe('none');
    expect(bareVmiWarnings(prodEast, inventory)).toEqual([]);
    expect(bareVmiWarnings(edgeOvn, undefined)).toEqual([]);
    expect(planCluster(prodEast, inventory).vmWarnings).toBeUndefined();
  });

  test('the plan lists them among its warnings in every format, and the JSON keeps them in vmWarnings', () => {
    const cluster = planCluster(edgeOvn, inventory);
    expect(warned(cluster.vmWarnings!)).toEqual(['edge/bare', 'edge/replica-x1']);
    const plan = planFleet([edgeOvn], new Map([[edgeOvn.name, inventory]]));
    const table = renderPlan(plan, 'table', { color: false });
    expect(table).toContain(`warning: VirtualMachineInstance edge/bare runs on Kube-OVN without a VirtualMachine.`);
    expect(renderPlan(plan, 'markdown', { color: false })).toContain('- VirtualMachineInstance edge/bare runs on Kube-OVN without a VirtualMachine.');
    const json = JSON.parse(renderPlan(plan, 'json', { color: false }));
    expect(fleetPlanSchema.safeParse(json).error).toBeUndefined();
    expect(json.schemaVersion).toBe('kvfleet.io/plan/v2');
    expect(json.clusters[0].vmWarnings).toEqual(cluster.vmWarnings);
  });
});
