/**
 * A fleet that passes every rule but cannot be rendered (a rule kvfleet lacks) must fail `check` as
 * it fails synth, with an error naming the cluster's file, not a stack trace. No valid definition is
 * known to do that (that would be the missing rule), so the chart is made to fail here, both ways
 * rendering can: a construct's constructor, and cdk8s serialising a value it cannot write.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiObject } from 'cdk8s';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { FleetDefinitionErrors } from '../fleet/definitionError.js';
import { checkFleet, synthFleet } from './synthFleet.js';

const failing = vi.hoisted(() => ({ cluster: '', how: 'constructor' as 'constructor' | 'serialise' }));

vi.mock('./clusterChart.js', async (original) => {
  const real = await original<typeof import('./clusterChart.js')>();
  class FailingChart extends real.ClusterChart {
    constructor(...args: ConstructorParameters<typeof real.ClusterChart>) {
      if (args[1] === failing.cluster && failing.how === 'constructor') throw new Error('a construct refused its props');
      super(...args);
      // A value cdk8s cannot render: what a "constructor" label key used to produce.
      if (args[1] === failing.cluster) new ApiObject(this, 'unrenderable', { apiVersion: 'v1', kind: 'ConfigMap', data: { constructor: 'x' } as never });
    }
  }
  return { ...real, ClusterChart: FailingChart };
});

const projectDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const clustersDir = join(projectDir, 'clusters');
let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'kvfleet-render-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

test.each(['constructor', 'serialise'] as const)('a chart that fails in its %s fails check and synth alike, naming the file, and writes nothing', async (how) => {
  failing.cluster = 'edge-ovn';
  failing.how = how;
  const checked = await checkFleet({ clustersDir, projectDir });
  const errors = checked.problems.filter((p) => p.severity === 'error');
  expect(errors.map((e) => [e.file, e.path])).toEqual([['clusters/edge-ovn.ts', '']]);
  expect(errors[0]!.problem).toMatch(how === 'constructor' ? /cannot be written: a construct refused its props$/ : /cannot be written: .*non-simple object/);
  expect(errors[0]!.fix).toMatch(/kvfleet bug/);

  const dist = join(work, 'dist');
  const err = await synthFleet({ clustersDir, distDir: dist, projectDir }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(FleetDefinitionErrors);
  expect((err as FleetDefinitionErrors).errors.map(String)).toEqual(errors.map(String));
  expect(readdirSync(work)).toEqual([]); // no dist/, no staging folder left
  failing.cluster = '';
});
