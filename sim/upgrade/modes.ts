/**
 * The four ways the same scenario is run: what users run today (KubeVirt 1.5.0 alone, KubeVirt
 * 1.6.2 alone) and the same two KubeVirt versions with kvfleet (its node labeller's labels, its
 * Kyverno policies through the real admission controller, its migration controller process).
 */

export const MODE_NAMES = ['baseline-1.5', 'kvfleet-1.5', 'native-1.6', 'kvfleet-1.6'] as const;
export type ModeName = (typeof MODE_NAMES)[number];

export interface Mode {
  readonly name: ModeName;
  readonly kubevirtVersion: string;
  readonly kvfleet: boolean;
  /** The mode kvfleet's result is compared with (same KubeVirt, no kvfleet). */
  readonly comparedWith?: ModeName;
  readonly description: string;
}

export const MODES: Readonly<Record<ModeName, Mode>> = {
  'baseline-1.5': {
    name: 'baseline-1.5',
    kubevirtVersion: '1.5.0',
    kvfleet: false,
    description: 'KubeVirt 1.5.0 alone: no machine-type labels or selector, no policies, no fallback',
  },
  'kvfleet-1.5': {
    name: 'kvfleet-1.5',
    kubevirtVersion: '1.5.0',
    kvfleet: true,
    comparedWith: 'baseline-1.5',
    description: "KubeVirt 1.5.0 + kvfleet: kvfleet's labels, target-Pod policy through real Kyverno admission, fallback controller",
  },
  'native-1.6': {
    name: 'native-1.6',
    kubevirtVersion: '1.6.2',
    kvfleet: false,
    description: 'KubeVirt 1.6.2 alone: its own machine-type labels and selector, evacuation backoff, no fallback',
  },
  'kvfleet-1.6': {
    name: 'kvfleet-1.6',
    kubevirtVersion: '1.6.2',
    kvfleet: true,
    comparedWith: 'native-1.6',
    description: 'KubeVirt 1.6.2 + kvfleet: VMIM policies through real Kyverno admission, fallback controller',
  },
};

/** `a,b` → modes in the canonical order; throws naming the unknown ones. */
export function parseModes(list: string): ModeName[] {
  const asked = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = asked.filter((m) => !(MODE_NAMES as readonly string[]).includes(m));
  if (unknown.length) throw new Error(`unknown mode(s) ${unknown.join(', ')}; the modes are ${MODE_NAMES.join(', ')}`);
  if (asked.length === 0) throw new Error(`no mode given; the modes are ${MODE_NAMES.join(', ')}`);
  return MODE_NAMES.filter((m) => asked.includes(m));
}
