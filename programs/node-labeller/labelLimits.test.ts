import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { MACHINE_TYPE_LABEL_PREFIX } from '../../compatibility/labelKeys.js';
import { sharedDir } from '../../testbed/harness/toolPaths.js';
import { parseCapabilities } from './capabilitiesXml.js';
import { boundsProblem, LABEL_LIMIT_EXCEEDED_REASON, LABEL_LIMITS, labelBounds, labelLimitEvent, patchBodyBytes } from './labelLimits.js';
import { desiredNodeMetadata, type NodeMetadataPatch, nodeMetadataPatch } from './nodeLabels.js';

const { maxLabels, maxPatchBytes } = LABEL_LIMITS;

/** `n` kvfleet machine-type labels, as a node's desired labels. */
const labelsOf = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${MACHINE_TYPE_LABEL_PREFIX}synthetic-${i}`, 'true']));

/** A merge patch whose JSON body is exactly `bytes` long: one label with a padded value around `{"metadata":{"labels":{"k":""}}}`. */
function patchOfBytes(bytes: number): NodeMetadataPatch {
  const frame = '{"metadata":{"labels":{"k":""}}}'.length;
  return { metadata: { labels: { k: 'x'.repeat(bytes - frame) } } };
}

describe('the label count limit', () => {
  test('exactly the maximum number of kvfleet labels is accepted', () => {
    expect(labelBounds(labelsOf(maxLabels), undefined)).toEqual({ ok: true });
  });

  test('one label beyond the maximum is refused, naming the count and the limit', () => {
    expect(labelBounds(labelsOf(maxLabels + 1), undefined)).toEqual({ ok: false, code: 'too_many_labels', actual: maxLabels + 1, max: maxLabels });
  });

  test('the count is of the labels the node would carry, not of the patch: a node already right is still bounded', () => {
    const desired = labelsOf(maxLabels + 1);
    expect(nodeMetadataPatch({ labels: desired }, { labels: desired, annotations: {} })).toBeUndefined();
    expect(labelBounds(desired, undefined)).toMatchObject({ ok: false, code: 'too_many_labels' });
  });
});

describe('the patch size limit', () => {
  test('the helper builds bodies of the size asked for', () => {
    expect(JSON.stringify(patchOfBytes(maxPatchBytes)).length).toBe(maxPatchBytes);
  });

  test('a patch body of exactly the maximum bytes is accepted', () => {
    expect(labelBounds({}, patchOfBytes(maxPatchBytes))).toEqual({ ok: true });
  });

  test('one byte beyond the maximum is refused, naming the size and the limit', () => {
    expect(labelBounds({}, patchOfBytes(maxPatchBytes + 1))).toEqual({ ok: false, code: 'patch_too_large', actual: maxPatchBytes + 1, max: maxPatchBytes });
  });

  test('bytes are UTF-8 bytes of the body, not characters', () => {
    expect(patchBodyBytes({ metadata: { annotations: { k: 'é' } } })).toBe(JSON.stringify({ metadata: { annotations: { k: 'é' } } }).length + 1);
  });

  test('when both limits are exceeded, the label count is reported', () => {
    expect(labelBounds(labelsOf(maxLabels + 1), patchOfBytes(maxPatchBytes + 1))).toMatchObject({ ok: false, code: 'too_many_labels' });
  });

  test('limits passed in replace the defaults', () => {
    expect(labelBounds(labelsOf(3), undefined, { maxLabels: 2, maxPatchBytes })).toMatchObject({ ok: false, actual: 3, max: 2 });
    expect(labelBounds({}, patchOfBytes(100), { maxLabels, maxPatchBytes: 99 })).toMatchObject({ ok: false, code: 'patch_too_large', actual: 100, max: 99 });
  });
});

test("the largest real capabilities document (upstream's kvm-x86_64.xml) stays at least ten times below both limits", () => {
  const parsed = parseCapabilities(readFileSync(join(sharedDir, 'samples', 'capabilities', 'kvm-x86_64.xml'), 'utf8'));
  if (!parsed.ok) throw new Error(parsed.message);
  const desired = desiredNodeMetadata(parsed.machineTypes, { kubevirtVersion: '1.7.0', steps: [], pools: [] }, {});
  const patch = nodeMetadataPatch({}, desired)!;
  expect(Object.keys(desired.labels).length * 10).toBeLessThan(maxLabels);
  expect(patchBodyBytes(patch) * 10).toBeLessThan(maxPatchBytes);
});

describe('what a refusal says', () => {
  test('the Warning Event names the count, the limit, that nothing was written, and the fix', () => {
    const event = labelLimitEvent({ ok: false, code: 'too_many_labels', actual: 45_366, max: maxLabels });
    expect(event).toMatchObject({ type: 'Warning', reason: LABEL_LIMIT_EXCEEDED_REASON });
    expect(event.message).toContain('45,366 kvfleet labels');
    expect(event.message).toContain(`limit of ${maxLabels.toLocaleString('en-US')}`);
    expect(event.message).toContain('the Node was left unchanged');
    expect(event.message).toMatch(/check the init container's virsh capabilities output .* restart the labeller pod/);
  });

  test('the Warning Event for a patch names its bytes and the byte limit', () => {
    const event = labelLimitEvent({ ok: false, code: 'patch_too_large', actual: 200_000, max: maxPatchBytes });
    expect(event.message).toContain('a label patch of 200,000 bytes');
    expect(event.message).toContain(`limit of ${maxPatchBytes.toLocaleString('en-US')}`);
  });

  test('the logged problem starts with the errors counter reason', () => {
    expect(boundsProblem({ ok: false, code: 'patch_too_large', actual: 131_073, max: 131_072 })).toBe('patch_too_large: 131,073 bytes of label patch, more than 131,072');
  });

  test('docs/labels.md names the Event reason', () => {
    const labelsPage = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'labels.md'), 'utf8');
    expect(labelsPage).toContain(`\`${LABEL_LIMIT_EXCEEDED_REASON}\``);
  });
});
