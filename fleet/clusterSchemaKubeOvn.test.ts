import { describe, expect, test } from 'vitest';
import { validateCluster } from './fleetValidation.js';

const FILE = 'clusters/test-cluster.ts';

function definition(kubeOvn: unknown): unknown {
  return {
    name: 'test-cluster',
    kubernetesVersion: '1.33',
    kubevirtVersion: '1.9.0',
    kubeOvn,
    argocd: { name: 'test-cluster' },
    nodePools: [{ name: 'rhel9', nodeSelector: { 'node.example.com/pool': 'rhel9' } }],
  };
}
const chart = { chart: 'kube-ovn-v2', version: 'v1.15.14' };
const problemsOf = (kubeOvn: object) =>
  validateCluster(FILE, definition({ version: '1.15.14', install: chart, ...kubeOvn }))
    .problems.filter((p) => p.severity === 'error')
    .map((p) => [p.path, p.problem]);
const subnets = (...list: object[]) => problemsOf({ subnets: list });

describe('how Kube-OVN is installed', () => {
  test.each([[{ chart: 'kube-ovn', version: 'v1.15.14' }], [{ chart: 'kube-ovn-v2', version: '1.15.14' }], ['external']])('%j is accepted', (install) => {
    expect(problemsOf({ install })).toEqual([]);
  });

  test('a chart version of another release: the version lint reads kubeOvn.version, so they must agree', () => {
    expect(problemsOf({ install: { chart: 'kube-ovn', version: 'v1.16.3' } })).toEqual([
      ['kubeOvn.install.version', 'chart version "v1.16.3" is not Kube-OVN 1.15.14 (kubeOvn.version)'],
    ]);
  });

  test.each([
    [{ chart: 'kube-ovn-v3', version: 'v1.15.14' }, 'kubeOvn.install.chart'],
    [{ chart: 'kube-ovn', version: 'latest' }, 'kubeOvn.install.version'],
  ])('%j is refused at its field', (install, path) => {
    expect(problemsOf({ install }).map(([p]) => p)).toEqual([path]);
  });
});

describe('Subnets for VM networks', () => {
  test('single and dual stack, a secondary network, excluded ranges', () => {
    expect(
      subnets(
        { name: 'vm-net', cidrBlock: '10.66.0.0/16', excludeIps: ['10.66.0.1..10.66.0.10'], namespaces: ['vms'] },
        { name: 'vm-dual', cidrBlock: '10.67.0.0/24,fd00:67::/120', gateway: '10.67.0.254,fd00:67::fe' },
        { name: 'storage', cidrBlock: '192.168.50.0/24', provider: 'storage.kubevirt.ovn' },
      ),
    ).toEqual([]);
  });

  test('a block not written as its network is refused with the form Kube-OVN would rewrite it to', () => {
    const [[path, problem]] = subnets({ name: 'vm-net', cidrBlock: '10.66.1.0/16' }) as [[string, string]];
    expect(path).toBe('kubeOvn.subnets[0].cidrBlock');
    expect(problem).toBe('"10.66.1.0/16" is not written as its network, 10.66.0.0/16');
    const [[, v6]] = subnets({ name: 'vm-net', cidrBlock: 'FD00:0066:0000::/64' }) as [[string, string]];
    expect(v6).toBe('"FD00:0066:0000::/64" is not written as its network, fd00:66::/64');
  });

  test.each([
    [{ name: 'vm-net', cidrBlock: '10.66.0.0' }, 'kubeOvn.subnets[0].cidrBlock'],
    [{ name: 'vm-net', cidrBlock: '10.66.0.0/16,10.67.0.0/16' }, 'kubeOvn.subnets[0].cidrBlock'],
    [{ name: 'vm-net', cidrBlock: '10.66.0.0/16', gateway: '10.67.0.1' }, 'kubeOvn.subnets[0].gateway'],
    [{ name: 'vm-net', cidrBlock: '10.66.0.0/16,fd00::/64', gateway: '10.66.0.1' }, 'kubeOvn.subnets[0].gateway'],
    [{ name: 'vm-net', cidrBlock: '10.66.0.0/16', excludeIps: ['10.66.0.20..10.66.0.10'] }, 'kubeOvn.subnets[0].excludeIps[0]'],
    [{ name: 'vm-net', cidrBlock: '10.66.0.0/16', excludeIps: ['10.0.0.1'] }, 'kubeOvn.subnets[0].excludeIps[0]'],
    [{ name: 'vm-net', cidrBlock: '10.66.0.0/16', provider: 'storage' }, 'kubeOvn.subnets[0].provider'],
    [{ name: 'VM_Net', cidrBlock: '10.66.0.0/16' }, 'kubeOvn.subnets[0].name'],
  ])('%j is refused at its field', (subnet, path) => {
    expect(subnets(subnet).map(([p]) => p)).toEqual([path]);
  });

  test('Subnets of one network may not overlap; another network (provider) may reuse the range', () => {
    expect(subnets({ name: 'a', cidrBlock: '10.66.0.0/16' }, { name: 'b', cidrBlock: '10.66.128.0/24' })).toEqual([
      ['kubeOvn.subnets[1].cidrBlock', '"10.66.128.0/24" overlaps subnets[0] (a, "10.66.0.0/16")'],
    ]);
    expect(subnets({ name: 'a', cidrBlock: '10.66.0.0/16' }, { name: 'b', cidrBlock: '10.66.128.0/24', provider: 'storage.kubevirt.ovn' })).toEqual([]);
  });

  test('a namespace bound to two Subnets, which kube-ovn-controller would move back and forth', () => {
    expect(subnets({ name: 'a', cidrBlock: '10.66.0.0/16', namespaces: ['vms'] }, { name: 'b', cidrBlock: '10.67.0.0/16', namespaces: ['vms'] })).toEqual([
      ['kubeOvn.subnets[1].namespaces[0]', 'namespace "vms" is already bound to subnets[0] (a)'],
    ]);
  });

  test('two Subnets with one name', () => {
    expect(subnets({ name: 'a', cidrBlock: '10.66.0.0/16' }, { name: 'a', cidrBlock: '10.67.0.0/16' }).map(([p]) => p)).toEqual(['kubeOvn.subnets[1].name']);
  });
});
