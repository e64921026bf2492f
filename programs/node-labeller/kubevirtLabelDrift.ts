/**
 * KubeVirt-label drift: where both labellers run (KubeVirt ≥ 1.5.1), the scheduler places a
 * migration target by KubeVirt's `machine-type.node.kubevirt.io/<type>` labels, while kvfleet reads
 * what the node's QEMU offers with KVM. virt-handler labels every `<machine>` name of every guest,
 * ignores `canonical` attributes and the KVM-specific lists of older libvirt, so the two can
 * disagree (a type libvirt names only as an alias's canonical is the usual case). Reporting the
 * difference lets a team see it before a migration is refused or lands where QEMU cannot run it.
 * Pure.
 */
import { KUBEVIRT_SKIP_NODE_ANNOTATION } from '../../compatibility/kubevirtNames.js';
import { isValidLabelName } from '../../compatibility/labelKeys.js';
import { machineTypesLabelledBy } from '../../compatibility/nodeRule.js';
import { sortMachineTypes } from '../../compatibility/machineTypeNames.js';
import { type NodeMachineTypes } from './capabilitiesXml.js';

type StringMap = Readonly<Record<string, string>>;

export interface KubevirtLabelDrift {
  /** Types the node runs with KVM that KubeVirt has not labelled: VMs of these types cannot be scheduled here. Sorted. */
  readonly kubevirtLacks: readonly string[];
  /** Types KubeVirt labels that the node's QEMU does not offer with KVM: a migration could be placed here and fail. Sorted. */
  readonly kubevirtOnly: readonly string[];
}

/**
 * `undefined` while KubeVirt has not labelled the node (older KubeVirt, or virt-handler not there
 * yet): nothing to compare. A node KubeVirt was told to skip is compared, since its selector then
 * keeps every VM off it.
 */
export function kubevirtLabelDrift(machineTypes: NodeMachineTypes, nodeLabels: StringMap, nodeAnnotations: StringMap): KubevirtLabelDrift | undefined {
  const kubevirt = new Set(machineTypesLabelledBy(nodeLabels, 'kubevirt'));
  if (kubevirt.size === 0 && nodeAnnotations[KUBEVIRT_SKIP_NODE_ANNOTATION] === undefined) return undefined;
  // Canonical types only on the "lacks" side: status.machine.type, which the selector uses, is never an alias.
  const runs = machineTypes.canonical.filter(isValidLabelName);
  const known = new Set([...runs, ...Object.keys(machineTypes.aliases)]);
  return {
    kubevirtLacks: sortMachineTypes(runs.filter((t) => !kubevirt.has(t))),
    kubevirtOnly: sortMachineTypes([...kubevirt].filter((t) => !known.has(t))),
  };
}

export const hasKubevirtLabelDrift = (d: KubevirtLabelDrift): boolean => d.kubevirtLacks.length > 0 || d.kubevirtOnly.length > 0;

export function kubevirtLabelDriftAnnotationValue(d: KubevirtLabelDrift): string {
  return JSON.stringify({ kubevirtLacks: d.kubevirtLacks, kubevirtOnly: d.kubevirtOnly });
}
