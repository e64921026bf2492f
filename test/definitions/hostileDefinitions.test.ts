/**
 * Hostile definitions, table-driven: what a careless or malicious file (or a dependency it imports)
 * can do that plain data cannot — prototype keys, inherited fields, getters, symbols, holes, exotic
 * numbers, invisible characters, one name claimed twice, a failure in one file that another file's
 * rule depends on. Each case is a real folder run through the real `kvfleet check` path (checkFleet)
 * and the real synthesis: both must report the same errors, each naming file, field, value and fix;
 * nothing may crash, and the previous dist/ must stay byte for byte.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FleetDefinitionErrors } from '../../fleet/definitionError.js';
import { checkFleet, synthFleet } from '../../generators/synthFleet.js';
import { projectDir } from '../../testbed/harness/toolPaths.js';
import { readTree } from '../../testbed/support/fileTree.js';

/** The definition each case breaks, as source: `d` is mutated by the case's statements. */
const BASE = {
  name: 'test-cluster',
  kubernetesVersion: '1.33',
  kubevirtVersion: '1.9.0',
  kubeOvn: 'none',
  argocd: { name: 'test-cluster' },
  nodePools: [
    { name: 'rhel9', nodeSelector: { 'node.example.com/pool': 'rhel9' }, os: 'rhel-9.6', nodeCount: 3 },
    { name: 'arm', nodeSelector: { 'node.example.com/pool': 'arm' }, architecture: 'arm64', nodeCount: 2 },
  ],
};
const FLEET_CONFIG = `import { defineFleet } from '${projectDir}/fleet/fleetConfigSchema.js';
export default defineFleet({
  repoURL: 'https://git.example.com/platform/fleet.git',
  targetRevision: 'main',
  stages: [{ name: 'canary' }, { name: 'production' }],
  monitoring: { fleetDashboardCluster: 'test-cluster' },
});
`;

/** A cluster file: the base definition, then `statements` (TypeScript) that break it, then the export. */
const cluster = (statements: string, name = 'test-cluster') =>
  `const d: any = ${JSON.stringify({ ...BASE, name, argocd: { name } })};\n${statements}\nexport default d;\n`;

interface HostileCase {
  readonly what: string;
  /** Files of the project: `clusters/test-cluster.ts` → source; kvfleet.config.ts is added unless given. */
  readonly files: Readonly<Record<string, string>>;
  /** The error every run must report: where (`file` or `file:line`), field path, text of the value seen, fix. */
  readonly file: string;
  readonly field: string;
  readonly seen: string;
  readonly fix: RegExp;
  /** What must not be reported (a consequence of the error, not a cause). */
  readonly absent?: RegExp;
}

const at = (statements: string): Record<string, string> => ({ 'clusters/test-cluster.ts': cluster(statements) });
const FILE = 'clusters/test-cluster.ts';
const selector = 'nodePools[0].nodeSelector';

const cases: HostileCase[] = [
  // Keys every object inherits.
  ...['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'].map(
    (key): HostileCase => ({
      what: `a node-selector key "${key}"`,
      files: at(`d.nodePools[0].nodeSelector[${JSON.stringify(key)}] = 'x';`),
      file: FILE,
      field: `${selector}[${JSON.stringify(key)}]`,
      seen: `"${key}" is the name of a property every JavaScript object inherits`,
      fix: new RegExp(`use a prefixed key, e\\.g\\. "example\\.com/${key}"`),
    }),
  ),
  {
    what: 'a MigrationPolicy selector key "constructor"',
    files: at(`d.kubevirt = { migrationPolicies: [{ name: 'big', selectors: { virtualMachineInstanceSelector: { constructor: 'x' } }, allowAutoConverge: true }] };`),
    file: FILE,
    field: 'kubevirt.migrationPolicies[0].selectors.virtualMachineInstanceSelector["constructor"]',
    seen: 'Object.prototype.constructor',
    fix: /example\.com\/constructor/,
  },
  {
    what: 'an alert selector label "toString"',
    files: at(`d.alerts = { selectorLabels: { toString: 'x' } };`),
    file: FILE,
    field: 'alerts.selectorLabels["toString"]',
    seen: 'Object.prototype.toString',
    fix: /example\.com\/toString/,
  },
  {
    what: '`__proto__:` written in a selector literal (the entry vanishes in JavaScript)',
    files: at(`d.nodePools[0].nodeSelector = { 'node.example.com/pool': 'rhel9', __proto__: 'x' };`),
    file: `${FILE}:2:67`, // outside the exported literal: the place, not a field path
    field: '',
    seen: "`__proto__: …` in an object literal sets the object's prototype",
    fix: /^remove it; no field, label key or name of a definition can be "__proto__"$/,
  },
  {
    what: '`__proto__:` with an object in the exported literal (its fields would be inherited)',
    files: {
      [FILE]: `export default ${JSON.stringify(BASE, null, 1).replace('"kubeOvn": "none",', '"kubeOvn": "none",\n "images": { "__proto__": { "nodeLabeller": "evil.example.com/l:1" } },')};\n`,
    },
    file: `${FILE}:6:`,
    field: 'images',
    seen: "sets the object's prototype",
    fix: /^remove it/,
  },
  {
    what: 'a computed ["__proto__"] key (an own key zod would drop)',
    files: at(`d.nodePools[0].nodeSelector = { 'node.example.com/pool': 'rhel9', ['__proto__']: 'x' };`),
    file: FILE,
    field: `${selector}["__proto__"]`,
    seen: 'a key named "__proto__"',
    fix: /^remove it/,
  },
  {
    what: 'a computed ["__proto__"] key among the accepted known issues',
    files: at(`d.acceptedKnownIssues = { ['__proto__']: 'we accept everything, says the hostile file' };`),
    file: FILE,
    field: 'acceptedKnownIssues["__proto__"]',
    seen: 'a key named "__proto__"',
    fix: /^remove it/,
  },
  // Shared objects changed while loading: every other cluster would inherit the change.
  {
    what: 'Object.prototype.images set by the file',
    files: at(`(Object.prototype as any).images = { nodeLabeller: 'evil.example.com/labeller:1' };`),
    file: FILE,
    field: '',
    seen: 'Object.prototype.images added',
    fix: /every object kvfleet reads would inherit the change/,
  },
  {
    what: 'Object.prototype changed by a module the file imports',
    files: {
      'clusters/lib/defaults.ts': "(Object.prototype as any).launcher = { image: 'evil.example.com/launcher:1' };\nexport const pools = 2;\n",
      [FILE]: `import { pools } from './lib/defaults.js';\n${cluster('void pools;')}`,
    },
    file: FILE,
    field: '',
    seen: 'Object.prototype.launcher added',
    fix: /remove the code \(or the dependency\)/,
  },
  {
    what: 'a getter defined on Object.prototype',
    files: at(`Object.defineProperty(Object.prototype, 'migration', { get: () => ({ fallbackAttempts: 10 }), configurable: true });`),
    file: FILE,
    field: '',
    seen: 'Object.prototype.migration added',
    fix: /put them back and wrote nothing/,
  },
  {
    what: 'Array.prototype.includes replaced',
    files: at(`const original = Array.prototype.includes;\nArray.prototype.includes = function () { return true; } as typeof original;`),
    file: FILE,
    field: '',
    seen: 'Array.prototype.includes replaced',
    fix: /remove the code/,
  },
  {
    what: 'JSON.stringify replaced',
    files: at(`JSON.stringify = () => '{}';`),
    file: FILE,
    field: '',
    seen: 'JSON.stringify replaced',
    fix: /remove the code/,
  },
  // Code where data belongs.
  {
    what: 'a getter that throws',
    files: at(`Object.defineProperty(d, 'kubevirtVersion', { get() { throw new Error('no network'); }, enumerable: true });`),
    file: FILE,
    field: 'kubevirtVersion',
    seen: 'is a getter',
    fix: /^write the value itself: "kubevirtVersion": <value>$/,
    absent: /no value \(undefined\)/,
  },
  {
    what: 'a getter that returns a valid name',
    files: at(`Object.defineProperty(d, 'name', { get: () => 'test-cluster', enumerable: true });`),
    file: FILE,
    field: 'name',
    seen: 'kvfleet reads definitions as data and runs no code in them',
    fix: /write the value itself/,
  },
  {
    what: 'a getter inside a list',
    files: at(`const p = d.nodePools[1];\nd.nodePools = [d.nodePools[0]];\nObject.defineProperty(d.nodePools, 1, { get: () => p, enumerable: true });`),
    file: FILE,
    field: 'nodePools[1]',
    seen: 'is a getter',
    fix: /write the value itself/,
  },
  {
    what: 'a setter without a value',
    files: at(`Object.defineProperty(d, 'namespace', { set(_v: unknown) {}, enumerable: true });`),
    file: FILE,
    field: 'namespace',
    seen: 'a setter without a value',
    fix: /write the value itself/,
  },
  {
    what: 'a hidden (non-enumerable) field',
    files: at(`Object.defineProperty(d, 'migration', { value: { fallbackAttempts: 2 }, enumerable: false });`),
    file: FILE,
    field: 'migration',
    seen: 'is hidden (not enumerable',
    fix: /write it as an ordinary field/,
  },
  {
    what: 'a symbol key',
    files: at(`d[Symbol('owner')] = 'team-a';`),
    file: FILE,
    field: '',
    seen: 'has a symbol key Symbol(owner)',
    fix: /use a string key/,
  },
  {
    what: 'a symbol as a label value',
    files: at(`d.nodePools[0].nodeSelector['node.example.com/pool'] = Symbol('rhel9');`),
    file: FILE,
    field: `${selector}["node.example.com/pool"]`,
    seen: 'Symbol(rhel9)',
    fix: /quote the value/,
  },
  {
    what: 'a hole in the list of pools',
    files: at(`d.nodePools = [d.nodePools[0], , d.nodePools[1]];`),
    file: FILE,
    field: 'nodePools[1]',
    seen: 'is a hole in the list: 1 of its 3 places',
    fix: /remove the extra commas/,
    absent: /nodePools\[1\]: no value/,
  },
  {
    what: 'a list with a field',
    files: at(`d.nodePools.primary = 'rhel9';`),
    file: FILE,
    field: 'nodePools.primary',
    seen: 'a list with a field "primary"',
    fix: /a list holds entries only/,
  },
  { what: 'a Proxy', files: at(`d.migration = new Proxy({}, { get: () => 3 });`), file: FILE, field: 'migration', seen: 'is a Proxy', fix: /plain data/ },
  {
    what: 'a class instance',
    files: at(`class Images { nodeLabeller = 'quay.io/x/labeller:1.0'; }\nd.images = new Images();`),
    file: FILE,
    field: 'images',
    seen: 'is a Images, not plain data',
    fix: /plain data/,
  },
  {
    what: 'a Map as a selector',
    files: at(`d.nodePools[0].nodeSelector = new Map([['pool', 'rhel9']]);`),
    file: FILE,
    field: selector,
    seen: 'is a Map, not plain data',
    fix: /an object literal/,
  },
  { what: 'a Date as a version', files: at(`d.kubevirtVersion = new Date(0);`), file: FILE, field: 'kubevirtVersion', seen: 'is a Date', fix: /plain data/ },
  { what: 'a boxed string as the name', files: at(`d.name = new String('test-cluster');`), file: FILE, field: 'name', seen: 'is a String', fix: /plain data/ },
  {
    what: 'a pool made with Object.create (inherited fields)',
    files: at(`d.nodePools[1] = Object.assign(Object.create({ architecture: 'arm64' }), { name: 'arm', nodeSelector: { pool: 'arm' } });`),
    file: FILE,
    field: 'nodePools[1]',
    seen: 'has a prototype of its own',
    fix: /without __proto__ or Object\.create/,
  },
  {
    what: 'a builder function as the export',
    files: { [FILE]: 'export default function build() { return {}; }\n' },
    file: FILE,
    field: '',
    seen: '[function build]',
    fix: /export default defineCluster/,
  },
  // Exotic numbers.
  { what: 'NaN nodes', files: at(`d.nodePools[0].nodeCount = Number.NaN;`), file: FILE, field: 'nodePools[0].nodeCount', seen: 'NaN', fix: /at least 1/ },
  { what: '-Infinity nodes', files: at(`d.nodePools[0].nodeCount = -Infinity;`), file: FILE, field: 'nodePools[0].nodeCount', seen: '-Infinity', fix: /at least 1/ },
  { what: '2^53 nodes', files: at(`d.nodePools[0].nodeCount = 2 ** 53;`), file: FILE, field: 'nodePools[0].nodeCount', seen: '9007199254740992', fix: /at least 1/ },
  {
    what: '-0 nodes',
    files: at(`d.nodePools[0].nodeCount = -0;`),
    file: FILE,
    field: 'nodePools[0].nodeCount',
    seen: '0 is not a positive whole number',
    fix: /at least 1/,
  },
  {
    what: '1e21 fallback attempts',
    files: at(`d.migration = { fallbackAttempts: 1e21 };`),
    file: FILE,
    field: 'migration.fallbackAttempts',
    seen: '1e+21',
    fix: /from 0 to 10/,
  },
  // Invisible characters: the message shows them escaped and says so.
  {
    what: 'a zero-width space in the name',
    files: at(`d.name = 'test\\u200bcluster';`),
    file: FILE,
    field: 'name',
    seen: '"test\\u200bcluster" is not a DNS label',
    fix: /lower-case letters/,
  },
  {
    what: 'a BOM at the end of the KubeVirt version',
    files: at(`d.kubevirtVersion = '1.9.0\\ufeff';`),
    file: FILE,
    field: 'kubevirtVersion',
    seen: 'U+FEFF',
    fix: /"X\.Y\.Z"/,
  },
  {
    what: 'a right-to-left override in a label value',
    files: at(`d.nodePools[0].nodeSelector['node.example.com/pool'] = 'rhel\\u202e9';`),
    file: FILE,
    field: `${selector}["node.example.com/pool"]`,
    seen: '"rhel\\u202e9" is not a valid label value (it holds the invisible character U+202E',
    fix: /at most 63 characters/,
  },
  {
    what: 'a zero-width joiner in a label key',
    files: at(`d.nodePools[0].nodeSelector = { 'node.example.com/po\\u200dol': 'rhel9' };`),
    file: FILE,
    field: `${selector}["node.example.com/po\\u200dol"]`,
    seen: 'U+200D',
    fix: /\[prefix\/\]name/,
  },
  {
    what: 'a no-break space after the Kubernetes version',
    files: at(`d.kubernetesVersion = '1.33\\u00a0';`),
    file: FILE,
    field: 'kubernetesVersion',
    seen: '"1.33\\u00a0"',
    fix: /did you mean "1\.33"\?/,
  },
  // Kubernetes versions: the supported range, with "did you mean".
  {
    what: 'Kubernetes 1.320',
    files: at(`d.kubernetesVersion = '1.320';`),
    file: FILE,
    field: 'kubernetesVersion',
    seen: 'Kubernetes 1.320 is not a release kvfleet knows (1.30 to 1.37)',
    fix: /^did you mean "1\.32"\?/,
  },
  {
    what: 'Kubernetes 1.99',
    files: at(`d.kubernetesVersion = '1.99';`),
    file: FILE,
    field: 'kubernetesVersion',
    seen: 'not a release kvfleet knows',
    fix: /kubectl version/,
  },
  { what: 'Kubernetes v1.33', files: at(`d.kubernetesVersion = 'v1.33';`), file: FILE, field: 'kubernetesVersion', seen: '"v1.33"', fix: /^did you mean "1\.33"\?/ },
  // One name, two files: never suggest a file name that exists.
  {
    what: 'a second file claiming an existing cluster name',
    files: { [FILE]: cluster(''), 'clusters/prod-west.ts': cluster('', 'test-cluster') },
    file: 'clusters/prod-west.ts',
    field: 'name',
    seen: 'and clusters/test-cluster.ts is the definition of a cluster of that name',
    fix: /^set name: "prod-west"/,
    absent: /rename the file to clusters\/test-cluster\.ts/,
  },
  {
    what: 'a .js copy beside the .ts definition',
    files: { [FILE]: cluster('d.kubevirtVersion = "latest";'), 'clusters/test-cluster.js': 'export default {};\n' },
    file: 'clusters/test-cluster.js',
    field: '',
    seen: 'is not read: cluster definitions are .ts files',
    fix: /^remove it: clusters\/test-cluster\.ts is the definition kvfleet reads/,
    absent: /rename it to clusters\/test-cluster\.ts/,
  },
  // Failures across files: the cause is reported, its consequences are not.
  {
    what: 'the fleet dashboard cluster fails its own validation',
    files: at(`d.kubevirtVersion = 'latest';`),
    file: FILE,
    field: 'kubevirtVersion',
    seen: '"latest"',
    fix: /"X\.Y\.Z"/,
    absent: /fleetDashboardCluster/,
  },
  {
    what: 'the fleet configuration fails while a cluster names one of its stages',
    files: {
      [FILE]: cluster(`d.argocd = { name: 'test-cluster', stage: 'canary' };`),
      'kvfleet.config.ts': FLEET_CONFIG.replace("targetRevision: 'main',", "targetRevision: 'main',\n  get argocd() { return { namespace: 'argocd' }; },"),
    },
    file: 'kvfleet.config.ts',
    field: 'argocd',
    seen: 'is a getter',
    fix: /write the value itself/,
    absent: /argocd\.stage/,
  },
  {
    what: 'the fleet configuration changes Object.prototype',
    files: { [FILE]: cluster(''), 'kvfleet.config.ts': `(Object.prototype as any).stage = 'canary';\n${FLEET_CONFIG}` },
    file: 'kvfleet.config.ts',
    field: '',
    seen: 'Object.prototype.stage added',
    fix: /put them back/,
  },
  {
    what: 'a circular selector',
    files: at(`d.nodePools[0].nodeSelector.self = d.nodePools[0].nodeSelector;`),
    file: FILE,
    field: `${selector}["self"]`,
    seen: '[circular]',
    fix: /quote the value/,
  },
];

describe('hostile definitions: check and synth give the same errors, each with file, field, value and fix', () => {
  let work: string;
  let dist: string;
  let before: Record<string, string>;
  let n = 0;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'kvfleet-hostile-'));
    dist = join(work, 'dist');
    await synthFleet({ clustersDir: join(projectDir, 'clusters'), distDir: dist, projectDir });
    before = readTree(dist);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('there are at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  test.each(cases.map((c) => [c.what, c] as const))('%s', async (_what, c) => {
    const root = join(work, `case-${++n}`);
    for (const [file, source] of Object.entries({ 'kvfleet.config.ts': FLEET_CONFIG, ...c.files })) {
      mkdirSync(join(root, file, '..'), { recursive: true });
      writeFileSync(join(root, file), source);
    }
    const opts = { clustersDir: join(root, 'clusters'), projectDir: root };
    const checked = await checkFleet(opts);
    const synthError = await synthFleet({ ...opts, distDir: dist }).catch((e: unknown) => e);

    expect(synthError).toBeInstanceOf(FleetDefinitionErrors);
    const errors = checked.problems.filter((p) => p.severity === 'error').map(String);
    expect((synthError as FleetDefinitionErrors).errors.map(String)).toEqual(errors);
    const match = checked.problems.find((p) => String(p).startsWith(`${c.file}`) && p.path === c.field && p.problem.includes(c.seen));
    expect(match, `errors were:\n${errors.join('\n')}`).toBeDefined();
    expect(match!.fix).toMatch(c.fix);
    if (c.absent) expect(errors.join('\n')).not.toMatch(c.absent);
    expect(readTree(dist)).toEqual(before);
    // Whatever the file did to shared objects was undone: the next case (and every other cluster) sees plain JavaScript.
    expect(Object.hasOwn(Object.prototype, 'images') || Object.hasOwn(Object.prototype, 'launcher') || [].includes.length !== 1).toBe(false);
    expect(JSON.stringify({ a: 1 })).toBe('{"a":1}');
  });
});
