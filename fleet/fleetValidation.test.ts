import { describe, expect, test } from 'vitest';
import { launcherEntry } from '../compatibility/launcherCatalogue.js';
import { type ClusterDefinitionInput, defineCluster } from './clusterDefinition.js';
import { selectorsOverlap, validateCluster, validateFleet } from './fleetValidation.js';

// Field-by-field cases (80+) live in test/definitions/malformedDefinitions.test.ts; these are about
// what needs the file or the fleet: names, duplicates, warnings, reporting everything at once.
const FILE = 'clusters/test-cluster.ts';

function valid(): ClusterDefinitionInput {
  return {
    name: 'test-cluster',
    kubernetesVersion: '1.33',
    kubevirtVersion: '1.9.0', // no known issue (versionLint.test.ts has the releases that have one)
    kubeOvn: 'none',
    argocd: { name: 'test-cluster' },
    nodePools: [
      { name: 'rhel9', nodeSelector: { pool: 'rhel9' }, os: 'rhel-9.6', nodeCount: 3 },
      { name: 'rhel10', nodeSelector: { pool: 'rhel10' }, os: 'rhel-10.0' },
    ],
    plannedSteps: [{ kind: 'node-os-upgrade', pool: 'rhel9', to: 'rhel-10.0' }],
  };
}

/** A valid definition with one change applied (JSON clone: definitions are plain data). */
function broken(change: (d: any) => void): unknown {
  const d = JSON.parse(JSON.stringify(valid()));
  change(d);
  return d;
}

const errorsOf = (d: unknown) => validateCluster(FILE, d).problems.filter((e) => e.severity === 'error');

test('the valid definition has no problems and comes back as the schema output', () => {
  const result = validateCluster(FILE, defineCluster(valid()));
  expect(result.problems).toEqual([]);
  expect(result.definition).toEqual(valid());
});

test('a cluster whose name differs from its file is refused with both names', () => {
  const [e] = errorsOf(broken((d) => (d.name = 'other-cluster')));
  expect(e?.path).toBe('name');
  expect(e?.problem).toBe('"other-cluster" differs from the file name "test-cluster"');
  expect(e?.fix).toMatch(/rename the file to clusters\/other-cluster.ts/);
});

test('all problems are reported at once, in field order', () => {
  const errors = errorsOf(
    broken((d) => {
      d.kubevirtVersion = 'latest';
      d.nodePools[0].architecture = 'x86_64';
      d.nodePools[1].nodeCount = -1;
    }),
  );
  expect(errors.map((e) => e.path)).toEqual(['kubevirtVersion', 'nodePools[0].architecture', 'nodePools[1].nodeCount']);
});

test('a rule between fields still runs when an unrelated field is wrong', () => {
  const errors = errorsOf(
    broken((d) => {
      d.kubevirtVersion = 'latest';
      d.migration = { fallbackUnschedulableTimeoutSeconds: 200 };
    }),
  );
  expect(errors.map((e) => e.path)).toEqual(['kubevirtVersion', 'migration.fallbackUnschedulableTimeoutSeconds']);
});

test('a file that exports nothing usable is reported, not thrown', () => {
  const [e] = validateCluster(FILE, undefined).problems;
  expect(e?.problem).toBe('the default export is undefined, not a cluster definition');
  expect(e?.fix).toMatch(/export default defineCluster/);
});

test('a Proxy is reported as one and never read, whatever its traps do', () => {
  const hostile = new Proxy(
    {},
    {
      get: () => {
        throw new Error('no reading');
      },
      ownKeys: () => {
        throw new Error('no keys');
      },
    },
  );
  const [e] = validateCluster(FILE, hostile).problems;
  expect(e?.problem).toBe('is a Proxy, whose fields are computed when read');
  expect(e?.fix).toMatch(/plain data/);
});

test('two files with one cluster name are reported against the second file, which is left out', () => {
  const d = valid();
  const { clusters, problems } = validateFleet([
    { file: FILE, definition: d },
    { file: 'copy/clusters/test-cluster.ts', definition: d }, // one name in two folders
  ]);
  const dup = problems.find((e) => e.problem.includes('already used by'));
  expect(dup?.file).toBe('copy/clusters/test-cluster.ts');
  expect(dup?.problem).toContain(FILE);
  expect(clusters.map((c) => c.file)).toEqual([FILE]);
});

describe('the version lint (fleet/versionLint.ts) joins the definition checks', () => {
  test('a known-bad release is an error that leaves the cluster out; a warning of the same release does not stop it', () => {
    const { definition, problems } = validateCluster(
      FILE,
      broken((d) => (d.kubeOvn = { version: '1.15.2', install: { chart: 'kube-ovn', version: 'v1.15.2' } })),
    );
    expect(definition).toBeUndefined();
    expect(problems.map((w) => [w.severity, w.path, w.problem.match(/\[(\S+):/)?.[1]])).toEqual([
      ['error', 'kubeOvn.version', 'kube-ovn#6823'],
      ['error', 'kubeOvn.version', 'kube-ovn#6220'],
      ['warning', 'kubeOvn.version', 'kube-ovn#6241'],
    ]);
  });

  test('a current Kube-OVN installed from its chart gets nothing', () => {
    expect(
      validateCluster(
        FILE,
        broken((d) => (d.kubeOvn = { version: '1.15.14', install: { chart: 'kube-ovn-v2', version: 'v1.15.14' } })),
      ).problems,
    ).toEqual([]);
  });
});

describe('warnings do not stop synthesis but say what to do', () => {
  const CS10_IMAGE = 'registry.example.com/virt-launcher:v1.9.0-cs10';
  const withSteps = (steps: unknown[]) =>
    validateCluster(
      FILE,
      broken((d) => (d.plannedSteps = steps)),
    );

  test('a step whose launcher drops types warns at the step, naming every pool and every type it loses', () => {
    const { definition, problems } = withSteps([{ kind: 'launcher-switch', build: 'centos-stream-10', image: CS10_IMAGE }]);
    expect(definition).toBeDefined();
    expect(problems.every((p) => p.severity === 'warning' && p.path === 'plannedSteps[0]')).toBe(true);
    const drop = problems.find((p) => p.problem.includes('drops machine types'));
    // Expected from the catalogue, not retyped: what the CS9 amd64 list has that the CS10 one lacks.
    const cs10 = new Set(launcherEntry('1.9.0', 'centos-stream-10')!.architectures.amd64!.machineTypes);
    const lost = launcherEntry('1.9.0', 'centos-stream-9')!.architectures.amd64!.machineTypes.filter((t) => !cs10.has(t));
    expect(lost).toContain('pc-q35-rhel8.6.0');
    for (const pool of ['rhel9', 'rhel10']) expect(drop?.problem).toContain(`pool ${pool} (amd64) loses`);
    for (const type of lost) expect(drop?.problem).toContain(type);
    expect(drop?.problem).toContain('launcher centos-stream-9 → centos-stream-10');
    expect(drop?.fix).toMatch(/kvfleet plan/);
  });

  test('an unsupported build (CentOS Stream 10) is a warning of its own at the step', () => {
    const { problems } = withSteps([{ kind: 'launcher-switch', build: 'centos-stream-10', image: CS10_IMAGE }]);
    expect(problems.some((p) => p.path === 'plannedSteps[0]' && p.problem.startsWith('kubevirt-1.9/centos-stream-10: ') && /unsupported/.test(p.problem))).toBe(true);
  });

  test('a node-OS step and a KubeVirt upgrade that keeps every type warn of nothing', () => {
    expect(
      validateCluster(
        FILE,
        broken((d) => (d.kubevirtVersion = '1.8.0')),
      ).problems.filter((p) => p.path.startsWith('plannedSteps')),
    ).toEqual([]);
    const upgrade = validateCluster(
      FILE,
      broken((d) => {
        d.kubevirtVersion = '1.7.0';
        d.plannedSteps = [{ kind: 'kubevirt-upgrade', to: '1.8.0' }];
      }),
    );
    expect(upgrade.problems.filter((p) => p.path.startsWith('plannedSteps'))).toEqual([]);
  });

  test('a drop is warned once per step, at the step that does it', () => {
    const { problems } = withSteps([
      { kind: 'node-os-upgrade', pool: 'rhel9', to: 'rhel-10.0' },
      { kind: 'launcher-switch', build: 'centos-stream-10', image: CS10_IMAGE },
    ]);
    expect(problems.filter((p) => p.problem.includes('drops machine types')).map((p) => p.path)).toEqual(['plannedSteps[1]']);
  });
});

test.each([
  [{ a: '1' }, { a: '2' }, false],
  [{ a: '1' }, { b: '2' }, true],
  [{ a: '1', b: '2' }, { a: '1' }, true],
  [{ a: '1', b: '2' }, { a: '1', b: '3' }, false],
  // A key every object inherits is still only the selector's own: `k in b` would find Object.prototype.toString.
  [{ toString: 'a' }, { pool: 'b' }, true],
  [{ constructor: 'a' }, { constructor: 'b' }, false],
])('selectors %j and %j overlap: %s', (a, b, expected) => {
  expect(selectorsOverlap(a, b)).toBe(expected);
  expect(selectorsOverlap(b, a)).toBe(expected);
});
