import { describe, expect, it } from 'vitest';
import { type EvacuationInput, type EvacuationVmi, evacuationVmim, planEvacuation } from './evacuation.js';
import { DEFAULT_LIMITS } from './migrationRules.js';

const vm = (name: string, over: Partial<EvacuationVmi> = {}): EvacuationVmi => ({
  namespace: 'ns',
  name,
  nodeName: 'n1',
  final: false,
  deleting: false,
  liveMigratable: true,
  migrating: false,
  activePods: 1,
  ...over,
});

const drained = { name: 'n1', taints: [{ key: 'kubevirt.io/drain', effect: 'NoSchedule' }] };
const input = (over: Partial<EvacuationInput> = {}): EvacuationInput => ({
  node: drained,
  drainTaintKey: 'kubevirt.io/drain',
  vmisOnNode: ['a', 'b', 'c', 'd'].map((n) => vm(n)),
  unfinished: [],
  clusterEvictionStrategy: 'LiveMigrate',
  limits: DEFAULT_LIMITS,
  ...over,
});
const names = (d: ReturnType<typeof planEvacuation>) => d.create.map((v) => v.name);

describe('which VMIs a node evacuates', () => {
  it('the drain taint (NoSchedule) makes every VMI of the node a candidate', () => {
    expect(names(planEvacuation(input()))).toEqual(['a', 'b']);
  });

  it('without the taint only VMIs marked for eviction on this node that are not migrating', () => {
    const vmisOnNode = [vm('a', { evacuationNodeName: 'n1' }), vm('b'), vm('c', { evacuationNodeName: 'n0' }), vm('d', { evacuationNodeName: 'n1', migrating: true })];
    expect(names(planEvacuation(input({ node: { name: 'n1', taints: [] }, vmisOnNode })))).toEqual(['a']);
    expect(planEvacuation(input({ node: { name: 'n1', taints: [{ key: 'kubevirt.io/drain', effect: 'NoExecute' }] }, vmisOnNode: [vm('b')] })).create).toEqual([]);
  });

  it('skips final, deleting, non-evicting and already-migrating VMIs, and ones with a leftover pod', () => {
    const vmisOnNode = [
      vm('final', { final: true }),
      vm('deleting', { deleting: true }),
      vm('none', { evictionStrategy: 'None' }),
      vm('external', { evictionStrategy: 'External' }),
      vm('ifpossible', { evictionStrategy: 'LiveMigrateIfPossible', liveMigratable: false }),
      vm('has-vmim'),
      vm('two-pods', { activePods: 2 }),
      vm('ok'),
    ];
    const d = planEvacuation(input({ vmisOnNode, unfinished: [{ namespace: 'ns', vmiName: 'has-vmim', phase: 'Pending' }] }));
    expect(names(d)).toEqual(['ok']);
  });

  it('a VMI with any unfinished VMIM, kvfleet fallback or user VMIM alike, is left alone', () => {
    const d = planEvacuation(input({ vmisOnNode: [vm('a')], unfinished: [{ namespace: 'ns', vmiName: 'a' }] }));
    expect(d.create).toEqual([]);
  });

  it('without a cluster-wide strategy a VMI needs its own', () => {
    const d = planEvacuation(input({ clusterEvictionStrategy: undefined, vmisOnNode: [vm('a'), vm('b', { evictionStrategy: 'LiveMigrate' })] }));
    expect(names(d)).toEqual(['b']);
  });
});

describe('evacuation limits (≤ 1.6: counted from running migrations only)', () => {
  it('at most parallelOutboundMigrationsPerNode running from this node', () => {
    const unfinished = [{ namespace: 'ns', vmiName: 'a', phase: 'Running' }];
    expect(names(planEvacuation(input({ unfinished })))).toEqual(['b']);
  });

  it('pending VMIMs do not take a slot, so the rest of the node follows within a few syncs', () => {
    const unfinished = [
      { namespace: 'ns', vmiName: 'a', phase: 'Pending' },
      { namespace: 'ns', vmiName: 'b' },
    ];
    expect(names(planEvacuation(input({ unfinished })))).toEqual(['c', 'd']);
  });

  it('no free slot in the cluster: look again in 5 s', () => {
    const unfinished = ['x1', 'x2', 'x3', 'x4', 'x5'].map((vmiName) => ({ namespace: 'other', vmiName, phase: 'Scheduling' }));
    const d = planEvacuation(input({ unfinished }));
    expect(d.create).toEqual([]);
    expect(d.requeueAfterSeconds).toBe(5);
  });

  it('only non-migratable VMIs: KubeVirt keeps warning every minute', () => {
    const d = planEvacuation(input({ vmisOnNode: [vm('a', { liveMigratable: false })] }));
    expect(d.create).toEqual([]);
    expect(d.nonMigratable.map((v) => v.name)).toEqual(['a']);
    expect(d.requeueAfterSeconds).toBe(60);
  });
});

describe('the evacuation VMIM', () => {
  it('is GenerateNewMigration plus what the create mutator adds', () => {
    expect(evacuationVmim('ns', 'a', 'n1')).toEqual({
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachineInstanceMigration',
      metadata: {
        generateName: 'kubevirt-evacuation-',
        namespace: 'ns',
        annotations: { 'kubevirt.io/evacuationMigration': 'n1' },
        labels: { 'kubevirt.io/vmi-name': 'a' },
        finalizers: ['kubevirt.io/migrationJobFinalize'],
      },
      spec: { vmiName: 'a' },
    });
  });
});
