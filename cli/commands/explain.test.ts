import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test, vi } from 'vitest';
import { explainMachineType } from '../../plan/explainMachineType.js';
import { validatedFleet } from '../fleetForCli.js';
import { main } from '../main.js';
import { EXPLAIN_SCHEMA_VERSION } from './explain.js';
import { PROD_EAST_NODES } from '../../testbed/support/planInventories.js';

const projectDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ctx = { cwd: projectDir };
afterEach(() => vi.restoreAllMocks());

function captured(): () => string {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  return () => log.mock.calls.map((c) => String(c[0])).join('\n');
}

test('a RHEL 8 type on legacy-apps: both pools now, dropped by the CS10 launcher step, admitted with the warning', async () => {
  const out = captured();
  expect(await main(['explain', 'pc-q35-rhel8.6.0', '--cluster', 'legacy-apps'], ctx)).toBe(0);
  const [legacy] = await validatedFleet(resolve(projectDir, 'clusters'), projectDir, 'legacy-apps');
  const nodes = legacy!.nodePools.reduce((n, p) => n + (p.nodeCount ?? 0), 0);
  const text = out();
  expect(text).toMatch(new RegExp(`^  runs now on 2 pools, ${nodes} nodes \\(rhel93, rhel96\\)$`, 'm'));
  expect(text).toMatch(/^ {2}runs after step-3 \(launcher centos-stream-9 → centos-stream-10\) on no pool$/m);
  expect(text).toMatch(/after step-3 \(launcher centos-stream-9 → centos-stream-10\) on virt-launcher 1\.8 centos-stream-10 .*: does not run it: .*dropped by step-3/m);
  expect(text).toMatch(/deprecated on kubevirt-1\.6\/centos-stream-9 \(QEMU \S+ flags it deprecated\)/);
  expect(text).toMatch(/^ {2}a VM or VMI pinned to it is admitted with a warning: machine type pc-q35-rhel8\.6\.0: /m);
});

test('on prod-east a node OS step changes nothing, and the text says so', async () => {
  const out = captured();
  expect(await main(['explain', 'pc-q35-rhel8.6.0', '--cluster', 'prod-east'], ctx)).toBe(0);
  expect(out()).toMatch(/step-1 changes no machine type \(a node's OS does not decide them\)/);
});

test('without --cluster every cluster is explained, in name order', async () => {
  const out = captured();
  expect(await main(['explain', 'q35'], ctx)).toBe(0);
  const names = (await validatedFleet(resolve(projectDir, 'clusters'), projectDir)).map((c) => c.name);
  expect(names.length).toBeGreaterThan(1);
  expect([...out().matchAll(/^(\S+): q35$/gm)].map((m) => m[1])).toEqual(names);
});

test('a misspelt name is called invalid, with the name it probably means, and denied', async () => {
  const out = captured();
  expect(await main(['explain', 'pc-q53-rhel9.6.0', '--cluster', 'prod-east'], ctx)).toBe(0);
  expect(out()).toMatch(/^prod-east: pc-q53-rhel9\.6\.0 \(not a valid machine-type name/m);
  expect(out()).toMatch(/^ {2}did you mean pc-q35-rhel9\.6\.0\?$/m);
  expect(out()).toMatch(/is denied: machine type pc-q53-rhel9\.6\.0 is not offered by virt-launcher .*, the virt-launcher cluster prod-east runs/);
});

test('--output json is the explanation of every cluster under a schema version', async () => {
  const out = captured();
  expect(await main(['explain', 'pc-q35-rhel9.6.0', '--output', 'json'], ctx)).toBe(0);
  const doc = JSON.parse(out()) as { schemaVersion: string; machineType: string; clusters: unknown[] };
  const fleet = await validatedFleet(resolve(projectDir, 'clusters'), projectDir);
  expect(doc).toEqual({ schemaVersion: EXPLAIN_SCHEMA_VERSION, machineType: 'pc-q35-rhel9.6.0', clusters: fleet.map((c) => explainMachineType(c, 'pc-q35-rhel9.6.0')) });
});

test('an unknown cluster is an error naming the ones there are', async () => {
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  expect(await main(['explain', 'q35', '--cluster', 'nope'], ctx)).toBe(1);
  expect(String(err.mock.calls[0]![0])).toMatch(/no cluster named "nope" \(have: .*prod-east/);
});

test('with an inventory it names the schedulable nodes per step, from the same node matching as plan', async () => {
  const out = captured();
  const args = ['explain', 'pc-q35-rhel8.6.0', '--cluster', 'prod-east', '--workloads', 'test/docs/fixtures/prod-east-inventory.yaml', '--output', 'json'];
  expect(await main(args, ctx)).toBe(0);
  const doc = JSON.parse(out()) as { clusters: { nodes: { source: string; steps: { step: string; nodes: string[] }[] } }[] };
  const nodes = doc.clusters[0]!.nodes;
  expect(nodes.source).toBe('test/docs/fixtures/prod-east-inventory.yaml');
  // Every labelled schedulable node, whatever its OS; the unlabelled one only once KubeVirt 1.6.2's virt-handler labels it.
  const labelled = PROD_EAST_NODES.rhel9.length + PROD_EAST_NODES.rhel10.length - PROD_EAST_NODES.cordoned.length - 1;
  expect(nodes.steps.map((s) => [s.step, s.nodes.length])).toEqual([
    ['now', labelled],
    ['step-1', labelled],
    ['step-2', labelled + 1],
  ]);
});

test('an inventory without --cluster is refused', async () => {
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  expect(await main(['explain', 'q35', '--workloads', 'test/docs/fixtures/prod-east-inventory.yaml'], ctx)).toBe(1);
  expect(String(err.mock.calls[0]![0])).toMatch(/an inventory belongs to one cluster/);
});
