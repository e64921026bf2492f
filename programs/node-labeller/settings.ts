/**
 * The labeller's settings: flag, environment variable and default for each. The generator
 * (generators/nodeLabeller.ts) writes the same names into the DaemonSet, so program and manifest
 * cannot disagree about a path or a port. The variables both programs read are programEnv.ts's.
 */
import { MATRIX_MOUNT_PATH } from '../../compatibility/matrixDocument.js';
import { DEFAULT_METRICS_HOST, DEFAULT_METRICS_PORT, MATRIX_FILE_ENV, METRICS_HOST_ENV, METRICS_PORT_ENV, portFrom } from '../runtime/programEnv.js';

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

/** Each setting's variable: `KVFLEET_*`, but for the downward API's `NODE_NAME`. */
export const ENV = {
  nodeName: 'NODE_NAME',
  capabilitiesPath: 'KVFLEET_CAPABILITIES_FILE',
  matrixPath: MATRIX_FILE_ENV,
  resyncSeconds: 'KVFLEET_RESYNC_SECONDS',
  metricsPort: METRICS_PORT_ENV,
  metricsHost: METRICS_HOST_ENV,
} as const satisfies Record<keyof LabellerSettings, string>;

/** Each setting's flag (main.ts), named in problems when the flag gave the value. */
export const FLAGS = {
  nodeName: '--node-name',
  capabilitiesPath: '--capabilities-path',
  matrixPath: '--matrix-path',
  resyncSeconds: '--resync-seconds',
  metricsPort: '--metrics-port',
  metricsHost: '--metrics-host',
} as const satisfies Record<keyof LabellerSettings, string>;

/** The emptyDir the init container writes into and the labeller reads from. */
export const CAPABILITIES_DIR = '/var/lib/kvfleet';
export const CAPABILITIES_FILE = 'capabilities.xml';

export const DEFAULT_SETTINGS: Omit<LabellerSettings, 'nodeName'> = {
  capabilitiesPath: `${CAPABILITIES_DIR}/${CAPABILITIES_FILE}`,
  matrixPath: MATRIX_MOUNT_PATH,
  resyncSeconds: 300,
  metricsPort: DEFAULT_METRICS_PORT,
  metricsHost: DEFAULT_METRICS_HOST,
};

export type SettingsResult = { ok: true; settings: LabellerSettings } | { ok: false; problems: string[] };

/**
 * Flags win over environment variables, which win over defaults. Pure; reports every problem at
 * once, each naming the flag or variable that gave the value.
 */
export function resolveSettings(flags: Partial<Record<keyof LabellerSettings, string>>, env: Readonly<Record<string, string | undefined>>): SettingsResult {
  const pick = (k: keyof LabellerSettings) => flags[k] ?? env[ENV[k]];
  const source = (k: keyof LabellerSettings) => (flags[k] !== undefined ? FLAGS[k] : ENV[k]);
  const problems: string[] = [];
  const resyncSeconds = (): number => {
    const raw = pick('resyncSeconds');
    if (raw === undefined || raw === '') return DEFAULT_SETTINGS.resyncSeconds;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 10 || n > 86_400) {
      problems.push(
        `${source('resyncSeconds')}=${JSON.stringify(raw)} is not a resync period: set an integer from 10 to 86400 seconds, or leave it unset for ${DEFAULT_SETTINGS.resyncSeconds}`,
      );
    }
    return n;
  };
  const metricsPort = (): number => {
    const port = portFrom(source('metricsPort'), pick('metricsPort'));
    if (port.ok) return port.port;
    problems.push(port.problem);
    return Number.NaN;
  };
  const nodeName = pick('nodeName') ?? '';
  if (nodeName === '') problems.push(`${ENV.nodeName} is not set: the DaemonSet passes spec.nodeName through the downward API`);
  const settings: LabellerSettings = {
    nodeName,
    capabilitiesPath: pick('capabilitiesPath') || DEFAULT_SETTINGS.capabilitiesPath,
    matrixPath: pick('matrixPath') || DEFAULT_SETTINGS.matrixPath,
    resyncSeconds: resyncSeconds(),
    metricsPort: metricsPort(),
    metricsHost: pick('metricsHost') || DEFAULT_SETTINGS.metricsHost,
  };
  return problems.length > 0 ? { ok: false, problems } : { ok: true, settings };
}
