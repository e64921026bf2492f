import { describe, expect, test } from 'vitest';
import { definitionErrors } from './definitionIssues.js';
import { type FleetConfigInput, fleetArgoCd, fleetConfigSchema } from './fleetConfigSchema.js';

const FILE = 'kvfleet.config.ts';
const valid = (): FleetConfigInput => ({
  repoURL: 'https://git.example.com/platform/fleet.git',
  targetRevision: 'main',
  stages: [{ name: 'canary' }, { name: 'production', maxUpdate: '25%' }],
});

/** The problems of a configuration, as `kvfleet synth` prints them. */
function problems(config: unknown): string[] {
  const parsed = fleetConfigSchema.safeParse(config);
  return parsed.success ? [] : definitionErrors(FILE, fleetConfigSchema, config, parsed.error.issues).map((e) => e.toString());
}

test('the example configuration is valid, and Argo CD settings default to namespace argocd and project kvfleet', () => {
  expect(problems(valid())).toEqual([]);
  expect(fleetArgoCd(fleetConfigSchema.parse(valid()))).toEqual({ namespace: 'argocd', project: 'kvfleet' });
});

test.each([
  ['https', 'https://git.example.com/platform/fleet.git'],
  ['ssh URL', 'ssh://git@git.example.com:2222/platform/fleet.git'],
  ['scp-like ssh', 'git@github.com:example/fleet.git'],
])('a %s repository URL is accepted', (_what, repoURL) => {
  expect(problems({ ...valid(), repoURL })).toEqual([]);
});

describe('each problem names the field, the value and the fix', () => {
  test.each<[string, (c: Record<string, any>) => void, RegExp]>([
    [
      'an http repository',
      (c) => (c.repoURL = 'http://git.example.com/fleet.git'),
      /repoURL: "http:\/\/git.example.com\/fleet.git" is not this repository's Git URL: its scheme is http, not https or ssh\n {2}write the URL Argo CD clones/,
    ],
    [
      'credentials in the URL',
      (c) => (c.repoURL = 'https://bot:secret@git.example.com/fleet.git'),
      /repoURL: .* carries credentials; Argo CD keeps those in its repository Secret/,
    ],
    ['no stages', (c) => (c.stages = []), /stages: there are no stages \(\[\]\)\n {2}list the stages in rollout order/],
    ['a stage twice', (c) => c.stages.push({ name: 'canary' }), /stages\[2\]\.name: stage "canary" is already stages\[0\]\n {2}give every stage its own name/],
    ['a stage name in capitals', (c) => (c.stages[0].name = 'Canary'), /stages\[0\]\.name: "Canary" is not a stage name: lower-case letters/],
    ['maxUpdate 0', (c) => (c.stages[1].maxUpdate = 0), /stages\[1\]\.maxUpdate: 0 is not a whole number of clusters of at least 1 \(0 would never sync the stage/],
    ['maxUpdate 150%', (c) => (c.stages[1].maxUpdate = '150%'), /stages\[1\]\.maxUpdate: "150%" is not a percentage from "1%" to "100%"/],
    [
      "Argo CD's default project",
      (c) => (c.argocd = { project: 'default' }),
      /argocd\.project: "default" is Argo CD's built-in project.*\n {2}kvfleet writes the AppProject it names/,
    ],
    ['a misspelt field', (c) => (c.stage = c.stages), /stage: unknown field "stage".*\n {2}did you mean "stages"\?/],
    ['no revision', (c) => delete c.targetRevision, /targetRevision: no value \(undefined\): it is required/],
  ])('%s', (_what, change, expected) => {
    const config: Record<string, any> = structuredClone(valid());
    change(config);
    const found = problems(config);
    expect(found).toHaveLength(1);
    expect(`${found[0]}`).toMatch(new RegExp(`^${FILE}: ${expected.source}`));
  });
});
