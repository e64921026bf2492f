/**
 * docs/labels.md is the one description of the label and annotation contract. It names every key
 * the code defines (compatibility/labelKeys.ts, compatibility/kubevirtNames.ts, the Application labels
 * of generators/delivery/applicationSets.ts), and no `kvfleet.io` key the code does not define.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as kubevirtNames from '../../compatibility/kubevirtNames.js';
import * as labelKeys from '../../compatibility/labelKeys.js';
import { CHART_LABEL, CLUSTER_LABEL, STAGE_LABEL } from '../../generators/delivery/applicationSets.js';

const labelsPage = readFileSync(join(resolve(import.meta.dirname, '..', '..'), 'docs', 'labels.md'), 'utf8');

/** Exported string constants whose name says they are a key: `…_LABEL`, `…_ANNOTATION`, `…_PREFIX`, `…_TAINT`, `…_RESOURCE`. */
function keyConstants(module: Record<string, unknown>): [string, string][] {
  return Object.entries(module).filter((e): e is [string, string] => typeof e[1] === 'string' && /_(LABEL|ANNOTATION|PREFIX|TAINT|RESOURCE)$/.test(e[0]));
}

const kvfleetKeys = keyConstants(labelKeys);
const kubevirtKeys = [...keyConstants(kubevirtNames), ...Object.keys(kubevirtNames.VIRT_LAUNCHER_LABELS).map((k) => ['VIRT_LAUNCHER_LABELS', k] as [string, string])];
const applicationKeys: [string, string][] = [
  ['STAGE_LABEL', STAGE_LABEL],
  ['CLUSTER_LABEL', CLUSTER_LABEL],
  ['CHART_LABEL', CHART_LABEL],
];
const eventReasons = Object.entries(labelKeys).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0].endsWith('_REASON'));

describe('docs/labels.md names', () => {
  test('the key constants found are the contract, not an empty list', () => {
    expect(kvfleetKeys.map(([name]) => name)).toEqual(
      expect.arrayContaining(['MACHINE_TYPE_LABEL_PREFIX', 'POOL_LABEL', 'TARGET_NODE_ANNOTATION', 'FALLBACK_REASON_ANNOTATION']),
    );
    expect(kubevirtKeys.length).toBeGreaterThan(10);
  });

  test.each([...kvfleetKeys, ...applicationKeys])('kvfleet key %s (%s)', (_name, key) => {
    expect(labelsPage).toContain(`\`${key}`);
  });

  test.each(kubevirtKeys)('KubeVirt name %s (%s)', (_name, key) => {
    expect(labelsPage).toContain(`\`${key}`);
  });

  test.each(eventReasons)('Event reason %s (%s)', (_name, reason) => {
    expect(labelsPage).toContain(`\`${reason}\``);
  });
});

test('docs/labels.md names no kvfleet.io key the code does not define', () => {
  const defined = [...kvfleetKeys, ...applicationKeys].map(([, key]) => key);
  const prefixes = defined.filter((k) => k.endsWith('/'));
  const mentioned = [...new Set(labelsPage.match(/\b(?:[a-z0-9-]+\.)*kvfleet\.io\/[A-Za-z0-9<>_-]*/g) ?? [])];
  const unknown = mentioned.filter((k) => !defined.includes(k) && !prefixes.some((p) => k.startsWith(p)));
  expect(unknown).toEqual([]);
});
