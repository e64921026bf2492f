/**
 * The machine-type labels KubeVirt's virt-handler (≥ 1.5.1) would put on a node for a capabilities
 * document, as its code reads it (kubevirt/kubevirt `cmd/virt-handler/virt-handler.go` getMachines,
 * `pkg/virt-handler/node-labeller/node_labeller.go`): every `<machine>` name directly under each
 * guest's `<arch>`, of every guest and architecture; `canonical` and `deprecated` attributes and the
 * machines nested in `<domain type='kvm'>` are ignored. Test support only: kvfleet never writes
 * KubeVirt's labels.
 */
import { XMLParser } from 'fast-xml-parser';
import { KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX } from '../../compatibility/kubevirtNames.js';

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (n) => ['guest', 'arch', 'machine'].includes(n) });

type Node = Record<string, unknown>;
const list = (v: unknown): Node[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]) as Node[];
const nameOf = (m: unknown): string | undefined =>
  (typeof m === 'string' ? m : typeof m === 'object' && m !== null ? ((m as Node)['#text'] as string) : undefined)?.trim();

export function virtHandlerMachineNames(xml: string): string[] {
  const doc = parser.parse(xml) as Node;
  const caps = (doc.capabilities ?? {}) as Node;
  const names = new Set<string>();
  for (const guest of list(caps.guest)) {
    for (const arch of list(guest.arch)) {
      for (const m of list(arch.machine)) {
        const name = nameOf(m);
        if (name) names.add(name);
      }
    }
  }
  return [...names].sort();
}

export function virtHandlerMachineTypeLabels(xml: string): Record<string, string> {
  return Object.fromEntries(virtHandlerMachineNames(xml).map((n) => [KUBEVIRT_MACHINE_TYPE_LABEL_PREFIX + n, 'true']));
}
