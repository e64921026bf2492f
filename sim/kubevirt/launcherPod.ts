/**
 * virt-launcher Pods as virt-controller renders them, pure. Follows kubevirt/kubevirt v1.6.2 (and
 * v1.5.0/v1.5.1 where they differ, as noted):
 * - `pkg/virt-controller/services/template.go` renderLaunchManifest, podLabels,
 *   generatePodAnnotations, readinessGates, newNodeSelectorRenderer;
 * - `pkg/virt-controller/services/nodeselectorrenderer.go` NewNodeSelectorRenderer, Render,
 *   WithMachineType;
 * - `pkg/virt-controller/watch/migration/migration.go` createTargetPod and
 *   createMigrationPodAntiAffinityRule for the migration target.
 *
 * Simplified: one `compute` container with the VMI's memory and CPU requests copied as they are
 * (KubeVirt adds the launcher's memory overhead and sidecars); the device-plugin limits
 * (`renderresources.go` getRequiredResources) only with `deviceResources`, since plain fake nodes do
 * not advertise them; no volumes, init containers, SELinux level or
 * seccomp; no CPU-model / host-model / feature selectors (the simulated VMIs leave the CPU model
 * unset, i.e. a CPU-homogeneous fleet); the hostname is the VMI name truncated to 63 characters.
 */
import { type V1Affinity, type V1Pod, type V1PodAffinityTerm, type V1Toleration } from '@kubernetes/client-node';
import { schedulingContractOf, type SchedulingContract } from '../../compatibility/kubevirtVersions.js';
import {
  APP_LABEL,
  ARCH_LABEL,
  DOMAIN_ANNOTATION,
  HOSTNAME_LABEL,
  KUBEVIRT_CREATED_BY_LABEL,
  KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX,
  KUBEVIRT_SCHEDULABLE_LABEL,
  MIGRATION_JOB_NAME_ANNOTATION,
  MIGRATION_JOB_UID_LABEL,
  MIGRATION_TRANSPORT_UNIX_ANNOTATION,
  UNPAUSED_CONDITION,
  VIRT_LAUNCHER,
  VM_NAME_LABEL,
} from './names.js';
import { type Labels, type RawVmi, type RawVmim, vmiMachineType } from './objects.js';

export interface LauncherRenderOptions {
  /** The simulated KubeVirt release; decides the machine-type selector and `addedNodeSelector`. */
  readonly kubevirtVersion: string;
  /** @default `quay.io/kubevirt/virt-launcher:v<kubevirtVersion>` */
  readonly launcherImage?: string;
  /** KubeVirt CR `spec.workloads.nodePlacement.nodeSelector` (clusterConfig.GetNodeSelectors). @default none */
  readonly clusterNodeSelectors?: Labels;
  /**
   * Limit `devices.kubevirt.io/kvm`, `/tun` and `/vhost-net` to 1 each, as KubeVirt does for a VMI on the
   * default pod network without emulation (renderresources.go getRequiredResources,
   * WithVirtualizationResources). Nodes must advertise them (virt-handler's device plugins). @default false
   */
  readonly deviceResources?: boolean;
}

/** renderresources.go getRequiredResources for a VMI with the default pod-network interface, emulation off. */
export const VIRTUALIZATION_DEVICE_LIMITS: Readonly<Labels> = {
  'devices.kubevirt.io/kvm': '1',
  'devices.kubevirt.io/tun': '1',
  'devices.kubevirt.io/vhost-net': '1',
};

export const defaultLauncherImage = (kubevirtVersion: string) => `quay.io/kubevirt/virt-launcher:v${kubevirtVersion.replace(/^v/, '')}`;

/**
 * The pod nodeSelector (nodeselectorrenderer.go NewNodeSelectorRenderer + Render, template.go
 * newNodeSelectorRenderer): `kubevirt.io/schedulable: "true"`, the VMI's architecture, the cluster's
 * selectors, the VMI's own `spec.nodeSelector`, then, from KubeVirt 1.5.1 on (kubevirt#13690, absent
 * from v1.5.0's template.go), `machine-type.node.kubevirt.io/<type>: "true"` for `status.machine.type`,
 * else the spec's type. Later entries win, as in Render.
 */
export function launcherNodeSelector(vmi: RawVmi, contract: SchedulingContract, clusterNodeSelectors: Labels = {}): Labels {
  const selector: Labels = { [KUBEVIRT_SCHEDULABLE_LABEL]: 'true' };
  if (vmi.spec.architecture) selector[ARCH_LABEL] = vmi.spec.architecture.toLowerCase();
  Object.assign(selector, clusterNodeSelectors, vmi.spec.nodeSelector ?? {});
  const machineType = vmiMachineType(vmi);
  if (contract.machineTypeLabeller === 'kubevirt' && machineType) selector[KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX + machineType] = 'true';
  return selector;
}

/** template.go podLabels: the VMI's labels, then `kubevirt.io: virt-launcher`, created-by, VM name. */
export function launcherLabels(vmi: RawVmi): Labels {
  return {
    ...(vmi.metadata.labels ?? {}),
    [APP_LABEL]: VIRT_LAUNCHER,
    [KUBEVIRT_CREATED_BY_LABEL]: vmi.metadata.uid ?? '',
    [VM_NAME_LABEL]: hostnameOf(vmi),
  };
}

/** template.go generatePodAnnotations (without the network and descheduler generators). */
export function launcherAnnotations(vmi: RawVmi): Labels {
  const fromVmi = Object.fromEntries(
    Object.entries(vmi.metadata.annotations ?? {}).filter(
      ([k]) =>
        !k.startsWith('kubectl.kubernetes.io') && !k.startsWith('kubevirt.io/storage-observed-api-version') && !k.startsWith('kubevirt.io/latest-observed-api-version'),
    ),
  );
  return {
    [DOMAIN_ANNOTATION]: vmi.metadata.name ?? '',
    ...fromVmi,
    'kubectl.kubernetes.io/default-container': 'compute',
    [MIGRATION_TRANSPORT_UNIX_ANNOTATION]: 'true',
  };
}

function hostnameOf(vmi: RawVmi): string {
  return (vmi.spec.hostname ?? vmi.metadata.name ?? '').replaceAll('.', '-').slice(0, 63);
}

/** The compute container's requests: `spec.domain.resources.requests`, memory defaulting to the guest memory. */
export function launcherRequests(vmi: RawVmi): Labels {
  const requests: Labels = { ...(vmi.spec.domain.resources?.requests ?? {}) };
  const guest = vmi.spec.domain.memory?.guest;
  if (!requests.memory && guest) requests.memory = guest;
  return requests;
}

/** template.go renderLaunchManifest (the parts listed in the file comment), for a VMI that has a UID. */
export function renderLauncherPod(vmi: RawVmi, opts: LauncherRenderOptions): V1Pod {
  const contract = schedulingContractOf(opts.kubevirtVersion);
  const name = vmi.metadata.name ?? '';
  const requests = launcherRequests(vmi);
  // gracePeriodInSeconds(vmi) + 15 s padding, + 15 s more for the kill (template.go).
  const grace = (vmi.spec.terminationGracePeriodSeconds ?? 30) + 15 + 15;
  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `virt-launcher-${name}-`,
      namespace: vmi.metadata.namespace,
      labels: launcherLabels(vmi),
      annotations: launcherAnnotations(vmi),
      ownerReferences: [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', name, uid: vmi.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      hostname: hostnameOf(vmi),
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: grace,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      readinessGates: [{ conditionType: UNPAUSED_CONDITION }],
      nodeSelector: launcherNodeSelector(vmi, contract, opts.clusterNodeSelectors),
      containers: [
        {
          name: 'compute',
          image: opts.launcherImage ?? defaultLauncherImage(opts.kubevirtVersion),
          command: ['/usr/bin/virt-launcher-monitor', '--name', name, '--uid', vmi.metadata.uid ?? '', '--namespace', vmi.metadata.namespace ?? ''],
          resources: { requests, ...(opts.deviceResources ? { limits: { ...VIRTUALIZATION_DEVICE_LIMITS } } : {}) },
        },
      ],
      ...(vmi.spec.affinity ? { affinity: structuredClone(vmi.spec.affinity) as V1Affinity } : {}),
      ...(vmi.spec.tolerations ? { tolerations: structuredClone(vmi.spec.tolerations) as V1Toleration[] } : {}),
      ...(vmi.spec.schedulerName ? { schedulerName: vmi.spec.schedulerName } : {}),
      ...(vmi.spec.priorityClassName ? { priorityClassName: vmi.spec.priorityClassName } : {}),
    },
  };
  return pod;
}

/**
 * migration.go createMigrationPodAntiAffinityRule: a required pod anti-affinity term on
 * `kubevirt.io/created-by=<VMI UID>` with topology key `kubernetes.io/hostname`, appended to the
 * VMI's own terms. The source launcher carries that label, so the scheduler never picks the source
 * node (nor a node still holding a target pod of an earlier attempt).
 */
export function migrationAntiAffinityTerm(vmiUid: string): V1PodAffinityTerm {
  return { labelSelector: { matchLabels: { [KUBEVIRT_CREATED_BY_LABEL]: vmiUid } }, topologyKey: HOSTNAME_LABEL };
}

/**
 * The migration target pod (template.go RenderMigrationManifest → renderLaunchManifest, then
 * migration.go createTargetPod): the launcher pod for the VMI's current status (so the
 * machine-type selector is for `status.machine.type`), plus the anti-affinity term, label
 * `kubevirt.io/migrationJobUID`, annotation `kubevirt.io/migrationJobName`, and, from KubeVirt 1.6.0
 * on (kubevirt#12725; v1.5.x's createTargetPod has no such step), the VMIM's `spec.addedNodeSelector`
 * merged *under* the template's selector: `maps.Copy(nodeSelector, AddedNodeSelector)` then
 * `maps.Copy(nodeSelector, templatePod.Spec.NodeSelector)`, so the VM's own selector wins a key
 * collision.
 */
export function renderMigrationTargetPod(vmi: RawVmi, vmim: RawVmim, opts: LauncherRenderOptions): V1Pod {
  const contract = schedulingContractOf(opts.kubevirtVersion);
  const pod = renderLauncherPod(vmi, opts);
  const spec = pod.spec!;
  const term = migrationAntiAffinityTerm(vmi.metadata.uid ?? '');
  const affinity: V1Affinity = spec.affinity ?? {};
  affinity.podAntiAffinity = {
    ...(affinity.podAntiAffinity ?? {}),
    requiredDuringSchedulingIgnoredDuringExecution: [...(affinity.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []), term],
  };
  spec.affinity = affinity;
  if (contract.pinMode === 'addedNodeSelector') spec.nodeSelector = { ...(vmim.spec.addedNodeSelector ?? {}), ...spec.nodeSelector };
  pod.metadata!.labels![MIGRATION_JOB_UID_LABEL] = vmim.metadata.uid ?? '';
  pod.metadata!.annotations![MIGRATION_JOB_NAME_ANNOTATION] = vmim.metadata.name ?? '';
  return pod;
}

/**
 * The source launcher as virt-controller rendered it when the VMI first started: virt-handler had
 * not reported `status.machine.type` yet, so the machine-type selector (≥ 1.5.1) is the spec's type
 * (usually the alias `q35`). The fleet helper binds it to its node directly.
 */
export function renderInitialLauncherPod(vmi: RawVmi, nodeName: string, opts: LauncherRenderOptions): V1Pod {
  const atStart: RawVmi = { ...vmi, status: { ...(vmi.status ?? {}), machine: {} } };
  const pod = renderLauncherPod(atStart, opts);
  pod.spec!.nodeName = nodeName;
  return pod;
}
