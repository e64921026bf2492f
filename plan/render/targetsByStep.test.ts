import { expect, test } from 'vitest';
import { type VmPlan } from '../planModel.js';
import { targetsByStepText } from './wording.js';

const vm = (steps: VmPlan['steps']): VmPlan => ({
  kind: 'VirtualMachine',
  namespace: 'ns',
  name: 'vm',
  requestedMachineType: 'pc-q35-rhel8.6.0',
  machineType: 'pc-q35-rhel8.6.0',
  steps,
  verdict: 'stranded',
  verdictStep: 'after-a',
  fixes: [],
});

test.each([
  [
    [
      { step: 'now', pools: ['a', 'b'], nodes: 11, verdict: 'ok' as const },
      { step: 'after-a', pools: [], nodes: 0, verdict: 'stranded' as const },
    ],
    '11 on a, b → none',
  ],
  [[{ step: 'now', pools: ['a'], nodes: null, verdict: 'ok' as const }], '? on a'],
  [[{ step: 'now', pools: ['a'], nodes: 0, verdict: 'stranded' as const }], 'none'],
])('targets %j read %s', (steps, text) => {
  expect(targetsByStepText(vm(steps))).toBe(text);
});
