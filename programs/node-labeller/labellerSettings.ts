/**
 * The labeller's settings: flag, environment variable and default for each. The generator
 * (generators/nodeLabeller.ts) writes the same names into the DaemonSet, so program and manifest
 * cannot disagree about a path or a port.
 */
import { MATRIX_MOUNT_PATH } from '../../compatibility/matrixDocument.js';

export interface LabellerSettings {
  /** The Node this pod runs on (downward API `spec.nodeName`). Required. */
  readonly nodeName: string;
  /** Where the init container wrote `virsh capabilities`. */
  readonly capabilitiesPath: string;
  /** The mounted `matrix.yaml` of the `kvfleet-machine-types` ConfigMap. */
  readonly matrixPath: string;
  /** Wait after a successful reconcile before checking the node again. */
  readonly resyncSeconds: number;
  readonly metricsPort: number;
  readonly metricsHost: string;
}

export const ENV = {
  nodeName: 'NODE_NAME',
  capabilitiesPath: 'CAPABILITIES_PATH',
  matrixPath: 'MATRIX_PATH',
  resyncSeconds: 'RESYNC_SECONDS',
  metricsPort: 'METRICS_PORT',
  metricsHost: 'METRICS_HOST',
} as const satisfies Record<keyof LabellerSettings, string>;

/** The emptyDir the init container writes into and the labeller reads from. */
export const CAPABILITIES_DIR = '/var/lib/kvfleet';
export const CAPABILITIES_FILE = 'capabilities.xml';

export const DEFAULT_SETTINGS: Omit<LabellerSettings, 'nodeName'> = {
  capabilitiesPath: `${CAPABILITIES_DIR}/${CAPABILITIES_FILE}`,
  matrixPath: MATRIX_MOUNT_PATH,
  resyncSeconds: 300,
  metricsPort: 8080,
  metricsHost: '0.0.0.0',
};

export type SettingsResult = { ok: true; settings: LabellerSettings } | { ok: false; problems: string[] };

/** Flags win over environment variables, which win over defaults. Pure; reports every problem at once. */
export function resolveSettings(flags: Partial<Record<keyof LabellerSettings, string>>, env: Readonly<Record<string, string | undefined>>): SettingsResult {
  const pick = (k: keyof LabellerSettings) => flags[k] ?? env[ENV[k]];
  const problems: string[] = [];
  const int = (k: 'resyncSeconds' | 'metricsPort', min: number, max: number): number => {
    const raw = pick(k);
    if (raw === undefined || raw === '') return DEFAULT_SETTINGS[k];
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) problems.push(`${k} (${ENV[k]}): ${JSON.stringify(raw)} is not an integer from ${min} to ${max}`);
    return n;
  };
  const nodeName = pick('nodeName') ?? '';
  if (nodeName === '') problems.push(`nodeName (${ENV.nodeName}): missing; set it from the downward API (spec.nodeName)`);
  const settings: LabellerSettings = {
    nodeName,
    capabilitiesPath: pick('capabilitiesPath') || DEFAULT_SETTINGS.capabilitiesPath,
    matrixPath: pick('matrixPath') || DEFAULT_SETTINGS.matrixPath,
    resyncSeconds: int('resyncSeconds', 10, 86_400),
    metricsPort: int('metricsPort', 1, 65_535),
    metricsHost: pick('metricsHost') || DEFAULT_SETTINGS.metricsHost,
  };
  return problems.length > 0 ? { ok: false, problems } : { ok: true, settings };
}
