/**
 * Malformed cluster definitions, table-driven: each names the field path it must be reported at, the
 * value seen that the message must show, and what the fix must say. Every case is validated
 * directly; a sample of them, and every case about the file rather than its data (syntax, throws,
 * .js files…), goes through the real synthesis into a temporary folder, which must report the
 * problem and leave the previous dist/ exactly as it was, permissions included.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { synthFleet } from '../../generators/synthFleet.js';
import { FleetDefinitionErrors } from '../../fleet/definitionError.js';
import { PROTOTYPE_NAMES } from '../../fleet/definitionData.js';
import { validateCluster } from '../../fleet/fleetValidation.js';
import { projectDir } from '../../testbed/harness/toolPaths.js';
import { readTree } from '../../testbed/support/fileTree.js';

const FILE = 'clusters/test-cluster.ts';

/** The definition every case breaks one thing of. */
function valid(): any {
  return {
    name: 'test-cluster',
    kubernetesVersion: '1.33',
    kubevirtVersion: '1.9.0', // no known version issue, so every error below is the case's own
    kubeOvn: 'none',
    argocd: { name: 'test-cluster' },
    nodePools: [
      { name: 'rhel9', nodeSelector: { 'node.example.com/pool': 'rhel9' }, os: 'rhel-9.6', nodeCount: 3 },
      { name: 'arm', nodeSelector: { 'node.example.com/pool': 'arm' }, architecture: 'arm64', nodeCount: 2 },
    ],
    plannedSteps: [{ kind: 'node-os-upgrade', pool: 'rhel9', to: 'rhel-10.0' }],
  };
}

/** [what, change to the valid definition, field path, text of the value seen, fix]. */
type DataCase = [string, (d: any) => void, string, string, RegExp];

const circular: any = { nodeLabeller: 'quay.io/kvfleet/node-labeller:1.0' };
circular.self = circular;
const longPrefix = `${'a'.repeat(250)}.com`; // 254 characters

const dataCases: DataCase[] = [
  // Unknown keys: misspelt optional fields would otherwise vanish with their settings.
  ['misspelt migration', (d) => (d.migraton = { fallbackAttempts: 2 }), 'migraton', '"migraton"', /did you mean "migration"\?/],
  [
    'nodePools in lower case',
    (d) => {
      d.nodepools = d.nodePools;
      delete d.nodePools;
    },
    'nodepools',
    '"nodepools"',
    /did you mean "nodePools"\?/,
  ],
  ['misspelt namespace', (d) => (d.namespce = 'apps'), 'namespce', '"namespce"', /did you mean "namespace"\?/],
  ['image for images', (d) => (d.image = {}), 'image', '"image"', /did you mean "images"\?/],
  ['unknown top-level field', (d) => (d.owner = 'team-a'), 'owner', '"team-a"', /remove it; the fields here are name, /],
  // name
  ['cluster name with capitals and "_"', (d) => (d.name = 'Prod_East'), 'name', '"Prod_East"', /lower-case letters, digits and "-"/],
  ['cluster name of 64 characters', (d) => (d.name = 'a'.repeat(64)), 'name', `"${'a'.repeat(64)}"`, /at most 63 characters/],
  ['cluster name differs from its file', (d) => (d.name = 'other-cluster'), 'name', '"other-cluster"', /rename the file to clusters\/other-cluster.ts/],
  ['cluster name as a number', (d) => (d.name = 42), 'name', '42', /lower-case letters/],
  ['cluster name as a symbol', (d) => (d.name = Symbol('prod')), 'name', 'Symbol(prod)', /lower-case letters/],
  ['no cluster name', (d) => delete d.name, 'name', 'undefined', /e.g. "prod-east"/],
  // kubernetesVersion
  ['Kubernetes patch release', (d) => (d.kubernetesVersion = '1.33.2'), 'kubernetesVersion', '"1.33.2"', /"1.<minor>"/],
  ['Kubernetes too old for CEL policies', (d) => (d.kubernetesVersion = '1.28'), 'kubernetesVersion', '1.28', /upgrade the cluster first/],
  ['Kubernetes minor with a leading zero', (d) => (d.kubernetesVersion = '1.033'), 'kubernetesVersion', '"1.033"', /"1.<minor>"/],
  ['Kubernetes version as a number', (d) => (d.kubernetesVersion = 1.33), 'kubernetesVersion', '1.33', /"1.<minor>"/],
  ['Kubernetes 2.x', (d) => (d.kubernetesVersion = '2.1'), 'kubernetesVersion', '"2.1"', /e.g. "1.33"/],
  // kubevirtVersion: semver throws or misreads some of these; each must be a clear error.
  ['KubeVirt version with a v', (d) => (d.kubevirtVersion = 'v1.6.2'), 'kubevirtVersion', '"v1.6.2"', /without a leading "v"/],
  ['KubeVirt version with a leading zero', (d) => (d.kubevirtVersion = '1.05.2'), 'kubevirtVersion', '"1.05.2"', /"X.Y.Z"/],
  ['KubeVirt patch beyond 2^53', (d) => (d.kubevirtVersion = '1.5.99999999999999999999'), 'kubevirtVersion', '"1.5.99999999999999999999"', /"X.Y.Z"/],
  ['KubeVirt minor only', (d) => (d.kubevirtVersion = '1.6'), 'kubevirtVersion', '"1.6"', /"X.Y.Z"/],
  ['KubeVirt older than supported', (d) => (d.kubevirtVersion = '0.59.0'), 'kubevirtVersion', '0.59.0', /upgrade KubeVirt to 1.4.0/],
  ['KubeVirt pre-release', (d) => (d.kubevirtVersion = '1.6.2-rc.1'), 'kubevirtVersion', '"1.6.2-rc.1"', /"X.Y.Z"/],
  ['KubeVirt version as a number', (d) => (d.kubevirtVersion = 1.6), 'kubevirtVersion', '1.6', /"X.Y.Z"/],
  ['KubeVirt version as a BigInt', (d) => (d.kubevirtVersion = 16n), 'kubevirtVersion', '16n', /"X.Y.Z"/],
  // kubeOvn
  ['kubeOvn misspelt none', (d) => (d.kubeOvn = 'nonee'), 'kubeOvn', '"nonee"', /kubeOvn: 'none' or kubeOvn: \{ version/],
  ['kubeOvn null', (d) => (d.kubeOvn = null), 'kubeOvn', 'null', /kubeOvn: 'none'/],
  ['Kube-OVN version with a leading zero', (d) => (d.kubeOvn = { version: '1.15.014' }), 'kubeOvn.version', '"1.15.014"', /"X.Y.Z"/],
  ['Kube-OVN version "latest"', (d) => (d.kubeOvn = { version: 'latest' }), 'kubeOvn.version', '"latest"', /"X.Y.Z"/],
  ['Kube-OVN version with a v', (d) => (d.kubeOvn = { version: 'v1.15.14' }), 'kubeOvn.version', '"v1.15.14"', /without a leading "v"/],
  [
    'Kube-OVN masquerade in capitals',
    (d) => (d.kubeOvn = { version: '1.15.14', podNetworkMasquerade: 'Deny' }),
    'kubeOvn.podNetworkMasquerade',
    '"Deny"',
    /did you mean "deny"\?/,
  ],
  [
    'Kube-OVN unknown setting',
    (d) => (d.kubeOvn = { version: '1.15.14', masquerade: 'deny' }),
    'kubeOvn.masquerade',
    '"deny"',
    /remove it; the fields here are version, podNetworkMasquerade/,
  ],
  ['Kube-OVN without a version', (d) => (d.kubeOvn = {}), 'kubeOvn.version', 'undefined', /"X.Y.Z"/],
  // argocd (used by delivery, issue 12)
  ['Argo CD server and name', (d) => (d.argocd = { name: 'a', server: 'https://a.example.com:6443' }), 'argocd', '"name": "a"', /either by its API server URL/],
  ['Argo CD neither server nor name', (d) => (d.argocd = { project: 'virtualization' }), 'argocd', '"project": "virtualization"', /either by its API server URL/],
  ['Argo CD server over http', (d) => (d.argocd = { server: 'http://a.example.com:6443' }), 'argocd.server', '"http://a.example.com:6443"', /API server URL/],
  ['Argo CD server with a space', (d) => (d.argocd = { server: 'https://api.exa mple.com' }), 'argocd.server', '"https://api.exa mple.com"', /API server URL/],
  ['Argo CD server without a scheme', (d) => (d.argocd = { server: 'api.example.com:6443' }), 'argocd.server', '"api.example.com:6443"', /https:\/\//],
  [
    'Argo CD server with credentials',
    (d) => (d.argocd = { server: 'https://admin:pw@api.example.com' }),
    'argocd.server',
    '"https://admin:pw@api.example.com"',
    /API server URL/,
  ],
  [
    'Argo CD server with an empty host label',
    (d) => (d.argocd = { server: 'https://api..example.com' }),
    'argocd.server',
    '"https://api..example.com"',
    /API server URL/,
  ],
  [
    'Argo CD server with a port too large',
    (d) => (d.argocd = { server: 'https://api.example.com:99999' }),
    'argocd.server',
    '"https://api.example.com:99999"',
    /API server URL/,
  ],
  ['Argo CD project in capitals', (d) => (d.argocd = { name: 'a', project: 'Virtualization' }), 'argocd.project', '"Virtualization"', /AppProject/],
  ['Argo CD empty cluster name', (d) => (d.argocd = { name: '' }), 'argocd.name', '""', /argocd cluster list/],
  ['Argo CD destination as a string', (d) => (d.argocd = 'in-cluster'), 'argocd', '"in-cluster"', /argocd: \{ server/],
  ['Argo CD misspelt server', (d) => (d.argocd = { serevr: 'https://a.example.com' }), 'argocd.serevr', '"https://a.example.com"', /did you mean "server"\?/],
  // nodePools
  ['no node pools', (d) => (d.nodePools = []), 'nodePools', '[]', /at least one pool/],
  ['nodePools missing', (d) => delete d.nodePools, 'nodePools', 'undefined', /nodePools: \[\{ name, nodeSelector \}/],
  ['nodePools as an object', (d) => (d.nodePools = { rhel9: {} }), 'nodePools', '{ "rhel9": {} }', /nodePools: \[/],
  ['a pool that is null', (d) => (d.nodePools[1] = null), 'nodePools[1]', 'null', /\{ name, nodeSelector \} \(and optionally architecture, os/],
  [
    'pool name of 42 characters (labeller name over 63)',
    (d) => (d.nodePools[0].name = 'p'.repeat(42)),
    'nodePools[0].name',
    `"${'p'.repeat(42)}"`,
    /at most 41 characters/,
  ],
  ['pool name in capitals', (d) => (d.nodePools[0].name = 'RHEL9'), 'nodePools[0].name', '"RHEL9"', /lower-case letters/],
  ['pool name with "_"', (d) => (d.nodePools[0].name = 'rhel_9'), 'nodePools[0].name', '"rhel_9"', /lower-case letters/],
  ['empty pool name', (d) => (d.nodePools[0].name = ''), 'nodePools[0].name', '""', /lower-case letters/],
  ['duplicate pool names', (d) => (d.nodePools[1].name = 'rhel9'), 'nodePools[1].name', '"rhel9"', /its own name/],
  // nodeSelector: the API server would reject these in the labeller DaemonSet.
  ['empty node selector', (d) => (d.nodePools[0].nodeSelector = {}), 'nodePools[0].nodeSelector', '{}', /labels that identify its nodes/],
  [
    'selector key with an empty prefix',
    (d) => (d.nodePools[0].nodeSelector = { '/os-release': 'rhel-9.6' }),
    'nodePools[0].nodeSelector["/os-release"]',
    '"/os-release"',
    /\[prefix\/\]name/,
  ],
  [
    'selector key prefix over 253 characters',
    (d) => (d.nodePools[0].nodeSelector = { [`${longPrefix}/os`]: 'rhel-9.6' }),
    `nodePools[0].nodeSelector["${longPrefix}/os"]`,
    '254 characters',
    /at most 253/,
  ],
  [
    'selector key name over 63 characters',
    (d) => (d.nodePools[0].nodeSelector = { [`example.com/${'n'.repeat(64)}`]: 'x' }),
    `nodePools[0].nodeSelector["example.com/${'n'.repeat(64)}"]`,
    `"example.com/${'n'.repeat(64)}"`,
    /at most 63/,
  ],
  [
    'selector key with two slashes',
    (d) => (d.nodePools[0].nodeSelector = { 'a.com/b/c': 'x' }),
    'nodePools[0].nodeSelector["a.com/b/c"]',
    '"a.com/b/c"',
    /\[prefix\/\]name/,
  ],
  [
    'selector key with a space',
    (d) => (d.nodePools[0].nodeSelector = { 'example.com/os release': 'x' }),
    'nodePools[0].nodeSelector["example.com/os release"]',
    '"example.com/os release"',
    /\[A-Za-z0-9._-\]/,
  ],
  [
    'selector key prefix in capitals',
    (d) => (d.nodePools[0].nodeSelector = { 'Example.com/os': 'x' }),
    'nodePools[0].nodeSelector["Example.com/os"]',
    '"Example.com/os"',
    /DNS-subdomain prefix/,
  ],
  [
    'selector value with a space',
    (d) => (d.nodePools[0].nodeSelector = { pool: 'rhel 9' }),
    'nodePools[0].nodeSelector["pool"]',
    '"rhel 9"',
    /at most 63 characters of \[A-Za-z0-9._-\]/,
  ],
  [
    'selector value of 64 characters',
    (d) => (d.nodePools[0].nodeSelector = { pool: 'v'.repeat(64) }),
    'nodePools[0].nodeSelector["pool"]',
    `"${'v'.repeat(64)}"`,
    /at most 63/,
  ],
  [
    'selector value starting with "-"',
    (d) => (d.nodePools[0].nodeSelector = { pool: '-rhel9' }),
    'nodePools[0].nodeSelector["pool"]',
    '"-rhel9"',
    /starting and ending with a letter or digit/,
  ],
  ['selector value as a number', (d) => (d.nodePools[0].nodeSelector = { pool: 8 }), 'nodePools[0].nodeSelector["pool"]', '8', /quote the value/],
  [
    'selector on the pool label kvfleet writes',
    (d) => (d.nodePools[0].nodeSelector = { 'kvfleet.io/pool': 'rhel9' }),
    'nodePools[0].nodeSelector["kvfleet.io/pool"]',
    '"kvfleet.io/pool"',
    /never start/,
  ],
  [
    'selector on a machine-type label',
    (d) => (d.nodePools[0].nodeSelector = { 'machine-type.kvfleet.io/pc-q35-rhel9.6.0': 'true' }),
    'nodePools[0].nodeSelector["machine-type.kvfleet.io/pc-q35-rhel9.6.0"]',
    '"machine-type.kvfleet.io/pc-q35-rhel9.6.0"',
    /labels your provisioning sets/,
  ],
  [
    'selector on Windows nodes',
    (d) => (d.nodePools[0].nodeSelector = { 'kubernetes.io/os': 'windows', pool: 'a' }),
    'nodePools[0].nodeSelector["kubernetes.io/os"]',
    '"windows"',
    /Linux nodes/,
  ],
  ['overlapping selectors', (d) => (d.nodePools[1].nodeSelector = { zone: 'a' }), 'nodePools[1].nodeSelector', '{ "zone": "a" }', /different values/],
  [
    'selector value YAML reads as a number',
    (d) => (d.nodePools[0].nodeSelector = { pool: '0O17' }),
    'nodePools[0].nodeSelector["pool"]',
    '"0O17"',
    /not a 0o\/0x\/0b-prefixed number/,
  ],
  [
    'selector key YAML reads as a number',
    (d) => (d.nodePools[0].nodeSelector = { '0X1F': 'a' }),
    'nodePools[0].nodeSelector["0X1F"]',
    '"0X1F"',
    /start it with a letter/,
  ],
  ['selector as a string', (d) => (d.nodePools[0].nodeSelector = 'pool=rhel9'), 'nodePools[0].nodeSelector', '"pool=rhel9"', /labels that identify the pool's nodes/],
  // Retired fields (fleet/clusterSchemaLauncher.ts RETIRED_*): each names its value and the rewrite.
  ['retired hypervisor', (d) => (d.nodePools[0].hypervisor = 'rhel-9.6'), 'nodePools[0].hypervisor', '"rhel-9.6"', /remove it; .*write os: "rhel-9.6"/],
  [
    'retired upgradeTo',
    (d) => (d.nodePools[0].upgradeTo = 'rhel-10.0'),
    'nodePools[0].upgradeTo',
    '"rhel-10.0"',
    /plannedSteps: \[\{ kind: 'node-os-upgrade', pool: "rhel9", to: "rhel-10.0" \}\]/,
  ],
  [
    'retired upgradeMachineTypes',
    (d) => (d.nodePools[0].upgradeMachineTypes = { add: ['pc-q35-rhel9.8.0'] }),
    'nodePools[0].upgradeMachineTypes',
    '"pc-q35-rhel9.8.0"',
    /remove it; machineTypes corrections apply to the pool at every step/,
  ],
  [
    'retired pool virtLauncherImage',
    (d) => (d.nodePools[0].virtLauncherImage = 'quay.io/kubevirt/virt-launcher:v1.9.0'),
    'nodePools[0].virtLauncherImage',
    '"quay.io/kubevirt/virt-launcher:v1.9.0"',
    /set the cluster's launcher: \{ image: "quay.io\/kubevirt\/virt-launcher:v1.9.0" \}/,
  ],
  [
    'a pool naming its own launcher',
    (d) => (d.nodePools[1].launcher = { build: 'centos-stream-10' }),
    'nodePools[1].launcher',
    '{ "build": "centos-stream-10" }',
    /remove it and set the cluster's launcher/,
  ],
  [
    'retired kubevirtUpgradeTo',
    (d) => (d.kubevirtUpgradeTo = '1.10.0'),
    'kubevirtUpgradeTo',
    '"1.10.0"',
    /plannedSteps: \[\{ kind: 'kubevirt-upgrade', to: "1.10.0" \}\]/,
  ],
  [
    'retired images.virtLauncher',
    (d) => (d.images = { virtLauncher: 'registry.example.com/virt-launcher:v1.9.0-cs10' }),
    'images.virtLauncher',
    '"registry.example.com/virt-launcher:v1.9.0-cs10"',
    /write launcher: \{ image: "registry.example.com\/virt-launcher:v1.9.0-cs10" \}/,
  ],
  // launcher and planned steps: every step lands on a catalogue entry, in order, on pools that exist.
  ['planned step of a misspelt kind', (d) => (d.plannedSteps[0].kind = 'node-os-upgrad'), 'plannedSteps[0].kind', '"node-os-upgrad"', /did you mean "node-os-upgrade"\?/],
  [
    'planned step of an unknown kind',
    (d) => (d.plannedSteps[0] = { kind: 'os-upgrade', pool: 'rhel9', to: 'rhel-10.0' }),
    'plannedSteps[0].kind',
    '"os-upgrade" is not one of kubevirt-upgrade, launcher-switch, node-os-upgrade',
    /^write \{ kind: 'kubevirt-upgrade'/,
  ],
  ['planned step without a kind', (d) => delete d.plannedSteps[0].kind, 'plannedSteps[0].kind', 'no kind (undefined)', /^write \{ kind: 'kubevirt-upgrade'/],
  ['planned step as a string', (d) => (d.plannedSteps[0] = 'upgrade to 1.10'), 'plannedSteps[0]', '"upgrade to 1.10"', /kind is 'kubevirt-upgrade'/],
  ['planned steps as an object', (d) => (d.plannedSteps = { kind: 'kubevirt-upgrade' }), 'plannedSteps', '{ "kind": "kubevirt-upgrade" }', /write plannedSteps: \[/],
  [
    "a node-OS step's field of another kind",
    (d) => (d.plannedSteps[0] = { kind: 'node-os-upgrade', pool: 'rhel9', to: 'rhel-10.0', build: 'centos-stream-10' }),
    'plannedSteps[0].build',
    '"build"',
    /^remove it; the fields here are kind, pool, to$/,
  ],
  // The step's kind picks the field: a node-OS step's `to` is an OS release, not a KubeVirt version.
  ["a node-OS step's release missing", (d) => delete d.plannedSteps[0].to, 'plannedSteps[0].to', 'an OS release', /e.g. "rhel-9.6"/],
  [
    'KubeVirt downgrade',
    (d) => d.plannedSteps.push({ kind: 'kubevirt-upgrade', to: '1.8.0' }),
    'plannedSteps[1].to',
    'KubeVirt 1.8.0 is not newer than 1.9.0',
    /in the order they happen/,
  ],
  [
    'KubeVirt upgrades out of order',
    (d) => {
      d.kubevirtVersion = '1.7.0';
      d.plannedSteps = [
        { kind: 'kubevirt-upgrade', to: '1.9.0' },
        { kind: 'kubevirt-upgrade', to: '1.8.0' },
      ];
    },
    'plannedSteps[1].to',
    'KubeVirt 1.8.0 is not newer than 1.9.0, the version before this step',
    /in the order they happen/,
  ],
  ['node-OS step on an unknown pool', (d) => (d.plannedSteps[0].pool = 'rhel8'), 'plannedSteps[0].pool', '"rhel8"', /name one of rhel9, arm/],
  ['node-OS step on a pool without os', (d) => (d.plannedSteps[0].pool = 'arm'), 'plannedSteps[0].pool', 'pool "arm" states no os', /set os on pool "arm"/],
  ['node-OS step to the release the pool runs', (d) => (d.plannedSteps[0].to = 'rhel-9.6'), 'plannedSteps[0].to', 'already runs rhel-9.6', /remove the step/],
  ['os not a release', (d) => (d.nodePools[0].os = 'RHEL 9.6'), 'nodePools[0].os', '"RHEL 9.6"', /e.g. "rhel-9.6"/],
  [
    'switch to CentOS Stream 10 without an image',
    (d) => d.plannedSteps.push({ kind: 'launcher-switch', build: 'centos-stream-10' }),
    'plannedSteps[1].image',
    'upstream publishes no image of kubevirt-1.9/centos-stream-10',
    /set image to the launcher you build/,
  ],
  [
    'a CentOS Stream 10 launcher without an image',
    (d) => (d.launcher = { build: 'centos-stream-10' }),
    'launcher.image',
    'upstream publishes no image of kubevirt-1.9/centos-stream-10',
    /set image to the launcher you build/,
  ],
  [
    'a CentOS Stream 10 launcher before KubeVirt 1.8',
    (d) => {
      d.kubevirtVersion = '1.7.0';
      d.launcher = { build: 'centos-stream-10', image: 'registry.example.com/virt-launcher:v1.7.0-cs10' };
    },
    'launcher.build',
    'no virt-launcher of KubeVirt 1.7.0 built from centos-stream-10 is catalogued',
    /KubeVirt 1.7.0 has centos-stream-9/,
  ],
  [
    'switch to the build the launcher has',
    (d) => d.plannedSteps.push({ kind: 'launcher-switch', build: 'centos-stream-9' }),
    'plannedSteps[1].build',
    'already built from centos-stream-9',
    /remove the step/,
  ],
  [
    'KubeVirt older than the catalogue',
    (d) => (d.kubevirtVersion = '1.3.0'),
    'kubevirtVersion',
    'KubeVirt 1.3.0 is older than 1.4.0',
    /upgrade KubeVirt to 1.4.0 or newer/,
  ],
  [
    'upgrade beyond the catalogue',
    (d) => d.plannedSteps.push({ kind: 'kubevirt-upgrade', to: '1.10.0' }),
    'plannedSteps[1].to',
    'KubeVirt 1.10.0',
    /covers KubeVirt 1.4, .*1.9/,
  ],
  ['unknown launcher build', (d) => (d.launcher = { build: 'centos-stream-11' }), 'launcher.build', '"centos-stream-11"', /did you mean "centos-stream-10"\?/],
  [
    'a distribution as a build',
    (d) => d.plannedSteps.push({ kind: 'launcher-switch', build: 'rhel-9' }),
    'plannedSteps[1].build',
    '"rhel-9"',
    /use one of centos-stream-9, centos-stream-10/,
  ],
  ['misspelt launcher field', (d) => (d.launcher = { imgae: 'quay.io/kubevirt/virt-launcher:v1.9.0' }), 'launcher.imgae', '"imgae"', /did you mean "image"\?/],
  // architecture: Kubernetes' names (kubernetes.io/arch), not the kernel's.
  ['architecture x86_64', (d) => (d.nodePools[0].architecture = 'x86_64'), 'nodePools[0].architecture', '"x86_64"', /did you mean "amd64"\?/],
  ['architecture aarch64', (d) => (d.nodePools[1].architecture = 'aarch64'), 'nodePools[1].architecture', '"aarch64"', /did you mean "arm64"\?/],
  ['architecture in capitals', (d) => (d.nodePools[1].architecture = 'ARM64'), 'nodePools[1].architecture', '"ARM64"', /did you mean "arm64"\?/],
  // machine-type overrides
  [
    'an amd64 override on an arm64 pool',
    (d) => (d.nodePools[1].machineTypes = { add: ['pc-q35-rhel9.8.0'] }),
    'nodePools[1].machineTypes.add[0]',
    '"pc-q35-rhel9.8.0" is an amd64 machine type but pool "arm" is arm64',
    /set its architecture to amd64/,
  ],
  [
    'an arm64 override on an amd64 pool',
    (d) => (d.nodePools[0].machineTypes = { remove: ['virt-rhel9.6.0'] }),
    'nodePools[0].machineTypes.remove[0]',
    '"virt-rhel9.6.0" is an arm64 machine type but pool "rhel9" is amd64',
    /name a type of the pool's architecture/,
  ],
  ['an alias as an override', (d) => (d.nodePools[0].machineTypes = { add: ['q35'] }), 'nodePools[0].machineTypes.add[0]', '"q35"', /canonical name/],
  ['misspelt add', (d) => (d.nodePools[0].machineTypes = { adds: ['pc-q35-rhel9.8.0'] }), 'nodePools[0].machineTypes.adds', '"adds"', /did you mean "add"\?/],
  [
    'add as a string',
    (d) => (d.nodePools[0].machineTypes = { add: 'pc-q35-rhel9.8.0' }),
    'nodePools[0].machineTypes.add',
    '"pc-q35-rhel9.8.0"',
    /write add: \['pc-q35-…'\]/,
  ],
  [
    'a type listed twice',
    (d) => (d.nodePools[0].machineTypes = { add: ['pc-q35-rhel9.8.0', 'pc-q35-rhel9.8.0'] }),
    'nodePools[0].machineTypes.add[1]',
    '"pc-q35-rhel9.8.0"',
    /list each type once/,
  ],
  [
    'a type removed and deprecated',
    (d) => (d.nodePools[0].machineTypes = { remove: ['pc-q35-rhel9.0.0'], deprecate: ['pc-q35-rhel9.0.0'] }),
    'nodePools[0].machineTypes.deprecate[0]',
    '"pc-q35-rhel9.0.0"',
    /one list/,
  ],
  [
    'a machine type too long to be a label',
    (d) => (d.nodePools[0].machineTypes = { add: [`pc-q35-rhel9.6.${'1'.repeat(60)}`] }),
    'nodePools[0].machineTypes.add[0]',
    `"pc-q35-rhel9.6.${'1'.repeat(60)}"`,
    /canonical name/,
  ],
  // nodeCount (informational, but a wrong one is still a mistake)
  ['zero nodes', (d) => (d.nodePools[0].nodeCount = 0), 'nodePools[0].nodeCount', '0', /at least 1/],
  ['negative nodes', (d) => (d.nodePools[0].nodeCount = -1), 'nodePools[0].nodeCount', '-1', /at least 1/],
  ['fractional nodes', (d) => (d.nodePools[0].nodeCount = 2.5), 'nodePools[0].nodeCount', '2.5', /at least 1/],
  ['node count as a string', (d) => (d.nodePools[0].nodeCount = '8'), 'nodePools[0].nodeCount', '"8"', /at least 1/],
  ['node count as a BigInt', (d) => (d.nodePools[0].nodeCount = 10n), 'nodePools[0].nodeCount', '10n', /at least 1/],
  ['node count NaN', (d) => (d.nodePools[0].nodeCount = Number.NaN), 'nodePools[0].nodeCount', 'NaN', /at least 1/],
  ['node count Infinity', (d) => (d.nodePools[0].nodeCount = Number.POSITIVE_INFINITY), 'nodePools[0].nodeCount', 'Infinity', /at least 1/],
  // images
  ['launcher image without a tag', (d) => (d.launcher = { image: 'quay.io/kubevirt/virt-launcher' }), 'launcher.image', '"quay.io/kubevirt/virt-launcher"', /:tag/],
  [
    'launcher image with a space',
    (d) => (d.launcher = { image: 'quay.io/kubevirt/virt-launcher: v1.9.0' }),
    'launcher.image',
    '"quay.io/kubevirt/virt-launcher: v1.9.0"',
    /:tag/,
  ],
  ['images null', (d) => (d.images = null), 'images', 'null', /leave images out/],
  ['image without a tag', (d) => (d.images = { nodeLabeller: 'quay.io/x/labeller' }), 'images.nodeLabeller', '"quay.io/x/labeller"', /:tag/],
  ['image with a space', (d) => (d.images = { nodeLabeller: 'quay.io/x/labeller :1.0' }), 'images.nodeLabeller', '"quay.io/x/labeller :1.0"', /:tag/],
  [
    'image repository in capitals',
    (d) => (d.images = { nodeLabeller: 'quay.io/X/Labeller:1.0' }),
    'images.nodeLabeller',
    '"quay.io/X/Labeller:1.0"',
    /registry\/repository:tag/,
  ],
  [
    'image with a short sha256 digest',
    (d) => (d.images = { migrationController: 'ghcr.io/kvfleet/mc@sha256:abc123' }),
    'images.migrationController',
    '"ghcr.io/kvfleet/mc@sha256:abc123"',
    /64 hex digits/,
  ],
  [
    'image with two tags',
    (d) => d.plannedSteps.push({ kind: 'launcher-switch', build: 'centos-stream-10', image: 'quay.io/kubevirt/virt-launcher:v1.9.0:extra' }),
    'plannedSteps[1].image',
    '"quay.io/kubevirt/virt-launcher:v1.9.0:extra"',
    /:tag/,
  ],
  ['misspelt image field', (d) => (d.images = { nodelabeller: 'quay.io/x/labeller:1.0' }), 'images.nodelabeller', '"nodelabeller"', /did you mean "nodeLabeller"\?/],
  ['images with a circular reference', (d) => (d.images = circular), 'images.self', '[circular]', /remove it; the fields here are nodeLabeller, migrationController/],
  ['image as a symbol', (d) => (d.images = { nodeLabeller: Symbol('img') }), 'images.nodeLabeller', 'Symbol(img)', /:tag/],
  // migration settings, field by field and against each other
  ['too many fallback attempts', (d) => (d.migration = { fallbackAttempts: 50 }), 'migration.fallbackAttempts', '50', /from 0 to 10/],
  ['fractional fallback attempts', (d) => (d.migration = { fallbackAttempts: 1.5 }), 'migration.fallbackAttempts', '1.5', /whole number/],
  ['fallback attempts as a string', (d) => (d.migration = { fallbackAttempts: '3' }), 'migration.fallbackAttempts', '"3"', /from 0 to 10/],
  ['unknown migration setting', (d) => (d.migration = { retries: 2 }), 'migration.retries', '"retries"', /the fields here are fallbackAttempts/],
  ['misspelt migration setting', (d) => (d.migration = { fallbackAttempt: 2 }), 'migration.fallbackAttempt', '"fallbackAttempt"', /did you mean "fallbackAttempts"\?/],
  [
    'fallback timeout longer than the migration timeout',
    (d) => (d.migration = { fallbackUnschedulableTimeoutSeconds: 300 }),
    'migration.fallbackUnschedulableTimeoutSeconds',
    'fallbackUnschedulableTimeoutSeconds (300)',
    /lower fallbackUnschedulableTimeoutSeconds to at most 120/,
  ],
  [
    'migration timeout below the default fallback timeout',
    (d) => (d.migration = { unschedulableTimeoutSeconds: 30 }),
    'migration.unschedulableTimeoutSeconds',
    'unschedulableTimeoutSeconds (30)',
    /at most 30/,
  ],
  [
    'backoff as long as the attempt window',
    (d) => (d.migration = { backoffBaseSeconds: 3600 }),
    'migration.backoffBaseSeconds',
    'backoffBaseSeconds (3600)',
    /raise attemptWindowSeconds above/,
  ],
  [
    'attempt window shorter than the fallbacks',
    (d) => (d.migration = { attemptWindowSeconds: 60 }),
    'migration.attemptWindowSeconds',
    'attemptWindowSeconds (60)',
    /raise attemptWindowSeconds above 80/,
  ],
  ['migration null', (d) => (d.migration = null), 'migration', 'null', /leave migration out/],
  ['migration as a function', (d) => (d.migration = function retry() {}), 'migration', '[function retry]', /leave migration out/],
  // namespace: kvfleet labels its namespace Pod Security "restricted".
  ['the kube-system namespace', (d) => (d.namespace = 'kube-system'), 'namespace', '"kube-system"', /Pod Security "restricted"/],
  ['the default namespace', (d) => (d.namespace = 'default'), 'namespace', '"default"', /Pod Security "restricted"/],
  ['the kube-node-lease namespace', (d) => (d.namespace = 'kube-node-lease'), 'namespace', '"kube-node-lease"', /namespace of its own/],
  ['the kube-public namespace', (d) => (d.namespace = 'kube-public'), 'namespace', '"kube-public"', /namespace of its own/],
  ['namespace in capitals', (d) => (d.namespace = 'KVFleet'), 'namespace', '"KVFleet"', /a DNS label/],
  ['namespace of 64 characters', (d) => (d.namespace = 'n'.repeat(64)), 'namespace', `"${'n'.repeat(64)}"`, /a DNS label/],
  ['namespace YAML reads as a number', (d) => (d.namespace = '0o755'), 'namespace', '"0o755"', /not a 0o\/0x\/0b-prefixed number/],
  ['empty namespace', (d) => (d.namespace = ''), 'namespace', '""', /a DNS label/],
];

/** Whole-file replacements: what the default export is instead of a definition. */
const exportCases: [string, unknown, string, RegExp][] = [
  ['a definition that is null', null, 'null', /export default defineCluster/],
  ['a definition that is a list', [], '[]', /export default defineCluster/],
  ['a definition that is a string', 'prod-east', '"prod-east"', /export default defineCluster/],
  ['a definition that is a Promise', Promise.resolve({}), '[Promise]', /no async, await or new/],
];

describe('each malformed definition gets one error naming file, field, value seen and fix', () => {
  test('the definition the cases break is valid, without a warning', () => {
    expect(validateCluster(FILE, valid()).problems.map(String)).toEqual([]);
  });

  test.each(dataCases)('%s', (_what, change, path, seen, fix) => {
    const definition = valid();
    change(definition);
    const { definition: accepted, problems } = validateCluster(FILE, definition);
    expect(accepted).toBeUndefined();
    const errors = problems.filter((p) => p.severity === 'error');
    const match = errors.find((e) => e.path === path);
    expect(match, `errors were:\n${errors.map(String).join('\n')}`).toBeDefined();
    expect(match!.file).toBe(FILE);
    expect(match!.problem).toContain(seen);
    expect(match!.fix).toMatch(fix);
    expect(match!.toString()).toContain(`${FILE}: ${path}: `);
  });

  test.each(exportCases)('%s', (_what, exported, seen, fix) => {
    const [error, ...rest] = validateCluster(FILE, exported).problems;
    expect(rest).toEqual([]);
    expect(error!.file).toBe(FILE);
    expect(error!.path).toBe('');
    expect(error!.problem).toContain(seen);
    expect(error!.fix).toMatch(fix);
  });

  test('there are at least 80 cases', () => {
    expect(dataCases.length + exportCases.length + fileCases.length).toBeGreaterThanOrEqual(80);
  });
});

/** `d` with `value` at `path`; missing or primitive parents (kubeOvn: 'none') become objects on the way. */
function setAt(d: any, path: readonly (string | number)[], value: unknown): any {
  let o = d;
  for (const k of path.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null) o[k] = {};
    o = o[k];
  }
  o[path.at(-1)!] = value;
  return d;
}

describe('nothing crashes the validator', () => {
  // Every place a value can sit, and some where none should.
  const paths = [
    [],
    ['name'],
    ['kubernetesVersion'],
    ['kubevirtVersion'],
    ['kubeOvn'],
    ['kubeOvn', 'version'],
    ['argocd'],
    ['argocd', 'server'],
    ['nodePools'],
    ['nodePools', 0],
    ['nodePools', 0, 'nodeSelector'],
    ['nodePools', 0, 'nodeSelector', 'node.example.com/pool'],
    ['nodePools', 0, 'machineTypes'],
    ['nodePools', 0, 'machineTypes', 'add'],
    ['nodePools', 0, 'architecture'],
    ['nodePools', 0, 'os'],
    ['nodePools', 1, 'launcher'],
    ['nodePools', 1, 'nodeCount'],
    ['migration'],
    ['migration', 'fallbackAttempts'],
    ['images'],
    ['images', 'virtLauncher'],
    ['launcher'],
    ['launcher', 'build'],
    ['launcher', 'image'],
    ['plannedSteps'],
    ['plannedSteps', 0],
    ['plannedSteps', 0, 'kind'],
    ['plannedSteps', 0, 'to'],
    ['plannedSteps', 1],
    ['namespace'],
    ['surprise'],
  ] as const;
  const anything = fc.anything({
    // Keys a hostile file uses: the names every object inherits and "__proto__", besides any string.
    key: fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES, '__proto__'), fc.string()),
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withTypedArray: true,
    withSparseArray: true,
  });

  test('any value anywhere gives problems with a file, a problem and a fix, never an exception', () => {
    fc.assert(
      fc.property(fc.constantFrom(...paths), anything, (path, value) => {
        const d = path.length === 0 ? value : setAt(valid(), path, value);
        const { definition, problems } = validateCluster(FILE, d);
        for (const p of problems) {
          expect(p.file).toBe(FILE);
          expect(p.problem.length).toBeGreaterThan(0);
          expect(p.fix.length).toBeGreaterThan(0);
          expect(p.fix).not.toBe(p.problem);
        }
        if (!definition) expect(problems.some((p) => p.severity === 'error')).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

/** [what, files of clusters/ (name → source), file reported, problem (incl. the value or place seen), fix]. */
type FileCase = [string, Record<string, string>, string, RegExp, RegExp];

const VALID_SOURCE = `export default ${JSON.stringify(valid(), null, 2)};\n`;

const fileCases: FileCase[] = [
  [
    'a TypeScript syntax error, with line and column',
    { 'test-cluster.ts': "export default {\n  name: 'test-cluster',\n  kubernetesVersion: '1.33'\n  kubevirtVersion: '1.6.2',\n};\n" },
    'clusters/test-cluster.ts:4:3',
    /syntax error: Expected "}" but found "kubevirtVersion"/,
    /fix the TypeScript syntax/,
  ],
  [
    'a file that throws at import, with the line that throws',
    { 'test-cluster.ts': "const read = (): never => {\n  throw new Error('no such file: pools.json');\n};\nexport default { name: read() };\n" },
    'clusters/test-cluster.ts:2:',
    /throws while it is loaded: no such file: pools.json/,
    /^see line 2: a definition file should only build its definition from literal values/,
  ],
  [
    'defineCluster used without its import',
    { 'test-cluster.ts': `export default defineCluster(${JSON.stringify(valid())});\n` },
    'clusters/test-cluster.ts:1:',
    /uses defineCluster, which it neither imports nor declares/,
    /add `import \{ defineCluster \} from '..\/fleet\/clusterDefinition.js';`/,
  ],
  [
    'an import that cannot be resolved',
    { 'test-cluster.ts': "import { pools } from './shared-pools.js';\nexport default { name: 'test-cluster', nodePools: pools };\n" },
    'clusters/test-cluster.ts',
    /an import cannot be resolved: .*shared-pools/,
    /fix the import path/,
  ],
  [
    'a .js file',
    { 'test-cluster.ts': VALID_SOURCE, 'prod-west.js': 'export default {};' },
    'clusters/prod-west.js',
    /is not read: cluster definitions are .ts files/,
    /rename it to clusters\/prod-west.ts/,
  ],
  ['a .mjs file', { 'prod-west.mjs': 'export default {};' }, 'clusters/prod-west.mjs', /cluster definitions are .ts files/, /rename it to clusters\/prod-west.ts/],
  ['a .cjs file', { 'prod-west.cjs': 'module.exports = {};' }, 'clusters/prod-west.cjs', /cluster definitions are .ts files/, /rename it to clusters\/prod-west.ts/],
  ['a .mts file', { 'prod-west.mts': 'export default {};' }, 'clusters/prod-west.mts', /cluster definitions are .ts files/, /rename it to clusters\/prod-west.ts/],
  ['a .cts file', { 'prod-west.cts': 'export default {};' }, 'clusters/prod-west.cts', /cluster definitions are .ts files/, /rename it to clusters\/prod-west.ts/],
  ['a .json file', { 'prod-west.json': '{}' }, 'clusters/prod-west.json', /cluster definitions are .ts files/, /rename it to clusters\/prod-west.ts/],
  [
    'no default export',
    { 'test-cluster.ts': `export const cluster = ${JSON.stringify(valid())};\n` },
    'clusters/test-cluster.ts',
    /has no default export \(it exports cluster\)/,
    /export default defineCluster/,
  ],
  [
    'a circular definition',
    { 'test-cluster.ts': `const d: any = ${JSON.stringify(valid())};\nd.images = { self: d };\nexport default d;\n` },
    'clusters/test-cluster.ts: images.self',
    /unknown field "self" \(set to \{ "name": "test-cluster"/,
    /remove it; the fields here are nodeLabeller, migrationController/,
  ],
  [
    'a definition exported as a BigInt',
    { 'test-cluster.ts': 'export default 10n;\n' },
    'clusters/test-cluster.ts',
    /the default export is 10n, not a cluster definition/,
    /export default defineCluster/,
  ],
];

/** TypeScript source for a test value: JSON plus the values JSON cannot hold. */
function toSource(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol') return `Symbol(${JSON.stringify(v.description)})`;
  if (typeof v === 'function') return `function ${v.name}() {}`;
  if (typeof v === 'number') return Number.isNaN(v) ? 'Number.NaN' : Number.isFinite(v) ? String(v) : v > 0 ? 'Infinity' : '-Infinity';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `[${v.map(toSource).join(', ')}]`;
  if (typeof v === 'object' && v !== null) {
    if (v === circular) throw new Error('circular: not sampled');
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}: ${toSource(x)}`)
      .join(', ')} }`;
  }
  return JSON.stringify(v);
}

describe('the real synth reports them and leaves dist/ untouched', () => {
  let work: string;
  let dist: string;
  let before: Record<string, string>;
  const DIST_MODE = 0o750; // not the default, so a swap would show
  let caseNumber = 0;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'kvfleet-malformed-'));
    dist = join(work, 'dist');
    await synthFleet({ clustersDir: join(projectDir, 'clusters'), distDir: dist, projectDir });
    chmodSync(dist, DIST_MODE);
    before = readTree(dist);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** Runs synth over a clusters folder holding `files`; returns the error message. */
  async function failedSynth(files: Record<string, string>): Promise<string> {
    const root = join(work, `case-${++caseNumber}`);
    mkdirSync(join(root, 'clusters'), { recursive: true });
    for (const [name, source] of Object.entries(files)) writeFileSync(join(root, 'clusters', name), source);
    const err = await synthFleet({ clustersDir: join(root, 'clusters'), distDir: dist, projectDir: root }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FleetDefinitionErrors);
    expect(readTree(dist)).toEqual(before);
    expect(statSync(dist).mode & 0o777).toBe(DIST_MODE);
    expect(readdirSync(work).filter((f) => f.startsWith('.'))).toEqual([]); // no staging folder left
    return (err as Error).message;
  }

  const sampled = dataCases
    .filter((_, i) => i % 3 === 0)
    .filter(([, change]) => {
      const d = valid();
      change(d);
      try {
        toSource(d);
        return true;
      } catch {
        return false;
      }
    });

  test.each(sampled)('%s', async (_what, change, path, seen, fix) => {
    const d = valid();
    change(d);
    const message = await failedSynth({ 'test-cluster.ts': `export default ${toSource(d)};\n` });
    const line = message.split('\n').findIndex((l) => l.startsWith(`${FILE}: ${path}: `));
    expect(line, message).toBeGreaterThan(0);
    const [problemLine, fixLine] = message.split('\n').slice(line, line + 2);
    expect(problemLine).toContain(seen);
    expect(fixLine!.trim()).toMatch(fix);
  });

  test.each(fileCases)('%s', async (_what, files, where, problem, fix) => {
    const message = await failedSynth(files);
    const lines = message.split('\n');
    const line = lines.findIndex((l) => l.startsWith(where));
    expect(line, message).toBeGreaterThan(0);
    expect(lines[line]).toMatch(problem);
    expect(lines[line + 1]!.trim()).toMatch(fix);
    expect(lines[line + 1]).not.toMatch(/typecheck/);
  });
});
