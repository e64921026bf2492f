import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import edgeOvn from '../clusters/edge-ovn.js';
import legacyApps from '../clusters/legacy-apps.js';
import prodEast from '../clusters/prod-east.js';
import { type ClusterDefinition, migrationSettings } from '../fleet/clusterDefinition.js';
import { MACHINE_TYPE_LABEL_PREFIX } from '../compatibility/labelKeys.js';
import { schedulingContractOf } from '../compatibility/kubevirtVersions.js';
import { AGGREGATE_TO_ADMISSION_CONTROLLER_LABEL, KyvernoPolicies, kyvernoPoliciesFor, LOOKUP_CLUSTER_ROLE_NAME } from './kyvernoPolicies.js';

const synth = (cluster: ClusterDefinition) => {
  const chart = Testing.chart();
  new KyvernoPolicies(chart, 'kyverno', { cluster });
  return Testing.synth(chart);
};
const names = (cluster: ClusterDefinition) => kyvernoPoliciesFor(cluster).map((p) => p.object.metadata.name);
const withKubevirt = (kubevirtVersion: string): ClusterDefinition => ({ ...legacyApps, kubevirtVersion });

describe.each([prodEast, legacyApps, edgeOvn])('cluster $name', (cluster) => {
  const objects = synth(cluster);

  test('steers migrations through the VMIM from KubeVirt 1.6 on, through the target Pod before', () => {
    const viaVmim = schedulingContractOf(cluster.kubevirtVersion).pinMode === 'addedNodeSelector';
    expect(names(cluster).includes('kvfleet-vmim-target-affinity')).toBe(viaVmim);
    expect(names(cluster).includes('kvfleet-launcher-target-affinity')).toBe(!viaVmim);
  });

  test('gets the Kube-OVN policies exactly when it runs Kube-OVN', () => {
    const kubeOvn = names(cluster).filter((n) => n.startsWith('kvfleet-kube-ovn-'));
    expect(kubeOvn.length > 0).toBe(cluster.kubeOvn !== 'none');
  });

  test("defaults the VMIM unschedulable timeout to the cluster's migration setting", () => {
    const policy = objects.find((o) => o.metadata.name === 'kvfleet-vmim-unschedulable-timeout');
    expect(JSON.stringify(policy.spec.mutations)).toContain(`value: \\"${migrationSettings(cluster).unschedulableTimeoutSeconds}\\"`);
  });

  test('every policy is cluster-scoped, named kvfleet-*, and says what it is for', () => {
    for (const o of objects.filter((x) => x.apiVersion === 'policies.kyverno.io/v1')) {
      expect(o.metadata.namespace).toBeUndefined();
      expect(o.metadata.name).toMatch(/^kvfleet-[a-z0-9-]+$/);
      for (const key of ['title', 'category', 'severity', 'subject', 'description']) {
        expect(o.metadata.annotations[`policies.kyverno.io/${key}`], `${o.metadata.name} ${key}`).toBeTruthy();
      }
    }
  });

  test("the lookup role grants get, and only on what this cluster's policies look up", () => {
    const role = objects.find((o) => o.kind === 'ClusterRole');
    const looked = kyvernoPoliciesFor(cluster).flatMap((p) => p.lookups.map((l) => `${l.apiGroup}/${l.resource}`));
    if (looked.length === 0) {
      expect(role).toBeUndefined();
      return;
    }
    expect(role.metadata.name).toBe(LOOKUP_CLUSTER_ROLE_NAME);
    expect(role.metadata.labels[AGGREGATE_TO_ADMISSION_CONTROLLER_LABEL]).toBe('true');
    const granted = role.rules.flatMap((r: { apiGroups: string[]; resources: string[]; verbs: string[] }) => {
      expect(r.verbs).toEqual(['get']);
      return r.apiGroups.flatMap((g) => r.resources.map((res) => `${g}/${res}`));
    });
    expect(granted.sort()).toEqual([...new Set(looked)].sort());
  });
});

test.each([
  ['1.5.0', 'kvfleet-launcher-target-affinity'],
  ['1.5.2', 'kvfleet-launcher-target-affinity'],
  ['1.6.0', 'kvfleet-vmim-target-affinity'],
  // The newest release the launcher catalogue covers (a cluster on an uncatalogued release cannot be
  // resolved; version ordering past 1.9 is kubevirtVersions.test.ts's).
  ['1.9.0', 'kvfleet-vmim-target-affinity'],
])('KubeVirt %s is steered by %s', (version, policy) => {
  expect(names(withKubevirt(version))[0]).toBe(policy);
});

test('lookups: the VMI only where kvfleet selects on machine type, the VMIM only where the pin is on the target Pod', () => {
  const resources = (v: string) => kyvernoPoliciesFor(withKubevirt(v)).flatMap((p) => p.lookups.map((l) => l.resource));
  expect(resources('1.5.0').sort()).toEqual(['virtualmachineinstancemigrations', 'virtualmachineinstances']);
  expect(resources('1.5.2')).toEqual(['virtualmachineinstancemigrations']);
  expect(resources('1.6.2')).toEqual([]);
});

describe('one labeller per fact: kvfleet adds a machine-type selector only where KubeVirt adds none', () => {
  const mutations = (v: string) => JSON.stringify(kyvernoPoliciesFor(withKubevirt(v)).map((p) => p.object.spec));
  test.each([
    ['1.4.2', true],
    ['1.5.0', true],
    ['1.5.1', false],
    ['1.5.2', false],
    ['1.6.2', false],
    ['1.9.0', false],
  ])('KubeVirt %s: kvfleet machine-type selector %s', (version, selects) => {
    expect(mutations(version).includes(MACHINE_TYPE_LABEL_PREFIX)).toBe(selects);
    expect(schedulingContractOf(version).machineTypeLabeller === 'kvfleet').toBe(selects);
  });

  test('every policy still pins the node kvfleet chose (kubernetes.io/hostname from kvfleet.io/target-node)', () => {
    for (const v of ['1.5.0', '1.5.2', '1.6.2']) {
      expect(mutations(v)).toContain('kubernetes.io/hostname');
      expect(mutations(v)).toContain('kvfleet.io/target-node');
    }
  });
});

test.each([
  { cluster: edgeOvn, expected: true },
  { cluster: prodEast, expected: false },
  { cluster: legacyApps, expected: false },
])('$cluster.name gets the bare-VMI warning (Warn only, admission only): $expected', ({ cluster, expected }) => {
  expect(cluster.kubeOvn !== 'none').toBe(expected);
  const policy = synth(cluster).find((o) => o.metadata.name === 'kvfleet-kube-ovn-bare-vmi');
  expect(policy !== undefined).toBe(expected);
  if (!policy) return;
  expect(policy.kind).toBe('ValidatingPolicy');
  expect(policy.spec.validationActions).toEqual(['Warn']);
  expect(policy.spec.failurePolicy).toBe('Ignore');
  expect(policy.spec.evaluation).toEqual({ background: { enabled: false } });
});

test('the Kyverno objects of prod-east', () => {
  expect(synth(prodEast)).toMatchSnapshot();
});
