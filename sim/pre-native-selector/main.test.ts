import { describe, expect, test } from 'vitest';
import { parseModeList, type PreNativeDocument, renderDocument } from './main.js';
import { type PreNativeResult } from './metrics.js';

describe('preNativeSelectorMain’s pure parts', () => {
  test('modes come back in the canonical order; an unknown one is named with the ones there are', () => {
    expect(parseModeList('kvfleet,baseline')).toEqual(['baseline', 'kvfleet']);
    expect(parseModeList(' kvfleet ')).toEqual(['kvfleet']);
    expect(() => parseModeList('baseline,kubevirt-1.6')).toThrow('--modes baseline,kubevirt-1.6: the modes are baseline, kvfleet');
  });

  test('a stored document prints its setup line, the table and the verdict on the rows', () => {
    const result = (mode: 'baseline' | 'kvfleet', failed: number): PreNativeResult => ({
      mode,
      migrations: 10,
      migrationsSucceeded: 10 - failed,
      migrationsFailed: failed,
      failedOnNodeLackingType: failed,
      targetPodsOnNodeLackingType: failed,
      retries: failed,
      kvfleetFallbacks: 0,
      drains: 2,
      drainsStalled: failed ? 2 : 0,
      drainP50Seconds: 30,
      drainMaxSeconds: 30,
      drainSeconds: 60,
      vmisLeftOnDrainedNodes: failed,
      vmisOnBrokenNodeAtEnd: 0,
      duplicateInFlight: 0,
    });
    // SYNTHETIC document.
    const doc: PreNativeDocument = {
      scenario: 'pre-1.5.1',
      command: 'npm run bench:upgrade -- --scenario pre-1.5.1 --seed 1 --size small',
      seed: 1,
      size: 'small',
      setup: {
        kubevirt: '1.5.0',
        healthyNodes: 4,
        brokenNode: 'node-stale-launcher',
        brokenNodeLauncher: 'kubevirt-1.4.0/centos-stream-9',
        vmis: 16,
        vmisLackingOnBrokenNode: 10,
        drainOrder: [],
      },
      results: [result('baseline', 3), result('kvfleet', 0)],
      runs: [],
      wallSeconds: 1,
    };
    const text = renderDocument(doc);
    expect(text.split('\n')[0]).toBe(
      'Scenario pre-1.5.1, seed 1: KubeVirt 1.5.0, 4 healthy nodes drained in turn, node-stale-launcher running kubevirt-1.4.0/centos-stream-9 (lacks the type of 10 of 16 VMIs); real time',
    );
    expect(text).toContain('| migrations failed on a node lacking the type |');
    expect(text).toContain('- drain time per node, max (baseline 30, kvfleet 30):');
  });
});
