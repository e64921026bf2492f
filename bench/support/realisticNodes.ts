/**
 * Node objects with the label set a KubeVirt node in a kvfleet cluster really carries, for the
 * scheduler bench: Kubernetes' well-known labels, the pool label, KubeVirt's virt-handler labels
 * (machine types from testbed/support/virtHandlerLabels.ts, CPU models/features/timer/Hyper-V from the
 * real `virsh domcapabilities` / `virsh capabilities` samples in ../shared/samples/capabilities, as
 * `node_labeller.go` prepareLabels derives them) and kvfleet's labels and annotations computed by the
 * real labeller code (`desiredNodeMetadata` on a parsed SYNTHETIC capabilities document of the pool's
 * release). Every node of a pool has the same labels but its hostname and zone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import {
  KUBEVIRT_CPU_FEATURE_LABEL_PREFIX,
  KUBEVIRT_CPU_MODEL_LABEL_PREFIX,
  KUBEVIRT_CPU_MODEL_MIGRATION_LABEL_PREFIX,
  KUBEVIRT_CPU_TIMER_LABEL_PREFIX,
  KUBEVIRT_CPU_VENDOR_LABEL_PREFIX,
  KUBEVIRT_HOST_MODEL_CPU_LABEL_PREFIX,
  KUBEVIRT_HOST_MODEL_REQUIRED_FEATURES_LABEL_PREFIX,
  KUBEVIRT_HYPERV_LABEL_PREFIX,
  KUBEVIRT_SCHEDULABLE_LABEL,
} from '../../compatibility/kubevirtNames.js';
import { HOSTNAME_LABEL } from '../../compatibility/labelKeys.js';
import { matrixDocument } from '../../compatibility/matrixDocument.js';
import { type ResolvedPool } from '../../compatibility/poolMachineTypes.js';
import { type ClusterDefinition } from '../../fleet/clusterDefinition.js';
import { parseCapabilities } from '../../programs/node-labeller/capabilitiesXml.js';
import { desiredNodeMetadata } from '../../programs/node-labeller/nodeLabels.js';
import { sharedDir } from '../../testbed/harness/toolPaths.js';
import { machinesOfSet, syntheticCapabilitiesXml } from '../../testbed/support/syntheticCapabilities.js';
import { virtHandlerMachineTypeLabels } from '../../testbed/support/virtHandlerLabels.js';

type Labels = Record<string, string>;

/** Kubernetes' well-known node labels (k8s.io/api core/v1 well_known_labels.go), as kubelet and cloud providers set them. */
export const K8S_OS_LABEL = 'kubernetes.io/os';
export const K8S_ARCH_LABEL = 'kubernetes.io/arch';
const K8S_BETA_OS_LABEL = 'beta.kubernetes.io/os';
const K8S_BETA_ARCH_LABEL = 'beta.kubernetes.io/arch';
const K8S_ZONE_LABEL = 'topology.kubernetes.io/zone';
const K8S_REGION_LABEL = 'topology.kubernetes.io/region';
const K8S_INSTANCE_TYPE_LABEL = 'node.kubernetes.io/instance-type';
const K8S_WORKER_ROLE_LABEL = 'node-role.kubernetes.io/worker';

/** virt-handler's default obsolete CPU models (pkg/virt-handler/node-labeller/util DefaultObsoleteCPUModels). */
const KUBEVIRT_OBSOLETE_CPU_MODELS = new Set([
  '486',
  'pentium',
  'pentium2',
  'pentium3',
  'pentiumpro',
  'coreduo',
  'n270',
  'core2duo',
  'Conroe',
  'athlon',
  'phenom',
  'qemu64',
  'qemu32',
  'kvm64',
  'kvm32',
]);

/** KubeVirt's device-plugin resources every virt-launcher Pod requests (virt-handler advertises 1k of each). */
export const KUBEVIRT_DEVICE_RESOURCES = ['devices.kubevirt.io/kvm', 'devices.kubevirt.io/tun', 'devices.kubevirt.io/vhost-net'] as const;

export interface HostCpu {
  /** `host-model` CPU name and the features it requires (domcapabilities `<mode name='host-model'>`). */
  readonly hostModel: string;
  readonly requiredFeatures: readonly string[];
  /** virt-handler's labels for this CPU (models, features, timer, vendor, Hyper-V, schedulable). */
  readonly labels: Labels;
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  textNodeName: '#text',
  isArray: (n) => ['mode', 'model', 'feature', 'value', 'enum'].includes(n),
});
type X = Record<string, unknown>;
const arr = (v: unknown): X[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]) as X[];
const text = (v: unknown): string => (typeof v === 'object' && v !== null ? String((v as X)['#text']) : String(v)).trim();

/**
 * virt-handler's CPU labels for the host of the real samples (an Intel Skylake-Client-IBRS KVM host):
 * usable non-obsolete models → `cpu-model…` and `cpu-model-migration…`; host-model name, vendor and
 * required features → `host-model-cpu…`, `cpu-vendor…`, `host-model-required-features…`; Hyper-V
 * enlightenments → `hyperv…`; the TSC counter of `virsh capabilities` → `cpu-timer…`. `cpu-feature…`
 * comes from the host's supported-features document, which no sample has; the host-model's required
 * features stand in for it (a lower bound: real hosts list more features there).
 */
export function sampleHostCpu(): HostCpu {
  const domcaps = xml.parse(readFileSync(join(sharedDir, 'samples', 'capabilities', 'kvm-x86_64-domcaps-latest.xml'), 'utf8')) as X;
  const caps = xml.parse(readFileSync(join(sharedDir, 'samples', 'capabilities', 'kvm-x86_64.xml'), 'utf8')) as X;
  const cpu = (domcaps.domainCapabilities as X).cpu as X;
  const modes = arr(cpu.mode);
  const hostMode = modes.find((m) => m.name === 'host-model')!;
  const hostModel = text(arr(hostMode.model)[0]);
  const vendor = text(hostMode.vendor);
  const requiredFeatures = arr(hostMode.feature)
    .filter((f) => f.policy === 'require')
    .map((f) => String(f.name));
  const usable = arr(modes.find((m) => m.name === 'custom')!.model)
    .filter((m) => m.usable === 'yes')
    .map(text)
    .filter((m) => !KUBEVIRT_OBSOLETE_CPU_MODELS.has(m));
  const hyperv = arr((((domcaps.domainCapabilities as X).features as X).hyperv as X).enum)
    .flatMap((e) => arr(e.value))
    .map(text);
  const counter = ((((caps.capabilities as X).host as X).cpu as X).counter ?? {}) as X;
  const labels: Labels = { [KUBEVIRT_SCHEDULABLE_LABEL]: 'true' };
  for (const m of usable) {
    labels[KUBEVIRT_CPU_MODEL_LABEL_PREFIX + m] = 'true';
    labels[KUBEVIRT_CPU_MODEL_MIGRATION_LABEL_PREFIX + m] = 'true';
  }
  labels[KUBEVIRT_CPU_MODEL_MIGRATION_LABEL_PREFIX + hostModel] = 'true';
  labels[KUBEVIRT_HOST_MODEL_CPU_LABEL_PREFIX + hostModel] = 'true';
  labels[KUBEVIRT_CPU_VENDOR_LABEL_PREFIX + vendor] = 'true';
  for (const f of requiredFeatures) {
    labels[KUBEVIRT_CPU_FEATURE_LABEL_PREFIX + f] = 'true';
    labels[KUBEVIRT_HOST_MODEL_REQUIRED_FEATURES_LABEL_PREFIX + f] = 'true';
  }
  for (const h of hyperv) labels[KUBEVIRT_HYPERV_LABEL_PREFIX + h] = 'true';
  if (counter.name === 'tsc') {
    labels[`${KUBEVIRT_CPU_TIMER_LABEL_PREFIX}tsc-frequency`] = String(counter.frequency);
    labels[`${KUBEVIRT_CPU_TIMER_LABEL_PREFIX}tsc-scalable`] = String(counter.scaling === 'yes');
  }
  return { hostModel, requiredFeatures, labels };
}

/** One pool's labels, split by who writes them, so a bench can leave a writer out. */
export interface PoolNodeLabels {
  readonly pool: ResolvedPool;
  /** Kubernetes' well-known labels and the pool's nodeSelector (hostname and zone are per node). */
  readonly kubernetes: Labels;
  /** virt-handler: `machine-type.node.kubevirt.io/…`. */
  readonly kubevirtMachineTypes: Labels;
  /** virt-handler: CPU, Hyper-V, timer labels and `kubevirt.io/schedulable`. */
  readonly kubevirtOther: Labels;
  /** kvfleet's labeller: every label and annotation it owns. */
  readonly kvfleetLabels: Labels;
  readonly kvfleetAnnotations: Labels;
}

export function poolNodeLabelSets(cluster: ClusterDefinition, hostCpu: HostCpu): PoolNodeLabels[] {
  const matrix = matrixDocument(cluster);
  return matrix.pools.map((pool) => {
    const capabilities = syntheticCapabilitiesXml({ machines: machinesOfSet(pool.current) });
    const parsed = parseCapabilities(capabilities);
    if (!parsed.ok) throw new Error(`synthetic capabilities of pool ${pool.name}: ${parsed.code}: ${parsed.message}`);
    const kubernetes: Labels = {
      [K8S_OS_LABEL]: 'linux',
      [K8S_ARCH_LABEL]: pool.architecture,
      [K8S_BETA_OS_LABEL]: 'linux',
      [K8S_BETA_ARCH_LABEL]: pool.architecture,
      [K8S_REGION_LABEL]: 'bench-region-1',
      [K8S_INSTANCE_TYPE_LABEL]: 'bare-metal-2s-64c-512g',
      [K8S_WORKER_ROLE_LABEL]: '',
      ...pool.nodeSelector,
    };
    const kubevirtMachineTypes = virtHandlerMachineTypeLabels(capabilities);
    const desired = desiredNodeMetadata(parsed.machineTypes, matrix, { ...kubernetes, ...hostCpu.labels, ...kubevirtMachineTypes });
    if (desired.warnings.length > 0) throw new Error(`labeller warnings for pool ${pool.name}: ${desired.warnings.join('; ')}`);
    return {
      pool,
      kubernetes,
      kubevirtMachineTypes,
      kubevirtOther: hostCpu.labels,
      kvfleetLabels: { ...desired.labels },
      kvfleetAnnotations: { ...desired.annotations },
    };
  });
}

export interface NodeBodyOptions {
  readonly zone: string;
  readonly kvfleet?: boolean;
  readonly kubevirtMachineTypes?: boolean;
  /** Allocatable = capacity. */
  readonly capacity: Readonly<Record<string, string>>;
}

/**
 * A Node as kubelet registers it: labels, and a status with capacity, addresses, node info and a
 * Ready condition (the API server keeps the status a create sends; the TaintNodesByCondition
 * admission plugin still adds the not-ready taint, which the caller lifts).
 */
export function nodeBody(name: string, set: PoolNodeLabels, opts: NodeBodyOptions): Record<string, unknown> {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        ...set.kubernetes,
        [HOSTNAME_LABEL]: name,
        [K8S_ZONE_LABEL]: opts.zone,
        ...set.kubevirtOther,
        ...(opts.kubevirtMachineTypes === false ? {} : set.kubevirtMachineTypes),
        ...(opts.kvfleet === false ? {} : set.kvfleetLabels),
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        ...(opts.kvfleet === false ? {} : set.kvfleetAnnotations),
      },
    },
    spec: {},
    status: {
      capacity: opts.capacity,
      allocatable: opts.capacity,
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: '10.0.0.1' },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: '0123456789abcdef0123456789abcdef',
        systemUUID: '01234567-89ab-cdef-0123-456789abcdef',
        bootID: '01234567-89ab-cdef-0123-456789abcdef',
        kernelVersion: '5.14.0-570.el9_6.x86_64',
        osImage: 'Red Hat Enterprise Linux CoreOS',
        containerRuntimeVersion: 'cri-o://1.33.2',
        kubeletVersion: 'v1.33.2',
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

export const countKeys = (o: Readonly<Record<string, string>>) => Object.keys(o).length;
export const machineTypeCountOf = (set: PoolNodeLabels) => set.pool.current.supported.length + Object.keys(set.pool.current.aliases).length;
