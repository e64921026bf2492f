/**
 * The two ways the KubeVirt upgrade is run: KubeVirt alone, and with kvfleet (the plan's fixes
 * carried out before the step, its Kyverno policies through the real admission controller, its
 * migration controller process).
 */

export const MODE_NAMES = ['baseline', 'kvfleet'] as const;
export type ModeName = (typeof MODE_NAMES)[number];

export interface Mode {
  readonly name: ModeName;
  readonly kvfleet: boolean;
  /** The mode kvfleet's result is compared with. */
  readonly comparedWith?: ModeName;
  readonly description: string;
}

export const MODES: Readonly<Record<ModeName, Mode>> = {
  baseline: {
    name: 'baseline',
    kvfleet: false,
    description: 'KubeVirt 1.7.0 alone (its own machine-type labels and selector), upgraded in place',
  },
  kvfleet: {
    name: 'kvfleet',
    kvfleet: true,
    comparedWith: 'baseline',
    description: "KubeVirt 1.7.0 + kvfleet: plan's restart fixes before the step, VMIM policies through real Kyverno admission, the migration controller",
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
