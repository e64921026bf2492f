import { stringify } from 'yaml';
import { expect, test } from 'vitest';
import { diffMarkdown } from './diffMarkdown.js';
import { diffReport } from './diffSummary.js';
import { diffTrees } from './diffTrees.js';
import { distFreshness } from './distFreshness.js';
import { distTreeFromFiles } from './distTree.js';

// Synthetic objects in the shape the generators write (the golden tests in diffCommand.git.test.ts
// use the real synth); only the fields each test is about.
const denyPolicy = (hostPools: Record<string, string[]>, actions = ['Deny']) => ({
  apiVersion: 'policies.kyverno.io/v1',
  kind: 'ValidatingPolicy',
  metadata: { name: 'kvfleet-vm-machine-type' },
  spec: { failurePolicy: 'Ignore', validationActions: actions, variables: [{ name: 'hostPools', expression: JSON.stringify(hostPools, null, 2) }] },
});
const warnPolicy = (warnings: Record<string, string>) => ({
  apiVersion: 'policies.kyverno.io/v1',
  kind: 'ValidatingPolicy',
  metadata: { name: 'kvfleet-vm-machine-type-warnings' },
  spec: { validationActions: ['Warn'], variables: [{ name: 'warnings', expression: JSON.stringify(warnings) }] },
});
const appSet = (elements: { cluster: string; stage: string }[], steps = ['canary', 'production']) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'ApplicationSet',
  metadata: { name: 'kvfleet', namespace: 'argocd' },
  spec: {
    generators: [{ list: { elements } }],
    strategy: { type: 'RollingSync', rollingSync: { steps: steps.map((s) => ({ matchExpressions: [{ key: 'kvfleet.io/stage', operator: 'In', values: [s] }] })) } },
  },
});
const tree = (files: Record<string, unknown>) => distTreeFromFiles(new Map(Object.entries(files).map(([p, o]) => [p, stringify(o)])));
const report = (before: ReturnType<typeof tree>, after: ReturnType<typeof tree>) =>
  diffReport(diffTrees(before, after), { ref: 'main', commit: '0'.repeat(40) }, distFreshness(undefined, new Map()));

const both = { 'pc-q35-rhel8.6.0': ['rhel9'], 'pc-q35-rhel9.6.0': ['rhel9', 'rhel10'] };

test('the same objects written in another key order and with comments are "No change to any cluster."', () => {
  const a = distTreeFromFiles(new Map([['east/Namespace.x.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: x, labels: {a: "1", b: "2"}}\n']]));
  const b = distTreeFromFiles(new Map([['east/Namespace.x.yaml', '# generated\nkind: Namespace\napiVersion: v1\nmetadata:\n  labels: {b: "2", a: "1"}\n  name: x\n']]));
  const r = report(a, b);
  expect(r.unchanged).toBe(true);
  expect(diffMarkdown(r)).toBe('kvfleet diff against main: No change to any cluster.\n');
});

test('a type the deny policy no longer admits is newly denied, and the summary names it', () => {
  const r = report(tree({ 'east/a.yaml': denyPolicy(both) }), tree({ 'east/a.yaml': denyPolicy({ 'pc-q35-rhel9.6.0': ['rhel10'] }) }));
  expect(r.clusters[0]?.admission.newlyDenied).toEqual(['pc-q35-rhel8.6.0']);
  expect(r.summary).toBe('kvfleet diff against main: 1 cluster change — east: pc-q35-rhel8.6.0 newly denied');
});

test('Warn → Deny is an enforcement change that the Markdown says now rejects', () => {
  const r = report(tree({ 'east/a.yaml': denyPolicy(both, ['Warn']) }), tree({ 'east/a.yaml': denyPolicy(both) }));
  expect(r.clusters[0]?.enforcement).toEqual([
    { policy: 'ValidatingPolicy/kvfleet-vm-machine-type', change: 'changed', settings: [{ setting: 'validationActions', before: 'Warn', after: 'Deny' }] },
  ]);
  expect(r.clusters[0]?.admission.newlyDenied).toEqual([]);
  expect(diffMarkdown(r)).toContain('validationActions Warn → Deny — **now rejects**');
});

test('warnings that name their type are grouped by reason', () => {
  const reason = 'no node pool runs it once the planned upgrades are done';
  const after = { 'pc-q35-rhel8.5.0': `machine type pc-q35-rhel8.5.0: ${reason}`, 'pc-q35-rhel8.6.0': `machine type pc-q35-rhel8.6.0: ${reason}` };
  const r = report(tree({ 'east/w.yaml': warnPolicy({}) }), tree({ 'east/w.yaml': warnPolicy(after) }));
  expect(r.clusters[0]?.admission.newlyWarned.map((w) => w.machineType)).toEqual(['pc-q35-rhel8.5.0', 'pc-q35-rhel8.6.0']);
  expect(diffMarkdown(r)).toContain(`- newly warned: pc-q35-rhel8.5.0, pc-q35-rhel8.6.0: ${reason}`);
});

test('a cluster moving stage is a fleet change with both stage names, not a cluster object change', () => {
  const r = report(
    tree({ '_argocd/ApplicationSet.kvfleet.yaml': appSet([{ cluster: 'east', stage: 'canary' }]) }),
    tree({ '_argocd/ApplicationSet.kvfleet.yaml': appSet([{ cluster: 'east', stage: 'production' }]) }),
  );
  expect(r.clusters).toEqual([]);
  expect(r.fleet.objects).toEqual([]);
  expect(r.summary).toBe('kvfleet diff against main: 1 cluster change — east: stage canary → production');
  expect(diffMarkdown(r)).toContain('- **east moves from stage canary to production**');
});

test('reordered rollout steps are reported as steps, once', () => {
  const els = [{ cluster: 'east', stage: 'canary' }];
  const r = report(tree({ '_argocd/a.yaml': appSet(els) }), tree({ '_argocd/a.yaml': appSet(els, ['production', 'canary']) }));
  expect(r.fleet.rolloutSteps).toEqual([{ applicationSet: 'kvfleet', before: ['canary', 'production'], after: ['production', 'canary'] }]);
  expect(r.fleet.objects).toEqual([]);
});

test('a controller env change is a named setting with both values', () => {
  const deployment = (attempts: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'kvfleet-migration-controller', namespace: 'kvfleet-system' },
    spec: { template: { spec: { containers: [{ name: 'controller', env: [{ name: 'KVFLEET_FALLBACK_ATTEMPTS', value: attempts }] }] } } },
  });
  const r = report(tree({ 'east/d.yaml': deployment('3') }), tree({ 'east/d.yaml': deployment('2') }));
  expect(r.clusters[0]?.settings).toEqual([
    { area: 'controller', subject: 'migration controller', setting: 'fallback attempts (KVFLEET_FALLBACK_ATTEMPTS)', before: '3', after: '2' },
  ]);
});

test('dist/ is stale when any file differs from the fresh synth, byte for byte', () => {
  const fresh = new Map([
    ['east/a.yaml', 'a: 1\n'],
    ['east/b.yaml', 'b: 1\n'],
  ]);
  expect(distFreshness(new Map(fresh), fresh)).toEqual({ stale: false, files: [], filesDiffering: 0 });
  expect(distFreshness(new Map([['east/a.yaml', 'a:  1\n']]), fresh)).toEqual({
    stale: true,
    files: [
      { path: 'east/a.yaml', change: 'modified' },
      { path: 'east/b.yaml', change: 'added' },
    ],
    filesDiffering: 2,
  });
});
