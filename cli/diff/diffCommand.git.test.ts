/**
 * `kvfleet diff` end to end, in a temporary git repository: each scenario edits the definitions
 * (committed or not), runs the command against the base commit, and compares Markdown and JSON with
 * test/golden/diff/<scenario>.md|json (`UPDATE_GOLDEN=1 npx vitest run cli/diff` rewrites them).
 * The base is synthesised once per file: synthesiseSides.ts caches it by commit.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, expect, test, vi } from 'vitest';
import { createDiffGitRepo, type DiffGitRepo } from '../../testbed/support/diffGitRepo.js';
import { main } from '../main.js';
import { DIFF_SCHEMA_VERSION, type DiffReport } from './fleetDiffModel.js';

const GOLDEN = resolve(dirname(fileURLToPath(import.meta.url)), '../../test/golden/diff');
let repo: DiffGitRepo;

beforeAll(async () => {
  repo = await createDiffGitRepo();
});
afterAll(() => repo?.remove());
beforeEach(() => {
  repo.reset();
  vi.restoreAllMocks();
});

/** Temp paths and commit ids differ per run; the goldens hold neither. */
function normalised(text: string): string {
  return text
    .replaceAll(repo.dir, '<repo>')
    .replace(/\b[0-9a-f]{40}\b/g, '<commit>')
    .replace(/\b[0-9a-f]{12}\b/g, '<commit>');
}

async function runDiff(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  const code = await main(['diff', ...args], { cwd: repo.dir });
  const out = log.mock.calls.map((c) => String(c[0])).join('\n');
  const err = error.mock.calls.map((c) => String(c[0])).join('\n');
  log.mockRestore();
  error.mockRestore();
  return { code, out, err };
}

function expectGolden(name: string, text: string): void {
  const file = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, text);
  }
  // A missing golden fails rather than being written: a test that writes its own expectation asserts nothing.
  if (!existsSync(file)) throw new Error(`${file} is missing; create it with UPDATE_GOLDEN=1 npx vitest run cli/diff`);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

/** Runs both outputs against `base`, checks them against the goldens, and returns the report. */
async function diffAgainstBase(scenario: string): Promise<{ markdown: string; report: DiffReport }> {
  const md = await runDiff('--base', 'base');
  const json = await runDiff('--base', 'base', '--output', 'json');
  expect([md.code, json.code, md.err, json.err]).toEqual([0, 0, '', '']);
  const markdown = `${normalised(md.out)}\n`;
  const report = JSON.parse(json.out) as DiffReport;
  expect(report.schemaVersion).toBe(DIFF_SCHEMA_VERSION);
  expect(report.base).toEqual({ ref: 'base', commit: repo.git('rev-parse', 'base').trim() });
  expect(markdown.split('\n')[0]).toBe(report.summary);
  expectGolden(`${scenario}.md`, markdown);
  expectGolden(`${scenario}.json`, `${normalised(JSON.stringify(report, null, 2))}\n`);
  return { markdown, report };
}

test('the base against itself is "No change to any cluster." and dist/ is fresh', async () => {
  const { report } = await diffAgainstBase('no-change');
  expect(report.summary).toBe('kvfleet diff against base: No change to any cluster.');
  expect(report.unchanged).toBe(true);
  expect(report.dist.stale).toBe(false);
});

test('removing a machine type from every pool that runs it denies it on that cluster only', async () => {
  // One launcher for the whole cluster: both pools offer the type, so both must remove it.
  repo.edit('clusters/prod-east.ts', "os: 'rhel-9.6',", "os: 'rhel-9.6',\n      machineTypes: { remove: ['pc-q35-rhel8.6.0'] },");
  repo.edit('clusters/prod-east.ts', "os: 'rhel-10.0',", "os: 'rhel-10.0',\n      machineTypes: { remove: ['pc-q35-rhel8.6.0'] },");
  await repo.synth();
  repo.commit('prod-east: drop pc-q35-rhel8.6.0');
  const { report } = await diffAgainstBase('remove-machine-type');
  expect(report.clusters.map((c) => c.cluster)).toEqual(['prod-east']);
  const prod = report.clusters[0]!;
  expect(prod.admission.newlyDenied).toEqual(['pc-q35-rhel8.6.0']);
  expect(prod.pools).toEqual([
    expect.objectContaining({ pool: 'rhel10-compute', typesRemoved: ['pc-q35-rhel8.6.0'] }),
    expect.objectContaining({ pool: 'rhel9-compute', typesRemoved: ['pc-q35-rhel8.6.0'] }),
  ]);
  expect(report.summary).toContain('prod-east: pc-q35-rhel8.6.0 newly denied');
  expect(report.dist.stale).toBe(false);
});

/** prod-east plans KubeVirt 1.6.2; this adds 1.8.0 built from CentOS Stream 10, whose launcher drops the RHEL 7/8 types. */
const PLAN_CS10 = [
  "{ kind: 'kubevirt-upgrade', to: '1.6.2' },",
  "{ kind: 'kubevirt-upgrade', to: '1.6.2' },\n    { kind: 'kubevirt-upgrade', to: '1.8.0', build: 'centos-stream-10', image: 'registry.example.com/virt-launcher:v1.8.0-cs10' },",
] as const;
/** …and accepts the known issue version lint raises for a 1.6 → 1.8 upgrade, so the fleet validates. */
const ACCEPT_16386 = ['acceptedKnownIssues: {', "acceptedKnownIssues: {\n    'kubevirt#16386': 'VMs started on 1.6 are restarted after the upgrade',"] as const;

test('planning a launcher step that drops the RHEL 8 types warns about them before anything is denied', async () => {
  repo.edit('clusters/prod-east.ts', ...PLAN_CS10);
  repo.edit('clusters/prod-east.ts', ...ACCEPT_16386);
  await repo.synth();
  repo.commit('prod-east: plan KubeVirt 1.8 on CentOS Stream 10');
  const { report } = await diffAgainstBase('planned-upgrade');
  const prod = report.clusters.find((c) => c.cluster === 'prod-east')!;
  expect(prod.admission.newlyDenied).toEqual([]);
  expect(prod.admission.newlyWarned.map((w) => w.machineType).concat(prod.admission.warningChanged.map((w) => w.machineType))).toContain('pc-q35-rhel8.6.0');
  expect(prod.steps!.after.at(-1)).toBe('KubeVirt 1.6.2 → 1.8.0 (centos-stream-9 → centos-stream-10)');
  expect(prod.pools.map((p) => [p.pool, p.afterSteps?.typesRemoved.includes('pc-q35-rhel8.6.0')])).toEqual([
    ['rhel10-compute', true],
    ['rhel9-compute', true],
  ]);
});

test('with an inventory, the VMs whose plan verdict the planned step changes are listed', async () => {
  repo.edit('clusters/prod-east.ts', ...PLAN_CS10);
  repo.edit('clusters/prod-east.ts', ...ACCEPT_16386);
  const vmi = (name: string, type: string) =>
    `---\napiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: ${name}, namespace: apps}\nspec: {domain: {machine: {type: ${type}}}}\nstatus: {machine: {type: ${type}}}\n`;
  repo.write('vmis.yaml', vmi('erp-1', 'pc-q35-rhel8.6.0') + vmi('web-1', 'pc-q35-rhel9.6.0'));
  const md = await runDiff('--base', 'base', '--cluster', 'prod-east', '--workloads', 'vmis.yaml');
  const json = await runDiff('--base', 'base', '--cluster', 'prod-east', '--workloads', 'vmis.yaml', '--output', 'json');
  expect([md.code, json.code]).toEqual([0, 0]);
  const report = JSON.parse(json.out) as DiffReport;
  // Before, the el9 launcher runs both types (deprecating the RHEL 8 one); after, the el10 launcher
  // drops the RHEL 8 types and deprecates the RHEL 9 ones. Without nodes, pools are judged whole.
  expect(report.workloads).toEqual({
    cluster: 'prod-east',
    checked: 2,
    changes: [
      { kind: 'VirtualMachineInstance', namespace: 'apps', name: 'erp-1', machineType: 'pc-q35-rhel8.6.0', before: 'deprecated', after: 'stranded' },
      { kind: 'VirtualMachineInstance', namespace: 'apps', name: 'web-1', machineType: 'pc-q35-rhel9.6.0', before: 'ok', after: 'deprecated' },
    ],
  });
  expectGolden('planned-upgrade-workloads.md', `${normalised(md.out)}\n`);
});

test('--workloads without --cluster is refused with exit 1', async () => {
  const { code, err } = await runDiff('--base', 'base', '--workloads', 'vmis.yaml');
  expect(code).toBe(1);
  expect(err).toContain('--workloads needs --cluster');
});

test('switching masquerade on the pod network to deny is reported as an enforcement change', async () => {
  repo.edit('clusters/edge-ovn.ts', "podNetworkMasquerade: 'warn'", "podNetworkMasquerade: 'deny'");
  await repo.synth();
  repo.commit('edge-ovn: deny masquerade');
  const { report, markdown } = await diffAgainstBase('policy-deny');
  const edge = report.clusters.find((c) => c.cluster === 'edge-ovn')!;
  expect(edge.enforcement).toContainEqual({
    policy: 'ValidatingPolicy/kvfleet-kube-ovn-pod-network-binding',
    change: 'changed',
    settings: [{ setting: 'validationActions', before: 'Warn', after: 'Deny' }],
  });
  expect(markdown).toContain('**now rejects**');
});

test('a new cluster is reported with its stage and its delivery', async () => {
  const lab = repo
    .read('clusters/legacy-apps.ts')
    .replace("name: 'legacy-apps'", "name: 'lab'")
    .replace(
      "argocd: { name: 'legacy-apps', project: 'virtualization', version: '3.5.1', stage: 'production' }",
      "argocd: { name: 'lab', version: '3.5.1', stage: 'canary' }",
    );
  expect(lab).toContain("stage: 'canary'");
  repo.write('clusters/lab.ts', lab);
  await repo.synth();
  repo.commit('lab: new cluster');
  const { report } = await diffAgainstBase('add-cluster');
  expect(report.clusters.find((c) => c.cluster === 'lab')?.change).toBe('added');
  expect(report.fleet.elements).toContainEqual(expect.objectContaining({ applicationSet: 'kvfleet', element: 'lab', change: 'added' }));
  expect(report.summary).toContain('lab: new cluster (stage canary)');
});

test('moving a cluster to another stage is a fleet change naming both stages', async () => {
  repo.edit('clusters/edge-ovn.ts', "stage: 'canary'", "stage: 'production'");
  await repo.synth();
  repo.commit('edge-ovn: to production');
  const { report, markdown } = await diffAgainstBase('change-stage');
  expect(markdown).toContain('**edge-ovn moves from stage canary to production**');
  expect(report.summary).toContain('edge-ovn: stage canary → production');
  // edge-ovn's own objects do not change: only where and when Argo CD delivers them.
  expect(report.clusters.map((c) => c.cluster)).not.toContain('edge-ovn');
});

test('an edit without re-running synth is reported, with dist/ flagged stale (issue 14)', async () => {
  repo.edit('clusters/prod-east.ts', 'fallbackAttempts: 3', 'fallbackAttempts: 1');
  const { report, markdown } = await diffAgainstBase('edit-without-synth');
  expect(report.summary).not.toContain('No change');
  expect(report.unchanged).toBe(false);
  expect(report.clusters[0]?.settings).toContainEqual(expect.objectContaining({ area: 'controller', before: '3', after: '1' }));
  expect(report.dist).toMatchObject({ stale: true, files: [{ path: 'prod-east/Deployment.kvfleet-migration-controller.yaml', change: 'modified' }] });
  expect(markdown).toContain('dist/ is stale: run `npm run synth`');
});

test('an unknown base ref is refused with exit 1, naming the ref and the fix', async () => {
  const { code, out, err } = await runDiff('--base', 'no-such-branch');
  expect(code).toBe(1);
  expect(out).toBe('');
  expect(err).toMatch(/base "no-such-branch" is not a commit git knows here; fetch it .* or pass an existing ref with --base/);
});

test('invalid working-tree definitions are refused with exit 1 and their errors', async () => {
  repo.edit('clusters/prod-east.ts', "kubevirtVersion: '1.5.0',", "kubevirtVersion: '1.0.9',");
  const { code, err } = await runDiff('--base', 'base');
  expect(code).toBe(1);
  expect(err).toContain("the working tree's definitions are invalid");
  expect(err).toContain('clusters/prod-east.ts: kubevirtVersion');
});

test('a base whose synth fails is refused with its first error lines', async () => {
  repo.edit('clusters/edge-ovn.ts', "kubernetesVersion: '1.34'", 'kubernetesVersion: 1.34 as unknown as string');
  repo.commit('broken base');
  repo.git('tag', '-f', 'broken');
  repo.reset();
  const { code, err } = await runDiff('--base', 'broken');
  expect(code).toBe(1);
  expect(err).toMatch(/the synth of base "broken" \([0-9a-f]{12}\) failed/);
  expect(err).toContain('clusters/edge-ovn.ts');
  expect(repo.git('worktree', 'list').trim().split('\n')).toHaveLength(1); // the temporary worktree is gone
});
