/**
 * Reads the machine types a node's QEMU offers from `virsh capabilities` XML. Pure and total:
 * every input, however broken, yields a result value, never an exception, so the labeller can log,
 * count and keep the node's current labels.
 *
 * Which entries count (libvirt `docs/formatcaps.rst`, KubeVirt `cmd/virt-handler` getMachines):
 * - only `<guest>`s whose `<arch name>` is the host's own (`<host><cpu><arch>`): an i686 or aarch64
 *   guest on an x86_64 host is emulation, which KubeVirt does not run;
 * - only guests with a `<domain type='kvm'>`: without it QEMU cannot accelerate that guest;
 * - machines directly under `<arch>` (newer libvirt lists `<domain type='kvm'/>` empty), or the ones
 *   nested in `<domain type='kvm'>` when older libvirt lists a KVM-specific set there.
 */
import { XMLParser } from 'fast-xml-parser';
import { isRecord } from '../../compatibility/guards.js';
import { sortMachineTypes } from '../../compatibility/machineTypeNames.js';

export interface NodeMachineTypes {
  /** The host CPU architecture, `<host><cpu><arch>`. */
  readonly arch: string;
  /**
   * Versioned/concrete types, sorted: every `<machine>` without a `canonical` attribute, plus every
   * alias's canonical target (older libvirt lists some types only there).
   */
  readonly canonical: readonly string[];
  /** Alias → the canonical type QEMU resolves it to on this node (`q35` → `pc-q35-rhel9.6.0`), sorted by alias. */
  readonly aliases: Readonly<Record<string, string>>;
  /** Types (canonical or alias) QEMU marks `deprecated='yes'`, sorted. */
  readonly deprecated: readonly string[];
}

export type CapabilitiesErrorCode = 'empty' | 'too-large' | 'not-xml' | 'domain-capabilities' | 'not-capabilities' | 'no-host-arch' | 'no-kvm-guest';

export type CapabilitiesResult =
  | { readonly ok: true; readonly machineTypes: NodeMachineTypes; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly code: CapabilitiesErrorCode; readonly message: string };

/**
 * Real documents are ~30-200 KiB; anything far larger is not libvirt output. The cap is what the
 * labeller's container can parse, not a guess: parsing costs ~10 MiB of heap per MiB of `<machine>`
 * entries and up to ~43 MiB per MiB of the densest markup (`<m/>` repeated), on top of the program's
 * ~114 MiB RSS at rest; the 192Mi container (generators/nodeLabeller.ts) holds 512 KiB of either with
 * room to spare, and programs/node-labeller/capabilitiesMemory.test.ts proves it under the
 * DaemonSet's own heap flag. 8 MiB of the dense kind would need ~350 MiB and crash-loop the pod.
 */
export const MAX_CAPABILITIES_BYTES = 512 * 1024;

const ATTR = '@_';
const TEXT = '#text';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: ATTR,
  textNodeName: TEXT,
  // Names such as `pc-q35-2.10` or `40p` must stay strings.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  alwaysCreateTextNode: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // libvirt declares no entities; fast-xml-parser's defaults cap what a hostile DOCTYPE could expand.
  processEntities: true,
  isArray: (tagName) => tagName === 'guest' || tagName === 'arch' || tagName === 'machine' || tagName === 'domain',
});

type XmlNode = Record<string, unknown>;

const own = (n: XmlNode, key: string): unknown => (Object.hasOwn(n, key) ? n[key] : undefined);
/** Child elements of one name, whatever the parser made of them (one, many, or text-only). */
const children = (n: XmlNode, key: string): unknown[] => {
  const v = own(n, key);
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};
const attr = (n: unknown, name: string): string | undefined => {
  if (!isRecord(n)) return undefined;
  const v = own(n, ATTR + name);
  return typeof v === 'string' ? v : undefined;
};
/** Text of an element with no child elements; `undefined` when it has children or no text. */
const text = (n: unknown): string | undefined => {
  if (typeof n === 'string') return n.trim() || undefined;
  if (!isRecord(n)) return undefined;
  if (Object.keys(n).some((k) => k !== TEXT && !k.startsWith(ATTR))) return undefined;
  const t = own(n, TEXT);
  return typeof t === 'string' ? t.trim() || undefined : typeof t === 'number' ? String(t) : undefined;
};

interface MachineEntry {
  readonly name: string;
  readonly canonical?: string;
  readonly deprecated: boolean;
}

function machineEntries(nodes: unknown[], where: string, warnings: string[]): MachineEntry[] {
  const entries: MachineEntry[] = [];
  for (const m of nodes) {
    const name = text(m);
    if (name === undefined) {
      warnings.push(`${where}: a <machine> without a name was ignored`);
      continue;
    }
    const canonical = attr(m, 'canonical')?.trim();
    entries.push({ name, ...(canonical ? { canonical } : {}), deprecated: attr(m, 'deprecated') === 'yes' });
  }
  return entries;
}

function parseDocument(xml: string): { ok: true; doc: XmlNode } | { ok: false; message: string } {
  try {
    const doc: unknown = parser.parse(xml, true);
    return isRecord(doc) ? { ok: true, doc } : { ok: false, message: 'the parser returned no document' };
  } catch (e) {
    const err = e as { message?: unknown; err?: { msg?: unknown; line?: unknown } };
    const message = typeof err.err?.msg === 'string' ? `${err.err.msg} (line ${String(err.err.line)})` : String(err.message ?? e);
    return { ok: false, message };
  }
}

/** `virsh capabilities` XML → the machine types this node can run with KVM. Never throws. */
export function parseCapabilities(xml: string): CapabilitiesResult {
  try {
    return parseCapabilitiesUnguarded(xml);
  } catch (e) {
    // Nothing below is expected to throw; this keeps the contract if a parser upgrade ever does.
    return { ok: false, code: 'not-xml', message: `unexpected parser failure: ${(e as Error)?.message ?? String(e)}` };
  }
}

type CapabilitiesError = Extract<CapabilitiesResult, { ok: false }>;
const failure = (code: CapabilitiesErrorCode, message: string): CapabilitiesError => ({ ok: false, code, message });

function parseCapabilitiesUnguarded(xml: string): CapabilitiesResult {
  const doc = capabilitiesRoot(xml);
  if (!doc.ok) return doc;
  const { root } = doc;
  const host = hostArch(root);
  if (!host.ok) return host;
  const { arch, warnings } = host;
  const machines = kvmMachines(root, arch, warnings);
  if (machines === undefined) {
    // Refused rather than read as "offers nothing": the usual cause is /dev/kvm missing in the init
    // container, and wiping every node's labels for that would block all migrations at once.
    return failure('no-kvm-guest', `no ${arch} guest with a kvm domain: libvirt could not use KVM (is /dev/kvm available to the capabilities step?)`);
  }
  return { ok: true, machineTypes: { arch, ...machineTypesOf(machines, warnings) }, warnings: [...new Set(warnings)] };
}

/** The `<capabilities>` element of a document of the right size and kind, or why there is none. */
function capabilitiesRoot(xml: string): { ok: true; root: XmlNode } | CapabilitiesError {
  if (typeof xml !== 'string' || xml.trim() === '') return failure('empty', 'the document is empty');
  if (xml.length > MAX_CAPABILITIES_BYTES) return failure('too-large', `the document has ${xml.length} characters, more than ${MAX_CAPABILITIES_BYTES}`);
  const parsed = parseDocument(xml);
  if (!parsed.ok) return failure('not-xml', `not well-formed XML: ${parsed.message}`);
  const roots = Object.keys(parsed.doc).filter((k) => !k.startsWith(ATTR) && k !== TEXT);
  if (roots.includes('domainCapabilities')) {
    return failure(
      'domain-capabilities',
      'this is `virsh domcapabilities` output (one resolved machine type), not `virsh capabilities`; it cannot list what the node supports',
    );
  }
  const root = roots.length === 1 && roots[0] === 'capabilities' ? own(parsed.doc, 'capabilities') : undefined;
  if (!isRecord(root)) return failure('not-capabilities', `not a capabilities document: root element ${roots.map((r) => `<${r}>`).join(', ') || 'missing'}`);
  return { ok: true, root };
}

/** The host's CPU architecture, `<host><cpu><arch>`: the first, with a warning when there are several. */
function hostArch(root: XmlNode): { ok: true; arch: string; warnings: string[] } | CapabilitiesError {
  const hostArches = children(root, 'host')
    .filter(isRecord)
    .flatMap((h) => children(h, 'cpu'))
    .filter(isRecord)
    .flatMap((c) => children(c, 'arch'))
    .map(text)
    .filter((a): a is string => a !== undefined);
  const arch = hostArches[0];
  if (arch === undefined) return failure('no-host-arch', 'no <host><cpu><arch>: cannot tell which guests are native');
  const warnings: string[] = [];
  if (new Set(hostArches).size > 1) warnings.push(`several host architectures (${[...new Set(hostArches)].join(', ')}); using ${arch}`);
  return { ok: true, arch, warnings };
}

/** The `<machine>` entries of every native guest with a kvm domain; undefined when there is no such guest. */
function kvmMachines(root: XmlNode, arch: string, warnings: string[]): MachineEntry[] | undefined {
  const machines: MachineEntry[] = [];
  let kvmGuests = 0;
  for (const [g, guest] of children(root, 'guest').entries()) {
    if (!isRecord(guest)) continue;
    for (const archNode of children(guest, 'arch')) {
      if (attr(archNode, 'name') !== arch || !isRecord(archNode)) continue;
      const kvm = children(archNode, 'domain').find((d) => attr(d, 'type') === 'kvm');
      if (kvm === undefined) continue;
      kvmGuests++;
      const where = `guest[${g}] (${arch})`;
      const nested = isRecord(kvm) ? children(kvm, 'machine') : [];
      machines.push(...machineEntries(nested.length > 0 ? nested : children(archNode, 'machine'), where, warnings));
    }
  }
  return kvmGuests === 0 ? undefined : machines;
}

/** The entries sorted into canonical types, aliases and deprecated types, inconsistencies warned about. */
function machineTypesOf(machines: readonly MachineEntry[], warnings: string[]): Omit<NodeMachineTypes, 'arch'> {
  // Older libvirt (QEMU 2.x–4.x era hosts) lists a versioned type only as the `canonical` attribute of
  // its alias (`<machine canonical='pc-q35-2.3'>q35</machine>`, no `<machine>pc-q35-2.3</machine>`).
  // A VM started there as `q35` reports `status.machine.type: pc-q35-2.3`, so every alias target is
  // a type the node runs; leaving it out would make that VM's migrations unschedulable everywhere.
  const listedAsAlias = new Set(machines.filter((m) => m.canonical !== undefined).map((m) => m.name));
  const canonical = new Set(machines.filter((m) => m.canonical === undefined).map((m) => m.name));
  for (const m of machines) if (m.canonical !== undefined && !listedAsAlias.has(m.canonical)) canonical.add(m.canonical);
  const aliases = aliasTargets(machines, canonical, warnings);
  const deprecated = new Set(machines.filter((m) => m.deprecated && (canonical.has(m.name) || aliases.has(m.name))).map((m) => m.name));
  // A type known only through its alias inherits the alias's flag: it is the same QEMU machine.
  for (const m of machines) {
    if (m.deprecated && m.canonical !== undefined && aliases.get(m.name) === m.canonical && canonical.has(m.canonical)) deprecated.add(m.canonical);
  }
  return {
    canonical: sortMachineTypes(canonical),
    aliases: Object.fromEntries([...aliases].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    deprecated: sortMachineTypes(deprecated),
  };
}

/** Alias → canonical type, for every alias whose target is a canonical type and whose name is not one. */
function aliasTargets(machines: readonly MachineEntry[], canonical: ReadonlySet<string>, warnings: string[]): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const m of machines) {
    if (m.canonical === undefined) continue;
    if (!canonical.has(m.canonical)) {
      // Only when the target is itself an alias name: libvirt never chains aliases.
      warnings.push(`alias ${m.name} points to ${m.canonical}, which is itself an alias; ignored`);
      continue;
    }
    if (canonical.has(m.name)) {
      warnings.push(`${m.name} is listed both as a machine type and as an alias of ${m.canonical}; kept as a machine type`);
      continue;
    }
    const seen = aliases.get(m.name);
    if (seen !== undefined && seen !== m.canonical) {
      // Deterministic whatever the document order: the alias keeps the lowest target name.
      warnings.push(`alias ${m.name} points to both ${seen} and ${m.canonical}`);
      if (m.canonical < seen) aliases.set(m.name, m.canonical);
      continue;
    }
    aliases.set(m.name, m.canonical);
  }
  return aliases;
}
