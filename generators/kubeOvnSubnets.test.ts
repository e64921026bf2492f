import { Testing } from 'cdk8s';
import { expect, test } from 'vitest';
import edgeOvn from '../clusters/edge-ovn.js';
import { testCluster } from '../testbed/support/clusterFixtures.js';
import { type KubeOvnSubnet } from '../fleet/clusterSchemaKubeOvn.js';
import { KubeOvnSubnets, kubeOvnSubnetSpec } from './kubeOvnSubnets.js';

const subnet = (more: Partial<KubeOvnSubnet>): KubeOvnSubnet => ({ name: 'vm-net', cidrBlock: '10.66.0.0/16', ...more });

test('the Subnets of edge-ovn', () => {
  const chart = Testing.chart();
  new KubeOvnSubnets(chart, 'subnets', { cluster: edgeOvn });
  expect(Testing.synth(chart)).toMatchSnapshot();
});

test('what kube-ovn-controller would fill in is written: gateway, protocol, provider, the gateway excluded', () => {
  expect(kubeOvnSubnetSpec(subnet({}))).toEqual({ cidrBlock: '10.66.0.0/16', protocol: 'IPv4', provider: 'ovn', gateway: '10.66.0.1', excludeIps: ['10.66.0.1'] });
});

test('a gateway inside an excluded range is not listed twice; the list is sorted as Go sorts strings', () => {
  const spec = kubeOvnSubnetSpec(subnet({ gateway: '10.66.0.5', excludeIps: ['10.66.0.200', '10.66.0.1..10.66.0.10'] }));
  expect(spec.excludeIps).toEqual(['10.66.0.1..10.66.0.10', '10.66.0.200']);
});

test('dual stack: one gateway per family, protocol Dual', () => {
  expect(kubeOvnSubnetSpec(subnet({ cidrBlock: '10.66.0.0/24,fd00:66::/120' }))).toMatchObject({
    protocol: 'Dual',
    gateway: '10.66.0.1,fd00:66::1',
    excludeIps: ['10.66.0.1', 'fd00:66::1'],
  });
});

test('a secondary network keeps its provider; namespaces are sorted; natOutgoing only when set', () => {
  const spec = kubeOvnSubnetSpec(subnet({ provider: 'storage.kubevirt.ovn', namespaces: ['b', 'a'] }));
  expect(spec).toMatchObject({ provider: 'storage.kubevirt.ovn', namespaces: ['a', 'b'] });
  expect(spec).not.toHaveProperty('natOutgoing');
});

test('clusters without Kube-OVN get none', () => {
  const chart = Testing.chart();
  new KubeOvnSubnets(chart, 'subnets', { cluster: testCluster() });
  expect(Testing.synth(chart)).toEqual([]);
});
