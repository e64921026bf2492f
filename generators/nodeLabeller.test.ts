import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { type ClusterDefinition } from '../fleet/clusterDefinition.js';
import { testCluster, testPool } from '../testbed/support/clusterFixtures.js';
import { KVM_RESOURCE } from '../compatibility/kubevirtNames.js';
import { ENV } from '../programs/node-labeller/settings.js';
import { NodeLabeller, type NodeLabellerProps } from './nodeLabeller.js';
import { readImageDigests } from './imageDigests.js';

// KubeVirt 1.5.2: the default virt-launcher image the assertions expect is derived from it. Two amd64
// pools on different OS releases: the OS changes nothing the labeller is generated from.
const cluster = testCluster({
  kubevirtVersion: '1.5.2',
  nodePools: [testPool('rhel96', { os: 'rhel-9.6' }), testPool('rhel10', { os: 'rhel-10.0' })],
});

type Manifest = any;

function synth(c: ClusterDefinition = cluster, props: Partial<NodeLabellerProps> = {}): Manifest[] {
  const chart = Testing.chart();
  new NodeLabeller(chart, 'labeller', { cluster: c, ...props });
  return Testing.synth(chart);
}
const daemonSets = (m: Manifest[]) => m.filter((o) => o.kind === 'DaemonSet');
const containersOf = (ds: Manifest): Manifest[] => [...ds.spec.template.spec.initContainers, ...ds.spec.template.spec.containers];

test('the labeller of a two-pool cluster', () => {
  expect(synth()).toMatchSnapshot();
});

describe('DaemonSets', () => {
  test('one per pool, named after it and selecting exactly the pool nodes', () => {
    const ds = daemonSets(synth());
    expect(ds.map((d) => d.metadata.name)).toEqual(['kvfleet-node-labeller-rhel10', 'kvfleet-node-labeller-rhel96']);
    for (const d of ds) {
      const pool = cluster.nodePools.find((p) => d.metadata.name === `kvfleet-node-labeller-${p.name}`)!;
      expect(d.spec.template.spec.nodeSelector).toEqual({ ...pool.nodeSelector, 'kubernetes.io/os': 'linux' });
      expect(d.metadata.namespace).toBe('kvfleet-system');
    }
  });

  test("every pool's init container runs the cluster's current launcher image: the upstream default, else the definition's", () => {
    const images = (c: ClusterDefinition) => daemonSets(synth(c)).map((d) => d.spec.template.spec.initContainers[0].image);
    expect(images(cluster)).toEqual(['quay.io/kubevirt/virt-launcher:v1.5.2', 'quay.io/kubevirt/virt-launcher:v1.5.2']);
    const mirrored = testCluster({ ...cluster, launcher: { image: 'mirror.example.com/virt-launcher:v1.5.2' } });
    expect(images(mirrored)).toEqual(['mirror.example.com/virt-launcher:v1.5.2', 'mirror.example.com/virt-launcher:v1.5.2']);
  });

  test('a planned upgrade does not change the image until the definition moves to it (steps[0], not a later step)', () => {
    const planned = testCluster({ ...cluster, plannedSteps: [{ kind: 'kubevirt-upgrade', to: '1.8.0' }] });
    expect(daemonSets(synth(planned)).map((d) => d.spec.template.spec.initContainers[0].image)).toEqual([
      'quay.io/kubevirt/virt-launcher:v1.5.2',
      'quay.io/kubevirt/virt-launcher:v1.5.2',
    ]);
  });

  test("an arm64 pool keeps its own selector as it is (the pool's selector decides where its labeller runs)", () => {
    const mixed = testCluster({ ...cluster, nodePools: [testPool('arm', { architecture: 'arm64' }), testPool('x86')] });
    const arm = daemonSets(synth(mixed)).find((d) => d.metadata.name === 'kvfleet-node-labeller-arm');
    expect(arm.spec.template.spec.nodeSelector).toEqual({ 'node.example.com/pool': 'arm', 'kubernetes.io/os': 'linux' });
  });

  test('the init container writes `virsh capabilities` into the folder the labeller reads', () => {
    const spec = daemonSets(synth())[0].spec.template.spec;
    const [init] = spec.initContainers;
    const [labeller] = spec.containers;
    const script: string = init.command.join(' ');
    expect(script).toContain('virtqemud -d');
    expect(script).toMatch(/virsh capabilities > "\$out\.tmp"/);
    const path = labeller.env.find((e: Manifest) => e.name === ENV.capabilitiesPath).value;
    expect(script).toContain(`out=${path}`);
    const mountOf = (c: Manifest) => c.volumeMounts.find((m: Manifest) => m.name === 'capabilities');
    expect(path.startsWith(`${mountOf(init).mountPath}/`)).toBe(true);
    expect(mountOf(labeller)).toEqual({ name: 'capabilities', mountPath: mountOf(init).mountPath, readOnly: true });
  });

  test('the labeller mounts the matrix ConfigMap read-only at its KVFLEET_MATRIX_FILE and learns its node from the downward API', () => {
    const spec = daemonSets(synth())[0].spec.template.spec;
    const [labeller] = spec.containers;
    const env = Object.fromEntries(labeller.env.map((e: Manifest) => [e.name, e.value ?? e.valueFrom]));
    const mount = labeller.volumeMounts.find((m: Manifest) => m.name === 'matrix');
    expect(mount.readOnly).toBe(true);
    expect(env[ENV.matrixPath]).toBe(`${mount.mountPath}/matrix.yaml`);
    expect(spec.volumes.find((v: Manifest) => v.name === 'matrix').configMap.name).toBe('kvfleet-machine-types');
    expect(env[ENV.nodeName]).toEqual({ fieldRef: { fieldPath: 'spec.nodeName' } });
  });

  test('the labeller image comes from the cluster images, else the kvfleet release pinned by the digest `npm run images` recorded', () => {
    const { version, images } = readImageDigests();
    expect(daemonSets(synth())[0].spec.template.spec.containers[0].image).toBe(`ghcr.io/kvfleet/node-labeller:${version}@${images['node-labeller'].digest}`);
    const custom = synth({ ...cluster, images: { nodeLabeller: 'mirror.example.com/node-labeller:0.1.0' } });
    expect(daemonSets(custom)[0].spec.template.spec.containers[0].image).toBe('mirror.example.com/node-labeller:0.1.0');
  });
});

describe('security', () => {
  test('every container passes Pod Security "restricted": non-root, no escalation, no capabilities, read-only root', () => {
    for (const ds of daemonSets(synth())) {
      const pod = ds.spec.template.spec;
      expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.hostNetwork ?? false).toBe(false);
      expect(pod.hostPID ?? false).toBe(false);
      for (const c of containersOf(ds)) {
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true });
        expect(c.securityContext.runAsUser).toBeGreaterThan(0);
        expect(c.securityContext.privileged ?? false).toBe(false);
      }
      expect(pod.volumes.every((v: Manifest) => v.emptyDir || v.configMap)).toBe(true);
    }
  });

  test('only the init container gets /dev/kvm, through the KubeVirt device plugin', () => {
    const ds = daemonSets(synth())[0];
    const [init] = ds.spec.template.spec.initContainers;
    expect(init.resources.limits[KVM_RESOURCE]).toBe('1');
    expect(init.resources.requests[KVM_RESOURCE]).toBe('1');
    expect(ds.spec.template.spec.containers[0].resources.limits[KVM_RESOURCE]).toBeUndefined();
  });

  test('every container has cpu and memory requests and limits', () => {
    for (const c of daemonSets(synth()).flatMap(containersOf)) {
      for (const kind of ['requests', 'limits']) expect(Object.keys(c.resources[kind])).toEqual(expect.arrayContaining(['cpu', 'memory']));
    }
  });

  test('RBAC: get and patch on nodes, create on events, nothing else and no wildcards', () => {
    const manifests = synth();
    const role = manifests.find((o) => o.kind === 'ClusterRole');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'patch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    ]);
    expect(JSON.stringify(role.rules)).not.toContain('*');
    expect(manifests.filter((o) => ['Role', 'ClusterRole'].includes(o.kind))).toHaveLength(1);
    const binding = manifests.find((o) => o.kind === 'ClusterRoleBinding');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
    const sa = manifests.find((o) => o.kind === 'ServiceAccount');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace }]);
    for (const ds of daemonSets(manifests)) expect(ds.spec.template.spec.serviceAccountName).toBe(sa.metadata.name);
  });

  test('cluster-scoped objects carry no namespace', () => {
    for (const o of synth().filter((m) => m.kind.startsWith('Cluster'))) expect(o.metadata.namespace).toBeUndefined();
  });
});

describe('tolerations', () => {
  test('control-plane, CriticalAddonsOnly and the KubeVirt drain taint by default, never a blanket toleration', () => {
    const tolerations = daemonSets(synth())[0].spec.template.spec.tolerations;
    expect(tolerations.map((t: Manifest) => t.key)).toEqual(['CriticalAddonsOnly', 'node-role.kubernetes.io/control-plane', 'kubevirt.io/drain']);
    expect(tolerations.every((t: Manifest) => t.key)).toBe(true);
  });

  test('extra tolerations are added to the defaults', () => {
    const extra = { key: 'example.com/virt-only', operator: 'Exists', effect: 'NoSchedule' };
    const tolerations = daemonSets(synth(cluster, { extraTolerations: [extra] }))[0].spec.template.spec.tolerations;
    expect(tolerations).toHaveLength(4);
    expect(tolerations.at(-1)).toEqual(extra);
  });
});

describe('props', () => {
  test('defaults are resolved once and visible on the construct', () => {
    const labeller = new NodeLabeller(Testing.chart(), 'labeller', { cluster: { ...cluster, namespace: 'virt-tools' } });
    expect(labeller.namespace).toBe('virt-tools');
    expect(labeller.resyncSeconds).toBe(300);
    expect(labeller.metricsPort).toBe(8080);
    expect(labeller.launcherImage).toBe('quay.io/kubevirt/virt-launcher:v1.5.2');
  });

  test.each([
    [{ resyncSeconds: 5 }, "'resyncSeconds' (5) must be an integer from 10 to 86400"],
    [{ metricsPort: 80 }, "'metricsPort' (80) must be an integer from 1024 to 65535: the labeller runs without privilege"],
  ])('%j is refused with the field and the value', (props, message) => {
    expect(() => new NodeLabeller(Testing.chart(), 'labeller', { cluster, ...props })).toThrow(message);
  });
});
