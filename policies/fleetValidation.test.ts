import { describe, expect, test } from 'vitest';
import { type ClusterDefinition, defineCluster } from './clusterDefinition.js';
import { selectorsOverlap, validateCluster, validateFleet } from './fleetValidation.js';

const FILE = 'clusters/test-cluster.ts';

function valid(): ClusterDefinition {
  return defineCluster({
    name: 'test-cluster',
    kubernetesVersion: '1.33',
    kubevirtVersion: '1.6.2',
    kubeOvn: 'none',
    argocd: { name: 'test-cluster' },
    nodePools: [
      { name: 'rhel9', nodeSelector: { pool: 'rhel9' }, hypervisor: 'rhel-9.6', upgradeTo: 'rhel-10.0', nodeCount: 3 },
      { name: 'rhel10', nodeSelector: { pool: 'rhel10' }, hypervisor: 'rhel-10.0', nodeCount: 2 },
    ],
  });
}

/** A valid definition with one change applied (JSON clone: definitions are plain data). */
function broken(change: (d: any) => void): ClusterDefinition {
  const d = JSON.parse(JSON.stringify(valid()));
  change(d);
  return d;
}

const errorsOf = (d: ClusterDefinition) => validateCluster(FILE, d).filter((e) => e.severity === 'error');

test('the valid definition has no problems', () => {
  expect(validateCluster(FILE, valid())).toEqual([]);
});

describe('each bad definition gets an error naming file, field, value and fix', () => {
  test.each([
    ['unknown hypervisor release', (d: any) => (d.nodePools[0].hypervisor = 'rhel-9.5'), 'nodePools[0].hypervisor', /"rhel-9.5" is not a known hypervisor release/, /rhel-9.6/],
    ['planned upgrade to an unknown release', (d: any) => (d.nodePools[0].upgradeTo = 'rhel-11.0'), 'nodePools[0].upgradeTo', /"rhel-11.0" is not a known/, /use one of/],
    ['upgrade to the current release', (d: any) => (d.nodePools[1].upgradeTo = 'rhel-10.0'), 'nodePools[1].upgradeTo', /current release "rhel-10.0"/, /remove upgradeTo/],
    ['duplicate pool names', (d: any) => (d.nodePools[1].name = 'rhel9'), 'nodePools[1].name', /"rhel9" is already used by nodePools\[0\]/, /its own name/],
    ['overlapping selectors', (d: any) => (d.nodePools[1].nodeSelector = { zone: 'a' }), 'nodePools[1].nodeSelector', /can match the same nodes as pool "rhel9"/, /different values/],
    ['empty node selector', (d: any) => (d.nodePools[0].nodeSelector = {}), 'nodePools[0].nodeSelector', /no nodeSelector/, /labels that identify/],
    ['override of the other vendor', (d: any) => (d.nodePools[0].machineTypes = { add: ['pc-q35-10.1'] }), 'nodePools[0].machineTypes.add[0]', /"pc-q35-10.1" is a qemu machine type but rhel-9.6 is a rhel release/, /never mix/],
    ['override removing a type the release lacks', (d: any) => (d.nodePools[1].machineTypes = { remove: ['pc-q35-rhel8.6.0'] }), 'nodePools[1].machineTypes.remove[0]', /not in rhel-10.0's matrix/, /only types the release offers/],
    ['override that is not a machine type', (d: any) => (d.nodePools[0].machineTypes = { add: ['q35'] }), 'nodePools[0].machineTypes.add[0]', /"q35" is not a versioned machine type/, /canonical name/],
    ['override adding a type already there', (d: any) => (d.nodePools[0].machineTypes = { add: ['pc-q35-rhel9.6.0'] }), 'nodePools[0].machineTypes.add[0]', /already in rhel-9.6's matrix/, /remove it from add/],
    ['overrides removing every type', (d: any) => (d.nodePools[1].machineTypes = { remove: ['pc-q35-rhel9.0.0', 'pc-q35-rhel9.2.0', 'pc-q35-rhel9.4.0', 'pc-q35-rhel9.6.0', 'pc-q35-rhel10.0.0'] }), 'nodePools[1].machineTypes.remove', /no machine type/, /remove fewer/],
    ['upgrade overrides without an upgrade', (d: any) => (d.nodePools[1].upgradeMachineTypes = { add: ['pc-q35-rhel9.8.0'] }), 'nodePools[1].upgradeMachineTypes', /not planned/, /set upgradeTo/],
    ['no node pools', (d: any) => (d.nodePools = []), 'nodePools', /no node pools/, /at least one pool/],
    ['zero nodes in a pool', (d: any) => (d.nodePools[0].nodeCount = 0), 'nodePools[0].nodeCount', /0 is not a positive whole number/, /at least 1/],
    ['KubeVirt version with a v', (d: any) => (d.kubevirtVersion = 'v1.6.2'), 'kubevirtVersion', /"v1.6.2" is not a version/, /without a leading "v"/],
    ['Kubernetes version as a patch release', (d: any) => (d.kubernetesVersion = '1.33.2'), 'kubernetesVersion', /not a Kubernetes minor/, /"1.<minor>"/],
    ['Kubernetes too old for CEL policies', (d: any) => (d.kubernetesVersion = '1.28'), 'kubernetesVersion', /older than 1.30/, /upgrade the cluster/],
    ['Kube-OVN without a version', (d: any) => (d.kubeOvn = { version: 'latest' }), 'kubeOvn.version', /"latest" is not a version/, /X.Y.Z/],
    ['both Argo CD server and name', (d: any) => (d.argocd = { name: 'a', server: 'https://a:6443' }), 'argocd', /exactly one of argocd.server and argocd.name/, /either/],
    ['Argo CD server without https', (d: any) => (d.argocd = { server: 'http://a:6443' }), 'argocd.server', /not an https URL/, /API server URL/],
    ['cluster name differs from file', (d: any) => (d.name = 'other-cluster'), 'name', /"other-cluster" differs from the file name "test-cluster"/, /rename the file/],
    ['cluster name not a DNS label', (d: any) => (d.name = 'Prod_East'), 'name', /not a DNS label/, /lower-case/],
    ['migration setting out of range', (d: any) => (d.migration = { fallbackAttempts: 50 }), 'migration.fallbackAttempts', /50 is out of range/, /from 0 to 10/],
    ['unknown migration setting', (d: any) => (d.migration = { retries: 2 }), 'migration.retries', /unknown setting "retries"/, /fallbackAttempts/],
    ['invalid selector label key', (d: any) => (d.nodePools[0].nodeSelector = { 'bad key!': 'x' }), 'nodePools[0].nodeSelector["bad key!"]', /not a valid label key/, /prefix\/\]name/],
    ['image without tag', (d: any) => (d.images = { nodeLabeller: 'quay.io/x/labeller' }), 'images.nodeLabeller', /not an image reference/, /:tag/],
  ])('%s', (_name, change, path, problem, fix) => {
    const errors = errorsOf(broken(change));
    const match = errors.find((e) => e.path === path);
    expect(match, `errors were: ${errors.map(String).join(' | ')}`).toBeDefined();
    expect(match!.file).toBe(FILE);
    expect(match!.problem).toMatch(problem);
    expect(match!.fix).toMatch(fix);
    expect(match!.toString()).toContain(`${FILE}: ${path}: `);
  });
});

test('all problems are reported at once', () => {
  const errors = errorsOf(broken((d) => {
    d.kubevirtVersion = 'latest';
    d.nodePools[0].hypervisor = 'rhel-9.5';
    d.nodePools[1].nodeCount = -1;
  }));
  expect(errors.map((e) => e.path)).toEqual(['kubevirtVersion', 'nodePools[0].hypervisor', 'nodePools[1].nodeCount']);
});

test('a file that exports nothing usable is reported, not thrown', () => {
  expect(validateCluster(FILE, undefined as unknown as ClusterDefinition)[0]!.problem).toMatch(/default export/);
});

test('two files with one cluster name are reported against the second file', () => {
  const d = valid();
  const errors = validateFleet([{ file: FILE, definition: d }, { file: 'clusters/copy.ts', definition: d }]);
  const dup = errors.find((e) => e.problem.includes('already used by'));
  expect(dup?.file).toBe('clusters/copy.ts');
  expect(dup?.problem).toContain(FILE);
});

describe('warnings do not stop synthesis but say what to do', () => {
  test('an old Kube-OVN that configures migration ports too late', () => {
    const w = validateCluster(FILE, broken((d) => (d.kubeOvn = { version: '1.13.3' })));
    expect(w).toHaveLength(1);
    expect(w[0]!.severity).toBe('warning');
    expect(w[0]!.fix).toMatch(/v1.15.14/);
  });
  test('a RHEL pool upgraded to upstream QEMU', () => {
    const w = validateCluster(FILE, broken((d) => (d.nodePools[1].upgradeTo = 'qemu-11.0')));
    expect(w.map((x) => [x.severity, x.path])).toEqual([['warning', 'nodePools[1].upgradeTo']]);
  });
});

test.each([
  [{ a: '1' }, { a: '2' }, false],
  [{ a: '1' }, { b: '2' }, true],
  [{ a: '1', b: '2' }, { a: '1' }, true],
  [{ a: '1', b: '2' }, { a: '1', b: '3' }, false],
])('selectors %j and %j overlap: %s', (a, b, expected) => {
  expect(selectorsOverlap(a, b)).toBe(expected);
  expect(selectorsOverlap(b, a)).toBe(expected);
});
