/**
 * IPv4 and IPv6 addresses and CIDR blocks as Kube-OVN reads a Subnet: parsed to numbers so blocks
 * can be compared, and printed the way Go's `net` package prints them (Kube-OVN rewrites a Subnet's
 * `cidrBlock` to `ipNet.String()`, so anything else would show as drift in Argo CD).
 */
import { isIPv4, isIPv6 } from 'node:net';

export type IpFamily = 4 | 6;

export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

export interface CidrBlock {
  readonly family: IpFamily;
  /** The network address (host bits cleared). */
  readonly network: bigint;
  readonly prefix: number;
  /** The block as written. */
  readonly text: string;
}

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

export function parseIp(text: string): IpAddress | undefined {
  if (isIPv4(text)) {
    const value = text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
    return { family: 4, value };
  }
  if (!isIPv6(text) || text.includes('%')) return undefined;
  // An embedded IPv4 tail (::ffff:10.0.0.1) becomes two hex groups first.
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let hex = text;
  if (v4Tail) {
    const v4 = parseIp(v4Tail[1]!)!.value;
    hex = `${text.slice(0, -v4Tail[1]!.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = hex.split('::') as [string, string | undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = [...headGroups, ...zeros, ...tailGroups];
  return { family: 6, value: groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n) };
}

/** `10.0.0.0/16`; `undefined` for anything else (a bare address, a prefix out of range, spaces). */
export function parseCidr(text: string): CidrBlock | undefined {
  const m = /^([^/\s]+)\/(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const ip = parseIp(m[1]!);
  const prefix = Number(m[2]);
  if (!ip || prefix > BITS[ip.family] || (m[2]!.length > 1 && m[2]!.startsWith('0'))) return undefined;
  return { family: ip.family, network: ip.value & mask(ip.family, prefix), prefix, text };
}

function mask(family: IpFamily, prefix: number): bigint {
  const bits = BigInt(BITS[family]);
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

/** The last address of a block. */
export function lastAddress(block: CidrBlock): bigint {
  return block.network | (((1n << BigInt(BITS[block.family])) - 1n) ^ mask(block.family, block.prefix));
}

export function cidrContains(block: CidrBlock, ip: IpAddress): boolean {
  return ip.family === block.family && ip.value >= block.network && ip.value <= lastAddress(block);
}

export function cidrsOverlap(a: CidrBlock, b: CidrBlock): boolean {
  return a.family === b.family && a.network <= lastAddress(b) && b.network <= lastAddress(a);
}

/** As Go's `net.IP.String()`: dotted IPv4; IPv6 in lower case with the longest run of zero groups as `::`. */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((ip.value >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.length < 2) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

/** As Go's `net.IPNet.String()`: the network address and the prefix. */
export function formatCidr(block: CidrBlock): string {
  return `${formatIp({ family: block.family, value: block.network })}/${block.prefix}`;
}

/** The address Kube-OVN takes as a Subnet's gateway when none is given: the first after the network's. */
export function firstHostAddress(block: CidrBlock): IpAddress {
  return { family: block.family, value: block.network + 1n };
}
