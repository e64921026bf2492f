/**
 * CEL over KubeVirt objects, shared by the policies. Expressions take the root they read
 * (`object` or `oldObject`) so match conditions can use them inline: Kyverno hands a policy's
 * match conditions to the API server's webhook configuration only when they use nothing but the
 * Kubernetes CEL environment (no `variables`, no Kyverno libraries), and then the API server
 * filters requests before they ever reach Kyverno.
 */
import { celStringList } from './celLiterals.js';

export type CelRoot = 'object' | 'oldObject';

/** The VMI spec: a VM's template spec, or a VMI's own spec. */
export function vmiSpecCel(root: CelRoot): string {
  return `(${root}.kind == 'VirtualMachine' ? ${root}.spec.?template.?spec.orValue({}) : ${root}.spec)`;
}

/** `spec.template.spec.domain.machine.type` of a VM or `spec.domain.machine.type` of a VMI; '' when unset. */
export function pinnedMachineTypeCel(root: CelRoot): string {
  return `${vmiSpecCel(root)}.?domain.?machine.?type.orValue('')`;
}

/** The binding-method fields of a KubeVirt interface, in the order the CEL below tests them. */
export const INTERFACE_BINDING_FIELDS = ['bridge', 'masquerade', 'passtBinding', 'passt', 'sriov', 'slirp', 'macvtap'] as const;
export type CoreBinding = (typeof INTERFACE_BINDING_FIELDS)[number];

/**
 * The binding of interface `i` as a string: a core field name, `plugin:<name>` for a network
 * binding plugin (`binding: {name: …}`), or `unset`.
 */
export function interfaceBindingCel(i: string): string {
  const plugin = `has(${i}.binding) ? 'plugin:' + string(${i}.binding.name) : 'unset'`;
  return INTERFACE_BINDING_FIELDS.reduceRight((rest, field) => `has(${i}.${field}) ? '${field}' : (${rest})`, plugin);
}

/** The interfaces of a VMI spec expression attached to the pod network (`networks[].pod`). */
export function podNetworkInterfacesCel(spec: string): string {
  return `${spec}.?domain.?devices.?interfaces.orValue([]).filter(i, ${spec}.?networks.orValue([]).exists(n, n.name == i.name && has(n.pod)))`;
}

/**
 * True when the spec declares neither interfaces nor networks and keeps `autoattachPodInterface`:
 * KubeVirt then adds one pod-network interface with the cluster's `defaultNetworkInterface`,
 * which is `bridge` unless the KubeVirt CR says otherwise.
 */
export function implicitPodInterfaceCel(spec: string): string {
  return (
    `${spec}.?networks.orValue([]).size() == 0 && ${spec}.?domain.?devices.?interfaces.orValue([]).size() == 0 && ` +
    `${spec}.?domain.?devices.?autoattachPodInterface.orValue(true)`
  );
}

/** True when some pod-network interface, declared or implicit, uses bridge binding. */
export function podNetworkUsesBridgeCel(spec: string): string {
  return `(${implicitPodInterfaceCel(spec)}) || ${podNetworkInterfacesCel(spec)}.exists(i, has(i.bridge))`;
}

/** `x in [...]` for a fixed list of strings. */
export function inListCel(x: string, values: readonly string[]): string {
  return `${x} in ${celStringList(values)}`;
}
