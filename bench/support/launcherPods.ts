/**
 * Migration target virt-launcher Pods as KubeVirt's virt-controller creates them for a host-model
 * VMI (kubevirt/kubevirt `pkg/virt-controller/services/template.go`, `nodeselectorrenderer.go`,
 * `pkg/virt-controller/watch/migration/migration.go`): the launcher labels and annotations, the
 * required anti-affinity against the VMI's own pods on the same host, the nodeSelector with
 * `kubevirt.io/schedulable`, the architecture, the source node's host-model CPU
 * (`cpu-model-migration…/<model>` and one `cpu-feature…/<f>` per required feature,
 * getHostCpuModelFromMap) and, when given, the machine-type label; requests for KubeVirt's device
 * plugins. Bench support only.
 */
import {
  DOMAIN_ANNOTATION,
  KUBEVIRT_CPU_FEATURE_LABEL_PREFIX,
  KUBEVIRT_CPU_MODEL_MIGRATION_LABEL_PREFIX,
  KUBEVIRT_CREATED_BY_LABEL,
  KUBEVIRT_SCHEDULABLE_LABEL,
  MIGRATION_JOB_NAME_ANNOTATION,
  MIGRATION_JOB_UID_LABEL,
  VIRT_LAUNCHER_LABELS,
} from '../../compatibility/kubevirtNames.js';
import { HOSTNAME_LABEL } from '../../compatibility/labelKeys.js';
import { type HostCpu, K8S_ARCH_LABEL, KUBEVIRT_DEVICE_RESOURCES } from './realisticNodes.js';

export interface LauncherPodSpec {
  readonly name: string;
  readonly vmName: string;
  readonly vmiUid: string;
  readonly vmimName: string;
  readonly vmimUid: string;
  readonly hostCpu: HostCpu;
  /** `{ [machine-type label key]: "true" }` or nothing. */
  readonly machineTypeSelector?: Readonly<Record<string, string>>;
}

export function launcherTargetPod(p: LauncherPodSpec): Record<string, unknown> {
  const devices = Object.fromEntries(KUBEVIRT_DEVICE_RESOURCES.map((r) => [r, '1']));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      labels: { ...VIRT_LAUNCHER_LABELS, [KUBEVIRT_CREATED_BY_LABEL]: p.vmiUid, [MIGRATION_JOB_UID_LABEL]: p.vmimUid },
      annotations: { [DOMAIN_ANNOTATION]: p.vmName, [MIGRATION_JOB_NAME_ANNOTATION]: p.vmimName },
    },
    spec: {
      nodeSelector: {
        [KUBEVIRT_SCHEDULABLE_LABEL]: 'true',
        [K8S_ARCH_LABEL]: 'amd64',
        [KUBEVIRT_CPU_MODEL_MIGRATION_LABEL_PREFIX + p.hostCpu.hostModel]: 'true',
        ...Object.fromEntries(p.hostCpu.requiredFeatures.map((f) => [KUBEVIRT_CPU_FEATURE_LABEL_PREFIX + f, 'true'])),
        ...p.machineTypeSelector,
      },
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchExpressions: [{ key: KUBEVIRT_CREATED_BY_LABEL, operator: 'In', values: [p.vmiUid] }] }, topologyKey: HOSTNAME_LABEL },
          ],
        },
      },
      terminationGracePeriodSeconds: 30,
      automountServiceAccountToken: false,
      containers: [
        {
          name: 'compute',
          image: 'quay.io/kubevirt/virt-launcher:v1.6.2',
          command: ['/usr/bin/virt-launcher-monitor'],
          resources: { requests: { cpu: '100m', memory: '2294Mi', ...devices }, limits: devices },
        },
      ],
    },
  };
}
