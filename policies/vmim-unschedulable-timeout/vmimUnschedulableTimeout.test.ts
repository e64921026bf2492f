import { expect, test } from 'vitest';
import { UNSCHEDULABLE_TIMEOUT_ANNOTATION } from '../../compatibility/kubevirtNames.js';
import { vmimUnschedulableTimeoutPolicy } from './vmimUnschedulableTimeout.js';

test('the timeout goes into the patch as the annotation string KubeVirt parses', () => {
  const patch = vmimUnschedulableTimeoutPolicy(75).object.spec;
  const expression = 'mutations' in patch ? patch.mutations[0]!.jsonPatch.expression : '';
  expect(expression).toContain('value: "75"');
  expect(expression).toContain(`{"${UNSCHEDULABLE_TIMEOUT_ANNOTATION}": "75"}`);
});

test.each([0, -5, 1.5])('a timeout of %s seconds is refused with the field name', (seconds) => {
  expect(() => vmimUnschedulableTimeoutPolicy(seconds)).toThrow(`'unschedulableTimeoutSeconds' (${seconds})`);
});
